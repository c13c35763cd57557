using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// An activity that failed every attempt opens an incident. If the case then leaves that stage (withdrawn, say), the
/// incident is obsolete: it is closed, and retrying it does not run the activity for a stage the case has left.
/// </summary>
public class ObsoleteIncidentTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private const string Definition =
        """
        {
          "id": "inc", "title": "An activity that fails", "rights": ["erasure"], "startState": "sending",
          "states": [
            { "id": "sending", "activity": { "kind": "test-fail" }, "transitions": [ { "on": "done", "to": "sent" }, { "on": "withdrawn", "to": "withdrawn" } ] },
            { "id": "sent", "terminal": true },
            { "id": "withdrawn", "terminal": true }
          ]
        }
        """;

    private static async Task<(WorkflowHarness Harness, FailingHandler Failing)> HarnessAsync()
    {
        var directory = await WorkflowHarness.DefinitionDirectoryAsync("inc", Definition);
        var failing = new FailingHandler();
        var h = await WorkflowHarness.CreateAsync(Start, services => services.AddSingleton<IJobHandler>(failing), directory: directory);
        return (h, failing);
    }

    private static async Task<Incident> FailIntoAnIncidentAsync(WorkflowHarness h, long caseId)
    {
        await h.AdvanceAsync(TimeSpan.FromMinutes(10));
        var incident = (await h.Jobs.IncidentsAsync(includeRetried: false)).Single(i => i.CaseId == caseId);
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("sending"));
        return incident;
    }

    [Test]
    public async Task TheCaseLeavesTheStage_ItsIncidentIsClosedAsObsolete_AndARetryDoesNotRunTheActivity()
    {
        var (h, failing) = await HarnessAsync();
        await using var harness = h;
        var caseId = await h.OpenCaseAsync(Right.Erasure, "inc");
        var incident = await FailIntoAnIncidentAsync(h, caseId);

        Assert.That(await h.RaiseAsync(caseId, "withdrawn"), Is.True);
        failing.Failing = false;
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM incidents WHERE id = @Id", new { incident.Id }), Is.EqualTo("obsolete"));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @JobId", new { incident.JobId }), Is.EqualTo("cancelled"));
            Assert.That(await h.Jobs.IncidentsAsync(includeRetried: false), Is.Empty, "not listed as needing attention");
            Assert.That(await h.Jobs.RetryIncidentAsync(incident.Id, "officer-a"), Is.EqualTo(IncidentRetry.NotOpen));
        });
    }

    [Test]
    public async Task AnIncidentLeftOpenForAStageTheCaseHasLeft_IsRefusedOnRetry_AndClosed()
    {
        var (h, failing) = await HarnessAsync();
        await using var harness = h;
        var caseId = await h.OpenCaseAsync(Right.Erasure, "inc");
        var incident = await FailIntoAnIncidentAsync(h, caseId);

        // As before this release: the case moved on and its failed job and incident stayed as they were.
        Assert.That(await h.RaiseAsync(caseId, "withdrawn"), Is.True);
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "UPDATE jobs SET status = 'failed' WHERE id = @JobId; UPDATE incidents SET status = 'open', closed_at = NULL, closed_reason = NULL WHERE id = @Id",
                new { incident.JobId, incident.Id });
        }

        failing.Failing = false;
        Assert.That(await h.Jobs.RetryIncidentAsync(incident.Id, "officer-a"), Is.EqualTo(IncidentRetry.Obsolete));
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @JobId", new { incident.JobId }), Is.EqualTo("cancelled"), "not run");
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM incidents WHERE id = @Id", new { incident.Id }), Is.EqualTo("obsolete"));
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("withdrawn"));
        });
    }

    [Test]
    public async Task WhileTheCaseIsStillAtThatStage_TheRetryRunsTheActivity_AndTheCaseMovesOn()
    {
        var (h, failing) = await HarnessAsync();
        await using var harness = h;
        var caseId = await h.OpenCaseAsync(Right.Erasure, "inc");
        var incident = await FailIntoAnIncidentAsync(h, caseId);

        failing.Failing = false;
        Assert.That(await h.Jobs.RetryIncidentAsync(incident.Id, "officer-a"), Is.EqualTo(IncidentRetry.Retried));
        await h.RunJobsAsync();
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("sent"));
    }
}
