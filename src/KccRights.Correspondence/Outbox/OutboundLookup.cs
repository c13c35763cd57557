using Dapper;
using Npgsql;

namespace KccRights.Correspondence.Outbox;

/// <summary>A case a message the service sent belongs to.</summary>
public sealed record OutboundCase(long CaseId, string Reference);

/// <summary>
/// Reads the record of what the service sent (outbound_messages, which only Correspondence writes), for other modules:
/// Intake threads a reply or a delivery report to its case through it. Runs in the caller's transaction.
/// </summary>
public static class OutboundLookup
{
    /// <summary>The cases of the messages the service sent with these Message-IDs (without angle brackets).</summary>
    public static async Task<IReadOnlyList<OutboundCase>> CasesOfMessagesAsync(NpgsqlTransaction transaction, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return [];
        }

        var rows = await transaction.Connection!.QueryAsync<(long CaseId, string Reference)>(new CommandDefinition(
            """
            SELECT DISTINCT o.case_id, c.reference
            FROM outbound_messages o JOIN cases c ON c.id = o.case_id
            WHERE o.message_id = ANY(@ids)
            """,
            new { ids = messageIds.ToArray() },
            transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new OutboundCase(r.CaseId, r.Reference)).ToList();
    }

    /// <summary>For each address (lower case), the case of the last message the service sent to it.</summary>
    public static async Task<IReadOnlyList<OutboundCase>> LastCasesSentToAsync(NpgsqlTransaction transaction, IReadOnlyCollection<string> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            return [];
        }

        var rows = await transaction.Connection!.QueryAsync<(long CaseId, string Reference)>(new CommandDefinition(
            """
            SELECT DISTINCT ON (lower(o.recipient)) o.case_id, c.reference
            FROM outbound_messages o JOIN cases c ON c.id = o.case_id
            WHERE lower(o.recipient) = ANY(@addresses)
            ORDER BY lower(o.recipient), o.sent_at DESC
            """,
            new { addresses = addresses.ToArray() },
            transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new OutboundCase(r.CaseId, r.Reference)).ToList();
    }
}
