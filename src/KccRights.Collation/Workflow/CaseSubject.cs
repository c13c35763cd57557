using Dapper;
using KccRights.Cases;
using KccRights.Collation.Connectors;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Collation.Workflow;

/// <summary>
/// The person a case is about, as the matcher searches for them: the subject's name (or the requester's, when they ask
/// for their own data), previous surname, date of birth, postcode and UPN, opened from the case's sealed details.
/// </summary>
public static class CaseSubject
{
    private static readonly HashSet<string> Titles = new(StringComparer.OrdinalIgnoreCase) { "mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof" };

    /// <summary>The query for the case's subject, or null with the reason when there is not enough to search on.</summary>
    public static async Task<(PersonQuery? Query, string? Problem)> ReadAsync(NpgsqlTransaction transaction, IPersonalDataCipher cipher, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var row = await transaction.Connection!.QuerySingleOrDefaultAsync<(byte[]? SealedParties, byte[]? SealedDetails)?>(new CommandDefinition(
            "SELECT sealed_parties, sealed_details FROM case_requests WHERE case_id = @caseId",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        if (row is not { } found)
        {
            return (null, "the case has no request details");
        }

        var parties = CaseRequestParties.Open(cipher, caseId, found.SealedParties);
        var details = found.SealedDetails is null ? new CaseRequestDetails() : CaseRequestDetails.Open(cipher, caseId, found.SealedDetails);
        return FromDetails(parties.SubjectName ?? parties.RequesterName, details);
    }

    /// <summary>Builds the query from a full name and the extracted details (first word the given name, last word the surname).</summary>
    public static (PersonQuery? Query, string? Problem) FromDetails(string? fullName, CaseRequestDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var words = Words(fullName);
        if (words.Count < 2)
        {
            return (null, "the subject's full name is not recorded");
        }

        var previous = details.PreviousNames.Select(n => Words(n)).FirstOrDefault(w => w.Count > 0)?[^1];
        return (new PersonQuery(words[0], words[^1], previous, details.SubjectDob, details.Postcode, details.Upn), null);
    }

    private static List<string> Words(string? name) =>
        (name ?? "").Split([' ', '\t', '\r', '\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.Trim('.', '"', '\'', '(', ')'))
            .Where(w => w.Length > 0 && !Titles.Contains(w))
            .ToList();
}
