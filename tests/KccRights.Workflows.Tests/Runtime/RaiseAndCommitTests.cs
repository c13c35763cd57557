using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// An officer's action ends with an event: the step's writes, the caller's last statements and COMMIT go in one round
/// trip. All of it commits, or none of it.
/// </summary>
public class RaiseAndCommitTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private const string Definition =
        """
        {
          "id": "act", "title": "An action, then an activity", "rights": ["erasure"], "startState": "waiting",
          "states": [
            { "id": "waiting", "transitions": [ { "on": "go", "to": "working" } ] },
            { "id": "working", "activity": { "kind": "test-tx-step" }, "transitions": [ { "on": "done", "to": "end" } ] },
            { "id": "end", "terminal": true }
          ]
        }
        """;

    private static async Task<WorkflowHarness> HarnessAsync()
    {
        var directory = await WorkflowHarness.DefinitionDirectoryAsync("act", Definition);
        var h = await WorkflowHarness.CreateAsync(Start, services => services.AddSingleton<IJobHandler, StepHandler>(), directory: directory);
        await EffectHandler.CreateTablesAsync(h.DataSource);
        return h;
    }

    private static NpgsqlBatchCommand Marker(string owner) =>
        new("INSERT INTO test_markers (job_id, attempt, owner) VALUES (0, 0, $1)") { Parameters = { new NpgsqlParameter { Value = owner } } };

    [Test]
    public async Task TheStepAndTheCallersStatementsCommitTogether_AndTheNextActivityStepsFromTheRememberedRow()
    {
        await using var h = await HarnessAsync();
        var caseId = await h.OpenCaseAsync(Right.Erasure, "act", runJobs: false);
        bool? toldMoved = null;

        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                // Called as callers do, through the interface: the engine's one-round-trip version runs, not the default.
                IWorkflowEngine engine = h.Engine;
                var moved = await engine.RaiseAndCommitAsync(transaction, caseId, "go", null, "officer-a", moved =>
                {
                    toldMoved = moved;
                    return [Marker("audit")];
                });
                Assert.That(moved, Is.True);
            }

            // Committed, not rolled back by the disposal: another connection sees it all, and this one is usable again.
            Assert.That(await connection.ExecuteScalarAsync<int>("SELECT 1"), Is.EqualTo(1));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(toldMoved, Is.True);
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("working"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_markers WHERE owner = 'audit'"), Is.EqualTo(1));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'activity' AND status = 'pending'", new { caseId }), Is.EqualTo(1));
        });

        // The worker's step takes up the row the action committed: optimistic, and a hit.
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("end"));
            Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((1L, 0L)));
        });
    }

    [Test]
    public async Task ACallersStatementThatFails_LeavesNothingCommitted()
    {
        await using var h = await HarnessAsync();
        var caseId = await h.OpenCaseAsync(Right.Erasure, "act", runJobs: false);
        var logBefore = await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId", new { caseId });

        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.ThrowsAsync<PostgresException>(() => h.Engine.RaiseAndCommitAsync(
                transaction, caseId, "go", null, "officer-a", _ => [Marker("audit"), new NpgsqlBatchCommand("SELECT 1 / 0")]));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("waiting"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId", new { caseId }), Is.EqualTo(logBefore));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_markers"), Is.Zero);
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE case_id = @caseId AND origin = 'activity'", new { caseId }), Is.Zero);
        });
    }

    [Test]
    public async Task AnEventTheStateDoesNotTake_IsToldToTheCaller_AndRecordedAsIgnored()
    {
        await using var h = await HarnessAsync();
        var caseId = await h.OpenCaseAsync(Right.Erasure, "act", runJobs: false);
        bool? toldMoved = null;

        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.That(await h.Engine.RaiseAndCommitAsync(transaction, caseId, "no-such-event", null, "officer-a", moved =>
            {
                toldMoved = moved;
                return [Marker("refused")];
            }), Is.False);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(toldMoved, Is.False);
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("waiting"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_markers WHERE owner = 'refused'"), Is.EqualTo(1));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId AND kind = 'ignored'", new { caseId }), Is.EqualTo(1));
        });
    }

    // Works only in the transaction, so its step may be optimistic.
    private sealed class StepHandler : ITransactionalJobHandler
    {
        public string Kind => "test-tx-step";

        public Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken) => Task.FromResult<string?>("done");
    }
}
