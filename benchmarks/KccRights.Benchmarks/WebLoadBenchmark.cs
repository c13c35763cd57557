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
    private const int FinishedTasksPerCase = 10;

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
                ("tasks    /tasks?view=team", await MeasureAsync(http, _ => "/tasks?view=team")),
                ("queue    /cases?view=team", await MeasureAsync(http, _ => "/cases?view=team")),
                ("queue    /cases?view=team&overdue=true", await MeasureAsync(http, _ => "/cases?view=team&overdue=true")),
                ("case     /cases/{reference}", await MeasureAsync(http, _ => "/cases/" + references[random.Next(references.Count)])),
                ("backlog  /backlog", await MeasureAsync(http, _ => "/backlog")),
                ("baseline /health (no page, one query)", await MeasureAsync(http, _ => "/health")),
            };

            Console.WriteLine();
            Console.WriteLine(Invariant($"Page server times over {Cases:N0} cases and {Cases * FinishedTasksPerCase:N0} finished tasks ({Requests} sequential requests each, target p95 < 150 ms)"));
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

    /// <summary>
    /// One workflow instance per case and ten finished tasks each (1,000,000), plus one open officer task per open case,
    /// so the pages are measured with the history a busy council would have.
    /// </summary>
    private static async Task SeedFinishedTasksAsync(string connectionString)
    {
        Console.WriteLine($"Seeding {Cases:N0} workflow instances and {Cases * FinishedTasksPerCase:N0} finished tasks...");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var version = (string)(await new NpgsqlCommand("SELECT version FROM workflow_definitions WHERE definition_id = 'access' ORDER BY stored_at DESC LIMIT 1", connection).ExecuteScalarAsync())!;
        var now = DateTimeOffset.UtcNow;
        await new NpgsqlCommand(
            $"""
            INSERT INTO workflow_instances (case_id, definition_id, definition_version, state, state_entered_at, status, created_at, updated_at)
            SELECT c.id, 'access', '{version}', CASE WHEN c.status = 'open' THEN 'collation' ELSE 'closed' END, now(),
                   CASE WHEN c.status = 'open' THEN 'running' ELSE 'completed' END, now(), now()
            FROM cases c WHERE c.reference LIKE 'KCC-SAR-2099-%'
            """,
            connection).ExecuteNonQueryAsync();
        var instances = new List<(long Instance, long Case, bool Open)>();
        await using (var reader = await new NpgsqlCommand("SELECT i.id, i.case_id, i.status = 'running' FROM workflow_instances i JOIN cases c ON c.id = i.case_id WHERE c.reference LIKE 'KCC-SAR-2099-%'", connection).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                instances.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2)));
            }
        }

        await using (var tasks = await connection.BeginBinaryImportAsync(
            "COPY workflow_tasks (instance_id, case_id, state, state_seq, type, role, title, outcomes, assignee, status, outcome, created_at, completed_at, completed_by) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (instance, caseId, open) in instances)
            {
                for (var n = 0; n <= FinishedTasksPerCase; n++)
                {
                    var finished = n < FinishedTasksPerCase;
                    if (!finished && !open)
                    {
                        continue;
                    }

                    await tasks.StartRowAsync();
                    await tasks.WriteAsync(instance, NpgsqlDbType.Bigint);
                    await tasks.WriteAsync(caseId, NpgsqlDbType.Bigint);
                    await tasks.WriteAsync(finished ? "triage" : "collation", NpgsqlDbType.Text);
                    await tasks.WriteAsync(n + 1, NpgsqlDbType.Integer);
                    await tasks.WriteAsync(finished ? "triage" : "collation", NpgsqlDbType.Text);
                    await tasks.WriteAsync("officer", NpgsqlDbType.Text);
                    await tasks.WriteAsync(finished ? "Triage the request" : "Collate the records", NpgsqlDbType.Text);
                    await tasks.WriteAsync(new[] { finished ? "triaged" : "collated" }, NpgsqlDbType.Array | NpgsqlDbType.Text);
                    await tasks.WriteAsync<string?>(finished || caseId % 3 == 0 ? "demo-officer" : null, NpgsqlDbType.Text);
                    await tasks.WriteAsync(finished ? "completed" : "open", NpgsqlDbType.Text);
                    await tasks.WriteAsync<string?>(finished ? "triaged" : null, NpgsqlDbType.Text);
                    await tasks.WriteAsync(now, NpgsqlDbType.TimestampTz);
                    await tasks.WriteAsync<DateTimeOffset?>(finished ? now : null, NpgsqlDbType.TimestampTz);
                    await tasks.WriteAsync<string?>(finished ? "demo-officer" : null, NpgsqlDbType.Text);
                }
            }

            await tasks.CompleteAsync();
        }

        await new NpgsqlCommand("ANALYZE", connection).ExecuteNonQueryAsync();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"dur=([0-9.]+)")]
    private static partial Regex DurPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
