using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Rights;

/// <summary>The access workflow (UK GDPR Art 15) driven against real PostgreSQL, with time moved by a fake clock.</summary>
public class AccessWorkflowTests
{
    // Monday 2 March 2026, 09:00 in London (GMT).
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly object NoDoubts = new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false };

    private static DateOnly D(string text) => DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task MainPath_TriageToDispatch_WithNoApprovedPdf_SendsNothing()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access, shape: WithRequester);
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("triage"));
        await h.AssignAsync(caseId, "officer-a");

        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"));
        Assert.That((await h.OpenTaskAsync(caseId))!.Assignee, Is.EqualTo("officer-a"), "the case's officer gets its next officer task");
        await h.CompleteAsync(caseId, "confirmed");
        await h.CompleteAsync(caseId, "reviewed", actor: "officer-a");

        // Four eyes: the reviewer cannot check their own redactions.
        Assert.That(async () => await h.CompleteAsync(caseId, "checked", actor: "officer-a"), Throws.TypeOf<WorkflowException>());
        await h.CompleteAsync(caseId, "checked", actor: "officer-b");

        // Entering draft-response rendered the response (nothing collated, so nothing to review): "drafted" may follow.
        Assert.That(
            await h.ScalarAsync<long>("SELECT count(*) FROM disclosure_responses WHERE case_id = @caseId AND status = 'ready'", new { caseId }),
            Is.EqualTo(1),
            await h.ScalarAsync<string>("SELECT coalesce(string_agg(status || ': ' || coalesce(failure, ''), '; '), 'no render') || ' / jobs: ' || coalesce((SELECT string_agg(kind || '=' || status || ' ' || coalesce(last_error, ''), '; ') FROM jobs WHERE case_id = @caseId), '') FROM disclosure_responses WHERE case_id = @caseId", new { caseId }));
        await h.CompleteAsync(caseId, "drafted", actor: "officer-a");

        // Neither the preparer nor the checker of the redactions may approve the response (PRODUCT.md 8; the list form).
        Assert.That(async () => await h.CompleteAsync(caseId, "approved", actor: "officer-a"), Throws.TypeOf<WorkflowException>().With.Message.Contains("\u201cDraft the response\u201d"));
        Assert.That(async () => await h.CompleteAsync(caseId, "approved", actor: "officer-b"), Throws.TypeOf<WorkflowException>().With.Message.Contains("\u201cCheck the redactions\u201d"));
        await h.CompleteAsync(caseId, "approved", actor: "dpo");

        // Dispatch sends the PDF the DPO approved (issue 13 Build 6, KccRights.Disclosure's dispatch-response, tested with
        // mail servers in KccRights.Disclosure.Tests); with no approved PDF nothing is sent and the case stays open.
        var instance = await h.InstanceAsync(caseId);
        var clock = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(instance.State, Is.EqualTo("dispatch"));
            Assert.That(clock.IsOpen, Is.True);
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("open"));
            Assert.That(await h.ScalarAsync<string>("SELECT last_error FROM jobs WHERE case_id = @caseId AND kind = 'dispatch-response'", new { caseId }), Does.Contain("nothing is sent"));
            Assert.That(await h.NotificationsAsync(caseId, "send-response", "requester"), Is.Zero, "no placeholder response goes");
            Assert.That(await h.LogAsync(caseId, "transition"), Is.EqualTo(new[]
            {
                "triage>identity-search:triaged", "identity-search>identity-confirmation:done", "identity-confirmation>collection-start:confirmed",
                "collection-start>disclosure-review:collated", "disclosure-review>redaction-check:reviewed",
                "redaction-check>draft-response:checked", "draft-response>dpo-sign-off:drafted", "dpo-sign-off>dispatch:approved",
            }));
        });
    }

    [Test]
    public async Task IdNeverArrives_ChaserAfterTenWorkingDays_ThenClosesAfterTenMore()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = true, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false });
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-id"));
            Assert.That(await h.NotificationsAsync(caseId, "send-id-request"), Is.EqualTo(1));
        });

        // Ten working days from Monday 2 March is Monday 16 March: the chaser goes.
        await h.AdvanceToDateAsync(D("2026-03-13"), hour: 17);
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-id"));
        await h.AdvanceToDateAsync(D("2026-03-16"), hour: 10);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("id-chased"));
            Assert.That(await h.NotificationsAsync(caseId, "send-id-chaser"), Is.EqualTo(1));
        });

        // Ten more working days (Monday 30 March): closed for lack of ID.
        await h.AdvanceToDateAsync(D("2026-03-30"), hour: 10);
        var clock = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed-no-id"));
            Assert.That(await h.NotificationsAsync(caseId, "send-closure-no-id"), Is.EqualTo(1));
            Assert.That(await h.NotificationsAsync(caseId, "send-id-chaser"), Is.EqualTo(1), "one chaser, never two");
            Assert.That(clock.IsOpen, Is.False);
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.Zero, "no due-date reminders while waiting for ID");
        });
    }

    [Test]
    public async Task IdArrives_RestartsTheClockFromThatDay_AndCancelsTheChaser()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = true, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false });
        await h.AdvanceToDateAsync(D("2026-03-09"));
        Assert.That(await h.RaiseAsync(caseId, "id-received", new { on = "2026-03-09" }), Is.True);
        var clock = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("id-received"));
            Assert.That(clock.ClockStart, Is.EqualTo(D("2026-03-09")), "UK GDPR Art 12(6): the month starts when the ID arrives");
            Assert.That(clock.DueOn, Is.EqualTo(D("2026-04-09")));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE case_id = @caseId AND payload->>'timerId' = 'id-chaser'", new { caseId }), Is.EqualTo("cancelled"));
        });

        await h.CompleteAsync(caseId, "verified", new { idSeen = "passport" });
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"), "ID copies deleted, then on to the search for the subject's records");
        await h.AdvanceToDateAsync(D("2026-04-10"));
        // One firing (to the team; the officer who triaged holds the case and is reminded too).
        Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon", "team"), Is.EqualTo(1), "the reminders follow the restarted date");
    }

    [Test]
    public async Task Clarification_PausesAndResumesTheClock_AsInLegalRulesExample()
    {
        // LEGAL-RULES.md: received Mon 2026-03-02, clarification asked 04-03, answered 13-03 (10 days) -> due Mon 2026-04-13.
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.AdvanceToDateAsync(D("2026-03-04"), hour: 9);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = false, clarificationNeeded = true, manifestlyUnfoundedOrExcessive = false });
        var paused = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-clarification"));
            Assert.That(paused.IsPaused, Is.True);
            Assert.That(await h.NotificationsAsync(caseId, "send-clarification-request"), Is.EqualTo(1));
        });

        await h.AdvanceToDateAsync(D("2026-03-13"), hour: 11);
        await h.RaiseAsync(caseId, "clarification-received");
        var resumed = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("clarification-received"));
            Assert.That(resumed.IsPaused, Is.False);
            Assert.That(resumed.PausedDays, Is.EqualTo(10));
            Assert.That(resumed.DueOn, Is.EqualTo(D("2026-04-13")));
            Assert.That(
                await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND status = 'pending' AND dedupe_key LIKE '%:i:due-in-5-working-days:2026-04-02'", new { caseId }),
                Is.EqualTo(1),
                "the due-soon reminder is re-armed for 5 working days before the new due date (Thu 2 April, before Easter)");
        });

        await h.CompleteAsync(caseId, "scope-agreed");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"));
    }

    [Test]
    public async Task DraftResponse_WithoutARenderedVersion_CannotBeDrafted_AndTheDpoReturnsToTheStageTheyName()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);

        // No requester name on the case: the render records why it could not be made, and "drafted" has no transition.
        var unnamed = await h.OpenCaseAsync(Right.Access);
        await WalkToDraftAsync(h, unnamed);
        Assert.That(await h.ScalarAsync<string>("SELECT failure FROM disclosure_responses WHERE case_id = @caseId", new { caseId = unnamed }), Does.Contain("the requester's name is not recorded"));
        Assert.That(async () => await h.CompleteAsync(unnamed, "drafted", actor: "officer-a"), Throws.TypeOf<WorkflowException>().With.Message.Contains("no condition held"));
        Assert.That(await h.StateAsync(unnamed), Is.EqualTo("draft-response"));
        Assert.That(await h.OpenTaskAsync(unnamed), Is.Not.Null, "the task stays open");

        // A rendered case: the DPO returns it to the review, then (after a new check and draft) to the draft.
        var caseId = await h.OpenCaseAsync(Right.Access, shape: WithRequester);
        await WalkToDraftAsync(h, caseId);
        await h.CompleteAsync(caseId, "drafted", actor: "officer-a");
        await h.CompleteAsync(caseId, "return-to-review", new { comments = "Redact the neighbour's name on page 4" }, actor: "dpo");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("disclosure-review"));
        await h.CompleteAsync(caseId, "reviewed", actor: "officer-a");
        await h.CompleteAsync(caseId, "checked", actor: "officer-c");
        await h.CompleteAsync(caseId, "drafted", actor: "officer-a");

        // The latest checker is officer-c now: they may not approve; officer-b (who checked before) is no longer the checker.
        Assert.That(async () => await h.CompleteAsync(caseId, "approved", actor: "officer-c"), Throws.TypeOf<WorkflowException>());
        await h.CompleteAsync(caseId, "return-to-draft", new { comments = "Add the covering note" }, actor: "dpo");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("draft-response"));
        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM disclosure_responses WHERE case_id = @caseId AND status = 'ready'", new { caseId }), Is.EqualTo(3), "each entry renders again");
    }

    private static KccRights.Cases.OpenCaseCommand WithRequester(KccRights.Cases.OpenCaseCommand command) =>
        command with { Parties = new KccRights.Cases.CaseRequestParties { RequesterName = "Jade Parker", RequesterEmail = "jade.parker@example.com", SubjectName = "Jade Parker" } };

    private static async Task WalkToDraftAsync(WorkflowHarness h, long caseId)
    {
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await h.CompleteAsync(caseId, "confirmed");
        await h.CompleteAsync(caseId, "reviewed", actor: "officer-a");
        await h.CompleteAsync(caseId, "checked", actor: "officer-b");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("draft-response"));
    }

    [Test]
    public async Task Extension_ApprovedByDpo_ExtendsClockAndSendsNotice_AsInLegalRulesExample()
    {
        // LEGAL-RULES.md: received Fri 2026-07-31, extended -> Mon 2026-11-02.
        await using var h = await WorkflowHarness.CreateAsync(new DateTimeOffset(2026, 7, 31, 9, 0, 0, TimeSpan.Zero));
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await h.AdvanceToDateAsync(D("2026-08-20"));
        Assert.That(await h.RaiseAsync(caseId, "extension-requested", new { reason = "Records in six systems (complex)" }), Is.True);
        Assert.That((await h.OpenTaskAsync(caseId))!.Role, Is.EqualTo("dpo"));
        await h.CompleteAsync(caseId, "approved", actor: "dpo");
        var clock = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"));
            Assert.That(clock.Extended, Is.True);
            Assert.That(clock.ExtensionReason, Is.EqualTo("Records in six systems (complex)"));
            Assert.That(clock.EffectiveDueOn, Is.EqualTo(D("2026-11-02")));
            Assert.That(clock.ExtensionNotifiedAt, Is.Not.Null, "Art 12(3): the notice went and was recorded");
            Assert.That(await h.NotificationsAsync(caseId, "send-extension-notice", "requester"), Is.EqualTo(1));
        });

        // Extended once only (Art 12(3)): a second request matches no transition.
        Assert.That(await h.RaiseAsync(caseId, "extension-requested", new { reason = "again" }), Is.False);
    }

    [Test]
    public async Task Extension_AskedForByADpo_ThatDpoCannotApproveIt_AnotherDpoCan()
    {
        // Separation of duties (issue 9 item 5): extension-sign-off names extension-requested in notBySameActorAs.
        await using var h = await WorkflowHarness.CreateAsync(new DateTimeOffset(2026, 7, 31, 9, 0, 0, TimeSpan.Zero));
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await h.AdvanceToDateAsync(D("2026-08-20"));
        Assert.That(await h.RaiseAsync(caseId, "extension-requested", new { reason = "Records in six systems (complex)" }, actor: "dpo-a"), Is.True);
        var task = (await h.OpenTaskAsync(caseId))!;
        Assert.That((task.Type, task.Role), Is.EqualTo(("dpo-sign-off", "dpo")));

        Assert.Multiple(() =>
        {
            Assert.That(
                async () => await h.CompleteAsync(caseId, "approved", actor: "dpo-a"),
                Throws.TypeOf<WorkflowException>().With.Message.Contains("You made the request this decides (\u201cExtension requested\u201d)").And.Message.Contains("four eyes"));
            Assert.That(async () => await h.CompleteAsync(caseId, "refused", actor: "DPO-A"), Throws.TypeOf<WorkflowException>(), "nor refuse it, whatever the case of the name");
        });
        var clock = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That((await h.OpenTaskAsync(caseId))?.Id, Is.EqualTo(task.Id), "the task stays open for another DPO");
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("extension-sign-off"));
            Assert.That(clock.Extended, Is.False);
            Assert.That(await h.LogAsync(caseId, "task-completed"), Has.Count.EqualTo(1), "only triage was completed");
        });

        await h.CompleteAsync(caseId, "approved", actor: "dpo-b");
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"));
            Assert.That((await h.ClockAsync(caseId)).Extended, Is.True);
        });
    }

    [Test]
    public async Task Extension_AfterTheNoticeDate_IsNotOffered()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await h.AdvanceToDateAsync(D("2026-04-03"));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.RaiseAsync(caseId, "extension-requested", new { reason = "late" }), Is.False);
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("identity-confirmation"));
            Assert.That(await h.LogAsync(caseId, "ignored"), Has.Some.EqualTo("identity-confirmation>:extension-requested"));
        });
    }

    [Test]
    public async Task CaseGivenToAnotherOfficer_RemindersAndTheOpenOfficerTaskFollow()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.AssignAsync(caseId, "officer-a");
        Assert.That(await h.ScalarAsync<string>("SELECT assigned_to FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("officer-a"), "taking the officer's task makes them the case's officer");
        await h.CompleteAsync(caseId, "triaged", NoDoubts);

        // The team leader gives the case to officer-b, as the case page does (the case row and its workflow, one transaction).
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("UPDATE cases SET assigned_to = 'officer-b' WHERE id = @caseId", new { caseId }, transaction);
            await h.Engine.AssignCaseAsync(transaction, caseId, "officer-b", "team-leader");
            await transaction.CommitAsync();
        }

        await h.AdvanceToDateAsync(D("2026-03-26"), hour: 9);
        Assert.Multiple(async () =>
        {
            Assert.That((await h.OpenTaskAsync(caseId))!.Assignee, Is.EqualTo("officer-b"));
            Assert.That(
                await h.ScalarAsync<string>("SELECT string_agg(recipient, ',') FROM outbound_notifications WHERE case_id = @caseId AND template = 'reminder-due-soon' AND recipient_kind = 'officer'", new { caseId }),
                Is.EqualTo("officer-b"));
            Assert.That(await h.LogAsync(caseId, "case-assigned"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Reminders_FiveWorkingDaysBefore_OnTheDay_DailyWhenOverdue_AndBeforeTheNoticeDate()
    {
        // Due Thu 2 April 2026 (received Mon 2 March). 5 working days before: Thu 26 March. Notice by 2 April, reminded
        // 3 working days before: Mon 30 March. Overdue each working day from Tue 7 April (Good Friday, Easter Monday).
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.AssignAsync(caseId, "officer-a");
        await h.CompleteAsync(caseId, "triaged", NoDoubts);

        await h.AdvanceToDateAsync(D("2026-03-25"), hour: 20);
        Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.Zero);
        await h.AdvanceToDateAsync(D("2026-03-26"), hour: 9);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon", "officer"), Is.EqualTo(1));
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon", "team"), Is.EqualTo(1));
        });

        await h.AdvanceToDateAsync(D("2026-04-09"), hour: 12);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-extension-notice-due"), Is.EqualTo(2));
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-today"), Is.EqualTo(2));
            Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue", "officer"), Is.EqualTo(3), "7, 8 and 9 April");
            Assert.That(await h.NotificationsAsync(caseId, "reminder-overdue", "team"), Is.EqualTo(3));
            Assert.That(await h.NotificationsAsync(caseId, "reminder-due-soon"), Is.EqualTo(2), "never twice");
        });
    }

    [Test]
    public async Task ManifestlyUnfoundedRequest_RefusalDecidedByDpo_ThenClosed()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = true }, actor: "officer-a");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("refusal-sign-off"));
        Assert.That(async () => await h.CompleteAsync(caseId, "approved", new { reasons = "x" }, actor: "officer-a"), Throws.TypeOf<WorkflowException>());
        Assert.That(async () => await h.CompleteAsync(caseId, "approved", actor: "dpo"), Throws.TypeOf<WorkflowException>().With.Message.Contains("Reasons given to the requester"));
        await h.CompleteAsync(caseId, "approved", new { reasons = "Twelfth identical request this year" }, actor: "dpo");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed"));
        Assert.That(await h.NotificationsAsync(caseId, "send-response", "requester"), Is.EqualTo(1), "dispatch sends the refusal letter (Art 12(4), 12(5)), no PDF");
    }

    [Test]
    public async Task Withdrawn_FromAnyOpenState_ClosesAndCancelsEverything()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        await h.RaiseAsync(caseId, "withdrawn");
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("withdrawn"));
            Assert.That(await h.OpenTaskAsync(caseId), Is.Null);
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND status = 'pending'", new { caseId }), Is.Zero);
            Assert.That((await h.ClockAsync(caseId)).IsOpen, Is.False);
        });
    }
}
