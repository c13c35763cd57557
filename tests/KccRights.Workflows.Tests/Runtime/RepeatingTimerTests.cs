using KccRights.Domain.Cases;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// Repeating timers: a firing that comes late (workers down, an incident retried days later) stands for the occurrences
/// it missed instead of replaying them one after another; a chain goes on through skipped states; and a same-day pause
/// and resume does not end it.
/// </summary>
public class RepeatingTimerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // 'nudge' repeats daily from entering 'working'; 'daily' repeats daily from 40 days before the due date (instance),
    // which for a case received on Mon 2 March (due Thu 2 April) is already past: it joins at that day's occurrence.
    // 'ask' pauses the clock, 'answer' resumes it; 'hold' is a state 'daily' is skipped in.
    private const string Definition =
        """
        {
          "id": "rep", "title": "Repeating timers", "rights": ["erasure"], "startState": "working",
          "timers": [
            { "id": "daily", "at": { "caseDate": "due", "days": -40 }, "repeat": { "days": 1 }, "skipInStates": ["holding"],
              "notify": { "template": "reminder-overdue", "to": ["team"] } }
          ],
          "states": [
            { "id": "working",
              "timers": [ { "id": "nudge", "after": { "days": 1 }, "repeat": { "days": 1 }, "notify": { "template": "reminder-due-soon", "to": ["team"] } } ],
              "transitions": [ { "on": "ask", "to": "asking" }, { "on": "hold", "to": "holding" } ] },
            { "id": "asking", "clock": { "action": "pause", "reason": "Clarification asked" }, "transitions": [ { "on": "answer", "to": "answered" } ] },
            { "id": "answered", "clock": { "action": "resume" }, "transitions": [ { "on": "done", "to": "end" } ] },
            { "id": "holding", "transitions": [ { "on": "release", "to": "answered" } ] },
            { "id": "end", "terminal": true }
          ]
        }
        """;

    private static async Task<WorkflowHarness> HarnessAsync()
    {
        var directory = await WorkflowHarness.DefinitionDirectoryAsync("rep", Definition);
        return await WorkflowHarness.CreateAsync(Start, directory: directory);
    }

    private static Task<long> PendingAsync(WorkflowHarness h, long caseId, string timer) =>
        h.ScalarAsync<long>(
            "SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'timer' AND status = 'pending' AND split_part(dedupe_key, ':', 4) = @timer",
            new { caseId, timer });

    [Test]
    public async Task WorkersDownForDays_EachRepeatingTimerFiresOnceForTheLot_ThenKeepsItsSchedule()
    {
        await using var h = await HarnessAsync();
        var caseId = await h.OpenCaseAsync(Right.Erasure, "rep");

        // 'daily' fires on opening (2 March); 'nudge' is due at 09:00 UTC from 3 March. Then every worker is down until
        // Friday 6 March, noon.
        await h.RunJobsAsync();
        Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(1));
        h.Time.SetUtcNow(new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero));
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(1), "nudge: once, not for 3, 4, 5 and 6 March");
            Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(2), "daily: once more, not for 3, 4, 5 and 6 March");
            Assert.That(await PendingAsync(h, caseId, "nudge"), Is.EqualTo(1));
            Assert.That(await PendingAsync(h, caseId, "daily"), Is.EqualTo(1));
        });

        // Back on schedule: one each on Saturday 7 March.
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.Zero));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(2));
            Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task PausedAndResumedTheSameDay_AfterTodaysReminder_TheChainGoesOnTomorrow()
    {
        await using var h = await HarnessAsync();
        var caseId = await h.OpenCaseAsync(Right.Erasure, "rep");
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 4, 10, 0, 0, TimeSpan.Zero));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(3), "2, 3 and 4 March");

        // At 10:00 the council asks for clarification, and at 15:00 the answer comes: the clock pauses and resumes today.
        Assert.That(await h.RaiseAsync(caseId, "ask"), Is.True);
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 4, 15, 0, 0, TimeSpan.Zero));
        Assert.That(await h.RaiseAsync(caseId, "answer"), Is.True);
        Assert.That(await PendingAsync(h, caseId, "daily"), Is.EqualTo(1), "today's has fired: tomorrow's is armed");

        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(5), "and 5, 6 March");
    }

    [Test]
    public async Task ARepeatingTimerSkippedInAState_GoesOnOnceTheStateIsLeft()
    {
        await using var h = await HarnessAsync();
        var caseId = await h.OpenCaseAsync(Right.Erasure, "rep", runJobs: false);
        Assert.That(await h.RaiseAsync(caseId, "hold"), Is.True);
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.Zero, "skipped while holding (2 to 5 March)");

        // 'release' changes no clock, so nothing else re-arms 'daily': only its own chain can.
        Assert.That(await h.RaiseAsync(caseId, "release"), Is.True);
        await h.AdvanceToAsync(new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.Zero));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue"), Is.EqualTo(2), "6 and 7 March");
    }
}
