using System.Globalization;
using Dapper;
using KccRights.Cases;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Disclosure.Suggestions;

/// <summary>
/// What is the subject's (or the requester's) own data, and so never suggested for redaction: their names (as the
/// request gives them and as each system holds them), date of birth, email addresses, addresses and postcodes, and
/// identifiers (UPN and the like). Built from the case's sealed request (Cases) and from the subject's own person
/// records among the items (collation fetches only the confirmed identities' records, so a person record's name,
/// address and UPN fields are the subject's).
/// </summary>
public sealed class SubjectProfile
{
    private static readonly HashSet<string> Titles = new(StringComparer.OrdinalIgnoreCase) { "mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof" };

    public HashSet<string> Givens { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HashSet<string> Families { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Full names, lower case, single spaces.</summary>
    public HashSet<string> FullNames { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HashSet<string> Emails { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Identifiers compacted (letters and digits, upper case): UPNs, NHS numbers, system references, phone numbers.</summary>
    public HashSet<string> Identifiers { get; } = new(StringComparer.Ordinal);

    /// <summary>Postcodes compacted.</summary>
    public HashSet<string> Postcodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Street lines, lower case, single spaces (e.g. "22 pier road").</summary>
    public List<string> Streets { get; } = [];

    public DateOnly? DateOfBirth { get; set; }

    /// <summary>Adds a full name (titles dropped; first word the given name, last the family name, middle words as given names).</summary>
    public void AddName(string? fullName)
    {
        var words = Words(fullName);
        if (words.Count == 0)
        {
            return;
        }

        if (words.Count == 1)
        {
            Givens.Add(words[0]);
            return;
        }

        foreach (var w in words.Take(words.Count - 1))
        {
            Givens.Add(w);
        }

        Families.Add(words[^1]);
        FullNames.Add(string.Join(' ', words).ToLowerInvariant());
        FullNames.Add($"{words[0]} {words[^1]}".ToLowerInvariant());
    }

    public void AddGiven(string? given)
    {
        foreach (var w in Words(given))
        {
            Givens.Add(w);
        }
    }

    public void AddFamily(string? family)
    {
        var words = Words(family);
        if (words.Count > 0)
        {
            Families.Add(string.Join(' ', words));
            Families.Add(words[^1]);
        }
    }

    public void AddAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return;
        }

        foreach (System.Text.RegularExpressions.Match m in KccRights.Disclosure.Suggestions.Identifiers.Postcode().Matches(address.ToUpperInvariant()))
        {
            Postcodes.Add(KccRights.Disclosure.Suggestions.Identifiers.Compact(m.Value));
        }

        var street = Normal(address.Split(',')[0]);
        if (street.Length > 3 && char.IsAsciiDigit(street[0]))
        {
            Streets.Add(street);
        }
    }

    public void AddPostcode(string? postcode)
    {
        if (!string.IsNullOrWhiteSpace(postcode))
        {
            Postcodes.Add(KccRights.Disclosure.Suggestions.Identifiers.Compact(postcode));
        }
    }

    public void AddIdentifier(string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            Identifiers.Add(KccRights.Disclosure.Suggestions.Identifiers.Compact(value));
        }
    }

    /// <summary>Whether a name found in text is the subject's: the whole name, or a given name and a family name of theirs.</summary>
    public bool IsSubjectName(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0)
        {
            return false;
        }

        if (FullNames.Contains(string.Join(' ', words)))
        {
            return true;
        }

        return words.Count >= 2 && Givens.Contains(words[0]) && Families.Contains(words[^1]);
    }

    /// <summary>Whether an address (a street line, possibly with a town and postcode) is the subject's.</summary>
    public bool IsSubjectAddress(string text)
    {
        var normal = Normal(text.Split(',')[0]);
        return Streets.Any(s => s.Equals(normal, StringComparison.Ordinal) || s.StartsWith(normal, StringComparison.Ordinal) || normal.StartsWith(s, StringComparison.Ordinal));
    }

    /// <summary>Reads the case's subject and requester from the sealed request (Cases), as Collation's CaseSubject does.</summary>
    public static async Task<SubjectProfile> ReadAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var profile = new SubjectProfile();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(byte[]? SealedParties, byte[]? SealedDetails)?>(new CommandDefinition(
            "SELECT sealed_parties, sealed_details FROM case_requests WHERE case_id = @caseId", new { caseId }, cancellationToken: cancellationToken));
        if (row is not { } found)
        {
            return profile;
        }

        var parties = CaseRequestParties.Open(cipher, caseId, found.SealedParties);
        var details = found.SealedDetails is null ? new CaseRequestDetails() : CaseRequestDetails.Open(cipher, caseId, found.SealedDetails);
        profile.AddFromRequest(parties, details);
        return profile;
    }

    /// <summary>Adds the request's subject and requester (a requester's own name and email are theirs to see).</summary>
    public void AddFromRequest(CaseRequestParties parties, CaseRequestDetails details)
    {
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(details);
        AddName(parties.SubjectName);
        AddName(parties.RequesterName);
        if (!string.IsNullOrWhiteSpace(parties.RequesterEmail))
        {
            Emails.Add(parties.RequesterEmail.Trim());
        }

        foreach (var previous in details.PreviousNames)
        {
            var words = Words(previous);
            if (words.Count == 1)
            {
                Families.Add(words[0]);
            }
            else
            {
                AddName(previous);
                if (words.Count > 0)
                {
                    Families.Add(words[^1]);
                }
            }
        }

        if (Words(parties.SubjectName ?? parties.RequesterName) is { Count: >= 2 } subjectWords)
        {
            // A previous surname with the current given name is the subject too.
            foreach (var family in Families.ToList())
            {
                FullNames.Add($"{subjectWords[0]} {family}".ToLowerInvariant());
            }
        }

        DateOfBirth ??= details.SubjectDob;
        AddIdentifier(details.Upn);
        AddAddress(details.Address);
        AddPostcode(details.Postcode);
    }

    internal static List<string> Words(string? name) =>
        (name ?? "").Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.Trim('.', '"', '\'', '(', ')', ';'))
            .Where(w => w.Length > 0 && !Titles.Contains(w))
            .ToList();

    internal static string Normal(string text) =>
        string.Join(' ', text.ToLower(CultureInfo.InvariantCulture).Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
