using Bogus;
using Bogus.DataSets;

namespace KccRights.Collation.Demo;

/// <summary>How big the demo systems are.</summary>
public sealed record DemoScale(string Name, int Pupils, int EarlyHelp, int SocialCareChildren, int SocialCareAdults, int YouthJustice, int Send, int Admissions, int SessionsPerPupil, int FillerDocuments)
{
    public static readonly DemoScale Small = new("small", 3_000, 400, 400, 100, 150, 250, 600, 20, 24);

    /// <summary>A tenth of large: for benchmarks that must finish sooner.</summary>
    public static readonly DemoScale Medium = new("medium", 60_000, 12_000, 13_000, 3_000, 4_000, 6_000, 10_000, 84, 100);

    /// <summary>Over 1,000,000 people across the systems and over 50,000,000 attendance sessions.</summary>
    public static readonly DemoScale Large = new("large", 600_000, 120_000, 130_000, 30_000, 40_000, 60_000, 100_000, 84, 300);

    public int People => Pupils + EarlyHelp + SocialCareChildren + SocialCareAdults + YouthJustice + Send + Admissions;

    public static DemoScale Parse(string name) => name switch
    {
        "small" => Small,
        "medium" => Medium,
        "large" => Large,
        _ => throw new ArgumentException($"scale '{name}' must be small, medium or large"),
    };
}

/// <summary>A person in the demo systems: a planted one (from people.tsv) or a Bogus filler.</summary>
internal sealed class DemoPerson
{
    public required string Given { get; init; }

    public required string Family { get; init; }

    public string? PreviousFamily { get; init; }

    public string? Middle { get; init; }

    public required DateOnly DateOfBirth { get; init; }

    public required char Sex { get; init; }

    public required string Address { get; init; }

    public required string Town { get; init; }

    public required string Postcode { get; init; }

    public string? School { get; init; }

    public string? Upn { get; init; }

    public required string Mother { get; init; }

    public required string Father { get; init; }

    public PlantedPerson? Planted { get; init; }

    /// <summary>An adult (a parent in a social-care record), not a child.</summary>
    public bool Adult { get; init; }

    public (string Given, string Family) NameIn(string system) => Planted?.NameIn(system) ?? (Given, Family);
}

/// <summary>Makes the filler people with Bogus, seeded, so the same seed gives the same people.</summary>
internal sealed class DemoPeopleFactory
{
    private static readonly string[] Districts =
    [
        "CT1", "CT2", "CT5", "CT6", "CT9", "CT10", "CT11", "CT14", "CT16", "CT19", "CT20", "ME1", "ME4", "ME5", "ME7", "ME8",
        "ME10", "ME14", "ME15", "ME16", "ME20", "TN1", "TN4", "TN9", "TN10", "TN23", "TN24", "TN25", "DA1", "DA2", "DA11", "DA12",
    ];

    private static readonly Dictionary<string, string> Towns = new(StringComparer.Ordinal)
    {
        ["CT1"] = "Canterbury", ["CT2"] = "Canterbury", ["CT5"] = "Whitstable", ["CT6"] = "Herne Bay", ["CT9"] = "Margate",
        ["CT10"] = "Broadstairs", ["CT11"] = "Ramsgate", ["CT14"] = "Deal", ["CT16"] = "Dover", ["CT19"] = "Folkestone",
        ["CT20"] = "Folkestone", ["ME1"] = "Rochester", ["ME4"] = "Chatham", ["ME5"] = "Chatham", ["ME7"] = "Gillingham",
        ["ME8"] = "Rainham", ["ME10"] = "Sittingbourne", ["ME14"] = "Maidstone", ["ME15"] = "Maidstone", ["ME16"] = "Maidstone",
        ["ME20"] = "Aylesford", ["TN1"] = "Tunbridge Wells", ["TN4"] = "Tunbridge Wells", ["TN9"] = "Tonbridge", ["TN10"] = "Tonbridge",
        ["TN23"] = "Ashford", ["TN24"] = "Ashford", ["TN25"] = "Ashford", ["DA1"] = "Dartford", ["DA2"] = "Dartford",
        ["DA11"] = "Gravesend", ["DA12"] = "Gravesend",
    };

    private static readonly string[] Schools =
    [
        "Hartsdown Academy", "Maidstone Grammar School", "St Mary's C of E Primary School", "Dartford Science & Technology College",
        "Oakwood Park Grammar School", "The Harvey Grammar School", "Highsted Grammar School", "Fort Pitt Grammar School",
        "Simon Langton Grammar School for Boys", "Hillview School for Girls", "Herne Bay High School", "Fulston Manor School",
        "The North School", "Maidstone Girls' Grammar School", "Mayfield Grammar School", "Rainham School for Girls",
        "Goodwin Academy", "Northfleet School for Girls", "Canterbury Academy", "Tunbridge Wells Grammar School for Boys",
        "Bennett Memorial Diocesan School", "Chatham Grammar", "Dover Christ Church Academy", "Folkestone Academy",
        "Ramsgate Arts Primary School", "Whitstable Junior School", "Ashford Oaks Primary School", "Tonbridge Grammar School",
    ];

    private readonly Faker _faker;
    private readonly HashSet<string> _plantedNames;
    private int _serial;

    public DemoPeopleFactory(int seed, IEnumerable<PlantedPerson> planted)
    {
        _faker = new Faker("en_GB") { Random = new Randomizer(seed) };
        _plantedNames = planted.SelectMany(p => new[] { p.Family, p.PreviousFamily ?? p.Family }).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public DemoPerson Filler(DateOnly bornFrom, DateOnly bornTo, bool adult = false)
    {
        var sex = _faker.Random.Bool() ? 'M' : 'F';
        var given = _faker.Name.FirstName(sex == 'M' ? Name.Gender.Male : Name.Gender.Female);
        string family;
        do
        {
            // Filler people never share a planted surname, so the tests' expectations depend on the planted people only.
            family = _faker.Name.LastName();
        }
        while (_plantedNames.Contains(family));

        var district = _faker.PickRandom(Districts);
        var days = bornTo.DayNumber - bornFrom.DayNumber;
        _serial++;
        return new DemoPerson
        {
            Given = given,
            Family = family,
            Middle = _faker.Random.Bool(0.3f) ? _faker.Name.FirstName(sex == 'M' ? Name.Gender.Male : Name.Gender.Female) : null,
            PreviousFamily = !adult && _faker.Random.Bool(0.03f) ? _faker.Name.LastName() : null,
            DateOfBirth = DateOnly.FromDayNumber(bornFrom.DayNumber + _faker.Random.Int(0, days)),
            Sex = sex,
            Address = $"{_faker.Random.Int(1, 180)} {_faker.Address.StreetName()}",
            Town = Towns[district],
            Postcode = $"{district} {_faker.Random.Int(1, 9)}{_faker.Random.String2(2, "ABDEFGHJLNPQRSTUWXYZ")}",
            School = adult ? null : _faker.PickRandom(Schools),
            Upn = adult ? null : Upns.Make(886, 100_000_000 + _serial),
            Mother = $"{_faker.Name.FirstName(Name.Gender.Female)} {family}",
            Father = $"{_faker.Name.FirstName(Name.Gender.Male)} {family}",
            Adult = adult,
        };
    }

    public Professional Professional() => new(_faker.Name.FullName(), _faker.PickRandom(DemoText.Roles));

    public string ChildName() => $"{_faker.Name.FirstName()} {_faker.Name.LastName()}";

    public static DemoPerson FromPlanted(PlantedPerson p, Faker faker)
    {
        var town = p.Address.Split(',').Last().Trim();
        return new DemoPerson
        {
            Given = p.Given,
            Family = p.Family,
            PreviousFamily = p.PreviousFamily,
            DateOfBirth = p.DateOfBirth,
            Sex = p.Sex,
            Address = string.Join(',', p.Address.Split(',').SkipLast(1)).Trim(),
            Town = town,
            Postcode = p.Postcode,
            School = p.School,
            Upn = p.Upn,
            Mother = $"{faker.Name.FirstName(Name.Gender.Female)} {p.Family}",
            Father = $"{faker.Name.FirstName(Name.Gender.Male)} {p.Family}",
            Planted = p,
            Adult = p.DateOfBirth.Year < 1990,
        };
    }

    public Faker Faker => _faker;
}
