using System.Diagnostics;
using System.Globalization;
using KccRights.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using NpgsqlTypes;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 2's figures: recalculating 100,000 open cases after a bank-holiday change, and the "due within 5 working days"
/// query over 1,000,000 stored clocks with its plan, beside a sequential-scan baseline in the same run.
/// </summary>
internal static class DeadlineBenchmark
{
    private const int OpenCases = 100_000;
    private const int StoredClocks = 1_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var calendar = BankHolidayFile.Load();
        var calculator = new DeadlineCalculator(calendar);
        var random = new Random(20261129);

        Console.WriteLine($"Seeding {OpenCases:N0} open cases...");
        await SeedAsync(dataSource, calculator, random, firstId: 1, count: OpenCases, open: true);

        // The in-memory engine alone, as the ceiling for the stored recalculation.
        var inputs = Enumerable.Range(0, OpenCases).Select(_ => new ClockInput { ReceivedOn = RandomReceived(random) }).ToList();
        var engine = Stopwatch.StartNew();
        foreach (var input in inputs)
        {
            calculator.Calculate(input);
        }

        engine.Stop();

        // Government announces a one-off holiday: Monday 7 June 2027.
        var changedCalendar = new BankHolidayCalendar(calendar.Holidays.Append(new DateOnly(2027, 6, 7)));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
        var store = new ClockStore(dataSource, new DeadlineCalculator(changedCalendar), time, NullLogger<ClockStore>.Instance);
        var recalculation = await store.RecalculateOpenAsync("benchmark");

        Console.WriteLine();
        Console.WriteLine("Recalculation after a bank-holiday change");
        Console.WriteLine(Invariant($"  open cases                  {recalculation.OpenCases,12:N0}"));
        Console.WriteLine(Invariant($"  dates changed               {recalculation.Changed,12:N0}"));
        Console.WriteLine(Invariant($"  elapsed                     {recalculation.Elapsed.TotalSeconds,12:0.00} s   (target < 10 s)"));
        Console.WriteLine(Invariant($"  rate                        {recalculation.OpenCases / recalculation.Elapsed.TotalSeconds,12:N0} cases/s"));
        Console.WriteLine(Invariant($"  baseline: engine in memory  {OpenCases / engine.Elapsed.TotalSeconds,12:N0} cases/s"));
        Console.WriteLine(Invariant($"  ratio stored/engine         {engine.Elapsed.TotalSeconds / recalculation.Elapsed.TotalSeconds,12:0.000}"));

        // Worst case: every stored date is stale, so every open clock is rewritten with a history row.
        await using (var stale = dataSource.CreateCommand("UPDATE case_clocks SET due_on = due_on - 1, effective_due_on = effective_due_on - 1"))
        {
            await stale.ExecuteNonQueryAsync();
        }

        var worst = await store.RecalculateOpenAsync("benchmark");
        Console.WriteLine(Invariant($"  worst case: every date changed {worst.Changed,9:N0} in {worst.Elapsed.TotalSeconds:0.00} s = {worst.OpenCases / worst.Elapsed.TotalSeconds:N0} cases/s"));

        Console.WriteLine();
        Console.WriteLine($"Seeding {StoredClocks - OpenCases:N0} closed clocks (total {StoredClocks:N0})...");
        await SeedAsync(dataSource, calculator, random, firstId: OpenCases + 1, count: StoredClocks - OpenCases, open: false);
        await using (var analyse = dataSource.CreateCommand("ANALYZE cases; ANALYZE case_clocks"))
        {
            await analyse.ExecuteNonQueryAsync();
        }

        var days = Enumerable.Range(0, 200).Select(_ => RandomReceived(random).AddMonths(1)).ToList();
        var indexed = await TimeQueryAsync(dataSource, calculator, days, seqScan: false);
        var sequential = await TimeQueryAsync(dataSource, calculator, days.Take(30).ToList(), seqScan: true);

        Console.WriteLine();
        Console.WriteLine(Invariant($"\"Due within 5 working days\" over {StoredClocks:N0} stored clocks ({OpenCases:N0} open)"));
        Console.WriteLine(Invariant($"  with index       p50 {indexed.P50,8:0.000} ms   p95 {indexed.P95,8:0.000} ms   ({indexed.Runs} runs, {indexed.Rows:0} rows on average)"));
        Console.WriteLine(Invariant($"  sequential scan  p50 {sequential.P50,8:0.000} ms   p95 {sequential.P95,8:0.000} ms   ({sequential.Runs} runs, baseline)"));
        Console.WriteLine(Invariant($"  ratio seq/index  p50 {sequential.P50 / indexed.P50,8:0.0}x"));
        Console.WriteLine("  plan with index:");
        foreach (var line in indexed.Plan)
        {
            Console.WriteLine("    " + line);
        }

        Console.WriteLine("  plan of the baseline:");
        foreach (var line in sequential.Plan)
        {
            Console.WriteLine("    " + line);
        }

        return 0;
    }

    private static DateOnly RandomReceived(Random random) => new DateOnly(2025, 1, 1).AddDays(random.Next(0, 1270));

    private static async Task SeedAsync(NpgsqlDataSource dataSource, DeadlineCalculator calculator, Random random, int firstId, int count, bool open)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var cases = await connection.BeginBinaryImportAsync("COPY cases (reference, right_code, status, channel) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                await cases.StartRowAsync();
                await cases.WriteAsync(Invariant($"KCC-SAR-BENCH-{firstId + i:0000000}"), NpgsqlDbType.Text);
                await cases.WriteAsync("access", NpgsqlDbType.Text);
                await cases.WriteAsync(open ? "open" : "closed", NpgsqlDbType.Text);
                await cases.WriteAsync("email", NpgsqlDbType.Text);
            }

            await cases.CompleteAsync();
        }

        await using var clocks = await connection.BeginBinaryImportAsync(
            """
            COPY case_clocks (case_id, received_at, received_on, clock_start, paused_days, is_paused, due_on, notice_by,
                              extended_due_on, effective_due_on, is_open, updated_at) FROM STDIN (FORMAT BINARY)
            """);
        for (var i = 0; i < count; i++)
        {
            var received = RandomReceived(random);
            var d = calculator.Calculate(new ClockInput { ReceivedOn = received });
            var at = new DateTimeOffset(received.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
            await clocks.StartRowAsync();
            await clocks.WriteAsync((long)(firstId + i), NpgsqlDbType.Bigint);
            await clocks.WriteAsync(at, NpgsqlDbType.TimestampTz);
            await clocks.WriteAsync(received, NpgsqlDbType.Date);
            await clocks.WriteAsync(d.ClockStart, NpgsqlDbType.Date);
            await clocks.WriteAsync(0, NpgsqlDbType.Integer);
            await clocks.WriteAsync(false, NpgsqlDbType.Boolean);
            await clocks.WriteAsync(d.Due, NpgsqlDbType.Date);
            await clocks.WriteAsync(d.ExtensionNoticeBy, NpgsqlDbType.Date);
            await clocks.WriteAsync(d.ExtendedDue, NpgsqlDbType.Date);
            await clocks.WriteAsync(d.Due, NpgsqlDbType.Date);
            await clocks.WriteAsync(open, NpgsqlDbType.Boolean);
            await clocks.WriteAsync(at, NpgsqlDbType.TimestampTz);
        }

        await clocks.CompleteAsync();
    }

    private sealed record QueryTiming(double P50, double P95, int Runs, double Rows, IReadOnlyList<string> Plan);

    private static async Task<QueryTiming> TimeQueryAsync(NpgsqlDataSource dataSource, DeadlineCalculator calculator, List<DateOnly> todays, bool seqScan)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        if (seqScan)
        {
            await using var off = new NpgsqlCommand("SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off", connection);
            await off.ExecuteNonQueryAsync();
        }

        var sql = ClockStore.DueWithinSql.Replace("@today", "$1", StringComparison.Ordinal).Replace("@until", "$2", StringComparison.Ordinal).Replace("@limit", "$3", StringComparison.Ordinal);
        var timings = new List<double>();
        long rows = 0;
        foreach (var today in todays)
        {
            await using var command = new NpgsqlCommand(sql, connection)
            {
                Parameters = { new() { Value = today }, new() { Value = calculator.AddWorkingDays(today, 5) }, new() { Value = 500 } },
            };
            var stopwatch = Stopwatch.StartNew();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rows++;
                }
            }

            timings.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        var plan = new List<string>();
        await using (var explain = new NpgsqlCommand("EXPLAIN " + sql, connection)
        {
            Parameters = { new() { Value = todays[0] }, new() { Value = calculator.AddWorkingDays(todays[0], 5) }, new() { Value = 500 } },
        })
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        timings.Sort();
        return new QueryTiming(Percentile(timings, 0.50), Percentile(timings, 0.95), timings.Count, (double)rows / todays.Count, plan);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
