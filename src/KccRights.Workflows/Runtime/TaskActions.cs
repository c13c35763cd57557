using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Officers' actions on human tasks, for <see cref="WorkflowEngine"/>: complete one (its form and the four-eyes check,
/// then the outcome as an event on the instance), assign one, and follow a case's reassignment. Each takes the
/// instance's lock first (and the case's, when it will update the case), in the lock order of <c>WorkflowEngine.Sql.cs</c>.
/// </summary>
internal sealed class TaskActions(WorkflowEngine engine, ICaseRows cases, TimeProvider time)
{
    /// <inheritdoc cref="WorkflowEngine.CompleteTaskAsync"/>
    public async Task CompleteTaskAsync(NpgsqlTransaction transaction, long taskId, string outcome, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var connection = transaction.Connection!;
        TaskRow? task;
        await using (var locked = await connection.QueryMultipleAsync(new CommandDefinition(
            WorkflowEngine.LockInstanceOfTaskSql +
            """
            SELECT id, instance_id, case_id, state_seq, type, role, status, outcomes, form::text AS form, not_by_same_actor_as, side
            FROM workflow_tasks WHERE id = @taskId FOR UPDATE;
            """,
            new { taskId },
            transaction,
            cancellationToken: cancellationToken)))
        {
            await locked.ReadAsync<long>();
            task = await locked.ReadSingleOrDefaultAsync<TaskRow>();
        }

        if (task is null)
        {
            throw new WorkflowException($"There is no task {taskId}.");
        }
        if (task.Status != "open")
        {
            throw new WorkflowException($"Task {taskId} is {task.Status}.");
        }

        if (!task.Outcomes.Contains(outcome, StringComparer.Ordinal))
        {
            throw new WorkflowException($"Task {taskId} ({task.Type}) has no outcome '{outcome}'; choose one of: {string.Join(", ", task.Outcomes)}.");
        }

        var fields = JsonSerializer.Deserialize<List<FormField>>(task.Form, WorkflowJson.Options) ?? [];
        var missing = fields.Where(f => f.Required && !HasValue(data, f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw new WorkflowException($"Task {taskId} needs: {string.Join(", ", missing)}.");
        }

        if (task.NotBySameActorAs is { } other)
        {
            // Four eyes (PRODUCT.md 8, issue 9 item 5): the preparer cannot approve their own work, nor the DPO who asked
            // for an extension approve it. The name is a task type (whoever completed the latest one) or an event that
            // led here (whoever raised it last); the definitions are validated to use one or the other. The task stays
            // open for someone else of its role.
            var (preparer, raiser) = await connection.QuerySingleAsync<(string?, string?)>(new CommandDefinition(
                """
                SELECT (SELECT completed_by FROM workflow_tasks
                        WHERE instance_id = @instanceId AND type = @other AND status = 'completed'
                        ORDER BY completed_at DESC, id DESC LIMIT 1) AS preparer,
                       (SELECT actor FROM workflow_log
                        WHERE case_id = @caseId AND instance_id = @instanceId AND kind = 'transition' AND event = @other
                        ORDER BY id DESC LIMIT 1) AS raiser
                """,
                new { instanceId = task.InstanceId, caseId = task.CaseId, other },
                transaction,
                cancellationToken: cancellationToken));
            if (string.Equals(preparer, actor, StringComparison.OrdinalIgnoreCase))
            {
                throw new WorkflowException($"Task {taskId} ({task.Type}) must be completed by someone other than whoever completed the {other} task (four eyes); another {task.Role} can complete it.");
            }

            if (string.Equals(raiser, actor, StringComparison.OrdinalIgnoreCase))
            {
                throw new WorkflowException($"Task {taskId} ({task.Type}) must be completed by someone other than whoever raised {other} on this case (four eyes); another {task.Role} can complete it.");
            }
        }

        var now = time.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE workflow_tasks SET status = 'completed', outcome = @outcome, outcome_data = @data::jsonb, completed_at = @now, completed_by = @actor
            WHERE id = @taskId
            """,
            new { taskId, outcome, data = data is { ValueKind: JsonValueKind.Object } d ? d.GetRawText() : null, now, actor },
            transaction,
            cancellationToken: cancellationToken));
        var batch = new StepBatch(transaction);
        WorkflowEngine.AddLog(batch, now, task.CaseId, task.InstanceId, null, "task-completed", null, null, outcome, actor, WorkflowEngine.Json(new { taskId, type = task.Type }));
        await batch.FlushAsync(cancellationToken);
        if (task.Side)
        {
            // A side task (SideTasks) raises no event: the module that opened it acts on its completion.
            return;
        }

        var eventData = JsonNode.Parse(data is { ValueKind: JsonValueKind.Object } given ? given.GetRawText() : "{}")!.AsObject();
        eventData[WorkflowEngine.OutcomesProperty] = new JsonObject { [task.Type] = outcome };
        using var eventDocument = JsonDocument.Parse(eventData.ToJsonString());
        if (!await engine.RaiseOnInstanceAsync(transaction, task.InstanceId, task.StateSeq, outcome, eventDocument.RootElement, actor, cancellationToken))
        {
            throw new WorkflowException($"Task {taskId}'s outcome '{outcome}' did not move the case (its state was left, or no condition held).");
        }
    }

    /// <inheritdoc cref="WorkflowEngine.AssignTaskAsync"/>
    public async Task AssignTaskAsync(NpgsqlTransaction transaction, long taskId, string assignee, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(assignee);
        var now = time.GetUtcNow();
        AssignedRow? row;
        await using (var updated = await transaction.Connection!.QueryMultipleAsync(new CommandDefinition(
            cases.LockCaseOfTaskSql + WorkflowEngine.LockInstanceOfTaskSql +
            """
            UPDATE workflow_tasks SET assignee = @assignee WHERE id = @taskId AND status = 'open'
            RETURNING instance_id, case_id, role;
            """,
            new { taskId, assignee },
            transaction,
            cancellationToken: cancellationToken)))
        {
            await updated.ReadAsync<long>();
            await updated.ReadAsync<long>();
            row = await updated.ReadSingleOrDefaultAsync<AssignedRow>();
        }

        if (row is null)
        {
            throw new WorkflowException($"There is no open task {taskId}.");
        }

        var batch = new StepBatch(transaction);
        if (row.Role == "officer")
        {
            // The officer working the case's task is the case's officer: reminders go to them, the queue shows them.
            batch.Add("UPDATE workflow_instances SET assignee = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $1", row.InstanceId, assignee, now);
            batch.Add(cases.OfficerAssignedSql, row.CaseId, assignee);
        }

        WorkflowEngine.AddLog(batch, now, row.CaseId, row.InstanceId, null, "task-assigned", null, null, null, actor, WorkflowEngine.Json(new { taskId, assignee }));
        await batch.FlushAsync(cancellationToken);
    }

    /// <inheritdoc cref="WorkflowEngine.AssignCaseAsync"/>
    public async Task AssignCaseAsync(NpgsqlTransaction transaction, long caseId, string? officer, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var instanceId = await transaction.Connection!.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM workflow_instances WHERE case_id = @caseId AND status = 'running' FOR UPDATE",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        if (instanceId is not { } id)
        {
            return;
        }

        var now = time.GetUtcNow();
        var batch = new StepBatch(transaction);
        batch.Add("UPDATE workflow_instances SET assignee = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $1", id, StepBatch.Text(officer), now);
        batch.Add("UPDATE workflow_tasks SET assignee = $2 WHERE instance_id = $1 AND role = 'officer' AND status = 'open'", id, StepBatch.Text(officer));
        WorkflowEngine.AddLog(batch, now, caseId, id, null, "case-assigned", null, null, null, actor, WorkflowEngine.Json(new { officer }));
        await batch.FlushAsync(cancellationToken);
    }

    private static bool HasValue(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
        && !(value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()));

    private sealed record AssignedRow
    {
        public long InstanceId { get; init; }

        public long CaseId { get; init; }

        public string Role { get; init; } = "";
    }

    private sealed record TaskRow
    {
        public long Id { get; init; }

        public long InstanceId { get; init; }

        public long CaseId { get; init; }

        public int StateSeq { get; init; }

        public string Type { get; init; } = "";

        public string Role { get; init; } = "";

        public string Status { get; init; } = "";

        public string[] Outcomes { get; init; } = [];

        public string Form { get; init; } = "[]";

        public string? NotBySameActorAs { get; init; }

        public bool Side { get; init; }
    }
}
