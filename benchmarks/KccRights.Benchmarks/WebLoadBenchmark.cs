using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.TestSupport;
using Npgsql;
using NpgsqlTypes;

namespace KccRights.Benchmarks;

/// <summary>
/// Issue 5's load command: the real service on loopback with 100,000 cases (and 1,000,000 finished tasks where the
/// workflow runtime is present) seeded; prints p50/p95 server times (the Server-Timing header) and client times for the
/// queue page, the case page and the backlog page. Target: p95 under 150 ms.
/// </summary>
internal static partial class WebLoadBenchmark
{
    private const int Cases = 100_000;
    private const int OpenShare = 5; // one case in five is open
    private const int Requests = 300;

    public static async Task<int> RunAsync(string[] args)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-webload-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var service = await ServiceProcess.StartAsync(dataDirectory, demo: true);
            Console.WriteLine($"Seeding {Cases:N0} cases into the running service's database...");
            var references = await SeedCasesAsync(service.DatabaseConnectionString());
            await SeedFinishedTasksAsync(service.DatabaseConnectionString());

            using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = service.BaseUrl };
            await SignInAsync(http, "demo-dpo");

            var random = new Random(5);
            var results = new List<(string Page, Timing Timing)>
            {
                ("queue    /cases?view=team", await MeasureAsync(http, _ => "/cases?view=team")),
                ("queue    /cases?view=team&overdue=true", await MeasureAsync(http, _ => "/cases?view=team&overdue=true")),
                ("case     /cases/{reference}", await MeasureAsync(http, _ => "/cases/" + references[random.Next(references.Count)])),
                ("backlog  /backlog", await MeasureAsync(http, _ => "/backlog")),
                ("baseline /health (no page, one query)", await MeasureAsync(http, _ => "/health")),
            };

            Console.WriteLine();
            Console.WriteLine(Invariant($"Page server times over {Cases:N0} cases ({Requests} sequential requests each, target p95 < 150 ms)"));
            Console.WriteLine("  page                                       server p50  server p95   client p50  client p95");
            foreach (var (page, t) in results)
            {
                Console.WriteLine(Invariant($"  {page,-42} {t.ServerP50,8:0.0} ms {t.ServerP95,8:0.0} ms  {t.ClientP50,8:0.0} ms {t.ClientP95,8:0.0} ms"));
            }

            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private sealed record Timing(double ServerP50, double ServerP95, double ClientP50, double ClientP95);

    private static async Task<Timing> MeasureAsync(HttpClient http, Func<int, string> path)
    {
        var server = new List<double>();
        var client = new List<double>();
        for (var i = 0; i < Requests + 20; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri(path(i), UriKind.Relative));
            await response.Content.ReadAsByteArrayAsync();
            stopwatch.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{path(i)} answered {(int)response.StatusCode}");
            }

            if (i < 20)
            {
                continue; // warm-up
            }

            client.Add(stopwatch.Elapsed.TotalMilliseconds);
            var header = response.Headers.TryGetValues("Server-Timing", out var values) ? values.First() : "app;dur=0";
            server.Add(double.Parse(DurPattern().Match(header).Groups[1].Value, CultureInfo.InvariantCulture));
        }

        server.Sort();
        client.Sort();
        return new Timing(Percentile(server, 0.5), Percentile(server, 0.95), Percentile(client, 0.5), Percentile(client, 0.95));
    }

    private static async Task SignInAsync(HttpClient http, string subject)
    {
        var page = await http.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
        var token = TokenPattern().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Subject"] = subject });
        using var response = await http.PostAsync(new Uri("/sign-in", UriKind.Relative), form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"sign-in answered {(int)response.StatusCode}");
        }
    }

    private static async Task<List<string>> SeedCasesAsync(string connectionString)
    {
        var calculator = new DeadlineCalculator(BankHolidayFile.Load());
        var random = new Random(42);
        var today = LondonTime.Today(TimeProvider.System);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var firstId = 1 + (long)(await new NpgsqlCommand("SELECT coalesce(max(id), 0) FROM cases", connection).ExecuteScalarAsync())!;
        var officers = new[] { "demo-officer", "demo-officer-2", null };
        var references = new List<string>();
        await using (var cases = await connection.BeginBinaryImportAsync("COPY cases (id, reference, right_code, status, channel, assigned_to) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Cases; i++)
            {
                var reference = Invariant($"KCC-SAR-2099-{i:000000}");
                references.Add(reference);
                await cases.StartRowAsync();
                await cases.WriteAsync(firstId + i, NpgsqlDbType.Bigint);
                await cases.WriteAsync(reference, NpgsqlDbType.Text);
                await cases.WriteAsync("access", NpgsqlDbType.Text);
                await cases.WriteAsync(i % OpenShare == 0 ? "open" : "closed", NpgsqlDbType.Text);
                await cases.WriteAsync("email", NpgsqlDbType.Text);
                await cases.WriteAsync(officers[i % officers.Length], NpgsqlDbType.Text);
            }

            await cases.CompleteAsync();
        }

        await using (var clocks = await connection.BeginBinaryImportAsync(
            "COPY case_clocks (case_id, received_at, received_on, clock_start, due_on, notice_by, extended_due_on, effective_due_on, is_open, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Cases; i++)
            {
                var received = today.AddDays(-random.Next(0, 700));
                var d = calculator.Calculate(new ClockInput { ReceivedOn = received });
                var at = new DateTimeOffset(received.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
                await clocks.StartRowAsync();
                await clocks.WriteAsync(firstId + i, NpgsqlDbType.Bigint);
                await clocks.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await clocks.WriteAsync(received, NpgsqlDbType.Date);
                await clocks.WriteAsync(d.ClockStart, NpgsqlDbType.Date);
                await clocks.WriteAsync(d.Due, NpgsqlDbType.Date);
                await clocks.WriteAsync(d.ExtensionNoticeBy, NpgsqlDbType.Date);
                await clocks.WriteAsync(d.ExtendedDue, NpgsqlDbType.Date);
                await clocks.WriteAsync(d.Due, NpgsqlDbType.Date);
                await clocks.WriteAsync(i % OpenShare == 0, NpgsqlDbType.Boolean);
                await clocks.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }

            await clocks.CompleteAsync();
        }

        await new NpgsqlCommand("SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases)); ANALYZE", connection).ExecuteNonQueryAsync();
        return references;
    }

    /// <summary>Finished workflow tasks, so the pages are measured with the history a busy council would have.</summary>
    private static Task SeedFinishedTasksAsync(string connectionString)
    {
        _ = connectionString;
        Console.WriteLine("(no workflow task table in this build: finished tasks not seeded)");
        return Task.CompletedTask;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"dur=([0-9.]+)")]
    private static partial Regex DurPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
