using Dapper;
using KccRights.Correspondence.Outbox;
using KccRights.Intake.Classification;
using Npgsql;

namespace KccRights.Intake.Threading;

/// <summary>A case a message belongs to, and how that was found.</summary>
public sealed record ThreadMatch(long CaseId, string Reference, string How);

/// <summary>
/// Finds the cases an inbound message belongs to: a case reference in the subject or text, In-Reply-To or References
/// naming a message the service sent (read through Correspondence's <see cref="OutboundLookup"/>), or, for a delivery
/// report, the undelivered message or the address it could not reach.
/// </summary>
public static class ThreadResolver
{
    public static async Task<IReadOnlyList<ThreadMatch>> ResolveAsync(NpgsqlTransaction transaction, ClassificationResult message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(message);
        var connection = transaction.Connection!;
        var matches = new List<ThreadMatch>();

        var ids = new[] { message.InReplyTo }.Concat(message.ThreadReferences).Concat(message.BouncedMessageIds)
            .Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i!.Trim('<', '>')).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length > 0)
        {
            var rows = await OutboundLookup.CasesOfMessagesAsync(transaction, ids, cancellationToken);
            matches.AddRange(rows.Select(r => new ThreadMatch(r.CaseId, r.Reference, "In-Reply-To/References names a message the service sent")));
        }

        var references = message.CaseReferences.Select(r => r.ToString()).Distinct(StringComparer.Ordinal).ToArray();
        if (references.Length > 0)
        {
            var rows = await connection.QueryAsync<(long CaseId, string Reference)>(new CommandDefinition(
                "SELECT id, reference FROM cases WHERE reference = ANY(@references)",
                new { references },
                transaction,
                cancellationToken: cancellationToken));
            matches.AddRange(rows.Select(r => new ThreadMatch(r.CaseId, r.Reference, "case reference in the message")));
        }

        if (message.Kind == MessageKind.Bounce && matches.Count == 0 && message.BouncedRecipients.Count > 0)
        {
            var addresses = message.BouncedRecipients.Select(a => a.Trim().ToLowerInvariant()).ToArray();
            var rows = await OutboundLookup.LastCasesSentToAsync(transaction, addresses, cancellationToken);
            matches.AddRange(rows.Select(r => new ThreadMatch(r.CaseId, r.Reference, "the last message sent to the undelivered address")));
        }

        return matches.GroupBy(m => m.CaseId).Select(g => g.First()).ToList();
    }
}
