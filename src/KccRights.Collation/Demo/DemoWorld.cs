using System.Globalization;

namespace KccRights.Collation.Demo;

/// <summary>
/// Who is in which demo system: the planted people in the systems people.tsv lists, and the fillers. Many fillers are
/// the same children across systems (as in real life, a child known to early help is usually a pupil too).
/// </summary>
internal sealed class DemoWorld
{
    private readonly Dictionary<DemoPerson, (string Name, string Relation)> _relatives = [];
    private readonly Dictionary<DemoPerson, string> _children = [];
    private string[] _familyRefs = [];

    public List<DemoPerson> Pupils { get; } = [];

    public List<DemoPerson> EarlyHelp { get; } = [];

    public List<DemoPerson> SocialCare { get; } = [];

    public List<DemoPerson> YouthJustice { get; } = [];

    public List<DemoPerson> Send { get; } = [];

    public List<DemoPerson> Admissions { get; } = [];

    public List<Professional> Professionals { get; } = [];

    public List<string> OtherChildren { get; } = [];

    public List<(string FamilyRef, List<int> Members)> EarlyHelpFamilies { get; } = [];

    public IReadOnlyList<DemoPerson> Planted { get; private set; } = [];

    public static int PupilId(int i) => 100_001 + i;

    public static int ClientNo(int i) => 20_001 + i;

    public static long SocialCareId(int i) => 5_000_001 + i;

    public static string YouthJusticeId(int i) => string.Create(CultureInfo.InvariantCulture, $"YJ-{2015 + (i % 10)}-{i + 1:D5}");

    public static string SendId(int i) => string.Create(CultureInfo.InvariantCulture, $"EHC-{i + 1:D6}");

    public static string ApplicationNo(int i) => string.Create(CultureInfo.InvariantCulture, $"ADM-{20 + (i % 6)}-{i + 1:D6}");

    public string FamilyRefOf(int clientIndex) => _familyRefs[clientIndex];

    /// <summary>A planted relative named in a planted subject's notes (his sister, his son).</summary>
    public (string Name, string Relation)? RelativeOf(DemoPerson person) => _relatives.TryGetValue(person, out var r) ? r : null;

    /// <summary>The child a planted parent's records name.</summary>
    public string? ChildOf(DemoPerson parent) => _children.GetValueOrDefault(parent);

    public static DemoWorld Build(IReadOnlyList<PlantedPerson> planted, DemoScale scale, int seed)
    {
        var world = new DemoWorld();
        var factory = new DemoPeopleFactory(seed, planted);
        var plantedPeople = planted.Select(p => DemoPeopleFactory.FromPlanted(p, factory.Faker)).ToList();
        world.Planted = plantedPeople;
        foreach (var family in plantedPeople.Where(p => p.Planted!.Role == "family" && p.Planted.NearMissOf is not null))
        {
            var subject = plantedPeople.First(p => p.Planted!.Key == family.Planted!.NearMissOf);
            var note = family.Planted!.Note;
            var relation = note.StartsWith("his ", StringComparison.Ordinal) || note.StartsWith("her ", StringComparison.Ordinal)
                ? note[4..].Split(':', ',')[0].Trim()
                : "relative";
            if (family.Adult)
            {
                world._children[family] = $"{subject.Given} {subject.Family}";
            }
            else
            {
                world._relatives[subject] = ($"{family.Given} {family.Family}", relation);
            }
        }

        for (var i = 0; i < (scale.Name == "small" ? 60 : 400); i++)
        {
            world.Professionals.Add(factory.Professional());
        }

        for (var i = 0; i < (scale.Name == "small" ? 300 : 3000); i++)
        {
            world.OtherChildren.Add(factory.ChildName());
        }

        var childFrom = new DateOnly(1997, 9, 1);
        var childTo = new DateOnly(2021, 8, 31);
        List<DemoPerson> In(string system) => plantedPeople.Where(p => p.Planted!.Systems.Contains(system)).ToList();

        var pupilFillers = new List<DemoPerson>(scale.Pupils);
        var plantedPupils = In("education");
        for (var i = 0; i < scale.Pupils - plantedPupils.Count; i++)
        {
            pupilFillers.Add(factory.Filler(childFrom, childTo));
        }

        world.Pupils.AddRange(Spread(pupilFillers, plantedPupils));

        List<DemoPerson> Others(string system, int count, int stream, bool adults = false)
        {
            var list = new List<DemoPerson>(count);
            var r = new DemoRandom(seed, stream, 0);
            var offset = r.Next(pupilFillers.Count);
            for (var i = 0; i < count; i++)
            {
                list.Add(adults
                    ? factory.Filler(new DateOnly(1960, 1, 1), new DateOnly(1990, 12, 31), adult: true)
                    : r.Chance(0.7) ? pupilFillers[(int)(((long)i * 7919 + offset) % pupilFillers.Count)] : factory.Filler(childFrom, childTo));
            }

            return list;
        }

        var eh = In("early-help");
        world.EarlyHelp.AddRange(Spread(Others("early-help", scale.EarlyHelp - eh.Count, 11), eh));
        var sc = In("social-care");
        var scFillers = Others("social-care", scale.SocialCareChildren - sc.Count(p => !p.Adult), 12);
        scFillers.AddRange(Others("social-care", scale.SocialCareAdults - sc.Count(p => p.Adult), 13, adults: true));
        world.SocialCare.AddRange(Spread(scFillers, sc));
        var yj = In("youth-justice");
        world.YouthJustice.AddRange(Spread(Others("youth-justice", scale.YouthJustice - yj.Count, 14), yj));
        var send = In("send");
        world.Send.AddRange(Spread(Others("send", scale.Send - send.Count, 15), send));
        var adm = In("admissions");
        world.Admissions.AddRange(Spread(Others("admissions", scale.Admissions - adm.Count, 16), adm));

        // Early-help families: planted people sharing an address form one family; fillers are in families of one or two.
        world._familyRefs = new string[world.EarlyHelp.Count];
        var byAddress = new Dictionary<string, int>(StringComparer.Ordinal);
        var fr = new DemoRandom(seed, 17, 0);
        for (var i = 0; i < world.EarlyHelp.Count; i++)
        {
            var p = world.EarlyHelp[i];
            var addressKey = p.Planted is not null ? $"{p.Address}|{p.Postcode}" : null;
            if (addressKey is not null && byAddress.TryGetValue(addressKey, out var existing))
            {
                world.EarlyHelpFamilies[existing].Members.Add(i);
                world._familyRefs[i] = world.EarlyHelpFamilies[existing].FamilyRef;
                continue;
            }

            if (p.Planted is null && i > 0 && world.EarlyHelp[i - 1].Planted is null && fr.Chance(0.25))
            {
                world.EarlyHelpFamilies[^1].Members.Add(i);
                world._familyRefs[i] = world.EarlyHelpFamilies[^1].FamilyRef;
                continue;
            }

            var familyRef = string.Create(CultureInfo.InvariantCulture, $"FAM{world.EarlyHelpFamilies.Count + 1:D6}");
            world.EarlyHelpFamilies.Add((familyRef, [i]));
            world._familyRefs[i] = familyRef;
            if (addressKey is not null)
            {
                byAddress[addressKey] = world.EarlyHelpFamilies.Count - 1;
            }
        }

        return world;
    }

    /// <summary>The planted people spread evenly among the fillers (not all at the start).</summary>
    private static List<DemoPerson> Spread(List<DemoPerson> fillers, List<DemoPerson> planted)
    {
        var result = new List<DemoPerson>(fillers.Count + planted.Count);
        var step = Math.Max(1, fillers.Count / (planted.Count + 1));
        var next = 0;
        for (var i = 0; i < fillers.Count; i++)
        {
            if (next < planted.Count && i == step * (next + 1))
            {
                result.Add(planted[next++]);
            }

            result.Add(fillers[i]);
        }

        while (next < planted.Count)
        {
            result.Add(planted[next++]);
        }

        return result;
    }
}
