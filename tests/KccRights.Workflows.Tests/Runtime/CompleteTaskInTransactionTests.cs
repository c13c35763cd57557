using System.Text.Json;
using KccRights.Cases;
using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// CaseActions.CompleteTaskAsync with work of the caller's in the task's transaction (a manual search recording its
/// uploads): it runs after the runtime completed the task and before the audit and COMMIT, so either both are stored or
/// neither is, and a refused attempt leaves the task open and its form token unused.
/// </summary>
public class CompleteTaskInTransactionTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task AFailingFollowUp_StoresNothing_AndTheSameFormThenCompletesWithIt()
    {
        await using var h = await WorkflowHarness.CreateAsync(Monday);
        var caseId = await h.OpenCaseAsync(Right.Access);
        long taskId;
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            taskId = (await SideTasks.OpenAsync(transaction, caseId, new SideTask("manual-search", "record-owner", "Search Youth Justice by hand", ["uploaded", "nothing-held"], null, "Youth Justice Service"), "test", h.Time.GetUtcNow()))!.Value;
            await transaction.CommitAsync();
        }

        var actions = h.Services.GetRequiredService<CaseActions>();
        var timeline = h.Services.GetRequiredService<CaseTimeline>();
        var opener = h.Services.GetRequiredService<CaseOpener>();
        var queries = h.Services.GetRequiredService<CaseQueries>();
        var task = (await timeline.TaskAsync(taskId))!;
        var owner = new Actor("yj-owner", "Yusuf Owner", "record-owner", "Youth Justice Service");
        var data = JsonSerializer.SerializeToElement(new { files = 1 });
        var form = Guid.NewGuid();
        var completedWhenCalled = "";

        Assert.That(
            async () => await actions.CompleteTaskAsync(task, "uploaded", data, owner, true, form, async (tx, ct) =>
            {
                await opener.AddNoteAsync(tx, caseId, "test", "recorded with the task", ct);
                throw new InvalidOperationException("the upload was refused");
            }),
            Throws.InvalidOperationException.With.Message.EqualTo("the upload was refused"));
        Assert.That((await timeline.TaskAsync(taskId))!.Status, Is.EqualTo("open"), "the task is not completed");
        Assert.That(await queries.NotesAsync(caseId), Is.Empty, "nothing of the follow-up is stored");

        await actions.CompleteTaskAsync(task, "uploaded", data, owner, true, form, async (tx, ct) =>
        {
            await using (var command = tx.Connection!.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = $"SELECT status FROM workflow_tasks WHERE id = {taskId}";
                completedWhenCalled = (string)(await command.ExecuteScalarAsync(ct))!;
            }

            await opener.AddNoteAsync(tx, caseId, "test", "recorded with the task", ct);
        });
        Assert.That(completedWhenCalled, Is.EqualTo("completed"), "the follow-up runs after the runtime completed the task");
        Assert.That((await timeline.TaskAsync(taskId))!.Outcome, Is.EqualTo("uploaded"));
        Assert.That((await queries.NotesAsync(caseId)).Select(n => n.Body), Is.EqualTo(new[] { "recorded with the task" }));
    }
}
