using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

// Stepping: applying a transition (leave the old state, enter the new one: its clock change, activity, task and timers).
public sealed partial class WorkflowEngine
{
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
            // The case's officer gets its next officer task, but not a second pair of eyes on their own work (a redaction
            // check): that waits for another officer to take it (issue 14 item 4).
            var assignee = task.Role == TaskRole.Officer && task.NotBySameActorAs is not { Count: > 0 } ? instance.Assignee : null;
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
                StepBatch.Text(FourEyes.Column(task.NotBySameActorAs)),
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
                await _timers.ArmAsync(batch, instance, timer, instance.StateSeq, now, Dates, cancellationToken);
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
                await _timers.ArmAsync(batch, instance, timer, null, instance.CreatedAt, Dates, cancellationToken);
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
}
