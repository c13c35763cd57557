using System.Text.Json;
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
/// <para>
/// The class is split by responsibility: this file holds the entry points (start, raise, the optimistic-step memory)
/// and the officers' calls; <c>WorkflowEngine.Transitions.cs</c> applies a transition (leave, enter, activities, clock
/// changes); <c>WorkflowEngine.Timers.cs</c> fires timers, which <see cref="TimerScheduler"/> arms; <see cref="TaskActions"/>
/// completes and assigns human tasks; <c>WorkflowEngine.Migration.cs</c> moves instances between versions; and
/// <c>WorkflowEngine.Sql.cs</c> holds the SQL shared by steps (with the lock order) and the row types.
/// </para>
/// </summary>
public sealed partial class WorkflowEngine : IWorkflowEngine
{
    public const string TimerJobKind = "workflow-timer";
    public const string NotificationJobKind = "send-notification";

    /// <summary>Instance data property recording each task type's latest outcome (conditions read it).</summary>
    public const string OutcomesProperty = "outcomes";

    /// <summary>Raised by an optimistic step whose remembered instance row is no longer the current one.</summary>
    public const string InstanceChangedSqlState = "KC412";

    // A bound on the rows remembered (a few thousand open cases at a council; the map is cleared when it fills).
    private const int RecentLimit = 10_000;

    private readonly Lazy<DefinitionRegistry> _definitionsSource;
    private readonly JobQueue _queue;
    private readonly ICaseClock _clocks;
    private readonly ICaseRows _cases;
    private readonly DeadlineCalculator _calculator;
    private readonly TimerPlanner _planner;
    private readonly Dictionary<string, IWorkflowCondition> _conditions;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkflowEngine> _logger;
    private readonly TimerScheduler _timers;
    private readonly TaskActions _tasks;

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
        _timers = new TimerScheduler(queue, _planner, time);
        _tasks = new TaskActions(this, cases, time);
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

    /// <summary>
    /// Completes a human task with one of its outcomes and moves the case on, in the caller's transaction. The actor
    /// must have taken the task, or take it in this action (<paramref name="take"/>: from whoever had it, recorded as a
    /// taking); a task is never completed by someone who has not taken it (issue 14 item 4).
    /// </summary>
    public Task CompleteTaskAsync(NpgsqlTransaction transaction, long taskId, string outcome, JsonElement? data, string actor, bool take, CancellationToken cancellationToken = default) =>
        _tasks.CompleteTaskAsync(transaction, taskId, outcome, data, actor, take, cancellationToken);

    /// <summary>Assigns a task; an officer's task also makes them the case's assigned officer (reminders go to them).</summary>
    public Task AssignTaskAsync(NpgsqlTransaction transaction, long taskId, string assignee, string actor, CancellationToken cancellationToken = default) =>
        _tasks.AssignTaskAsync(transaction, taskId, assignee, actor, cancellationToken);

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
    public Task AssignCaseAsync(NpgsqlTransaction transaction, long caseId, string? officer, string actor, CancellationToken cancellationToken = default) =>
        _tasks.AssignCaseAsync(transaction, caseId, officer, actor, cancellationToken);

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
