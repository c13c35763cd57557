using Dapper;
using KccRights.Cases.Retention;
using Npgsql;

namespace KccRights.Correspondence.Retention;

/// <summary>
/// Correspondence's part of a retention purge (UK GDPR Art 5(1)(e); issue 13 Build 7): the outbox records of what was
/// sent about the case (the requester's address is plain in outbound_messages.recipient and
/// outbound_notifications.recipient; subjects and template data), and the replies sent from the triage inbox for the
/// case's triage items (which refer to Intake's triage rows, so they go first). No files: letters are sent, not kept.
/// </summary>
public sealed class CorrespondenceDataPurger : ICaseDataPurger
{
    public string Name => "correspondence";

    public async Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var removed = 0;
        string[] statements =
        [
            // The case's triage items (read from Intake's tables to find them): opened the case, were attached to it, or
            // are about a message of the case.
            """
            DELETE FROM correspondence_triage_replies
            WHERE triage_id IN (
                SELECT t.id FROM intake_triage t
                WHERE t.case_id = @caseId OR t.outcome_case_id = @caseId
                   OR t.inbound_message_id IN (SELECT inbound_message_id FROM messages_cases WHERE case_id = @caseId))
            """,
            "DELETE FROM outbound_messages WHERE case_id = @caseId",
            "DELETE FROM outbound_notifications WHERE case_id = @caseId",
        ];
        foreach (var sql in statements)
        {
            removed += await connection.ExecuteAsync(new CommandDefinition(sql, new { caseId }, transaction, cancellationToken: cancellationToken));
        }

        return removed;
    }
}
