using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>
/// A worker's step on an instance it last wrote itself is worked out from the row it remembers, and the lock is taken in
/// the same round trip as the step's writes, checked against the row's xmin. Anything else that changed the instance
/// meanwhile makes the step roll back and run again from the current row.
/// </summary>
public class OptimisticStepTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    // Four activity states in a row, then the end.
    private static string Definition(string kind) =>
        $$"""
        {
          "id": "chain", "title": "Activities in a row", "rights": ["erasure"], "startState": "s1",
          "states": [
            { "id": "s1", "activity": { "kind": "{{kind}}" }, "transitions": [ { "on": "done", "to": "s2" } ] },
            { "id": "s2", "activity": { "kind": "{{kind}}" }, "transitions": [ { "on": "done", "to": "s3" } ] },
            { "id": "s3", "activity": { "kind": "{{kind}}" }, "transitions": [ { "on": "done", "to": "s4" } ] },
            { "id": "s4", "activity": { "kind": "{{kind}}" }, "transitions": [ { "on": "done", "to": "end" } ] },
            { "id": "end", "terminal": true }
          ]
        }
        """;

    private static async Task<WorkflowHarness> HarnessAsync(string kind, bool pauseInS3 = false, IJobHandler? extra = null)
    {
        var definition = Definition(kind);
        if (pauseInS3)
        {
            definition = definition.Replace("""{ "id": "s3", """, """{ "id": "s3", "clock": { "action": "pause", "reason": "test" }, """, StringComparison.Ordinal);
        }

        var directory = await WorkflowHarness.DefinitionDirectoryAsync("chain", definition);
        var h = await WorkflowHarness.CreateAsync(Start, services =>
        {
            services.AddSingleton<IJobHandler, TransactionalStepHandler>();
            services.AddSingleton<IJobHandler, EffectHandler>();
            if (extra is not null)
            {
                services.AddSingleton(extra);
            }
        }, directory: directory);
        await EffectHandler.CreateTablesAsync(h.DataSource);
        return h;
    }

    // Opens a case on the chain workflow without running its jobs.
    private static Task<long> StartAsync(WorkflowHarness h) => h.OpenCaseAsync(Right.Erasure, "chain", runJobs: false);

    private static async Task<JobRunResult> RunOneAsync(WorkflowHarness h) =>
        await h.Runner.ExecuteAsync((await h.Jobs.ClaimAsync("worker-a"))!, CancellationToken.None);

    [Test]
    public async Task ChainOfActivities_StepsOptimisticallyAfterTheFirst()
    {
        await using var h = await HarnessAsync("test-step");
        var caseId = await StartAsync(h);
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("end"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId AND kind = 'transition'", new { caseId }), Is.EqualTo(4));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.EqualTo(4));

            // The first step reads and locks the instance (nothing remembered after the API start); the other three don't.
            Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((3L, 0L)));
        });
    }

    [Test]
    public async Task InstanceChangedElsewhere_StepIsTakenAgainFromTheCurrentRow_AndKeepsTheChange()
    {
        await using var h = await HarnessAsync("test-step");
        var caseId = await StartAsync(h);
        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("s2"));

        // Someone else changes the instance (an officer's action, another process's step) after this worker wrote it.
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "UPDATE workflow_instances SET data = data || '{\"officerNote\": \"kept\"}', row_version = row_version + 1 WHERE case_id = @caseId",
                new { caseId });
        }

        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));
        Assert.Multiple(async () =>
        {
            Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((1L, 1L)), "tried optimistically once, and missed");
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("s3"));
            Assert.That(await h.ScalarAsync<string>("SELECT data->>'officerNote' FROM workflow_instances WHERE case_id = @caseId", new { caseId }), Is.EqualTo("kept"), "the step started again from the current row");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.EqualTo(2), "the rolled-back run's writes are gone");
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE case_id = @caseId AND kind = 'transition'", new { caseId }), Is.EqualTo(2));
        });

        // The retried step is remembered again: the next one is optimistic and hits.
        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));
        Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((2L, 1L)));
    }

    [Test]
    public async Task TheRunAgainAfterAMiss_RenewsTheLeaseWhileItWorks()
    {
        var handler = new BlockingOnSecondRunHandler();
        await using var h = await HarnessAsync(BlockingOnSecondRunHandler.JobKind, extra: handler);
        var caseId = await StartAsync(h);
        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE workflow_instances SET row_version = row_version + 1 WHERE case_id = @caseId", new { caseId });
        }

        var job = (await h.Jobs.ClaimAsync("worker-a"))!;
        const string Lease = "SELECT lease_expires_at FROM jobs WHERE id = @Id";
        var leased = await h.ScalarAsync<DateTimeOffset>(Lease, new { job.Id });
        var run = h.Runner.ExecuteAsync(job, CancellationToken.None);
        await handler.SecondRunStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The run again (after the optimistic one missed) is still working after one heartbeat interval (10 s of a 30 s lease).
        h.Time.Advance(TimeSpan.FromSeconds(11));
        var renewed = leased;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (renewed == leased && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
            renewed = await h.ScalarAsync<DateTimeOffset>(Lease, new { job.Id });
        }

        handler.Release.SetResult();
        Assert.Multiple(async () =>
        {
            Assert.That(renewed, Is.GreaterThan(leased), "the heartbeat renewed the lease (on the database clock) during the run again");
            Assert.That(await run, Is.EqualTo(JobRunResult.Succeeded));
            Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((1L, 1L)));
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("s3"));
        });
    }

    [Test]
    public async Task OptimisticStepIntoAStateThatPausesTheClock_LocksTheInstanceBeforeTheClockChange()
    {
        await using var h = await HarnessAsync("test-step", pauseInS3: true);
        var caseId = await StartAsync(h);
        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));

        // s2's activity moves the case into s3, which pauses the clock. The step's check is sent before the clock is
        // written (the lock order of every step: instance, then clock); the stale row is caught, all is rolled back,
        // and the retried step pauses the clock once.
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE workflow_instances SET row_version = row_version + 1 WHERE case_id = @caseId", new { caseId });
        }

        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));
        Assert.Multiple(async () =>
        {
            Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((1L, 1L)));
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("s3"));
            Assert.That(await h.ScalarAsync<bool>("SELECT is_paused FROM case_clocks WHERE case_id = @caseId", new { caseId }), Is.True);
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM case_clock_pauses WHERE case_id = @caseId", new { caseId }), Is.EqualTo(1), "paused once, by the retried step");
        });

        // And with nothing changed in between, the next step into the paused state's successor is optimistic and hits.
        Assert.That(await RunOneAsync(h), Is.EqualTo(JobRunResult.Succeeded));
        Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((2L, 1L)));
    }

    [Test]
    public async Task HandlerWithEffectsOutsideTheTransaction_NeverStepsOptimistically()
    {
        await using var h = await HarnessAsync("test-effect");
        var caseId = await StartAsync(h);
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("end"));
            Assert.That(h.Engine.OptimisticCounts, Is.EqualTo((0L, 0L)));
        });
    }

    /// <summary>test-step: a transactional activity (writes only in the job's transaction).</summary>
    private sealed class TransactionalStepHandler : ITransactionalJobHandler
    {
        public string Kind => "test-step";

        public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
        {
            await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
                "INSERT INTO test_effects (job_id, attempt, owner, at) VALUES (@JobId, @Attempt, 'step', @now)",
                new { context.JobId, context.Attempt, now = context.Time.GetUtcNow() },
                context.Transaction,
                cancellationToken: cancellationToken));
            return "done";
        }
    }

    // Works in the transaction only; the second run of one job waits for the test to let it finish.
    private sealed class BlockingOnSecondRunHandler : ITransactionalJobHandler
    {
        public const string JobKind = "test-block-second-run";

        private readonly HashSet<long> _seen = [];

        public string Kind => JobKind;

        public TaskCompletionSource SecondRunStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
        {
            bool again;
            lock (_seen)
            {
                again = !_seen.Add(context.JobId);
            }

            if (again)
            {
                SecondRunStarted.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }

            return "done";
        }
    }
}
