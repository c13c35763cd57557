using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KccRights.Workflows.Tests.Runtime;

public class JobRuntimeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static async Task<long> EnqueueAsync(WorkflowHarness h, string kind, string? dedupeKey = null, DateTimeOffset? runAt = null)
    {
        await using var connection = await h.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await h.Services.GetRequiredService<IJobQueue>().EnqueueAsync(transaction, kind, new { n = 1 }, runAt: runAt, dedupeKey: dedupeKey);
        await transaction.CommitAsync();
        return id;
    }

    // Leases are judged on the database's clock, which the fake clock does not move: a test that needs a lease to lapse
    // takes a one-second lease and lets it run out.
    private static void ShortLease(WorkflowRuntimeOptions options)
    {
        options.LeaseSeconds = 1;
        options.HeartbeatSeconds = 0.5;
    }

    private static Task OutliveTheLeaseAsync() => Task.Delay(TimeSpan.FromSeconds(1.5));

    private static async Task<WorkflowHarness> HarnessAsync(FailingHandler? failing = null, Action<WorkflowRuntimeOptions>? options = null)
    {
        var h = await WorkflowHarness.CreateAsync(Start, services =>
        {
            services.AddSingleton<IJobHandler, EffectHandler>();
            if (failing is not null)
            {
                services.AddSingleton<IJobHandler>(failing);
            }
        }, options);
        await EffectHandler.CreateTablesAsync(h.DataSource);
        return h;
    }

    [Test]
    public async Task Enqueue_SameKindAndDedupeKey_CreatesOneJob()
    {
        await using var h = await HarnessAsync();
        var first = await EnqueueAsync(h, "test-effect", "once");
        var second = await EnqueueAsync(h, "test-effect", "once");
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task FutureJob_DoesNotRunBeforeItsTime()
    {
        await using var h = await HarnessAsync();
        await EnqueueAsync(h, "test-effect", runAt: Start.AddMinutes(10));
        await h.RunJobsAsync();
        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.Zero);
        await h.AdvanceAsync(TimeSpan.FromMinutes(10));
        Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.EqualTo(1));
    }

    [Test]
    public async Task FailingJob_RetriesWithGrowingBackoff_ThenOpensAnIncident_WhichAPersonCanRetry()
    {
        var failing = new FailingHandler();
        await using var h = await HarnessAsync(failing);
        var jobId = await EnqueueAsync(h, "test-fail");
        await h.RunJobsAsync();
        var firstRetry = await h.ScalarAsync<DateTimeOffset>("SELECT run_at FROM jobs WHERE id = @jobId", new { jobId });
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo("pending"));
            Assert.That(firstRetry - Start, Is.InRange(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)), "base 1 s with jitter 50-100%");
            Assert.That(await h.ScalarAsync<string>("SELECT last_error FROM jobs WHERE id = @jobId", new { jobId }), Does.Contain("source system is down"));
        });

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var secondRetry = await h.ScalarAsync<DateTimeOffset>("SELECT run_at FROM jobs WHERE id = @jobId", new { jobId });
        // The second attempt failed when it ran, somewhere between the first retry time and now (the fake clock may step
        // through run_at on its way): its backoff of 2 s x (50-100%) starts then. Measured from the first retry time it
        // lies between 1 s (ran at the first retry, shortest jitter) and 2.5 s (ran a half-second later, longest jitter).
        Assert.That(secondRetry - firstRetry, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.5)), "doubled");
        Assert.That(secondRetry, Is.GreaterThan(h.Time.GetUtcNow()), "not yet due");
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));

        var incidents = await h.Jobs.IncidentsAsync(includeRetried: false);
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo("failed"));
            Assert.That(incidents, Has.Count.EqualTo(1));
            Assert.That(incidents[0].JobId, Is.EqualTo(jobId));
            Assert.That(incidents[0].Attempts, Is.EqualTo(3));
        });

        failing.Failing = false;
        Assert.That(await h.Jobs.RetryIncidentAsync(incidents[0].Id, "officer-a"), Is.EqualTo(IncidentRetry.Retried));
        Assert.That(await h.Jobs.RetryIncidentAsync(incidents[0].Id, "officer-a"), Is.EqualTo(IncidentRetry.NotOpen), "an incident is retried once");
        await h.RunJobsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo("succeeded"));
            Assert.That(await h.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo(4), "attempts keep counting: the fence still holds");
            Assert.That(await h.Jobs.IncidentsAsync(includeRetried: false), Is.Empty);
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM workflow_log WHERE kind = 'incident-retried'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UnknownJobKind_OpensAnIncidentAtOnce()
    {
        await using var h = await HarnessAsync();
        await EnqueueAsync(h, "no-such-kind");
        await h.RunJobsAsync();
        var incidents = await h.Jobs.IncidentsAsync(includeRetried: false);
        Assert.That(incidents.Single().Error, Does.Contain("no handler"));
    }

    [Test]
    public async Task WorkerThatLostItsLease_CannotCommit_TheNewOwnersWorkCountsOnce()
    {
        await using var h = await HarnessAsync(options: ShortLease);
        var jobId = await EnqueueAsync(h, "test-effect");
        var stale = await h.Jobs.ClaimAsync("worker-a");
        Assert.That(stale!.Attempts, Is.EqualTo(1));

        // Worker A stalls past its lease: the sweep takes the job back and worker B runs it.
        await OutliveTheLeaseAsync();
        Assert.That(await h.Jobs.HeartbeatAsync(stale), Is.True, "nobody has taken it yet");
        await OutliveTheLeaseAsync();
        Assert.That(await h.Jobs.ReclaimExpiredAsync(), Is.EqualTo(1));
        var fresh = await h.Jobs.ClaimAsync("worker-b");
        Assert.That(fresh!.Attempts, Is.EqualTo(2));
        Assert.That(await h.Runner.ExecuteAsync(fresh, CancellationToken.None), Is.EqualTo(JobRunResult.Succeeded));

        // Worker A wakes up and finishes: its attempt is fenced out and its transaction rolled back.
        Assert.Multiple(async () =>
        {
            Assert.That(await h.Jobs.HeartbeatAsync(stale), Is.False);
            Assert.That(await h.Runner.ExecuteAsync(stale, CancellationToken.None), Is.EqualTo(JobRunResult.LostLease));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects WHERE job_id = @jobId", new { jobId }), Is.EqualTo(1));
            Assert.That(await h.ScalarAsync<int>("SELECT attempt FROM test_effects WHERE job_id = @jobId", new { jobId }), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task SucceededJob_ClaimsTheWorkersNextJob_InTheSameCommit()
    {
        await using var h = await HarnessAsync();
        var first = await EnqueueAsync(h, "test-effect");
        var second = await EnqueueAsync(h, "test-effect");
        var job = await h.Jobs.ClaimAsync("worker-a");
        var (result, next) = await h.Runner.ExecuteAsync(job!, "worker-a", CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(result, Is.EqualTo(JobRunResult.Succeeded));
            Assert.That(next?.Id, Is.EqualTo(second));
            Assert.That(next?.Attempts, Is.EqualTo(1));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @first", new { first }), Is.EqualTo("succeeded"));
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || lease_owner || ':' || attempts FROM jobs WHERE id = @second", new { second }), Is.EqualTo("running:worker-a:1"));
        });

        // The last job finds nothing more to claim.
        var (last, none) = await h.Runner.ExecuteAsync(next!, "worker-a", CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(last, Is.EqualTo(JobRunResult.Succeeded));
            Assert.That(none, Is.Null);
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task FencedOutJob_CommitsNeitherItsWorkNorTheClaimOfANextJob()
    {
        await using var h = await HarnessAsync(options: ShortLease);
        var jobId = await EnqueueAsync(h, "test-effect");
        var stale = await h.Jobs.ClaimAsync("worker-a");
        await OutliveTheLeaseAsync();
        await h.Jobs.ReclaimExpiredAsync();
        var waiting = await EnqueueAsync(h, "test-effect");

        // Worker A runs its stale attempt: the completion raises inside the batch, so COMMIT never runs.
        var (result, next) = await h.Runner.ExecuteAsync(stale!, "worker-a", CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(result, Is.EqualTo(JobRunResult.LostLease));
            Assert.That(next, Is.Null);
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM test_effects"), Is.Zero);
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo("pending:1"));
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = @waiting", new { waiting }), Is.EqualTo("pending:0"));
        });
    }

    [Test]
    public async Task ClaimedJobGivenBack_IsPendingAgain_WithoutCountingAnAttempt()
    {
        await using var h = await HarnessAsync();
        var jobId = await EnqueueAsync(h, "test-effect");
        var job = await h.Jobs.ClaimAsync("worker-a");
        Assert.Multiple(async () =>
        {
            Assert.That(await h.Jobs.ReleaseAsync(job! with { LeaseOwner = "worker-b" }), Is.False, "only the holder gives it back");
            Assert.That(await h.Jobs.ReleaseAsync(job!), Is.True);
            Assert.That(await h.Jobs.ReleaseAsync(job!), Is.False, "once");
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts || ':' || coalesce(lease_owner, '-') FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo("pending:0:-"));
        });
        Assert.That((await h.Jobs.ClaimAsync("worker-b"))?.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task AfterAnUncertainCommit_TheWorkersUnstartedJobIsGivenBack_ItsRunningJobIsNot()
    {
        await using var h = await HarnessAsync();
        var first = await EnqueueAsync(h, "test-effect");
        var second = await EnqueueAsync(h, "test-effect");
        var other = await EnqueueAsync(h, "test-effect");
        _ = await h.Jobs.ClaimAsync("worker-a");
        _ = await h.Jobs.ClaimAsync("worker-a"); // as a chained claim would have
        _ = await h.Jobs.ClaimAsync("worker-b");
        Assert.That(await h.Jobs.ReleaseUnstartedAsync("worker-a", first), Is.EqualTo(1));
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = @first", new { first }), Is.EqualTo("running:1"));
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = @second", new { second }), Is.EqualTo("pending:0"));
            Assert.That(await h.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = @other", new { other }), Is.EqualTo("running:1"), "another worker's job is not touched");
        });
    }

    [Test]
    public async Task LeaseThatLapsesOnTheLastAttempt_OpensAnIncident()
    {
        await using var h = await HarnessAsync(options: o =>
        {
            ShortLease(o);
            o.MaxAttempts = 1;
        });
        var jobId = await EnqueueAsync(h, "test-effect");
        _ = await h.Jobs.ClaimAsync("worker-that-dies");
        await OutliveTheLeaseAsync();
        await h.Jobs.ReclaimExpiredAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @jobId", new { jobId }), Is.EqualTo("failed"));
            Assert.That((await h.Jobs.IncidentsAsync(false)).Single().Error, Does.Contain("lease expired"));
        });
    }

    [Test]
    public async Task ClaimQuery_UsesThePartialIndexOfPendingJobs()
    {
        await using var h = await HarnessAsync();
        await using var connection = await h.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("SET enable_seqscan = off");
        await using var explain = new Npgsql.NpgsqlCommand("EXPLAIN " + JobStore.ClaimSql, connection)
        {
            Parameters = { new() { Value = "x" }, new() { Value = Start }, new() { Value = TimeSpan.FromSeconds(30) } },
        };
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.That(string.Join("\n", plan), Does.Contain("jobs_runnable"));
    }

    [Test]
    public async Task NewJob_WakesAnIdleWorkerThroughNotify_LongBeforeThePollInterval()
    {
        var connectionString = await KccRights.TestSupport.TestPostgres.CreateDatabaseAsync();
        var options = new WorkflowRuntimeOptions { Directory = Paths.Workflows, Workers = 1, PollIntervalMilliseconds = 30_000, LeaseSeconds = 10, HeartbeatSeconds = 2 };
        var services = WorkflowHarness.CoreServices(connectionString, TimeProvider.System, options);
        services.AddSingleton<IJobHandler, EffectHandler>();
        services.AddWorkflowWorkers();
        await using var provider = services.BuildServiceProvider();
        var dataSource = provider.GetRequiredService<Npgsql.NpgsqlDataSource>();
        await EffectHandler.CreateTablesAsync(dataSource);
        var pool = provider.GetServices<IHostedService>().OfType<JobWorkerPool>().Single();
        await pool.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(500);
            var stopwatch = Stopwatch.StartNew();
            await using (var connection = await dataSource.OpenConnectionAsync())
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                await provider.GetRequiredService<IJobQueue>().EnqueueAsync(transaction, "test-effect", new { });
                await transaction.CommitAsync();
            }

            while (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM test_effects") == 1)
                {
                    break;
                }

                await Task.Delay(10);
            }

            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "woken by NOTIFY, not by the 30 s poll");
        }
        finally
        {
            await pool.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public void Options_HeartbeatLongerThanHalfTheLease_AreRejected()
    {
        var options = new WorkflowRuntimeOptions { LeaseSeconds = 10, HeartbeatSeconds = 6 };
        var results = new List<ValidationResult>();
        Assert.That(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true), Is.False);
        Assert.That(results.Single().ErrorMessage, Does.Contain("HeartbeatSeconds"));
    }

    [Test]
    public async Task RunningInstance_StaysOnItsVersion_UntilAnExplicitMigrationWithAStateMap()
    {
        // Version 1: the shipped access workflow. Version 2: the same with 'identity-confirmation' renamed 'identity-review'.
        var v1 = Path.Combine(Path.GetTempPath(), $"kcc-wf-v1-{Guid.NewGuid():N}");
        var v2 = Path.Combine(Path.GetTempPath(), $"kcc-wf-v2-{Guid.NewGuid():N}");
        Directory.CreateDirectory(v1);
        Directory.CreateDirectory(v2);
        var text = await File.ReadAllTextAsync(Path.Combine(Paths.Workflows, "access.json"));
        await File.WriteAllTextAsync(Path.Combine(v1, "access.json"), text);
        await File.WriteAllTextAsync(Path.Combine(v2, "access.json"), text.Replace("\"id\": \"identity-confirmation\"", "\"id\": \"identity-review\"", StringComparison.Ordinal).Replace("\"to\": \"identity-confirmation\"", "\"to\": \"identity-review\"", StringComparison.Ordinal));

        await using var old = await WorkflowHarness.CreateAsync(Start, directory: v1);
        var caseId = await old.OpenCaseAsync(Right.Access);
        await old.CompleteAsync(caseId, "triaged", new { identityInDoubt = false, clarificationNeeded = false, manifestlyUnfoundedOrExcessive = false });
        var before = await old.InstanceAsync(caseId);

        // The service restarts with version 2 on the same database.
        var options = new WorkflowRuntimeOptions { Directory = v2 };
        await using var provider = WorkflowHarness.CoreServices(old.ConnectionString, old.Time, options).BuildServiceProvider();
        var registry = provider.GetRequiredService<KccRights.Workflows.Definitions.DefinitionRegistry>();
        await registry.StoreVersionsAsync(provider.GetRequiredService<Npgsql.NpgsqlDataSource>(), old.Time);
        var v2Version = registry.CurrentOf("access").Version;
        Assert.That(v2Version, Is.Not.EqualTo(before.DefinitionVersion));

        var migrator = provider.GetRequiredService<VersionMigrator>();
        Assert.That(
            async () => await migrator.MigrateAsync("access", before.DefinitionVersion[..12], v2Version[..12], new Dictionary<string, string>(), "admin", dryRun: false),
            Throws.TypeOf<WorkflowException>().With.Message.Contains("add --map identity-confirmation=NEW-STATE"));
        Assert.That((await old.InstanceAsync(caseId)).DefinitionVersion, Is.EqualTo(before.DefinitionVersion), "nothing moved automatically");

        var dry = await migrator.MigrateAsync("access", before.DefinitionVersion, v2Version, new Dictionary<string, string> { ["identity-confirmation"] = "identity-review" }, "admin", dryRun: true);
        Assert.That((dry.Moved, (await old.InstanceAsync(caseId)).State), Is.EqualTo((1, "identity-confirmation")));

        var result = await migrator.MigrateAsync("access", before.DefinitionVersion, v2Version, new Dictionary<string, string> { ["identity-confirmation"] = "identity-review" }, "admin", dryRun: false);
        var after = await old.InstanceAsync(caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Moved, Is.EqualTo(1));
            Assert.That(after.DefinitionVersion, Is.EqualTo(v2Version));
            Assert.That(after.State, Is.EqualTo("identity-review"));
            Assert.That((await old.OpenTaskAsync(caseId))!.State, Is.EqualTo("identity-review"));
            Assert.That(await old.ScalarAsync<long>("SELECT count(*) FROM workflow_migrations"), Is.EqualTo(1));
            Assert.That(await old.LogAsync(caseId, "migrated"), Is.EqualTo(new[] { "identity-confirmation>identity-review:" }));
        });

        // The migrated case carries on under version 2.
        await using (var connection = await provider.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var task = (await old.OpenTaskAsync(caseId))!;
            await provider.GetRequiredService<WorkflowEngine>().CompleteTaskAsync(transaction, task.Id, "confirmed", null, "officer-a", take: true);
            await transaction.CommitAsync();
        }

        Assert.That(await old.StateAsync(caseId), Is.EqualTo("collection-start"));
    }
}
