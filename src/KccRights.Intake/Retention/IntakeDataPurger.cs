using Dapper;
using KccRights.Cases.Retention;
using Npgsql;

namespace KccRights.Intake.Retention;

/// <summary>
/// Intake's part of a retention purge (UK GDPR Art 5(1)(e); issue 13 Build 7): the stored mail of the case (the sealed
/// raw message with its attachments, its hash and Message-ID) and its triage items (reasons, notes). Runs last, after
/// the case's request (Cases) and the triage replies (Correspondence) that refer to them. A message that also belongs
/// to a case not yet purged (one email asking for several rights opens several cases) loses only its link to this
/// case; it goes with the last of its cases. Intake keeps raw mail in the database, never as files.
/// </summary>
public sealed class IntakeDataPurger : ICaseDataPurger
{
    public string Name => "intake";

    public async Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var messages = (await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT inbound_message_id FROM messages_cases WHERE case_id = @caseId
            UNION
            SELECT inbound_message_id FROM intake_triage
            WHERE (case_id = @caseId OR outcome_case_id = @caseId) AND inbound_message_id IS NOT NULL
            """,
            new { caseId },
            transaction,
            cancellationToken: cancellationToken))).ToArray();

        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM messages_cases WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));

        // Messages no other case still needs: no link, no request and no triage item of another case.
        var unshared = (await connection.QueryAsync<long>(new CommandDefinition(
            """
            SELECT m.id FROM inbound_messages m
            WHERE m.id = ANY(@messages)
              AND NOT EXISTS (SELECT 1 FROM messages_cases l WHERE l.inbound_message_id = m.id)
              AND NOT EXISTS (SELECT 1 FROM case_requests r WHERE r.inbound_message_id = m.id AND r.case_id <> @caseId)
              AND NOT EXISTS (SELECT 1 FROM intake_triage t WHERE t.inbound_message_id = m.id
                              AND ((t.case_id IS NOT NULL AND t.case_id <> @caseId) OR (t.outcome_case_id IS NOT NULL AND t.outcome_case_id <> @caseId)))
            """,
            new { caseId, messages },
            transaction,
            cancellationToken: cancellationToken))).ToArray();

        removed += await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM intake_triage WHERE case_id = @caseId OR outcome_case_id = @caseId OR inbound_message_id = ANY(@unshared)",
            new { caseId, unshared },
            transaction,
            cancellationToken: cancellationToken));
        removed += await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM inbound_messages WHERE id = ANY(@unshared)", new { unshared }, transaction, cancellationToken: cancellationToken));
        return removed;
    }
}
