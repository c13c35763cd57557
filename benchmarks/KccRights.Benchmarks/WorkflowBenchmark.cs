using KccRights.Host.Composition;
using Microsoft.Extensions.Configuration;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using KccRights.Correspondence;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Infrastructure.Deadlines;
using KccRights.TestSupport;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 3's figures, in one run: transitions/s (driven by jobs, and event-driven) and jobs/s with 1, 2 and 4 workers,
/// each beside the same database's plain single-row-update commits/s measured in alternating slices; timer firing lag;
/// claim latency with an empty history and with 1,000,000 finished jobs, measured in alternating blocks.
/// </summary>
internal static class WorkflowBenchmark
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    // Two small definitions: 'bench-api' moves on an event (each state opens a task and arms a timer, as the real
    // workflows do); 'bench-jobs' moves on an activity's outcome (each state runs a job whose outcome moves it on).
    private const string ApiDefinition =
        """
        {
          "id": "bench-api", "title": "Benchmark: event-driven", "rights": ["access"], "startState": "a",
          "states": [
            { "id": "a", "task": { "type": "triage", "role": "officer", "title": "A", "outcomes": ["flip"] },
              "timers": [ { "id": "t", "after": { "days": 30 }, "event": "flip" } ],
              "transitions": [ { "on": "flip", "to": "b" }, { "on": "stop", "to": "done" } ] },
            { "id": "b", "task": { "type": "triage", "role": "officer", "title": "B", "outcomes": ["flip"] },
              "timers": [ { "id": "t", "after": { "days": 30 }, "event": "flip" } ],
              "transitions": [ { "on": "flip", "to": "a" } ] },
            { "id": "done", "terminal": true }
          ]
        }
        """;

    private const string JobsDefinition =
        """
        {
          "id": "bench-jobs", "title": "Benchmark: activity-driven", "rights": ["erasure"], "startState": "c",
          "states": [
            { "id": "c", "activity": { "kind": "bench-noop" }, "transitions": [ { "on": "done", "to": "d" }, { "on": "stop", "to": "end" } ] },
            { "id": "d", "activity": { "kind": "bench-noop" }, "transitions": [ { "on": "done", "to": "c" } ] },
            { "id": "end", "terminal": true }
          ]
        }
        """;

    // The same chain, run by a handler that declares effects outside the transaction (as a letter's has): its steps
    // always read and lock the instance first.
    private static readonly string LettersDefinition = JobsDefinition
        .Replace("\"bench-jobs\"", "\"bench-letters\"", StringComparison.Ordinal)
        .Replace("\"bench-noop\"", "\"bench-letter\"", StringComparison.Ordinal)
        .Replace("\"erasure\"", "\"rectification\"", StringComparison.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"kcc-bench-workflows-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "bench-api.json"), ApiDefinition);
        await File.WriteAllTextAsync(Path.Combine(directory, "bench-jobs.json"), JobsDefinition);
        await File.WriteAllTextAsync(Path.Combine(directory, "bench-letters.json"), LettersDefinition);
        var connectionString = Tuned(await TestPostgres.CreateDatabaseAsync());
        Console.WriteLine($"PostgreSQL: {await ServerVersionAsync(connectionString)}; {Environment.ProcessorCount} cores");

        // The disk's commit speed drifts on a shared machine, so the baseline (the same database's plain single-row
        // update, autocommit, one connection) and the transitions are measured in alternating one-second slices.
        var plainCommits = 0L;
        var plainTime = TimeSpan.Zero;
        var apiRates = new Dictionary<int, double>();
        var apiCommitRates = new Dictionary<int, double>();
        // The service's role runs no DDL (migration 0081): the baseline's table is the owner's, granted to the role.
        await using (var setup = new NpgsqlConnection(TestPostgres.OwnerConnectionString(connectionString)))
        {
            await setup.OpenAsync();
            await setup.ExecuteAsync("CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO bench_counter VALUES (1, 0)");
        }

        var baselineByCallers = new Dictionary<int, double>();
        foreach (var callers in new[] { 1, 2, 4 })
        {
            await using var provider = Services(connectionString, directory, workers: 0);
            var cases = await ApiInstancesAsync(provider, callers);
            long transitions = 0, committed = 0, commits = 0;
            TimeSpan transitionTime = TimeSpan.Zero, committedTime = TimeSpan.Zero, commitTime = TimeSpan.Zero;
            for (var slice = 0; slice < 5; slice++)
            {
                var (n, t) = await PlainUpdatesAsync(connectionString, TimeSpan.FromSeconds(1));
                commits += n;
                commitTime += t;
                var (m, u) = await ApiTransitionsAsync(provider, cases, callers, TimeSpan.FromSeconds(1), commitWithStep: false);
                transitions += m;
                transitionTime += u;
                var (c, v) = await ApiTransitionsAsync(provider, cases, callers, TimeSpan.FromSeconds(1), commitWithStep: true);
                committed += c;
                committedTime += v;
            }

            plainCommits += commits;
            plainTime += commitTime;
            baselineByCallers[callers] = commits / commitTime.TotalSeconds;
            apiRates[callers] = transitions / transitionTime.TotalSeconds;
            apiCommitRates[callers] = committed / committedTime.TotalSeconds;
        }

        var baseline = plainCommits / plainTime.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine(Invariant($"Baseline: plain single-row UPDATE, autocommit, 1 connection   {baseline,10:N0} commits/s (15 one-second slices between the transition slices)"));
        Console.WriteLine();
        Console.WriteLine("Transitions (event-driven: lock instance, leave state, enter state with a task and a timer job, log; one transaction each)");
        Console.WriteLine("  RaiseAsync, then the caller commits (three round trips: lock, step's writes, COMMIT)");
        foreach (var (callers, rate) in apiRates)
        {
            Console.WriteLine(Invariant($"    {callers} caller(s)   {rate,10:N0} transitions/s   ratio to the baseline measured beside it ({baselineByCallers[callers],6:N0} commits/s) {rate / baselineByCallers[callers],6:0.00}"));
        }

        Console.WriteLine("  RaiseAndCommitAsync, as the web app's actions (two round trips: lock, then step's writes with COMMIT)");
        foreach (var (callers, rate) in apiCommitRates)
        {
            Console.WriteLine(Invariant($"    {callers} caller(s)   {rate,10:N0} transitions/s   ratio to the baseline measured beside it ({baselineByCallers[callers],6:N0} commits/s) {rate / baselineByCallers[callers],6:0.00}"));
        }

        if (args.Contains("--quick"))
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine("Transitions driven by jobs (a worker claims an activity job, runs it, raises its outcome: lock instance, leave state,");
        Console.WriteLine("enter the next state and enqueue its activity, log, fenced completion, claim of the next job, COMMIT)");
        var jobRates = new Dictionary<int, (double Rate, double Baseline)>();
        var letterRates = new Dictionary<int, (double Rate, double Baseline)>();
        foreach (var (definition, rates, title) in new[]
        {
            ("bench-jobs", jobRates, "  transactional handler (its step starts from the row this process last wrote: one round trip)"),
            ("bench-letters", letterRates, "  handler with outside effects, as a letter's (its step reads and locks the instance first: two round trips)"),
        })
        {
            Console.WriteLine(title);
            foreach (var workers in new[] { 1, 2, 4 })
            {
                await using var provider = Services(connectionString, directory, workers);
                var measured = await JobTransitionsAsync(provider, connectionString, workers, definition);
                rates[workers] = measured;
                var (optimistic, missed) = provider.GetRequiredService<WorkflowEngine>().OptimisticCounts;
                Console.WriteLine(Invariant($"    {workers} worker(s)   {measured.Rate,10:N0} transitions/s   ratio to the baseline measured beside it ({measured.Baseline,6:N0} commits/s) {measured.Rate / measured.Baseline,6:0.00}   optimistic steps {optimistic:N0}, missed {missed:N0}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("Jobs (no-op handler: claim with SKIP LOCKED + lease, run in a transaction, fenced completion with the next claim in the same commit)");
        foreach (var workers in new[] { 1, 2, 4 })
        {
            await using var provider = Services(connectionString, directory, workers);
            var rate = await JobsPerSecondAsync(provider, 6_000);
            Console.WriteLine(Invariant($"  {workers} worker(s)   {rate,10:N0} jobs/s"));
        }

        Console.WriteLine();
        Console.WriteLine(Invariant($"Headline ratios, 1 worker, transitions/s : the baseline commits/s measured beside it (target >= 0.3)"));
        Console.WriteLine(Invariant($"  driven by jobs, transactional handler     {jobRates[1].Rate / jobRates[1].Baseline:0.00}"));
        Console.WriteLine(Invariant($"  driven by jobs, letter-like handler       {letterRates[1].Rate / letterRates[1].Baseline:0.00}"));
        Console.WriteLine(Invariant($"  event-driven, the caller commits          {apiRates[1] / baselineByCallers[1]:0.00}"));
        Console.WriteLine(Invariant($"  event-driven, committed with the step     {apiCommitRates[1] / baselineByCallers[1]:0.00}"));

        await using (var provider = Services(connectionString, directory, workers: 2))
        {
            var (p50, p99, max, count) = await TimerLagAsync(provider);
            Console.WriteLine();
            Console.WriteLine(Invariant($"Timer firing lag ({count} timers due over 10 s, 2 workers, idle workers sleep until the next run_at or a NOTIFY)"));
            Console.WriteLine(Invariant($"  p50 {p50,8:0.0} ms   p99 {p99,8:0.0} ms   max {max,8:0.0} ms   (target p99 < 1000 ms)"));
        }

        // Claim latency: two fresh databases, one with no history and one with 1,000,000 finished jobs, claimed from in
        // alternating blocks so that the shared machine's noise falls on both alike.
        var emptyDatabase = Tuned(await TestPostgres.CreateDatabaseAsync());
        var fullDatabase = Tuned(await TestPostgres.CreateDatabaseAsync());
        await using (var empty = Services(emptyDatabase, directory, workers: 0))
        await using (var full = Services(fullDatabase, directory, workers: 0))
        {
            await SeedFinishedJobsAsync(full.GetRequiredService<NpgsqlDataSource>(), 1_000_000);
            var (emptyTimings, fullTimings) = await ClaimLatencyAsync(empty, full);
            var plan = await ClaimPlanAsync(full);
            Console.WriteLine();
            Console.WriteLine("Job claim latency (the claim statement; 2,000 claims from each database, alternating in blocks of 50)");
            Console.WriteLine(Invariant($"  empty history             p50 {Percentile(emptyTimings, 0.50),7:0.000} ms   p99 {Percentile(emptyTimings, 0.99),7:0.000} ms"));
            Console.WriteLine(Invariant($"  1,000,000 finished jobs   p50 {Percentile(fullTimings, 0.50),7:0.000} ms   p99 {Percentile(fullTimings, 0.99),7:0.000} ms"));
            Console.WriteLine(Invariant($"  ratio p50 {Percentile(fullTimings, 0.50) / Percentile(emptyTimings, 0.50):0.00}   ratio p99 {Percentile(fullTimings, 0.99) / Percentile(emptyTimings, 0.99):0.00}   (target <= 1.5)"));
            Console.WriteLine("  claim plan with the history:");
            foreach (var line in plan)
            {
                Console.WriteLine("    " + line);
            }
        }

        return 0;
    }

    // The service's own connection settings (KccRights.Infrastructure.Database.ConnectionTuning).
    private static string Tuned(string connectionString) => KccRights.Infrastructure.Database.ConnectionTuning.Apply(connectionString);

    private static ServiceProvider Services(string connectionString, string directory, int workers)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new WorkflowRuntimeOptions { Directory = directory, Workers = workers, LeaseSeconds = 30, HeartbeatSeconds = 10, PollIntervalMilliseconds = 1000 });

        // The service's one wiring (its options registered first win) with a throwaway key for stored personal data.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KccRightsWiring.ThrowawayEncryptionKey()])
            .Build();
        services.AddKccRights(configuration, connectionString);
        services.AddSingleton<IJobHandler, NoopHandler>();
        services.AddSingleton<IJobHandler, LetterLikeHandler>();
        services.AddWorkflowWorkers();
        return services.BuildServiceProvider();
    }

    private static async Task<(long Count, TimeSpan Elapsed)> PlainUpdatesAsync(string connectionString, TimeSpan window)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("UPDATE bench_counter SET n = n + 1 WHERE id = $1", connection) { Parameters = { new() { Value = 1 } } };
        await update.PrepareAsync();
        var count = 0L;
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < window)
        {
            await update.ExecuteNonQueryAsync();
            count++;
        }

        return (count, stopwatch.Elapsed);
    }

    private static async Task<List<long>> CasesAsync(NpgsqlDataSource dataSource, int count)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<long>(
            "INSERT INTO cases (reference, right_code) SELECT 'KCC-BENCH-' || gen_random_uuid(), 'access' FROM generate_series(1, @count) RETURNING id",
            new { count })).AsList();
    }

    private static async Task<List<long>> ApiInstancesAsync(ServiceProvider provider, int callers)
    {
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var engine = provider.GetRequiredService<WorkflowEngine>();
        var cases = await CasesAsync(dataSource, callers * 50);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var caseId in cases)
        {
            await engine.StartAsync(transaction, caseId, "bench-api", null, "benchmark");
        }

        await transaction.CommitAsync();
        return cases;
    }

    private static async Task<(long Count, TimeSpan Elapsed)> ApiTransitionsAsync(ServiceProvider provider, List<long> cases, int callers, TimeSpan window, bool commitWithStep)
    {
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var engine = provider.GetRequiredService<WorkflowEngine>();
        var total = 0L;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            var mine = cases.Skip(caller * 50).Take(50).ToList();
            var done = 0L;
            var i = 0;
            while (stopwatch.Elapsed < window)
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                if (commitWithStep)
                {
                    await engine.RaiseAndCommitAsync(transaction, mine[i++ % mine.Count], "flip", null, "benchmark");
                }
                else
                {
                    await engine.RaiseAsync(transaction, mine[i++ % mine.Count], "flip", null, "benchmark");
                    await transaction.CommitAsync();
                }

                done++;
            }

            Interlocked.Add(ref total, done);
        }));
        return (total, stopwatch.Elapsed);
    }

    // Five one-second slices of job-driven transitions (the workers started for each slice and stopped after it), each
    // after a one-second slice of the plain-update baseline with the workers stopped.
    private static async Task<(double Rate, double Baseline)> JobTransitionsAsync(ServiceProvider provider, string connectionString, int workers, string definitionId)
    {
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var engine = provider.GetRequiredService<WorkflowEngine>();
        var cases = await CasesAsync(dataSource, workers * 20);
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            foreach (var caseId in cases)
            {
                await engine.StartAsync(transaction, caseId, definitionId, null, "benchmark");
            }

            await transaction.CommitAsync();
        }

        var pool = provider.GetServices<IHostedService>().OfType<JobWorkerPool>().Single();
        long transitions = 0, commits = 0;
        TimeSpan transitionTime = TimeSpan.Zero, commitTime = TimeSpan.Zero;
        for (var slice = 0; slice < 6; slice++)
        {
            var (n, t) = await PlainUpdatesAsync(connectionString, TimeSpan.FromSeconds(1));
            await pool.StartAsync(CancellationToken.None);
            await Task.Delay(200); // the workers open their connections and claim
            var before = await CountAsync(dataSource, "SELECT count(*) FROM workflow_log WHERE kind = 'transition'");
            var stopwatch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var after = await CountAsync(dataSource, "SELECT count(*) FROM workflow_log WHERE kind = 'transition'");
            var elapsed = stopwatch.Elapsed;
            await pool.StopAsync(CancellationToken.None);
            if (slice == 0)
            {
                continue; // warm-up
            }

            commits += n;
            commitTime += t;
            transitions += after - before;
            transitionTime += elapsed;
        }

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            // Stop the chains so the next measurement starts clean.
            await connection.ExecuteAsync("UPDATE jobs SET status = 'cancelled' WHERE status IN ('pending', 'running')");
            await connection.ExecuteAsync("UPDATE workflow_instances SET status = 'completed' WHERE definition_id = @definitionId", new { definitionId });
        }

        return (transitions / transitionTime.TotalSeconds, commits / commitTime.TotalSeconds);
    }

    private static async Task<double> JobsPerSecondAsync(ServiceProvider provider, int jobs)
    {
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await EnqueueNoopsAsync(provider, jobs, _ => null);
        var pool = provider.GetServices<IHostedService>().OfType<JobWorkerPool>().Single();
        var stopwatch = Stopwatch.StartNew();
        await pool.StartAsync(CancellationToken.None);
        // Polled through the partial indexes of pending and running jobs: a count over the whole table would cost the
        // database more than the jobs being measured.
        while (await CountAsync(dataSource, "SELECT (SELECT count(*) FROM jobs WHERE status = 'pending' AND kind = 'bench-noop') + (SELECT count(*) FROM jobs WHERE status = 'running' AND kind = 'bench-noop')") > 0)
        {
            await Task.Delay(20);
        }

        var elapsed = stopwatch.Elapsed.TotalSeconds;
        await pool.StopAsync(CancellationToken.None);
        return jobs / elapsed;
    }

    private static async Task EnqueueNoopsAsync(ServiceProvider provider, int count, Func<int, DateTimeOffset?> runAt)
    {
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var queue = provider.GetRequiredService<JobQueue>();
        for (var done = 0; done < count;)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            for (var i = 0; i < 500 && done < count; i++, done++)
            {
                var at = runAt(done);
                await queue.EnqueueAsync(transaction, new JobRequest { Kind = "bench-noop", PayloadJson = "{}", RunAt = at, Origin = at is null ? JobOrigin.Job : JobOrigin.Timer });
            }

            await transaction.CommitAsync();
        }
    }

    private static async Task<(double P50, double P99, double Max, int Count)> TimerLagAsync(ServiceProvider provider)
    {
        const int Timers = 500;
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var pool = provider.GetServices<IHostedService>().OfType<JobWorkerPool>().Single();
        await pool.StartAsync(CancellationToken.None);
        await Task.Delay(500);
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        // Spreading timers over the window needs no cryptographic randomness.
        var random = new Random(11);
        await EnqueueNoopsAsync(provider, Timers, _ => start.AddMilliseconds(random.Next(0, 10_000)));
        var stopwatch = Stopwatch.StartNew();
        while (await CountAsync(dataSource, "SELECT (SELECT count(*) FROM jobs WHERE status = 'pending' AND kind = 'bench-noop') + (SELECT count(*) FROM jobs WHERE status = 'running' AND kind = 'bench-noop')") > 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        await pool.StopAsync(CancellationToken.None);
        await using var connection = await dataSource.OpenConnectionAsync();
        var lags = (await connection.QueryAsync<double>(
            "SELECT extract(epoch FROM started_at - run_at) * 1000 FROM jobs WHERE kind = 'bench-noop' AND origin = 'timer' AND status = 'succeeded' ORDER BY 1")).AsList();
        return (Percentile(lags, 0.50), Percentile(lags, 0.99), lags[^1], lags.Count);
    }

    private static async Task<(List<double> Empty, List<double> Full)> ClaimLatencyAsync(ServiceProvider empty, ServiceProvider full)
    {
        const int Claims = 2_000;
        foreach (var provider in new[] { empty, full })
        {
            await EnqueueNoopsAsync(provider, Claims + 100, _ => null);
            await using var connection = await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            await connection.ExecuteAsync("VACUUM ANALYZE jobs");
        }

        var stores = new[] { empty.GetRequiredService<JobStore>(), full.GetRequiredService<JobStore>() };
        foreach (var store in stores)
        {
            for (var i = 0; i < 50; i++)
            {
                await store.ClaimAsync("warm-up");
            }
        }

        var timings = new[] { new List<double>(), new List<double>() };
        for (var block = 0; block < Claims / 50; block++)
        {
            for (var which = 0; which < 2; which++)
            {
                for (var i = 0; i < 50; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    _ = await stores[which].ClaimAsync("benchmark") ?? throw new InvalidOperationException("Nothing to claim.");
                    timings[which].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }

        timings[0].Sort();
        timings[1].Sort();
        return (timings[0], timings[1]);
    }

    private static async Task<List<string>> ClaimPlanAsync(ServiceProvider provider)
    {
        var plan = new List<string>();
        await using var connection = await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow;
        await using (var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + JobStore.ClaimSql, connection, transaction)
        {
            Parameters = { new() { Value = "plan" }, new() { Value = now }, new() { Value = TimeSpan.FromSeconds(30) } },
        })
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync();
        return plan;
    }

    private static async Task SeedFinishedJobsAsync(NpgsqlDataSource dataSource, int count)
    {
        Console.WriteLine();
        Console.WriteLine(Invariant($"Seeding {count:N0} finished jobs..."));
        await using var connection = await dataSource.OpenConnectionAsync();
        var finished = DateTimeOffset.UtcNow.AddDays(-1);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY jobs (kind, payload, case_id, status, run_at, attempts, max_attempts, created_at, started_at, finished_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var at = finished.AddMilliseconds(-i);
                await copy.StartRowAsync();
                await copy.WriteAsync(i % 3 == 0 ? "send-notification" : "workflow-timer", NpgsqlDbType.Text);
                await copy.WriteAsync("{\"instanceId\": 1}", NpgsqlDbType.Jsonb);
                await copy.WriteAsync((long)(i % 50_000) + 1, NpgsqlDbType.Bigint);
                await copy.WriteAsync(i % 50 == 0 ? "cancelled" : "succeeded", NpgsqlDbType.Text);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(8, NpgsqlDbType.Integer);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static async Task<string> ServerVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return (await connection.ExecuteScalarAsync<string>("SELECT current_setting('server_version') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', fsync=' || current_setting('fsync')"))!;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class LetterLikeHandler : IJobHandler
    {
        public string Kind => "bench-letter";

        public Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }

    private sealed class NoopHandler : ITransactionalJobHandler
    {
        public string Kind => "bench-noop";

        public Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
