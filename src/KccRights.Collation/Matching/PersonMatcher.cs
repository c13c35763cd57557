using System.Globalization;
using System.Text.Json.Serialization;
using KccRights.Collation.Connectors;

namespace KccRights.Collation.Matching;

/// <summary>One candidate record for the person searched for, with its score and why.</summary>
public sealed record MatchCandidate(
    [property: JsonPropertyName("system")] string System,
    [property: JsonPropertyName("personId")] string PersonId,
    [property: JsonPropertyName("display")] string Display,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("band")] string Band,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons)
{
    /// <summary>The identifiers documents cite for this person (kept for collation, not printed).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Identifiers { get; init; } = [];
}

/// <summary>The candidates from every system, and the systems that could not be searched (never a silent gap).</summary>
public sealed record MatchResult(IReadOnlyList<MatchCandidate> Candidates, IReadOnlyList<string> Failures)
{
    /// <summary>The ids of the systems that could not be searched (one per failure).</summary>
    public IReadOnlyList<string> FailedSystems { get; init; } = [];
}

/// <summary>
/// Finds a person in every configured system through each system's own find-person query (pg_trgm and fuzzystrmatch,
/// indexed), then scores every candidate the same way. Band <c>match</c> needs the date of birth equal, the first name
/// and the surname agreeing, and no contradicting UPN: a near-miss (a month apart, day and month swapped, a twin with
/// another first name, a parent with the same name) is never a match. Only an officer's confirmation makes a candidate
/// the subject (UK GDPR Art 15: the data must be the requester's own).
/// </summary>
public sealed class PersonMatcher(SourceConnectors connectors)
{
    public const string Match = "match";
    public const string Review = "review";
    public const string Unlikely = "unlikely";
    private const double Agrees = 0.6;

    public async Task<MatchResult> FindAsync(PersonQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var searches = connectors.All.Select(async c =>
        {
            try
            {
                return (Rows: await c.FindPersonAsync(query, cancellationToken), Failure: (string?)null, System: c.System.Id);
            }
            catch (SourceSystemException ex)
            {
                return (Rows: (IReadOnlyList<PersonRow>)[], Failure: ex.Message, System: c.System.Id);
            }
        }).ToList();
        var results = await Task.WhenAll(searches);
        var candidates = results.SelectMany(r => r.Rows)
            .DistinctBy(r => (r.System, r.PersonId))
            .Select(r => Score(query, r))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.System, StringComparer.Ordinal)
            .ThenBy(c => c.PersonId, StringComparer.Ordinal)
            .ToList();
        return new MatchResult(candidates, results.Select(r => r.Failure).OfType<string>().ToList())
        {
            FailedSystems = results.Where(r => r.Failure is not null).Select(r => r.System).ToList(),
        };
    }

    public static MatchCandidate Score(PersonQuery query, PersonRow row)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(row);
        var reasons = new List<string>();
        double score = 0;

        // Surname, allowing for a previous surname on either side.
        bool surnameAgrees;
        bool surnameSimilarOnly = false;
        if (Same(query.Family, row.Family))
        {
            score += 30;
            surnameAgrees = true;
            reasons.Add("surname equal");
        }
        else if (Same(query.PreviousFamily, row.Family) || Same(query.Family, row.PreviousFamily) || (query.PreviousFamily is not null && Same(query.PreviousFamily, row.PreviousFamily)))
        {
            score += 28;
            surnameAgrees = true;
            reasons.Add("previous surname equal");
        }
        else
        {
            var sim = new[] { Trigrams.Similarity(query.Family, row.Family), Trigrams.Similarity(query.PreviousFamily, row.Family), Trigrams.Similarity(query.Family, row.PreviousFamily) }.Max();
            score += 30 * sim;
            surnameAgrees = surnameSimilarOnly = sim >= Agrees;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"surname trigram {sim:0.00}"));
        }

        if (row.SoundsLike == true && !Same(query.Family, row.Family))
        {
            score += 5;
            reasons.Add("surname sounds alike (Double Metaphone)");
        }

        // First name: equal, a short or formal form (Tom/Thomas), or a misspelling (trigrams).
        bool givenAgrees;
        if (Same(query.Given, row.Given))
        {
            score += 20;
            givenAgrees = true;
            reasons.Add("first name equal");
        }
        else if (Nicknames.AreVariants(query.Given, row.Given))
        {
            score += 18;
            givenAgrees = true;
            reasons.Add($"first name {row.Given.Trim()} is a form of {query.Given.Trim()}");
        }
        else
        {
            var sim = Trigrams.Similarity(query.Given, row.Given);
            score += 20 * sim;
            givenAgrees = sim >= Agrees;
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"first name trigram {sim:0.00}"));
        }

        // Date of birth: equal, or a difference. Day and month swapped is a different date (another person), not a typo to forgive.
        var dobEqual = false;
        if (query.DateOfBirth is { } dob)
        {
            if (row.DateOfBirth is not { } held)
            {
                reasons.Add("date of birth not held");
            }
            else if (held == dob)
            {
                score += 35;
                dobEqual = true;
                reasons.Add("date of birth equal");
            }
            else if (dob.Day != dob.Month && dob.Day <= 12 && held.Year == dob.Year && held.Month == dob.Day && held.Day == dob.Month)
            {
                score -= 25;
                reasons.Add("date of birth differs: day and month swapped");
            }
            else
            {
                score -= 25;
                var days = Math.Abs(held.DayNumber - dob.DayNumber);
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"date of birth differs by {days} days"));
            }
        }

        // Postcode: the whole, or its district (the outward code).
        var districtEqual = false;
        if (Postcodes.Normalise(query.Postcode) is { } qp && Postcodes.Normalise(row.Postcode) is { } rp)
        {
            if (qp == rp)
            {
                score += 10;
                districtEqual = true;
                reasons.Add("postcode equal");
            }
            else if (Postcodes.District(qp) == Postcodes.District(rp))
            {
                score += 5;
                districtEqual = true;
                reasons.Add("postcode district equal");
            }
            else
            {
                reasons.Add("postcode differs");
            }
        }

        // UPN, only when its check letter is right.
        var upnEqual = false;
        var upnConflict = false;
        if (Upns.Normalise(query.Upn) is { } qu)
        {
            if (!Upns.IsValid(qu))
            {
                reasons.Add("UPN check letter invalid: UPN ignored");
            }
            else if (Upns.Normalise(row.Upn) is { } ru)
            {
                if (ru == qu)
                {
                    score += 25;
                    upnEqual = true;
                    reasons.Add("UPN equal");
                }
                else
                {
                    score -= 40;
                    upnConflict = true;
                    reasons.Add("UPN differs");
                }
            }
        }

        var corroborated = !surnameSimilarOnly || districtEqual || upnEqual;
        var band = !upnConflict && dobEqual && ((givenAgrees && surnameAgrees && corroborated) || upnEqual)
            ? Match
            : score >= 40 ? Review : Unlikely;
        score = Math.Round(Math.Clamp(score, 0, 100), 2);
        return new MatchCandidate(row.System, row.PersonId, Display(row), score, band, reasons) { Identifiers = row.Identifiers };
    }

    private static string Display(PersonRow row)
    {
        var name = $"{row.Given} {row.Family}";
        if (!string.IsNullOrWhiteSpace(row.PreviousFamily))
        {
            name += $" (formerly {row.PreviousFamily})";
        }

        var parts = new List<string> { name };
        if (row.DateOfBirth is { } d)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"born {d:dd/MM/yyyy}"));
        }

        if (!string.IsNullOrWhiteSpace(row.Postcode))
        {
            parts.Add(row.Postcode);
        }

        parts.Add($"{row.System} {row.PersonId}");
        return string.Join(", ", parts);
    }

    private static bool Same(string? a, string? b) =>
        !string.IsNullOrWhiteSpace(a) && !string.IsNullOrWhiteSpace(b) && string.Equals(Letters(a), Letters(b), StringComparison.Ordinal);

    private static string Letters(string s) => new string(s.Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();
}

/// <summary>UK postcodes compared without spaces; the district is the outward code (all but the last three characters).</summary>
public static class Postcodes
{
    public static string? Normalise(string? postcode) =>
        string.IsNullOrWhiteSpace(postcode) ? null : new string(postcode.Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();

    public static string? District(string? postcode) => Normalise(postcode) is { Length: >= 5 } n ? n[..^3] : null;
}
