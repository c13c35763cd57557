using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Rights;

/// <summary>
/// Rectification, erasure, restriction, portability, objection, automated decisions and complaints: each right's main
/// path and its main alternatives (ID never arrives, extension, the right's own refusal or branch), against real
/// PostgreSQL with time moved by a fake clock.
/// </summary>
public class OtherRightsWorkflowTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly object NoDoubts = new { identityInDoubt = false, manifestlyUnfoundedOrExcessive = false };

    /// <summary>One step: complete the open task with an outcome (and form data), as an actor; or raise an event.</summary>
    public sealed record CaseStep(string Outcome, object? Data = null, string Actor = "officer-a", bool IsEvent = false);

    private static CaseStep Task(string outcome, object? data = null, string actor = "officer-a") => new(outcome, data, actor);

    private static CaseStep Event(string name) => new(name, IsEvent: true);

    private static readonly CaseStep[] Respond = [Task("drafted"), Task("approved", actor: "dpo")];

    public static IEnumerable<TestCaseData> Paths()
    {
        TestCaseData Path(Right right, string name, string finalState, string[] letters, params CaseStep[] steps) =>
            new TestCaseData(right, steps, finalState, letters).SetName($"{right}_{name}");

        yield return Path(Right.Rectification, "Inaccurate_CorrectedToldRecipientsResponded", "closed", ["notify-recipients", "send-response"],
            [Task("triaged", NoDoubts), Task("inaccurate", new { findings = "wrong date of birth" }), Task("corrected", actor: "record-owner"), .. Respond]);
        yield return Path(Right.Rectification, "Accurate_RefusedWithReasons", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("accurate", new { findings = "records what was said" }), .. Respond]);
        yield return Path(Right.Erasure, "GroundApplies_ErasedToldRecipients", "closed", ["notify-recipients", "send-response"],
            [Task("triaged", NoDoubts), Task("ground-applies", new { findings = "past retention" }), Task("erased", actor: "record-owner"), .. Respond]);
        yield return Path(Right.Erasure, "PublicTask_RefusedUnderArt17_3_b", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("exempt", new { findings = "statutory duty" }), .. Respond]);
        yield return Path(Right.Restriction, "Restricted_ThenLiftedWithNotice", "closed", ["notify-recipients", "send-response", "send-restriction-lift-notice"],
            [Task("triaged", NoDoubts), Task("restrict", new { ground = "accuracy-contested" }), Task("restricted", actor: "record-owner"), .. Respond, Event("restriction-lifted")]);
        yield return Path(Right.Restriction, "NoGround_Refused", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("refuse", new { ground = "none" }), .. Respond]);
        yield return Path(Right.Portability, "NotApplicable_AccessOffered_Accepted_ConvertsToAccess", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("not-applicable"), .. Respond, Event("access-accepted")]);
        yield return Path(Right.Portability, "Applicable_Exported", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("applicable"), Task("exported", actor: "record-owner"), .. Respond]);
        yield return Path(Right.Objection, "Upheld_ProcessingStopped", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("restricted", actor: "record-owner"), Task("uphold", new { findings = "public task, no compelling grounds" }), Task("stopped", actor: "record-owner"), .. Respond]);
        yield return Path(Right.Objection, "CompellingGrounds_RestrictionLiftedWithNotice", "closed", ["send-response", "send-restriction-lift-notice"],
            [Task("triaged", NoDoubts), Task("restricted", actor: "record-owner"), Task("compelling-grounds", new { findings = "safeguarding" }), .. Respond]);
        yield return Path(Right.AutomatedDecision, "NoSolelyAutomatedDecision_Responded", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("no-automated-decision"), .. Respond]);
        yield return Path(Right.AutomatedDecision, "AutomatedDecision_HumanReview", "closed", ["send-response"],
            [Task("triaged", NoDoubts), Task("automated-decision"), Task("reviewed", actor: "officer-b"), .. Respond]);
        yield return Path(Right.Complaint, "Acknowledged_Investigated_Responded", "closed", ["send-complaint-acknowledgement", "send-response"],
            [Task("acknowledged"), Task("investigated"), .. Respond]);
    }

    [TestCaseSource(nameof(Paths))]
    public async Task Path_EndsInTheExpectedState_WithItsLetters(Right right, CaseStep[] steps, string finalState, string[] letters)
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(right);
        foreach (var step in steps)
        {
            await h.AdvanceAsync(TimeSpan.FromHours(2));
            if (step.IsEvent)
            {
                Assert.That(await h.RaiseAsync(caseId, step.Outcome), Is.True, $"event {step.Outcome} in {await h.StateAsync(caseId)}");
            }
            else
            {
                await h.CompleteAsync(caseId, step.Outcome, step.Data, step.Actor);
            }
        }

        var instance = await h.InstanceAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(instance.State, Is.EqualTo(finalState));
            Assert.That(instance.Status, Is.EqualTo("completed"));
            foreach (var letter in letters)
            {
                Assert.That(await h.NotificationsAsync(caseId, letter), Is.EqualTo(1), letter);
            }

            if (right != Right.Complaint)
            {
                Assert.That((await h.ClockAsync(caseId)).IsOpen, Is.False);
            }

            Assert.That(await h.ScalarAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("closed"));
        });
    }

    [Test]
    public async Task Portability_AcceptedOffer_OpensALinkedAccessCaseWithItsOwnClockAndWorkflow()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Portability);
        foreach (var step in (CaseStep[])[Task("triaged", NoDoubts), Task("not-applicable"), .. Respond])
        {
            await h.CompleteAsync(caseId, step.Outcome, step.Data, step.Actor);
        }

        Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-access-reply"));
        await h.AdvanceToDateAsync(new DateOnly(2026, 3, 10));
        await h.RaiseAsync(caseId, "access-accepted");
        var accessCase = await h.ScalarAsync<long>("SELECT (detail->>'accessCaseId')::bigint FROM workflow_log WHERE case_id = @caseId AND kind = 'case-converted'", new { caseId });
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(accessCase), Is.EqualTo("triage"));
            Assert.That(await h.ScalarAsync<string>("SELECT right_code FROM cases WHERE id = @accessCase", new { accessCase }), Is.EqualTo("access"));
            Assert.That((await h.ClockAsync(accessCase)).ReceivedOn, Is.EqualTo(new DateOnly(2026, 3, 10)));
            Assert.That((await h.InstanceAsync(accessCase)).Data, Does.Contain($"\"convertedFromCaseId\": {caseId}"));
        });
    }

    [Test]
    public async Task Portability_NoReplyToTheOffer_ClosesAfterThirtyDays()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Portability);
        foreach (var step in (CaseStep[])[Task("triaged", NoDoubts), Task("not-applicable"), .. Respond])
        {
            await h.CompleteAsync(caseId, step.Outcome, step.Data, step.Actor);
        }

        await h.AdvanceAsync(TimeSpan.FromDays(29));
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-access-reply"));
        await h.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed"));
    }

    private static readonly Right[] IdentityRights = [Right.Rectification, Right.Erasure, Right.Restriction, Right.Portability, Right.Objection, Right.AutomatedDecision];

    [TestCaseSource(nameof(IdentityRights))]
    public async Task IdNeverArrives_ChaserThenClosedForLackOfId(Right right)
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(right);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = true, manifestlyUnfoundedOrExcessive = false });
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-id"));
        await h.AdvanceToDateAsync(new DateOnly(2026, 3, 16));
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("id-chased"));
        await h.AdvanceToDateAsync(new DateOnly(2026, 3, 30));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed-no-id"));
            Assert.That(await h.NotificationsAsync(caseId, "send-id-request"), Is.EqualTo(1));
            Assert.That(await h.NotificationsAsync(caseId, "send-id-chaser"), Is.EqualTo(1));
            Assert.That(await h.NotificationsAsync(caseId, "send-closure-no-id"), Is.EqualTo(1));
            Assert.That((await h.ClockAsync(caseId)).IsOpen, Is.False);
        });
    }

    [TestCaseSource(nameof(IdentityRights))]
    public async Task IdArrivesAndIsVerified_ClockRestarts_CaseGoesToItsAssessment(Right right)
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(right);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = true, manifestlyUnfoundedOrExcessive = false });
        await h.AdvanceToDateAsync(new DateOnly(2026, 3, 5));
        await h.RaiseAsync(caseId, "id-received");
        await h.CompleteAsync(caseId, "verified", new { idSeen = "driving licence" });
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo(right == Right.Objection ? "restrict-meanwhile" : "assessment"));
            Assert.That((await h.ClockAsync(caseId)).ClockStart, Is.EqualTo(new DateOnly(2026, 3, 5)));
        });
    }

    [TestCaseSource(nameof(IdentityRights))]
    public async Task Extension_FromAssessment_SignedOffByDpo_ExtendsAndReturns(Right right)
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(right);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        if (right == Right.Objection)
        {
            await h.CompleteAsync(caseId, "restricted", actor: "record-owner");
        }

        await h.AdvanceToDateAsync(new DateOnly(2026, 3, 20));
        Assert.That(await h.RaiseAsync(caseId, "extension-requested", new { reason = "Several requests at once" }), Is.True);
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("extension-sign-off"));
        await h.CompleteAsync(caseId, "approved", actor: "dpo");
        var clock = await h.ClockAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("assessment"));
            Assert.That(clock.Extended, Is.True);
            Assert.That(clock.EffectiveDueOn, Is.EqualTo(new DateOnly(2026, 6, 2)), "three months from Mon 2 March");
            Assert.That(await h.NotificationsAsync(caseId, "send-extension-notice"), Is.EqualTo(1));
        });
    }

    [TestCaseSource(nameof(IdentityRights))]
    public async Task Extension_AskedForByADpo_GoesToAnotherDpo(Right right)
    {
        // Separation of duties (issue 9 item 5): in every definition, the DPO who asked cannot sign the extension off.
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(right);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        if (right == Right.Objection)
        {
            await h.CompleteAsync(caseId, "restricted", actor: "record-owner");
        }

        await h.RaiseAsync(caseId, "extension-requested", new { reason = "complex" }, actor: "dpo-a");
        Assert.That(async () => await h.CompleteAsync(caseId, "approved", actor: "dpo-a"), Throws.TypeOf<WorkflowException>().With.Message.Contains("\u201cExtension requested\u201d").And.Message.Contains("four eyes"));
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("extension-sign-off"));
        await h.CompleteAsync(caseId, "approved", actor: "dpo-b");
        Assert.That((await h.ClockAsync(caseId)).Extended, Is.True);
    }

    [TestCaseSource(nameof(IdentityRights))]
    public async Task ExtensionRefusedByDpo_ClockUnchanged(Right right)
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(right);
        await h.CompleteAsync(caseId, "triaged", NoDoubts);
        if (right == Right.Objection)
        {
            await h.CompleteAsync(caseId, "restricted", actor: "record-owner");
        }

        await h.RaiseAsync(caseId, "extension-requested", new { reason = "complex" });
        await h.CompleteAsync(caseId, "refused", actor: "dpo");
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("assessment"));
            Assert.That((await h.ClockAsync(caseId)).Extended, Is.False);
        });
    }

    [Test]
    public async Task Complaint_NotAcknowledged_RemindsOnDay20AndDay27_WithTheDpoOnDay27()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Complaint);
        await h.AssignAsync(caseId, "officer-a");
        await h.AdvanceAsync(TimeSpan.FromDays(19.9));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-complaint-acknowledgement-due"), Is.Zero);
        await h.AdvanceAsync(TimeSpan.FromDays(0.2));
        Assert.That(await h.NotificationsAsync(caseId, "reminder-complaint-acknowledgement-due"), Is.EqualTo(2));
        await h.AdvanceAsync(TimeSpan.FromDays(7));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.NotificationsAsync(caseId, "reminder-complaint-acknowledgement-due"), Is.EqualTo(5));
            Assert.That(await h.NotificationsAsync(caseId, "reminder-complaint-acknowledgement-due", "role"), Is.EqualTo(1));
        });

        await h.CompleteAsync(caseId, "acknowledged");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("investigation"));
    }
}
