using System.Globalization;
using System.Text.RegularExpressions;

namespace KccRights.Collation.Demo;

/// <summary>One row of demo/people.tsv: a person planted in the demo systems (a subject, a near-miss or a family member).</summary>
public sealed record PlantedPerson(
    string Key,
    string Given,
    string Family,
    string? PreviousFamily,
    DateOnly DateOfBirth,
    char Sex,
    string Address,
    string Postcode,
    string? School,
    string? Upn,
    IReadOnlyList<string> Systems,
    string Role,
    string? NearMissOf,
    string Note)
{
    public bool IsSubject => Role == "subject";

    /// <summary>
    /// The name a system holds, from the note's "SYSTEM holds him as GIVEN FAMILY" (a previous surname, a formal or a
    /// misspelt first name); otherwise the current name.
    /// </summary>
    public (string Given, string Family) NameIn(string system)
    {
        foreach (Match m in PlantedPeople.HeldAs().Matches(Note))
        {
            if (m.Groups["system"].Value == system)
            {
                return (m.Groups["given"].Value, m.Groups["family"].Value);
            }
        }

        return (Given, Family);
    }
}

public static partial class PlantedPeople
{
    /// <summary>demo/people.tsv beside the executable.</summary>
    public static string DefaultFile => Path.Combine(AppContext.BaseDirectory, "demo", "people.tsv");

    public static IReadOnlyList<PlantedPerson> Load(string? file = null)
    {
        var path = file ?? DefaultFile;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split('\t');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"{path} has no column {name}");
        var people = new List<PlantedPerson>();
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split('\t');
            string? Opt(string name) => Col(name) < f.Length && f[Col(name)].Trim() is { Length: > 0 } v ? v : null;
            string Req(string name) => Opt(name) ?? throw new InvalidDataException($"{path}: {name} is empty in '{line}'");
            people.Add(new PlantedPerson(
                Req("key"),
                Req("given"),
                Req("family"),
                Opt("previous_family"),
                DateOnly.ParseExact(Req("dob"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                Req("sex")[0],
                Req("address"),
                Req("postcode"),
                Opt("school"),
                Opt("upn"),
                (Opt("systems") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Req("role"),
                Opt("near_miss_of"),
                Opt("note") ?? ""));
        }

        return people;
    }

    // "education holds him as Daniel Mensah", "admissions holds her misspelt as Annika Raman"
    [GeneratedRegex(@"(?<system>[a-z-]+) holds (?:him|her|them)(?: misspelt)? as (?<given>[A-Z][a-z'-]+) (?<family>[A-Z][A-Za-z'-]+)")]
    internal static partial Regex HeldAs();
}
