using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// Issue 14 item 4: taking a task assigns it; completing requires having taken it or taking it in the same action; the
/// officer who triages a case becomes its officer; a second pair of eyes does not take the case over.
/// </summary>
public class TaskOwnershipTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly object NoDoubts = new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false };

    private static async Task CompleteAsync(WorkflowHarness h, long taskId, string outcome, object? data, string actor, bool take)
    {
        await using var connection = await h.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await h.Engine.CompleteTaskAsync(transaction, taskId, outcome, WorkflowHarness.Element(data), actor, take);
        await transaction.CommitAsync();
    }

    [Test]
    public async Task AnUntakenTask_IsNotCompleted_WithoutTakingIt()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        var task = (await h.OpenTaskAsync(caseId))!;

        Assert.That(
            async () => await CompleteAsync(h, task.Id, "triaged", NoDoubts, "officer-a", take: false),
            Throws.TypeOf<WorkflowException>().With.Message.StartsWith("Take this task before completing it"));
        Assert.Multiple(async () =>
        {
            Assert.That((await h.OpenTaskAsync(caseId))?.Id, Is.EqualTo(task.Id), "the task stays open");
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("triage"));
        });
    }

    [Test]
    public async Task ATaskTakenBySomeoneElse_IsNotCompletedByAnother_WithoutTakingIt()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.AssignAsync(caseId, "officer-a");
        var task = (await h.OpenTaskAsync(caseId))!;

        Assert.That(
            async () => await CompleteAsync(h, task.Id, "triaged", NoDoubts, "officer-b", take: false),
            Throws.TypeOf<WorkflowException>().With.Message.StartsWith("Someone else has taken this task"));
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("triage"));

        // Whoever took it completes it without taking it again.
        await CompleteAsync(h, task.Id, "triaged", NoDoubts, "officer-a", take: false);
        Assert.That(await h.ScalarAsync<string>("SELECT completed_by FROM workflow_tasks WHERE id = @Id", new { task.Id }), Is.EqualTo("officer-a"));
    }

    [Test]
    public async Task TakingAndCompletingTheTriage_InOneAction_MakesTheTakerTheTaskHolderAndTheCasesOfficer()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        var task = (await h.OpenTaskAsync(caseId))!;
        Assert.That(task.Assignee, Is.Null);

        await CompleteAsync(h, task.Id, "triaged", NoDoubts, "officer-a", take: true);

        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT assignee FROM workflow_tasks WHERE id = @Id", new { task.Id }), Is.EqualTo("officer-a"), "done by the one who took it");
            Assert.That(await h.ScalarAsync<string>("SELECT completed_by FROM workflow_tasks WHERE id = @Id", new { task.Id }), Is.EqualTo("officer-a"));
            Assert.That(await h.ScalarAsync<string>("SELECT assigned_to FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("officer-a"), "the triaging officer is the case's officer");
            Assert.That(await h.ScalarAsync<string>("SELECT assignee FROM workflow_instances WHERE case_id = @caseId", new { caseId }), Is.EqualTo("officer-a"), "reminders go to them");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId AND kind = 'task-assigned'", new { caseId }), Is.EqualTo(1L), "the taking is on the timeline");
        });
    }

    [Test]
    public async Task TakingTheRedactionCheck_DoesNotTakeTheCaseOver()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", NoDoubts, actor: "officer-a");
        await h.CompleteAsync(caseId, "confirmed", actor: "officer-a");
        await h.CompleteAsync(caseId, "reviewed", actor: "officer-a");
        var check = (await h.OpenTaskAsync(caseId))!;
        Assert.That(check.Type, Is.EqualTo("redaction-check"));
        Assert.That(check.Assignee, Is.Null, "the case's officer is not given the check of their own work");

        await CompleteAsync(h, check.Id, "checked", null, "officer-b", take: true);

        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT completed_by FROM workflow_tasks WHERE id = @Id", new { check.Id }), Is.EqualTo("officer-b"));
            Assert.That(await h.ScalarAsync<string>("SELECT assigned_to FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("officer-a"), "the case stays with its officer");
        });
    }

    [Test]
    public async Task FourEyes_SaysInWordsWhyThePreparerMayNotCheck_AndNothingForAnotherOfficer()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", NoDoubts, actor: "officer-a");
        await h.CompleteAsync(caseId, "confirmed", actor: "officer-a");
        await h.CompleteAsync(caseId, "reviewed", actor: "officer-a");
        var check = (await h.OpenTaskAsync(caseId))!;

        await using var connection = await h.DataSource.OpenConnectionAsync();
        var preparer = await FourEyes.RefusalAsync(connection, null, check.Id, "OFFICER-A");
        var other = await FourEyes.RefusalAsync(connection, null, check.Id, "officer-b");
        Assert.Multiple(() =>
        {
            Assert.That(preparer, Does.StartWith("You did the earlier task \u201cReview every item for disclosure\u201d on this case, so someone else must do this one"));
            Assert.That(preparer, Does.Not.Contain("redaction-check").And.Not.Contain("disclosure-review").And.Not.Contain(check.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(other, Is.Null);
        });
    }
}
