using Dapper;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// A task a module opens beside its state's own task (a manual search of one system while the others are collated, say).
/// It belongs to the state it was opened in (leaving the state cancels it, as for the state's task) and completing it
/// records the outcome without raising an event: the module that opened it decides what its completion means.
/// </summary>
public sealed record SideTask(string Type, string Role, string Title, IReadOnlyList<string> Outcomes, DateOnly? DueOn, string? Team = null);

/// <summary>Opens side tasks (the runtime owns workflow_tasks and the log, so modules open tasks through here).</summary>
public static class SideTasks
{
    /// <summary>
    /// Opens <paramref name="task"/> on the case's running instance, in its current state; null when the case has no
    /// running instance. Logged on the case's timeline as <c>task-opened</c>.
    /// </summary>
    public static async Task<long?> OpenAsync(NpgsqlTransaction transaction, long caseId, SideTask task, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(task);
        if (task.Role is not ("officer" or "dpo" or "record-owner"))
        {
            throw new ArgumentException($"A side task's role is officer, dpo or record-owner, not '{task.Role}'.", nameof(task));
        }

        if (task.Outcomes.Count == 0)
        {
            throw new ArgumentException("A side task needs at least one outcome.", nameof(task));
        }

        var opened = await transaction.Connection!.QuerySingleOrDefaultAsync<(long TaskId, long InstanceId)?>(new CommandDefinition(
            """
            INSERT INTO workflow_tasks (instance_id, case_id, state, state_seq, type, role, title, outcomes, team, due_on, created_at, side)
            SELECT i.id, i.case_id, i.state, i.state_seq, @Type, @Role, @Title, @outcomes, @Team, @dueOn, @now, true
            FROM workflow_instances i WHERE i.case_id = @caseId AND i.status = 'running'
            ORDER BY i.id DESC LIMIT 1
            RETURNING id, instance_id
            """,
            new { caseId, task.Type, task.Role, task.Title, outcomes = task.Outcomes.ToArray(), task.Team, dueOn = task.DueOn?.ToDateTime(TimeOnly.MinValue), now },
            transaction,
            cancellationToken: cancellationToken));
        if (opened is not { } row)
        {
            return null;
        }

        var batch = new StepBatch(transaction);
        WorkflowEngine.AddLog(batch, now, caseId, row.InstanceId, null, "task-opened", null, null, null, actor, WorkflowEngine.Json(new { taskId = row.TaskId, type = task.Type, team = task.Team }));
        await batch.FlushAsync(cancellationToken);
        return row.TaskId;
    }

    /// <summary>Whether a task is still open (for a chaser deciding whether to chase).</summary>
    public static async Task<bool> IsOpenAsync(NpgsqlTransaction transaction, long taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await transaction.Connection!.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM workflow_tasks WHERE id = @taskId AND status = 'open')",
            new { taskId },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>Cancels an open side task (its work was done another way, e.g. a retried collation succeeded).</summary>
    public static async Task<bool> CancelAsync(NpgsqlTransaction transaction, long taskId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE workflow_tasks SET status = 'cancelled', completed_at = @now WHERE id = @taskId AND side AND status = 'open'",
            new { taskId, now },
            transaction,
            cancellationToken: cancellationToken)) == 1;
    }
}
