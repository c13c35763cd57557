using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Database;
using KccRights.Workflows.Definitions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Runs workflow instances. Every step happens in one transaction (the caller's, or the worker's for a job): lock the
/// instance row, choose the transition, leave the old state (cancel its pending timers, activities and open tasks),
/// enter the new one (clock change, activity job, task, timers), update the instance and append to the log. The
/// writes are sent as one batch.
/// </summary>
public sealed partial class WorkflowEngine : IWorkflowEngine
{
    public const string TimerJobKind = "workflow-timer";
    public const string NotificationJobKind = "send-notification";

    /// <summary>Instance data property recording each task type's latest outcome (conditions read it).</summary>
    public const string OutcomesProperty = "outcomes";

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
    private const string LockInstanceOfTaskSql =
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

    /// <summary>Raised by an optimistic step whose remembered instance row is no longer the current one.</summary>
    public const string InstanceChangedSqlState = "KC412";

    // A bound on the rows remembered (a few thousand open cases at a council; the map is cleared when it fills).
    private const int RecentLimit = 10_000;

    private const string LogSql =
        """
        INSERT INTO workflow_log (at, case_id, instance_id, definition_version, kind, from_state, to_state, event, actor, detail)
        VALUES ($1, $2::bigint, $3::bigint, $4::text, $5, $6::text, $7::text, $8::text, $9, $10::jsonb)
        """;

    private readonly Lazy<DefinitionRegistry> _definitionsSource;
    private readonly JobQueue _queue;
    private readonly ICaseClock _clocks;
    private readonly ICaseRows _cases;
    private readonly DeadlineCalculator _calculator;
    private readonly TimerPlanner _planner;
    private readonly Dictionary<string, IWorkflowCondition> _conditions;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowEngine> _logger;

    // Instance rows as this process's workers last committed them (each with the xmin of that commit), so that a
    // worker's next step on the same instance can skip the round trip that reads and locks it (see VerifySql).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, InstanceRow> _recent = new();
    private long _recentCount;
    private long _optimisticSteps;
    private long _optimisticMisses;

    public WorkflowEngine(
        Lazy<DefinitionRegistry> definitions,
        JobQueue queue,
        ICaseClock clocks,
        ICaseRows cases,
        DeadlineCalculator calculator,
        IEnumerable<IWorkflowCondition> conditions,
        TimeProvider time,
        ILogger<WorkflowEngine> logger)
    {
        DapperSetup.Configure();
        // Lazy: the registry is validated against the registered handlers, and some handlers need this engine.
        _definitionsSource = definitions;
        _queue = queue;
        _clocks = clocks;
        _cases = cases;
        _calculator = calculator;
        _planner = new TimerPlanner(calculator);
        _conditions = new Dictionary<string, IWorkflowCondition>(StringComparer.Ordinal);
        foreach (var condition in conditions)
        {
            _conditions[condition.Name] = condition;
        }

        _time = time;
        _logger = logger;
    }

    public DefinitionRegistry Definitions => _definitionsSource.Value;

    /// <summary>Steps taken optimistically, and those whose remembered row had changed (tests and diagnostics).</summary>
    internal (long Steps, long Misses) OptimisticCounts => (Interlocked.Read(ref _optimisticSteps), Interlocked.Read(ref _optimisticMisses));

    /// <summary>
    /// After a worker's step committed: remembers the instance row it wrote, with the committing transaction's id (the
    /// row's xmin), or forgets the instance if the step ended it.
    /// </summary>
    internal void Remember(long instanceId, InstanceRow? row, uint xmin)
    {
        if (row is null)
        {
            Forget(instanceId);
            return;
        }

        var remembered = row with { Xmin = xmin };
        if (!_recent.TryAdd(instanceId, remembered))
        {
            _recent[instanceId] = remembered;
        }
        else if (Interlocked.Increment(ref _recentCount) > RecentLimit)
        {
            _recent.Clear();
            Interlocked.Exchange(ref _recentCount, 0);
        }
    }

    private void Forget(long instanceId)
    {
        if (_recent.TryRemove(instanceId, out _))
        {
            Interlocked.Decrement(ref _recentCount);
        }
    }

    /// <summary>An optimistic step found the instance changed: its remembered row is dropped.</summary>
    internal void Missed(long instanceId)
    {
        Interlocked.Increment(ref _optimisticMisses);
        Forget(instanceId);
    }

    private DefinitionRegistry _definitions => _definitionsSource.Value;

    public async Task<long> StartAsync(NpgsqlTransaction transaction, long caseId, string definitionId, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var loaded = _definitions.CurrentOf(definitionId);
        var definition = loaded.Definition;
        var now = _time.GetUtcNow();
        var dataJson = data is { ValueKind: JsonValueKind.Object } d ? d.GetRawText() : "{}";

        // The version is stored before the instance that names it (a no-op once stored at start-up).
        var id = await transaction.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            WITH version AS (
                INSERT INTO workflow_definitions (definition_id, version, content, stored_at) VALUES (@definitionId, @version, @content, @now)
                ON CONFLICT (definition_id, version) DO NOTHING
            )
            INSERT INTO workflow_instances (case_id, definition_id, definition_version, state, state_seq, state_entered_at, data, created_at, updated_at)
            VALUES (@caseId, @definitionId, @version, @state, 1, @now, @data::jsonb, @now, @now)
            RETURNING id
            """,
            new { caseId, definitionId, version = loaded.Version, content = loaded.Content, state = definition.StartState, now, data = dataJson },
            transaction,
            cancellationToken: cancellationToken));

        var instance = new InstanceRow
        {
            Id = id,
            CaseId = caseId,
            DefinitionId = definitionId,
            DefinitionVersion = loaded.Version,
            State = definition.StartState,
            StateSeq = 1,
            StateEnteredAt = now,
            Status = "running",
            Data = dataJson,
            CreatedAt = now,
        };
        var batch = new StepBatch(transaction);
        Log(batch, instance, "started", null, definition.StartState, null, actor, new { definition = definitionId, task = definition.States.First(s => s.Id == definition.StartState).Task?.Type });
        var start = definition.States.First(s => s.Id == definition.StartState);
        await EnterAsync(batch, instance, definition, start, data, actor, isStart: true, cancellationToken);
        if (start.Terminal)
        {
            batch.Add("UPDATE workflow_instances SET status = 'completed', completed_at = $2 WHERE id = $1", id, now);
        }

        await batch.FlushAsync(cancellationToken);
        LogMessages.Started(_logger, id, caseId, definitionId);
        return id;
    }

    public async Task<bool> RaiseAsync(NpgsqlTransaction transaction, long caseId, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var batch = new StepBatch(transaction);
        var moved = await RaiseOnCaseAsync(batch, caseId, eventName, data, actor, cancellationToken);
        await batch.FlushAsync(cancellationToken);
        return moved;
    }

    /// <summary>
    /// As <see cref="RaiseAsync"/>, then commits: the step's writes, the caller's <paramref name="alsoCommit"/> and
    /// COMMIT go to PostgreSQL in one round trip (the lock was the other), as a worker's step does. PostgreSQL stops at
    /// the first error in a batch, so a failed statement leaves the transaction aborted, never half committed.
    /// </summary>
    public async Task<bool> RaiseAndCommitAsync(NpgsqlTransaction transaction, long caseId, string eventName, JsonElement? data, string actor, Func<bool, IEnumerable<NpgsqlBatchCommand>>? alsoCommit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var step = new StepBatch(transaction);
        var moved = await RaiseOnCaseAsync(step, caseId, eventName, data, actor, cancellationToken);
        await using var batch = step.Take();
        foreach (var command in alsoCommit?.Invoke(moved) ?? [])
        {
            batch.BatchCommands.Add(command);
        }

        if (step.Stepped is not null)
        {
            // The transaction's id is the xmin of the instance row the step wrote: a worker of this process may take
            // the next step (the new state's activity) from that row without reading it again.
            batch.BatchCommands.Add(StepBatch.XidQuery());
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        uint? xid = null;

        // Not cancelled once sent: a cancellation that came after COMMIT ran would report as failed an action that was done.
        await using (var reader = await batch.ExecuteReaderAsync(CancellationToken.None))
        {
            // The xid is told from any rows the caller's statements return by its column name.
            do
            {
                if (StepBatch.IsXidResult(reader) && await reader.ReadAsync(CancellationToken.None))
                {
                    xid = reader.GetFieldValue<uint>(0);
                }
            }
            while (await reader.NextResultAsync(CancellationToken.None));
        }

        if (step.Stepped is { } stepped && xid is { } committedBy)
        {
            Remember(stepped.InstanceId, stepped.Row, committedBy);
        }

        return moved;
    }

    private async Task<bool> RaiseOnCaseAsync(StepBatch batch, long caseId, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var instance = await batch.Transaction.Connection!.QuerySingleOrDefaultAsync<InstanceRow>(new CommandDefinition(
            $"SELECT {InstanceColumns} FROM workflow_instances WHERE case_id = @caseId AND status = 'running' FOR UPDATE",
            new { caseId },
            batch.Transaction,
            cancellationToken: cancellationToken));
        if (instance is null)
        {
            AddLog(batch, _time.GetUtcNow(), caseId, null, null, "ignored", null, null, eventName, actor, """{"reason":"no running workflow"}""");
            return false;
        }

        return await ApplyAsync(batch, instance, eventName, data, actor, cancellationToken);
    }

    /// <summary>
    /// Raises an event on one instance, but only while it is still in the state entry <paramref name="expectedStateSeq"/>
    /// (an activity's outcome or a timer for a state already left is recorded and ignored).
    /// </summary>
    public async Task<bool> RaiseOnInstanceAsync(NpgsqlTransaction transaction, long instanceId, int? expectedStateSeq, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var batch = new StepBatch(transaction);
        var moved = await RaiseOnInstanceAsync(batch, instanceId, expectedStateSeq, eventName, data, actor, cancellationToken);
        await batch.FlushAsync(cancellationToken);
        return moved;
    }

    /// <summary>
    /// As above, but the step's writes are left in <paramref name="batch"/> for the caller to send (a worker sends them
    /// with the job's completion and COMMIT in one round trip). The step's reads (the instance lock, the case's dates,
    /// conditions) and clock changes still happen here, before those writes, as they do in every step.
    /// <para>
    /// Optimistic: when this process committed the instance's current row itself (<see cref="Remember"/>), the step is
    /// worked out from that row and the lock is taken by the batch's first statement, which raises
    /// <see cref="InstanceChangedSqlState"/> if the row changed since: the caller rolls back and runs the job again
    /// without <paramref name="optimistic"/>. Only for handlers whose work is all in the transaction.
    /// </para>
    /// </summary>
    internal async Task<bool> RaiseOnInstanceAsync(StepBatch batch, long instanceId, int? expectedStateSeq, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken, bool optimistic = false)
    {
        InstanceRow? instance;
        if (optimistic && _recent.TryGetValue(instanceId, out var remembered))
        {
            batch.Add(VerifySql, instanceId, new NpgsqlParameter { Value = remembered.Xmin, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Xid }, remembered.RowVersion, remembered.StateSeq);
            batch.Unverified = true;
            Interlocked.Increment(ref _optimisticSteps);
            instance = remembered;
        }
        else
        {
            instance = await LockAsync(batch.Transaction, instanceId, cancellationToken);
        }
        if (instance is null || instance.Status != "running" || (expectedStateSeq is { } seq && seq != instance.StateSeq))
        {
            if (instance is not null)
            {
                Log(batch, instance, "ignored", instance.State, null, eventName, actor, new { reason = "state already left", expectedStateSeq });
            }

            return false;
        }

        return await ApplyAsync(batch, instance, eventName, data, actor, cancellationToken);
    }

    /// <summary>Completes a human task with one of its outcomes and moves the case on, in the caller's transaction.</summary>
    public async Task CompleteTaskAsync(NpgsqlTransaction transaction, long taskId, string outcome, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var connection = transaction.Connection!;
        TaskRow? task;
        await using (var locked = await connection.QueryMultipleAsync(new CommandDefinition(
            LockInstanceOfTaskSql +
            """
            SELECT id, instance_id, case_id, state_seq, type, role, status, outcomes, form::text AS form, not_by_same_actor_as
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

        var now = _time.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE workflow_tasks SET status = 'completed', outcome = @outcome, outcome_data = @data::jsonb, completed_at = @now, completed_by = @actor
            WHERE id = @taskId
            """,
            new { taskId, outcome, data = data is { ValueKind: JsonValueKind.Object } d ? d.GetRawText() : null, now, actor },
            transaction,
            cancellationToken: cancellationToken));
        var batch = new StepBatch(transaction);
        AddLog(batch, now, task.CaseId, task.InstanceId, null, "task-completed", null, null, outcome, actor, Json(new { taskId, type = task.Type }));
        await batch.FlushAsync(cancellationToken);
        var eventData = JsonNode.Parse(data is { ValueKind: JsonValueKind.Object } given ? given.GetRawText() : "{}")!.AsObject();
        eventData[OutcomesProperty] = new JsonObject { [task.Type] = outcome };
        using var eventDocument = JsonDocument.Parse(eventData.ToJsonString());
        if (!await RaiseOnInstanceAsync(transaction, task.InstanceId, task.StateSeq, outcome, eventDocument.RootElement, actor, cancellationToken))
        {
            throw new WorkflowException($"Task {taskId}'s outcome '{outcome}' did not move the case (its state was left, or no condition held).");
        }
    }

    /// <summary>Assigns a task; an officer's task also makes them the case's assigned officer (reminders go to them).</summary>
    public async Task AssignTaskAsync(NpgsqlTransaction transaction, long taskId, string assignee, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(assignee);
        var now = _time.GetUtcNow();
        AssignedRow? row;
        await using (var updated = await transaction.Connection!.QueryMultipleAsync(new CommandDefinition(
            _cases.LockCaseOfTaskSql + LockInstanceOfTaskSql +
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
            batch.Add(_cases.OfficerAssignedSql, row.CaseId, assignee);
        }

        AddLog(batch, now, row.CaseId, row.InstanceId, null, "task-assigned", null, null, null, actor, Json(new { taskId, assignee }));
        await batch.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// For an activity handler about to change its case's clock: takes the instance's lock first, as its step will, so
    /// that the handler and an officer's action on the same case (instance, then clock) cannot deadlock.
    /// </summary>
    public static async Task LockInstanceAsync(NpgsqlTransaction transaction, long instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "SELECT id FROM workflow_instances WHERE id = @instanceId FOR UPDATE", new { instanceId }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The case was given to another officer (or to nobody): its running workflow follows, so reminders go to the new
    /// officer and its open officer task is theirs. The caller updates the case itself in the same transaction.
    /// </summary>
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

        var now = _time.GetUtcNow();
        var batch = new StepBatch(transaction);
        batch.Add("UPDATE workflow_instances SET assignee = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $1", id, StepBatch.Text(officer), now);
        batch.Add("UPDATE workflow_tasks SET assignee = $2 WHERE instance_id = $1 AND role = 'officer' AND status = 'open'", id, StepBatch.Text(officer));
        AddLog(batch, now, caseId, id, null, "case-assigned", null, null, null, actor, Json(new { officer }));
        await batch.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Records something a module did on a case's workflow log (its timeline), inside the caller's transaction: the
    /// workflow log is the runtime's table, so other modules write it only through here.
    /// </summary>
    public async Task RecordAsync(NpgsqlTransaction transaction, long caseId, long? instanceId, string kind, string actor, object detail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var batch = new StepBatch(transaction);
        AddLog(batch, _time.GetUtcNow(), caseId, instanceId, null, kind, null, null, null, actor, Json(detail));
        await batch.FlushAsync(cancellationToken);
    }

    /// <summary>Fires a timer job (kind workflow-timer) inside the worker's transaction.</summary>
    internal async Task FireTimerAsync(NpgsqlTransaction transaction, TimerPayload payload, string actor, CancellationToken cancellationToken)
    {
        var instance = await LockAsync(transaction, payload.InstanceId, cancellationToken);
        if (instance is null || instance.Status != "running")
        {
            return;
        }

        var definition = await _definitions.GetAsync(transaction, instance.DefinitionId, instance.DefinitionVersion, cancellationToken);
        var batch = new StepBatch(transaction);
        TimerDefinition? timer;
        DateTimeOffset baseInstant;
        if (payload.StateSeq is { } seq)
        {
            if (seq != instance.StateSeq)
            {
                return; // The state was left; its timers were cancelled, and this one lost the race.
            }

            timer = State(definition, instance.State).Timers.FirstOrDefault(t => t.Id == payload.TimerId);
            baseInstant = instance.StateEnteredAt;
        }
        else
        {
            timer = definition.Timers.FirstOrDefault(t => t.Id == payload.TimerId);
            baseInstant = instance.CreatedAt;
        }

        if (timer is null)
        {
            return; // Not in this instance's version (a migration removed it).
        }

        if (timer.SkipInStates.Contains(instance.State, StringComparer.Ordinal))
        {
            // Skipped, not ended: a repeating timer goes on, to fire again once the instance is out of these states.
            Log(batch, instance, "timer-skipped", instance.State, null, timer.Event, actor, new { timer = timer.Id, reason = "skipped in this state" });
            ArmNext(batch, instance, timer, payload, baseInstant);
            await batch.FlushAsync(cancellationToken);
            return;
        }

        var detail = new Dictionary<string, object?> { ["timer"] = timer.Id, ["occurrence"] = payload.Occurrence };
        if (timer.At is not null)
        {
            var dates = await _clocks.DatesAsync(transaction, instance.CaseId, cancellationToken);
            if (dates is null || !dates.IsOpen || dates.IsPaused)
            {
                // A paused clock (Art 12A(5)) has no running deadline to remind about; resuming re-arms the timers.
                Log(batch, instance, "timer-skipped", instance.State, null, timer.Event, actor, new { timer = timer.Id, reason = dates is null ? "no clock" : dates.IsOpen ? "clock paused" : "clock closed" });
                await batch.FlushAsync(cancellationToken);
                return;
            }

            var first = _planner.FirstAtDate(timer, dates);
            if (payload.Date is { } date && first > date)
            {
                // The date moved later since the timer was armed (restart, pause, extension): fire on the new date instead.
                ArmAt(batch, instance, timer, payload.StateSeq, first, occurrence: 0);
                await batch.FlushAsync(cancellationToken);
                return;
            }

            detail["date"] = payload.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            detail["effectiveDueOn"] = dates.EffectiveDueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            detail["noticeBy"] = dates.NoticeBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        var holds = timer.When is null || await Condition(timer.When).EvaluateAsync(ConditionFor(transaction, instance, null), cancellationToken);
        var moved = false;
        if (holds)
        {
            Log(batch, instance, "timer-fired", instance.State, null, timer.Event, actor, detail);
            if (timer.Notify is { } notify)
            {
                foreach (var (kind, recipient) in Recipients(notify, instance, definition))
                {
                    var key = $"{TimerKey(instance.Id, payload.StateSeq, timer.Id, payload.Date, payload.Occurrence)}:{kind}:{recipient}";
                    _queue.Add(batch, new JobRequest
                    {
                        Kind = NotificationJobKind,
                        PayloadJson = Json(new { key, template = notify.Template, recipientKind = kind, recipient, data = detail }),
                        CaseId = instance.CaseId,
                        InstanceId = instance.Id,
                        DedupeKey = key,
                    });
                }
            }

            if (timer.Event is { } eventName)
            {
                moved = await ApplyAsync(batch, instance, eventName, null, actor, cancellationToken);
            }
        }
        else
        {
            Log(batch, instance, "timer-skipped", instance.State, null, timer.Event, actor, new { timer = timer.Id, reason = $"condition {timer.When} does not hold" });
        }

        if (!moved)
        {
            ArmNext(batch, instance, timer, payload, baseInstant);
        }

        await batch.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Arms a repeating timer's next occurrence: the first after now. A firing that came late (after an outage, or an
    /// incident retried days later) stands for the occurrences it missed, so they are not sent one after another.
    /// </summary>
    private void ArmNext(StepBatch batch, InstanceRow instance, TimerDefinition timer, TimerPayload payload, DateTimeOffset baseInstant)
    {
        if (timer.Repeat is not { } repeat)
        {
            return;
        }

        if (timer.At is not null && payload.Date is { } date)
        {
            var today = LondonTime.Today(_time);
            var (next, occurrence) = (_planner.NextDate(date, repeat), payload.Occurrence + 1);
            while (next <= today)
            {
                var later = _planner.NextDate(next, repeat);
                if (later <= next)
                {
                    break;
                }

                (next, occurrence) = (later, occurrence + 1);
            }

            ArmAt(batch, instance, timer, payload.StateSeq, next, occurrence);
        }
        else if (timer.After is not null)
        {
            var occurrence = Math.Max(payload.Occurrence, _planner.CatchUpOccurrence(timer, baseInstant, _time.GetUtcNow())) + 1;
            ArmAfter(batch, instance, timer, payload.StateSeq, baseInstant, occurrence);
        }
    }

    /// <summary>
    /// Moves every running instance of <paramref name="fromVersion"/> to <paramref name="toVersion"/>, mapping states by
    /// <paramref name="stateMap"/> (a state not in the map keeps its name and must exist in the new version). Open tasks
    /// stay open; timers are armed again from the new version where their schedules had got to (none fires twice).
    /// Nothing is changed when any instance cannot be mapped. Returns the instances moved, by old state.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, int>> MigrateInstancesAsync(NpgsqlTransaction transaction, string definitionId, string fromVersion, string toVersion, IReadOnlyDictionary<string, string> stateMap, string actor, CancellationToken cancellationToken)
    {
        var from = await _definitions.GetAsync(transaction, definitionId, fromVersion, cancellationToken);
        var to = await _definitions.GetAsync(transaction, definitionId, toVersion, cancellationToken);
        var problems = new List<string>();
        foreach (var (oldState, newState) in stateMap)
        {
            if (from.States.All(s => s.Id != oldState))
            {
                problems.Add($"--map {oldState}={newState}: the old version has no state '{oldState}'");
            }

            if (to.States.All(s => s.Id != newState))
            {
                problems.Add($"--map {oldState}={newState}: the new version has no state '{newState}'");
            }
        }

        var instances = (await transaction.Connection!.QueryAsync<InstanceRow>(new CommandDefinition(
            $"SELECT {InstanceColumns} FROM workflow_instances WHERE definition_id = @definitionId AND definition_version = @fromVersion AND status = 'running' ORDER BY id FOR UPDATE",
            new { definitionId, fromVersion },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        foreach (var state in instances.Select(i => i.State).Distinct(StringComparer.Ordinal))
        {
            var target = stateMap.GetValueOrDefault(state) ?? state;
            if (to.States.FirstOrDefault(s => s.Id == target) is not { } targetState)
            {
                problems.Add($"running instances are in state '{state}', which the new version does not have: add --map {state}=NEW-STATE");
            }
            else if (targetState.Terminal)
            {
                problems.Add($"state '{state}' maps to the terminal state '{target}': finish cases through their workflow, not by migration");
            }
        }

        if (problems.Count > 0)
        {
            throw new WorkflowException(string.Join("; ", problems.Distinct()));
        }

        // Timer occurrences that already ran (or are running) under the old version. Their keys are the same in the new
        // version (same instance, state entry and timer id), so re-arming joins each schedule where it had got to:
        // nothing fires twice and a repeating timer keeps repeating. Pending ones are cancelled below and armed again.
        // A timer the old version had that has no pending job has ended (it fired and does not repeat, its event moved
        // the case, or it waits for the clock to resume, which arms it again): it is not started again.
        var keys = (await transaction.Connection!.QueryAsync<(string Key, string Status)>(new CommandDefinition(
            "SELECT dedupe_key, status FROM jobs WHERE instance_id = ANY(@ids) AND origin = 'timer' AND dedupe_key IS NOT NULL AND status <> 'cancelled'",
            new { ids = instances.Select(i => i.Id).ToArray() },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        var fired = keys.Where(k => k.Status != "pending").Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        var pending = keys.Where(k => k.Status == "pending").Select(k => k.Key[..k.Key.LastIndexOf(':')]).ToHashSet(StringComparer.Ordinal);
        var moved = new Dictionary<string, int>(StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        foreach (var instance in instances)
        {
            var target = State(to, stateMap.GetValueOrDefault(instance.State) ?? instance.State);
            var batch = new StepBatch(transaction);
            batch.Add("UPDATE workflow_instances SET definition_version = $2, state = $3, row_version = row_version + 1, updated_at = $4 WHERE id = $1", instance.Id, toVersion, target.Id, now);
            if (target.Task is not null)
            {
                batch.Add("UPDATE workflow_tasks SET state = $2 WHERE instance_id = $1 AND state_seq = $3 AND status = 'open'", instance.Id, target.Id, instance.StateSeq);
            }
            else
            {
                // The new version's state has no task: an open one would never be closed by leaving it.
                batch.Add("UPDATE workflow_tasks SET status = 'cancelled', completed_at = $3 WHERE instance_id = $1 AND state_seq = $2 AND status = 'open'", instance.Id, instance.StateSeq, now);
            }

            var oldActivity = State(from, instance.State).Activity?.Kind;
            if (target.Activity?.Kind != oldActivity)
            {
                // The state's activity changed: one still waiting to run for the old one goes, and the new state's
                // activity is enqueued, or the instance would wait for an outcome that never comes.
                batch.Add("UPDATE jobs SET status = 'cancelled', finished_at = $3 WHERE instance_id = $1 AND state_seq = $2 AND status = 'pending' AND origin = 'activity'", instance.Id, instance.StateSeq, now);
                EnqueueActivity(batch, instance with { State = target.Id }, target);
            }

            batch.Add("UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE instance_id = $1 AND status = 'pending' AND origin = 'timer'", instance.Id, now);
            Log(batch, instance, "migrated", instance.State, target.Id, null, actor, new { fromVersion, toVersion });
            var migrated = instance with { State = target.Id, DefinitionVersion = toVersion };
            CaseDates? dates = null;
            var loaded = false;
            async Task<CaseDates?> Dates()
            {
                if (!loaded)
                {
                    dates = await _clocks.DatesAsync(transaction, instance.CaseId, cancellationToken);
                    loaded = true;
                }

                return dates;
            }

            var oldStateTimers = State(from, instance.State).Timers.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            var oldInstanceTimers = from.Timers.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var timer in target.Timers)
            {
                if (!oldStateTimers.Contains(timer.Id) || pending.Contains(TimerScope(instance.Id, instance.StateSeq, timer.Id)))
                {
                    await RearmAsync(batch, migrated, timer, instance.StateSeq, instance.StateEnteredAt, Dates, fired, cancellationToken);
                }
            }

            foreach (var timer in to.Timers)
            {
                if (!oldInstanceTimers.Contains(timer.Id) || pending.Contains(TimerScope(instance.Id, null, timer.Id)))
                {
                    await RearmAsync(batch, migrated, timer, null, instance.CreatedAt, Dates, fired, cancellationToken);
                }
            }

            await batch.FlushAsync(cancellationToken);
            moved[instance.State] = moved.GetValueOrDefault(instance.State) + 1;
        }

        return moved;
    }

    private async Task<bool> ApplyAsync(StepBatch batch, InstanceRow instance, string eventName, JsonElement? eventData, string actor, CancellationToken cancellationToken)
    {
        var transaction = batch.Transaction;
        var definition = await _definitions.GetAsync(transaction, instance.DefinitionId, instance.DefinitionVersion, cancellationToken);
        var state = State(definition, instance.State);
        var data = Merge(instance.Data, eventData);
        var candidates = state.Terminal ? state.Transitions : state.Transitions.Concat(definition.AnyState);
        TransitionDefinition? chosen = null;
        foreach (var transition in candidates)
        {
            if (transition.On != eventName)
            {
                continue;
            }

            if (transition.When is { } when
                && !await Condition(when).EvaluateAsync(ConditionFor(transaction, instance with { Data = data }, null), cancellationToken))
            {
                continue;
            }

            chosen = transition;
            break;
        }

        if (chosen is null)
        {
            Log(batch, instance, "ignored", instance.State, null, eventName, actor, new { reason = "no transition for this event in this state" });
            LogMessages.Ignored(_logger, instance.Id, instance.State, eventName);
            return false;
        }

        var now = _time.GetUtcNow();
        var target = State(definition, chosen.To);

        // Leave: the state's pending timers and activities are cancelled, its open tasks too. Only a state with timers or
        // an activity has pending jobs of its own, and only a state with a task has an open task (version migration
        // keeps both true), so a state with neither is left without looking; nor is a state without timers left by
        // the outcome of its own activity, which is running, not pending.
        if (state.Timers.Count > 0 || (state.Activity is not null && !batch.LeavingByOwnActivity))
        {
            batch.Add(LeaveJobsSql, instance.Id, instance.StateSeq, now);
        }

        if (state.Task is not null)
        {
            batch.Add("UPDATE workflow_tasks SET status = 'cancelled', completed_at = $3 WHERE instance_id = $1 AND state_seq = $2 AND status = 'open'", instance.Id, instance.StateSeq, now);
        }

        var entered = instance with { State = target.Id, StateSeq = instance.StateSeq + 1, StateEnteredAt = now, Data = data, RowVersion = instance.RowVersion + 1 };
        batch.Add(
            """
            UPDATE workflow_instances SET state = $2, state_seq = $3, state_entered_at = $4, data = $5::jsonb, status = $6,
                   completed_at = $7::timestamptz, row_version = row_version + 1, updated_at = $4
            WHERE id = $1
            """,
            instance.Id,
            target.Id,
            entered.StateSeq,
            now,
            data,
            target.Terminal ? "completed" : "running",
            StepBatch.Instant(target.Terminal ? now : null));
        // One log row per step: the task the new state opens is named in it (the timeline shows it as opened).
        Log(batch, instance, "transition", instance.State, target.Id, eventName, actor, new { when = chosen.When, task = target.Task?.Type });
        batch.Stepped = (instance.Id, target.Terminal ? null : entered);
        await EnterAsync(batch, entered, definition, target, eventData, actor, isStart: false, cancellationToken);
        LogMessages.Moved(_logger, instance.Id, instance.State, target.Id, eventName);
        return true;
    }

    private async Task EnterAsync(StepBatch batch, InstanceRow instance, WorkflowDefinition definition, StateDefinition state, JsonElement? eventData, string actor, bool isStart, CancellationToken cancellationToken)
    {
        var transaction = batch.Transaction;
        var now = _time.GetUtcNow();
        if (state.Clock is not null && batch.Unverified)
        {
            // An optimistic step locks the instance before it writes anything else, as every step does: the clock
            // change below writes at once, so the check and the writes so far go first.
            await batch.FlushAsync(cancellationToken);
        }

        var clockChanged = state.Clock is { } clock && await ChangeClockAsync(batch, instance, clock, eventData, actor, cancellationToken);

        if (state.Terminal)
        {
            // The instance ends: every pending timer (instance timers too) and open task goes.
            batch.Add(EndJobsSql, instance.Id, now);
            batch.Add("UPDATE workflow_tasks SET status = 'cancelled', completed_at = $2 WHERE instance_id = $1 AND status = 'open'", instance.Id, now);
        }

        EnqueueActivity(batch, instance, state);

        if (state.Task is { } task)
        {
            DateOnly? due = task.DueInWorkingDays is { } days ? _calculator.AddWorkingDays(LondonTime.Today(_time), days) : null;
            var assignee = task.Role == TaskRole.Officer ? instance.Assignee : null;
            batch.Add(
                """
                INSERT INTO workflow_tasks (instance_id, case_id, state, state_seq, type, role, title, form, outcomes, not_by_same_actor_as, assignee, due_on, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::text, $11::text, $12::date, $13)
                """,
                instance.Id,
                instance.CaseId,
                state.Id,
                instance.StateSeq,
                task.Type,
                RoleName(task.Role),
                task.Title,
                JsonSerializer.Serialize(task.Form, WorkflowJson.Options),
                task.Outcomes.ToArray(),
                StepBatch.Text(task.NotBySameActorAs),
                StepBatch.Text(assignee),
                StepBatch.Date(due),
                now);
        }

        CaseDates? dates = null;
        var datesLoaded = false;
        async Task<CaseDates?> Dates()
        {
            if (!datesLoaded)
            {
                dates = await _clocks.DatesAsync(transaction, instance.CaseId, cancellationToken);
                datesLoaded = true;
            }

            return dates;
        }

        if (!state.Terminal)
        {
            foreach (var timer in state.Timers)
            {
                await ArmAsync(batch, instance, timer, instance.StateSeq, now, Dates, cancellationToken);
            }
        }

        // Instance timers (reminders about the case's dates) are armed at start and armed again whenever the clock
        // changes, so they follow the dates: the old ones are cancelled and dedupe keys (by date) stop repeats.
        if (!state.Terminal && (isStart || clockChanged) && definition.Timers.Count > 0)
        {
            if (!isStart)
            {
                batch.Add("UPDATE jobs SET status = 'cancelled', finished_at = $2 WHERE instance_id = $1 AND state_seq IS NULL AND status = 'pending' AND origin = 'timer'", instance.Id, now);
            }

            foreach (var timer in definition.Timers)
            {
                await ArmAsync(batch, instance, timer, null, instance.CreatedAt, Dates, cancellationToken);
            }
        }
    }

    private void EnqueueActivity(StepBatch batch, InstanceRow instance, StateDefinition state)
    {
        if (state.Activity is not { } activity)
        {
            return;
        }

        _queue.Add(batch, new JobRequest
        {
            Kind = activity.Kind,
            PayloadJson = Json(new { instanceId = instance.Id, stateSeq = instance.StateSeq, state = state.Id, input = activity.Input }),
            CaseId = instance.CaseId,
            InstanceId = instance.Id,
            StateSeq = instance.StateSeq,
            Origin = JobOrigin.Activity,

            // No dedupe key: a state entry enqueues its activity once, under the instance lock, and state_seq names the
            // entry (a version migration enqueues one only when the state's activity changed).
        });
    }

    private async Task ArmAsync(StepBatch batch, InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset enteredAt, Func<Task<CaseDates?>> dates, CancellationToken cancellationToken)
    {
        if (timer.After is not null)
        {
            ArmAfter(batch, instance, timer, stateSeq, enteredAt, occurrence: 0);
            return;
        }

        var caseDates = await dates();
        if (caseDates is null || !caseDates.IsOpen || caseDates.IsPaused)
        {
            return;
        }

        var first = _planner.CatchUp(timer, _planner.FirstAtDate(timer, caseDates), LondonTime.Today(_time));
        if (first is { } date)
        {
            ArmAt(batch, instance, timer, stateSeq, date, occurrence: 0);
            if (timer.Repeat is { } repeat && date <= LondonTime.Today(_time))
            {
                // Today's occurrence may have fired already (a pause and a resume on the same day): its key is taken
                // and the insert above does nothing, so the next occurrence is armed in that case, or the chain would end.
                var next = _planner.NextDate(date, repeat);
                ArmAt(batch, instance, timer, stateSeq, next, occurrence: 1, onlyIfRan: TimerKey(instance.Id, stateSeq, timer.Id, date, 0));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Arms a timer of a migrated instance from the occurrence its schedule has reached: the latest one due (or the
    /// first, when none is), moved on past any that already ran. A timer that does not repeat and already ran is not armed.
    /// </summary>
    private async Task RearmAsync(StepBatch batch, InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset enteredAt, Func<Task<CaseDates?>> dates, HashSet<string> fired, CancellationToken cancellationToken)
    {
        if (timer.After is not null)
        {
            // Past every occurrence that ran: with the same schedule that is the next one; with a changed schedule the
            // numbers no longer match the old instants, and one that ran under the old numbering is skipped rather
            // than armed under a key that is taken (which would end the chain).
            var occurrence = _planner.CatchUpOccurrence(timer, enteredAt, _time.GetUtcNow());
            while (fired.Contains(TimerKey(instance.Id, stateSeq, timer.Id, null, occurrence)))
            {
                if (timer.Repeat is null)
                {
                    return;
                }

                occurrence++;
            }

            ArmAfter(batch, instance, timer, stateSeq, enteredAt, occurrence);
            return;
        }

        var caseDates = await dates();
        if (caseDates is null || !caseDates.IsOpen || caseDates.IsPaused)
        {
            return; // As on entering a state: resuming the clock arms 'at' timers again.
        }

        var date = _planner.CatchUp(timer, _planner.FirstAtDate(timer, caseDates), LondonTime.Today(_time));
        var at = 0;
        while (date is { } d && fired.Contains(TimerKey(instance.Id, stateSeq, timer.Id, d, 0)))
        {
            date = timer.Repeat is { } repeat ? _planner.NextDate(d, repeat) : null;
            at++;
        }

        if (date is { } due)
        {
            ArmAt(batch, instance, timer, stateSeq, due, at);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private void ArmAfter(StepBatch batch, InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset enteredAt, int occurrence)
    {
        var runAt = _planner.AfterInstant(timer, enteredAt, occurrence);
        EnqueueTimer(batch, instance, timer, stateSeq, runAt, null, occurrence);
    }

    private void ArmAt(StepBatch batch, InstanceRow instance, TimerDefinition timer, int? stateSeq, DateOnly date, int occurrence, string? onlyIfRan = null)
    {
        var runAt = TimerPlanner.AtInstant(timer, date);
        var now = _time.GetUtcNow();
        EnqueueTimer(batch, instance, timer, stateSeq, runAt < now ? now : runAt, date, occurrence, onlyIfRan);
    }

    private void EnqueueTimer(StepBatch batch, InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset runAt, DateOnly? date, int occurrence, string? onlyIfRan = null)
    {
        var payload = new TimerPayload { InstanceId = instance.Id, StateSeq = stateSeq, TimerId = timer.Id, Occurrence = occurrence, Date = date };
        _queue.Add(batch, new JobRequest
        {
            Kind = TimerJobKind,
            PayloadJson = JsonSerializer.Serialize(payload, WorkflowJson.Options),
            CaseId = instance.CaseId,
            InstanceId = instance.Id,
            StateSeq = stateSeq,
            Origin = JobOrigin.Timer,
            RunAt = runAt,
            DedupeKey = TimerKey(instance.Id, stateSeq, timer.Id, date, occurrence),
            OnlyIfRanKey = onlyIfRan,
        });
    }

    private static string TimerKey(long instanceId, int? stateSeq, string timerId, DateOnly? date, int occurrence) =>
        string.Create(CultureInfo.InvariantCulture, $"{TimerScope(instanceId, stateSeq, timerId)}:{(date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : occurrence.ToString(CultureInfo.InvariantCulture))}");

    // A timer's key without its occurrence: the same for every firing of one timer in one state entry (or instance).
    private static string TimerScope(long instanceId, int? stateSeq, string timerId) =>
        string.Create(CultureInfo.InvariantCulture, $"timer:{instanceId}:{(stateSeq is { } s ? s.ToString(CultureInfo.InvariantCulture) : "i")}:{timerId}");

    private async Task<bool> ChangeClockAsync(StepBatch batch, InstanceRow instance, ClockChangeDefinition clock, JsonElement? eventData, string actor, CancellationToken cancellationToken)
    {
        var transaction = batch.Transaction;
        var dates = await _clocks.DatesAsync(transaction, instance.CaseId, cancellationToken);
        if (dates is null)
        {
            if (clock.Action == ClockAction.Close)
            {
                return false;
            }

            throw new WorkflowException($"Case {instance.CaseId} has no statutory clock to {clock.Action.ToString().ToLowerInvariant()}.");
        }

        if (!dates.IsOpen)
        {
            return false;
        }

        var on = EventDate(eventData, "on") ?? LondonTime.Today(_time);
        var reason = EventText(eventData, "reason") ?? DataText(instance.Data, "reason") ?? clock.Reason ?? clock.Action.ToString();

        // Each change is skipped when already in effect, so a step retried after a crash changes nothing twice.
        var due = clock.Action switch
        {
            ClockAction.Pause => !dates.IsPaused,
            ClockAction.Resume => dates.IsPaused,
            ClockAction.Restart => dates.IdReceivedOn != on,
            ClockAction.Extend => !dates.Extended,
            ClockAction.Close => true,
            _ => false,
        };
        if (!due)
        {
            return false;
        }

        await _clocks.ChangeAsync(transaction, instance.CaseId, clock.Action, on, reason, actor, cancellationToken);
        Log(batch, instance, "clock", instance.State, null, null, actor, new { action = clock.Action.ToString().ToLowerInvariant(), on = on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        return true;
    }

    private static IEnumerable<(string Kind, string Recipient)> Recipients(NotifyDefinition notify, InstanceRow instance, WorkflowDefinition definition)
    {
        foreach (var to in notify.To.Distinct())
        {
            switch (to)
            {
                case Recipient.Assignee when instance.Assignee is { } assignee:
                    yield return ("officer", assignee);
                    break;
                case Recipient.Team:
                    yield return ("team", definition.Team);
                    break;
                case Recipient.Dpo:
                    yield return ("role", "dpo");
                    break;
            }
        }
    }

    private IWorkflowCondition Condition(string name) =>
        _conditions.TryGetValue(name, out var condition) ? condition : throw new WorkflowException($"No condition '{name}' is registered.");

    private ConditionContext ConditionFor(NpgsqlTransaction transaction, InstanceRow instance, JsonElement? _)
    {
        using var document = JsonDocument.Parse(instance.Data);
        return new ConditionContext
        {
            CaseId = instance.CaseId,
            InstanceId = instance.Id,
            State = instance.State,
            Data = document.RootElement.Clone(),
            Transaction = transaction,
            Time = _time,
        };
    }

    private static StateDefinition State(WorkflowDefinition definition, string id) =>
        definition.States.FirstOrDefault(s => s.Id == id) ?? throw new WorkflowException($"Workflow '{definition.Id}' has no state '{id}'.");

    private void Log(StepBatch batch, InstanceRow instance, string kind, string? from, string? to, string? eventName, string actor, object? detail) =>
        AddLog(batch, _time.GetUtcNow(), instance.CaseId, instance.Id, instance.DefinitionVersion, kind, from, to, eventName, actor, detail is null ? "{}" : Json(detail));

    // Every workflow_log row goes through here, its nullable columns typed (StepBatch), so the insert stays prepared.
    private static void AddLog(StepBatch batch, DateTimeOffset at, long caseId, long? instanceId, string? version, string kind, string? from, string? to, string? eventName, string actor, string detailJson) =>
        batch.Add(LogSql, at, caseId, StepBatch.Bigint(instanceId), StepBatch.Text(version), kind, StepBatch.Text(from), StepBatch.Text(to), StepBatch.Text(eventName), actor, detailJson);

    private static async Task<InstanceRow?> LockAsync(NpgsqlTransaction transaction, long instanceId, CancellationToken cancellationToken) =>
        await transaction.Connection!.QuerySingleOrDefaultAsync<InstanceRow>(new CommandDefinition(
            $"SELECT {InstanceColumns} FROM workflow_instances WHERE id = @instanceId FOR UPDATE",
            new { instanceId },
            transaction,
            cancellationToken: cancellationToken));

    private static string Merge(string data, JsonElement? eventData)
    {
        if (eventData is not { ValueKind: JsonValueKind.Object } incoming)
        {
            return data;
        }

        var merged = JsonNode.Parse(data) as JsonObject ?? [];
        foreach (var property in incoming.EnumerateObject())
        {
            var value = JsonNode.Parse(property.Value.GetRawText());
            if (property.Name == OutcomesProperty && merged[OutcomesProperty] is JsonObject outcomes && value is JsonObject added)
            {
                // Outcomes accumulate: one entry per task type, the latest wins.
                foreach (var (type, outcome) in added.ToList())
                {
                    added.Remove(type);
                    outcomes[type] = outcome;
                }

                continue;
            }

            merged[property.Name] = value;
        }

        return merged.ToJsonString();
    }

    private static bool HasValue(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
        && !(value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()));

    private static DateOnly? EventDate(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;

    private static string? EventText(JsonElement? data, string name) =>
        data is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? DataText(string data, string name)
    {
        using var document = JsonDocument.Parse(data);
        return EventText(document.RootElement, name);
    }

    internal static string RoleName(TaskRole role) => role switch
    {
        TaskRole.Dpo => "dpo",
        TaskRole.RecordOwner => "record-owner",
        _ => "officer",
    };

    private static string Json(object value) => JsonSerializer.Serialize(value, WorkflowJson.Options);

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
    }

    private static partial class LogMessages
    {
        [LoggerMessage(300, LogLevel.Information, "Workflow instance {InstanceId} started for case {CaseId} ({DefinitionId})")]
        public static partial void Started(ILogger logger, long instanceId, long caseId, string definitionId);

        [LoggerMessage(301, LogLevel.Information, "Workflow instance {InstanceId}: {From} -> {To} on {Event}")]
        public static partial void Moved(ILogger logger, long instanceId, string from, string to, string @event);

        [LoggerMessage(302, LogLevel.Information, "Workflow instance {InstanceId} in {State}: event {Event} matched no transition")]
        public static partial void Ignored(ILogger logger, long instanceId, string state, string @event);
    }
}

/// <summary>The payload of a workflow-timer job.</summary>
internal sealed record TimerPayload
{
    public long InstanceId { get; init; }

    public int? StateSeq { get; init; }

    public string TimerId { get; init; } = "";

    public int Occurrence { get; init; }

    public DateOnly? Date { get; init; }
}
