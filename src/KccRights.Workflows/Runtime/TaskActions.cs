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
    public async Task CompleteTaskAsync(NpgsqlTransaction transaction, long taskId, string outcome, JsonElement? data, string actor, bool take, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var connection = transaction.Connection!;
        TaskRow? task;

        // Taking the task in the same action may make the taker the case's officer: the case row is locked first then,
        // in the one lock order (WorkflowEngine.Sql.cs).
        await using (var locked = await connection.QueryMultipleAsync(new CommandDefinition(
            (take ? cases.LockCaseOfTaskSql : "") + WorkflowEngine.LockInstanceOfTaskSql +
            """
            SELECT id, instance_id, case_id, state_seq, type, role, status, outcomes, form::text AS form, not_by_same_actor_as, side, assignee
            FROM workflow_tasks WHERE id = @taskId FOR UPDATE;
            """,
            new { taskId },
            transaction,
            cancellationToken: cancellationToken)))
        {
            if (take)
            {
                await locked.ReadAsync<long>();
            }

            await locked.ReadAsync<long>();
            task = await locked.ReadSingleOrDefaultAsync<TaskRow>();
        }

        if (task is null)
        {
            throw new WorkflowException($"There is no task {taskId}.");
        }
        if (task.Status != "open")
        {
            throw new WorkflowException(task.Status == "completed" ? "This task is already done." : "This task is no longer open: the case has moved on.");
        }

        if (!task.Outcomes.Contains(outcome, StringComparer.Ordinal))
        {
            throw new WorkflowException($"Choose one of the task's outcomes: {string.Join(", ", task.Outcomes.Select(WorkflowLabels.Outcome))}.");
        }

        // Issue 14 item 4: a task is completed by whoever has taken it, or by someone taking it in the same action (as
        // "Take this task" would, from whoever had it); never done by nobody in particular.
        var taken = task.Assignee is { } holder && string.Equals(holder, actor, StringComparison.OrdinalIgnoreCase);
        if (!taken && !take)
        {
            throw new WorkflowException(task.Assignee is null
                ? "Take this task before completing it: a task is completed by the person who has taken it."
                : "Someone else has taken this task: take it yourself first if you are to complete it.");
        }

        var fields = JsonSerializer.Deserialize<List<FormField>>(task.Form, WorkflowJson.Options) ?? [];
        var missing = fields.Where(f => f.Required && !HasValue(data, f.Name)).Select(f => f.Label).ToList();
        if (missing.Count > 0)
        {
            throw new WorkflowException($"Answer every question of the task: {string.Join("; ", missing)}");
        }

        if (await FourEyes.RefusalAsync(transaction, taskId, actor, cancellationToken) is { } refusal)
        {
            // Four eyes (PRODUCT.md 8, issue 9 item 5): the task stays open for someone else of its role.
            throw new WorkflowException(refusal);
        }

        var now = time.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE workflow_tasks SET status = 'completed', outcome = @outcome, outcome_data = @data::jsonb, completed_at = @now, completed_by = @actor,
                                      assignee = @actor
            WHERE id = @taskId
            """,
            new { taskId, outcome, data = data is { ValueKind: JsonValueKind.Object } d ? d.GetRawText() : null, now, actor },
            transaction,
            cancellationToken: cancellationToken));
        var batch = new StepBatch(transaction);
        if (!taken)
        {
            // Taken in the same action: recorded as AssignTaskAsync records a taking.
            AddTaken(batch, now, task.CaseId, task.InstanceId, task.Role, task.NotBySameActorAs, taskId, actor, actor);
        }

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
            RETURNING instance_id, case_id, role, not_by_same_actor_as;
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
        AddTaken(batch, now, row.CaseId, row.InstanceId, row.Role, row.NotBySameActorAs, taskId, assignee, actor);
        await batch.FlushAsync(cancellationToken);
    }

    /// <summary>The writes that follow a task's taking (its own row is updated by the caller).</summary>
    private void AddTaken(StepBatch batch, DateTimeOffset now, long caseId, long instanceId, string role, string? notBySameActorAs, long taskId, string assignee, string actor)
    {
        if (role == "officer" && notBySameActorAs is null)
        {
            // The officer working the case's task is the case's officer: reminders go to them, the queue shows them.
            // So the officer who triages a case becomes its officer (issue 14 item 4). A second pair of eyes (a
            // redaction check) does not take the case over.
            batch.Add("UPDATE workflow_instances SET assignee = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $1", instanceId, assignee, now);
            batch.Add(cases.OfficerAssignedSql, caseId, assignee);
        }

        WorkflowEngine.AddLog(batch, now, caseId, instanceId, null, "task-assigned", null, null, null, actor, WorkflowEngine.Json(new { taskId, assignee }));
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
        batch.Add("UPDATE workflow_tasks SET assignee = $2 WHERE instance_id = $1 AND role = 'officer' AND status = 'open' AND not_by_same_actor_as IS NULL", id, StepBatch.Text(officer));
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

        public string? NotBySameActorAs { get; init; }
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

        public string? Assignee { get; init; }
    }
}
