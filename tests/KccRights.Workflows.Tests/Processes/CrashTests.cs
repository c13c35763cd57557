using System.Diagnostics;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KccRights.Workflows.Tests.Processes;

/// <summary>Crash tests with real processes sharing one real PostgreSQL: SIGKILL, several runtimes, every worker down.</summary>
[NonParallelizable]
public class CrashTests
{
    private static async Task<(ServiceProvider Provider, NpgsqlDataSource DataSource, string ConnectionString)> DatabaseAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var provider = WorkflowHarness.CoreServices(connectionString, TimeProvider.System, new WorkflowRuntimeOptions { Directory = Paths.Workflows }).BuildServiceProvider();
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await EffectHandler.CreateTablesAsync(dataSource);
        return (provider, dataSource, connectionString);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, object? parameters = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    [Test]
    public async Task WorkerKilledMidJob_JobRunsAgainAfterItsLease_EffectHappensExactlyOnce()
    {
        var (provider, dataSource, connectionString) = await DatabaseAsync();
        await using var _ = provider;
        await using var first = await WorkerProcess.StartAsync(connectionString, "first", workers: 1, leaseSeconds: 2);
        long jobId;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            jobId = await provider.GetRequiredService<IJobQueue>().EnqueueAsync(transaction, "test-slow", new { });
            await transaction.CommitAsync();
        }

        // The first worker is inside the job (it wrote its effect in the job's transaction and is sleeping): SIGKILL.
        await WaitUntilAsync(async () => await ScalarAsync<long>(dataSource, "SELECT count(*) FROM test_markers WHERE owner = 'first'") == 1, TimeSpan.FromSeconds(20), "the first worker to start the job");
        await first.KillAsync();
        var killedAt = Stopwatch.StartNew();
        Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM test_effects"), Is.Zero, "the killed attempt's effect was never committed");

        await using var second = await WorkerProcess.StartAsync(connectionString, "second", workers: 1, leaseSeconds: 2);
        await WaitUntilAsync(async () => await ScalarAsync<string>(dataSource, "SELECT status FROM jobs WHERE id = @jobId", new { jobId }) == "succeeded", TimeSpan.FromSeconds(30), "the job to be run again");
        var rerunAfter = killedAt.Elapsed;
        await Task.Delay(1000);
        Assert.Multiple(async () =>
        {
            Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM test_effects WHERE job_id = @jobId", new { jobId }), Is.EqualTo(1), "exactly once");
            Assert.That(await ScalarAsync<string>(dataSource, "SELECT owner || ':' || attempt FROM test_effects WHERE job_id = @jobId", new { jobId }), Is.EqualTo("second:2"));
            Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM test_markers"), Is.EqualTo(2), "started twice, took effect once");
            Assert.That(rerunAfter, Is.LessThan(TimeSpan.FromSeconds(15)));
        });
    }

    [Test]
    public async Task ThreeRuntimes_TenThousandJobsAndAThousandTimers_NoDuplicateNoLoss_EvenWithOneKilled()
    {
        const int Jobs = 10_000;
        const int Timers = 1_000;
        var (provider, dataSource, connectionString) = await DatabaseAsync();
        await using var _ = provider;
        var workers = new List<WorkerProcess>();
        try
        {
            foreach (var node in new[] { "p1", "p2", "p3" })
            {
                workers.Add(await WorkerProcess.StartAsync(connectionString, node, workers: 2, leaseSeconds: 2));
            }

            var queue = provider.GetRequiredService<JobQueue>();
            var now = DateTimeOffset.UtcNow;
            var random = new Random(7);
            for (var batch = 0; batch < (Jobs + Timers) / 500; batch++)
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                for (var i = 0; i < 500; i++)
                {
                    var n = (batch * 500) + i;
                    var timer = n >= Jobs;
                    await queue.EnqueueAsync(transaction, new JobRequest
                    {
                        Kind = "test-effect",
                        PayloadJson = "{}",
                        Origin = timer ? JobOrigin.Timer : JobOrigin.Job,
                        RunAt = timer ? now.AddMilliseconds(3000 + random.Next(0, 7000)) : null,
                    });
                }

                await transaction.CommitAsync();
            }

            // One runtime dies mid-run (SIGKILL) and a replacement starts.
            await WaitUntilAsync(async () => await ScalarAsync<long>(dataSource, "SELECT count(*) FROM test_effects") >= 3000, TimeSpan.FromSeconds(60), "3,000 effects");
            await workers[0].KillAsync();
            workers.Add(await WorkerProcess.StartAsync(connectionString, "p4", workers: 2, leaseSeconds: 2));

            await WaitUntilAsync(async () => await ScalarAsync<long>(dataSource, "SELECT count(*) FROM jobs WHERE status = 'succeeded'") == Jobs + Timers, TimeSpan.FromSeconds(150), "every job to succeed");
            await Task.Delay(1000);
            Assert.Multiple(async () =>
            {
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM jobs"), Is.EqualTo(Jobs + Timers));
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM test_effects"), Is.EqualTo(Jobs + Timers), "effects counted");
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(DISTINCT job_id) FROM test_effects"), Is.EqualTo(Jobs + Timers), "none lost");
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM (SELECT job_id FROM test_effects GROUP BY job_id HAVING count(*) > 1) d"), Is.Zero, "no duplicates");
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM jobs j JOIN test_effects e ON e.job_id = j.id WHERE j.origin = 'timer' AND e.at < j.run_at"), Is.Zero, "no timer fired early");
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(DISTINCT owner) FROM test_effects"), Is.GreaterThanOrEqualTo(3), "the work was shared");
                Assert.That(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM incidents"), Is.Zero);
            });
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task TimerDueWhileEveryWorkerIsDown_FiresOnceAfterRestart()
    {
        // A real workflow timer: an access case waits for ID; its chaser timer falls due while no worker runs anywhere.
        await using var h = await WorkflowHarness.CreateAsync(DateTimeOffset.UtcNow);
        var caseId = await h.OpenCaseAsync(Right.Access);
        await h.CompleteAsync(caseId, "triaged", new { identityInDoubt = true, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false });
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("awaiting-id"));
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        {
            Assert.That(
                await connection.ExecuteAsync("UPDATE jobs SET run_at = now() + interval '1 second' WHERE case_id = @caseId AND payload->>'timerId' = 'id-chaser' AND status = 'pending'", new { caseId }),
                Is.EqualTo(1));
        }

        await Task.Delay(2500);
        Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE case_id = @caseId AND payload->>'timerId' = 'id-chaser'", new { caseId }), Is.EqualTo("pending"), "due, but nobody is running");

        await using var worker = await WorkerProcess.StartAsync(h.ConnectionString, "restarted", workers: 2, leaseSeconds: 2);
        await WaitUntilAsync(async () => await h.NotificationsAsync(caseId, "send-id-chaser") == 1, TimeSpan.FromSeconds(20), "the chaser to be sent");
        await Task.Delay(1500);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("id-chased"));
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE case_id = @caseId AND payload->>'timerId' = 'id-chaser'", new { caseId }), Is.EqualTo("succeeded:1"));
            Assert.That(await h.LogAsync(caseId, "timer-fired"), Has.Count.EqualTo(1));
            Assert.That(await h.LogAsync(caseId, "transition"), Has.Exactly(1).EqualTo("awaiting-id>id-chased:id-chaser-due"));
            Assert.That(await h.NotificationsAsync(caseId, "send-id-chaser"), Is.EqualTo(1));
        });
    }
}
