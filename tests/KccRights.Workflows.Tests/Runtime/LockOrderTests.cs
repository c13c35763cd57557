using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Tests.Support;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// A step locks its instance, then the instance's tasks. An officer acting on a task takes the instance's lock first too,
/// so a step and an officer's action on the same case queue one behind the other instead of deadlocking.
/// </summary>
public class LockOrderTests
{
    // Tests connect as the service's role, which may not change deadlock_timeout: a deadlock is reported after the
    // server's default second instead, and fails the test all the same.
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly object NoDoubts = new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false };

    [TestCase("complete")]
    [TestCase("assign")]
    public async Task AnOfficersTaskAction_WaitsForAStepHoldingTheInstance_AndNeitherIsAborted(string action)
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        var task = (await h.OpenTaskAsync(caseId))!;

        // A step in progress: it holds the instance and is about to touch the case's tasks.
        await using var stepConnection = await h.DataSource.OpenConnectionAsync();
        await using var step = await stepConnection.BeginTransactionAsync();
        await stepConnection.ExecuteAsync("SELECT id FROM workflow_instances WHERE case_id = @caseId FOR UPDATE", new { caseId }, step);

        // Meanwhile the officer acts on the task.
        var officer = Task.Run(async () =>
        {
            await using var connection = await h.DataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            if (action == "complete")
            {
                await h.Engine.CompleteTaskAsync(transaction, task.Id, "triaged", WorkflowHarness.Element(NoDoubts), "officer-a", take: true);
            }
            else
            {
                await h.Engine.AssignTaskAsync(transaction, task.Id, "officer-a", "officer-a");
            }

            await transaction.CommitAsync();
        });
        await WaitUntilBlockedAsync(h);

        // The step touches the task and commits: with the officer holding the task first, this would deadlock.
        await stepConnection.ExecuteAsync("UPDATE workflow_tasks SET title = title WHERE id = @Id", new { task.Id }, step);
        await step.CommitAsync();

        await officer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(
            action == "complete" ? await h.StateAsync(caseId) : (await h.OpenTaskAsync(caseId))!.Assignee,
            Is.EqualTo(action == "complete" ? "identity-search" : "officer-a"));
    }

    [Test]
    public async Task ClaimingTheOfficersTask_WaitsForTheCaseBeingGivenToSomeoneElse_AndNeitherIsAborted()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        var task = (await h.OpenTaskAsync(caseId))!;

        // The team leader gives the case to officer-b, as the case page does: the case row first, then its workflow.
        await using var leaderConnection = await h.DataSource.OpenConnectionAsync();
        await using var leader = await leaderConnection.BeginTransactionAsync();
        await leaderConnection.ExecuteAsync("UPDATE cases SET assigned_to = 'officer-b' WHERE id = @caseId", new { caseId }, leader);

        // Meanwhile officer-a claims the case's task, which would make them the case's officer.
        var claim = Task.Run(async () =>
        {
            await using var connection = await h.DataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await h.Engine.AssignTaskAsync(transaction, task.Id, "officer-a", "officer-a");
            await transaction.CommitAsync();
        });
        await WaitUntilBlockedAsync(h);

        await h.Engine.AssignCaseAsync(leader, caseId, "officer-b", "team-leader");
        await leader.CommitAsync();
        await claim.WaitAsync(TimeSpan.FromSeconds(30));

        // One after the other: the claim came last, so officer-a has the case and the task.
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT assigned_to FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("officer-a"));
            Assert.That((await h.OpenTaskAsync(caseId))!.Assignee, Is.EqualTo("officer-a"));
        });
    }

    // Until another session is waiting on a lock.
    private static async Task WaitUntilBlockedAsync(WorkflowHarness h)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await h.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") > 0)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("The officer's action never waited on the step's lock.");
    }
}
