using System.Text.Json;
using Dapper;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

// The SQL shared by the engine's steps, the lock order they follow, and the rows they read.
public sealed partial class WorkflowEngine
{
    // Leaving a state: its jobs waiting to run go, and so do its failed ones, whose incidents are closed as obsolete (a
    // retry would run an activity for a stage the case has left).
    private const string LeaveJobsSql =
        """
        WITH gone AS (
            UPDATE jobs SET status = 'cancelled', finished_at = $3
            WHERE instance_id = $1 AND state_seq = $2 AND status IN ('pending', 'failed')
            RETURNING id
        )
        UPDATE incidents SET status = 'obsolete', closed_at = $3, closed_reason = 'the case left the state its job was for'
        WHERE status = 'open' AND job_id IN (SELECT id FROM gone)
        """;

    // Ending the instance: the same for its instance timers (a state's own jobs went when it was left).
    private const string EndJobsSql =
        """
        WITH gone AS (
            UPDATE jobs SET status = 'cancelled', finished_at = $2
            WHERE instance_id = $1 AND status IN ('pending', 'failed') AND origin = 'timer'
            RETURNING id
        )
        UPDATE incidents SET status = 'obsolete', closed_at = $2, closed_reason = 'the case ended'
        WHERE status = 'open' AND job_id IN (SELECT id FROM gone)
        """;

    // Locks are taken in one order everywhere: the case row, then its workflow instance, then the instance's tasks and
    // jobs, then the case's clock. Every step locks its instance before the instance's tasks and jobs (a close-case
    // activity updates the case before its step locks the instance). An officer's action on a task takes the
    // instance's lock first too (and the case's, when it will update the case), in the same round trip, so no two of
    // them can wait on each other in a deadlock.
    internal const string LockInstanceOfTaskSql =
        "SELECT id FROM workflow_instances WHERE id = (SELECT instance_id FROM workflow_tasks WHERE id = @taskId) FOR UPDATE;\n";

    private const string InstanceColumns =
        "id, case_id, definition_id, definition_version, state, state_seq, state_entered_at, status, data::text AS data, assignee, created_at, row_version, xmin";

    // An optimistic step's first statement: lock the instance only if it is still the version remembered (the row
    // written by the remembered commit: its xmin, row version and state entry); otherwise raise InstanceChangedSqlState,
    // which aborts the transaction before any of the step's writes.
    private const string VerifySql =
        """
        WITH locked AS (
            SELECT id FROM workflow_instances
            WHERE id = $1 AND xmin = $2 AND row_version = $3 AND state_seq = $4 AND status = 'running'
            FOR UPDATE
        )
        SELECT CASE WHEN EXISTS (SELECT 1 FROM locked) THEN 1 ELSE workflow_instance_changed($1) END
        """;

    private const string LogSql =
        """
        INSERT INTO workflow_log (at, case_id, instance_id, definition_version, kind, from_state, to_state, event, actor, detail)
        VALUES ($1, $2::bigint, $3::bigint, $4::text, $5, $6::text, $7::text, $8::text, $9, $10::jsonb)
        """;

    // Every workflow_log row goes through here, its nullable columns typed (StepBatch), so the insert stays prepared.
    internal static void AddLog(StepBatch batch, DateTimeOffset at, long caseId, long? instanceId, string? version, string kind, string? from, string? to, string? eventName, string actor, string detailJson) =>
        batch.Add(LogSql, at, caseId, StepBatch.Bigint(instanceId), StepBatch.Text(version), kind, StepBatch.Text(from), StepBatch.Text(to), StepBatch.Text(eventName), actor, detailJson);

    private static async Task<InstanceRow?> LockAsync(NpgsqlTransaction transaction, long instanceId, CancellationToken cancellationToken) =>
        await transaction.Connection!.QuerySingleOrDefaultAsync<InstanceRow>(new CommandDefinition(
            $"SELECT {InstanceColumns} FROM workflow_instances WHERE id = @instanceId FOR UPDATE",
            new { instanceId },
            transaction,
            cancellationToken: cancellationToken));

    internal static string RoleName(TaskRole role) => role switch
    {
        TaskRole.Dpo => "dpo",
        TaskRole.RecordOwner => "record-owner",
        _ => "officer",
    };

    internal static string Json(object value) => JsonSerializer.Serialize(value, WorkflowJson.Options);

    internal sealed record InstanceRow
    {
        public long Id { get; init; }

        public long CaseId { get; init; }

        public string DefinitionId { get; init; } = "";

        public string DefinitionVersion { get; init; } = "";

        public string State { get; init; } = "";

        public int StateSeq { get; init; }

        public DateTimeOffset StateEnteredAt { get; init; }

        public string Status { get; init; } = "";

        public string Data { get; init; } = "{}";

        public string? Assignee { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public int RowVersion { get; init; }

        /// <summary>The row version's xmin: the id of the transaction that wrote it.</summary>
        public uint Xmin { get; init; }
    }
}
