using Dapper;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Removes everything the runtime holds about one case, for retention (UK GDPR Art 5(1)(e); issue 13 Build 7): its
/// instances (their data: answers and form values), tasks (forms and outcome data), jobs (payloads, errors), incidents
/// and its part of the workflow log. The runtime knows no product, so it does not implement the Cases module's purge
/// contract itself: Cases adapts this (Cases references Workflows, never the reverse). Idempotent: a second call
/// removes nothing. The log's rows go through <c>workflow_log_purge_case</c> (migration 0110), which refuses a case
/// that is not closed and marked purged.
/// </summary>
public static class CaseDataRemoval
{
    public static async Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var removed = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH case_jobs AS (
                SELECT id FROM jobs
                WHERE case_id = @caseId OR instance_id IN (SELECT id FROM workflow_instances WHERE case_id = @caseId)
            ),
            gone_incidents AS (
                DELETE FROM incidents WHERE case_id = @caseId OR job_id IN (SELECT id FROM case_jobs) RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone_incidents)::int
            """,
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        removed += await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM jobs WHERE case_id = @caseId OR instance_id IN (SELECT id FROM workflow_instances WHERE case_id = @caseId)",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        removed += await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM workflow_tasks WHERE case_id = @caseId OR instance_id IN (SELECT id FROM workflow_instances WHERE case_id = @caseId)",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        removed += await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM workflow_instances WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));
        removed += await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT workflow_log_purge_case(@caseId)", new { caseId }, transaction, cancellationToken: cancellationToken));
        return removed;
    }
}
