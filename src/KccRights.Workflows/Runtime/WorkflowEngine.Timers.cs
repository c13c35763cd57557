using System.Globalization;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

// Timers: firing a timer job is a step (it may raise the timer's event); arming and planning are TimerScheduler's.
public sealed partial class WorkflowEngine
{
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
            _timers.ArmNext(batch, instance, timer, payload, baseInstant);
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
                _timers.ArmAt(batch, instance, timer, payload.StateSeq, first, occurrence: 0);
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
                    var key = $"{TimerScheduler.TimerKey(instance.Id, payload.StateSeq, timer.Id, payload.Date, payload.Occurrence)}:{kind}:{recipient}";
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
            _timers.ArmNext(batch, instance, timer, payload, baseInstant);
        }

        await batch.FlushAsync(cancellationToken);
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
}
