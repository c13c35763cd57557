using System.Globalization;
using System.Text.Json;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// Arms workflow timers for <see cref="WorkflowEngine"/>: on entering a state, when the clock changes, after a firing
/// (the next occurrence) and after a version migration (where the schedule had got to). Each occurrence is a
/// workflow-timer job added to the step's batch, with a dedupe key naming it (<see cref="TimerKey"/>).
/// </summary>
internal sealed class TimerScheduler(JobQueue queue, TimerPlanner planner, TimeProvider time)
{
    internal async Task ArmAsync(StepBatch batch, WorkflowEngine.InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset enteredAt, Func<Task<CaseDates?>> dates, CancellationToken cancellationToken)
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

        var first = planner.CatchUp(timer, planner.FirstAtDate(timer, caseDates), LondonTime.Today(time));
        if (first is { } date)
        {
            ArmAt(batch, instance, timer, stateSeq, date, occurrence: 0);
            if (timer.Repeat is { } repeat && date <= LondonTime.Today(time))
            {
                // Today's occurrence may have fired already (a pause and a resume on the same day): its key is taken
                // and the insert above does nothing, so the next occurrence is armed in that case, or the chain would end.
                var next = planner.NextDate(date, repeat);
                ArmAt(batch, instance, timer, stateSeq, next, occurrence: 1, onlyIfRan: TimerKey(instance.Id, stateSeq, timer.Id, date, 0));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Arms a repeating timer's next occurrence: the first after now. A firing that came late (after an outage, or an
    /// incident retried days later) stands for the occurrences it missed, so they are not sent one after another.
    /// </summary>
    internal void ArmNext(StepBatch batch, WorkflowEngine.InstanceRow instance, TimerDefinition timer, TimerPayload payload, DateTimeOffset baseInstant)
    {
        if (timer.Repeat is not { } repeat)
        {
            return;
        }

        if (timer.At is not null && payload.Date is { } date)
        {
            var today = LondonTime.Today(time);
            var (next, occurrence) = (planner.NextDate(date, repeat), payload.Occurrence + 1);
            while (next <= today)
            {
                var later = planner.NextDate(next, repeat);
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
            var occurrence = Math.Max(payload.Occurrence, planner.CatchUpOccurrence(timer, baseInstant, time.GetUtcNow())) + 1;
            ArmAfter(batch, instance, timer, payload.StateSeq, baseInstant, occurrence);
        }
    }

    /// <summary>
    /// Arms a timer of a migrated instance from the occurrence its schedule has reached: the latest one due (or the
    /// first, when none is), moved on past any that already ran. A timer that does not repeat and already ran is not armed.
    /// </summary>
    internal async Task RearmAsync(StepBatch batch, WorkflowEngine.InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset enteredAt, Func<Task<CaseDates?>> dates, HashSet<string> fired, CancellationToken cancellationToken)
    {
        if (timer.After is not null)
        {
            // Past every occurrence that ran: with the same schedule that is the next one; with a changed schedule the
            // numbers no longer match the old instants, and one that ran under the old numbering is skipped rather
            // than armed under a key that is taken (which would end the chain).
            var occurrence = planner.CatchUpOccurrence(timer, enteredAt, time.GetUtcNow());
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

        var date = planner.CatchUp(timer, planner.FirstAtDate(timer, caseDates), LondonTime.Today(time));
        var at = 0;
        while (date is { } d && fired.Contains(TimerKey(instance.Id, stateSeq, timer.Id, d, 0)))
        {
            date = timer.Repeat is { } repeat ? planner.NextDate(d, repeat) : null;
            at++;
        }

        if (date is { } due)
        {
            ArmAt(batch, instance, timer, stateSeq, due, at);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private void ArmAfter(StepBatch batch, WorkflowEngine.InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset enteredAt, int occurrence)
    {
        var runAt = planner.AfterInstant(timer, enteredAt, occurrence);
        EnqueueTimer(batch, instance, timer, stateSeq, runAt, null, occurrence);
    }

    internal void ArmAt(StepBatch batch, WorkflowEngine.InstanceRow instance, TimerDefinition timer, int? stateSeq, DateOnly date, int occurrence, string? onlyIfRan = null)
    {
        var runAt = TimerPlanner.AtInstant(timer, date);
        var now = time.GetUtcNow();
        EnqueueTimer(batch, instance, timer, stateSeq, runAt < now ? now : runAt, date, occurrence, onlyIfRan);
    }

    private void EnqueueTimer(StepBatch batch, WorkflowEngine.InstanceRow instance, TimerDefinition timer, int? stateSeq, DateTimeOffset runAt, DateOnly? date, int occurrence, string? onlyIfRan = null)
    {
        var payload = new TimerPayload { InstanceId = instance.Id, StateSeq = stateSeq, TimerId = timer.Id, Occurrence = occurrence, Date = date };
        queue.Add(batch, new JobRequest
        {
            Kind = WorkflowEngine.TimerJobKind,
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

    internal static string TimerKey(long instanceId, int? stateSeq, string timerId, DateOnly? date, int occurrence) =>
        string.Create(CultureInfo.InvariantCulture, $"{TimerScope(instanceId, stateSeq, timerId)}:{(date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : occurrence.ToString(CultureInfo.InvariantCulture))}");

    // A timer's key without its occurrence: the same for every firing of one timer in one state entry (or instance).
    internal static string TimerScope(long instanceId, int? stateSeq, string timerId) =>
        string.Create(CultureInfo.InvariantCulture, $"timer:{instanceId}:{(stateSeq is { } s ? s.ToString(CultureInfo.InvariantCulture) : "i")}:{timerId}");
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
