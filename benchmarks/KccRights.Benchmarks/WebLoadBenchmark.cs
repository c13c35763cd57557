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
/// queue page, the case page and the backlog page; and (issue 14 item 2) the search by a misspelt name over the same
/// cases, open and closed, each with a sealed requester, subject, email and date of birth and its blind-index tokens.
/// Target (issue 14): every page p95 under 50 ms.
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
            var searches = await SeedPartiesAsync(service.DatabaseConnectionString(), service.DataDirectory);

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
                ("search   /search?q={misspelt name}", await MeasureAsync(http, i => "/search?q=" + Uri.EscapeDataString(searches[i % searches.Count]))),
                ("search   /search?q={misspelt first name}", await MeasureAsync(http, i => "/search?q=" + Uri.EscapeDataString(searches[i % searches.Count].Split(' ')[0]))),
                ("search   /search?q={date of birth}", await MeasureAsync(http, i => "/search?q=" + Uri.EscapeDataString(BirthDate(i * 7919).ToString("d/M/yyyy", CultureInfo.InvariantCulture)))),
                ("baseline /health (no page, one query)", await MeasureAsync(http, _ => "/health")),
            };

            Console.WriteLine();
            Console.WriteLine(Invariant($"Page server times over {Cases:N0} cases and {Cases * FinishedTasksPerCase:N0} finished tasks ({Requests} sequential requests each, target p95 < 50 ms)"));
            Console.WriteLine("  page                                       server p50  server p95   client p50  client p95");
            foreach (var (page, t) in results)
            {
                Console.WriteLine(Invariant($"  {page,-42} {t.ServerP50,8:0.0} ms {t.ServerP95,8:0.0} ms  {t.ClientP50,8:0.0} ms {t.ClientP95,8:0.0} ms"));
            }

            // The search's candidate query for one full name and one first name, run: where its time goes.
            var cipher = KccRights.Intake.Storage.MessageCipher.FromOptions(new KccRights.Intake.Storage.MessageStorageOptions(), service.DataDirectory);
            await using var dataSource = NpgsqlDataSource.Create(service.DatabaseConnectionString());
            var search = new KccRights.Cases.CaseSearch(dataSource, cipher, new KccRights.Cases.CaseSearchIndex(cipher));
            foreach (var text in new[] { searches[0], searches[0].Split(' ')[0] })
            {
                Console.WriteLine();
                Console.WriteLine(Invariant($"Plan of the search's candidate query for a {(text.Contains(' ', StringComparison.Ordinal) ? "misspelt full name" : "misspelt first name")}:"));
                Console.WriteLine(await search.ExplainAsync(new KccRights.Cases.CaseSearchQuery { Text = text }));
            }

            if (Environment.GetEnvironmentVariable("KCC_BENCH_HOLD") is { Length: > 0 } hold)
            {
                Console.WriteLine("HOLD " + service.DatabaseConnectionString() + " " + service.DataDirectory);
                while (!File.Exists(hold))
                {
                    await Task.Delay(1000);
                }
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

    private static readonly string[] FirstNames =
    [
        "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie", "Jacob", "Thomas", "Henry", "William",
        "Alfie", "Joshua", "Freddie", "Archie", "Ethan", "Isaac", "James", "John", "Daniel", "Samuel", "Joseph", "Mohammed", "Max", "Lucas",
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Willow", "Freya", "Florence",
        "Emily", "Ella", "Poppy", "Evie", "Elsie", "Charlotte", "Evelyn", "Sienna", "Sofia", "Daisy", "Phoebe", "Sarah", "Jessica", "Chloe",
        "Katie", "Hannah", "Zara", "Aisha",
    ];

    private static readonly string[] Surnames =
    [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson",
        "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner",
        "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
        "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
        "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams",
        "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell",
        "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens",
        "Jenkins", "Murray", "Dixon", "Harvey", "Okafor", "Nowak", "Kowalski", "Achterberg",
    ];

    private static DateOnly BirthDate(int i) => new DateOnly(2004, 1, 1).AddDays(i % 6500);

    /// <summary>
    /// A requester, a data subject (a child, with a date of birth) and an email address for every seeded case, sealed
    /// with the running service's own key as the service seals them, with the blind-index tokens the service writes when
    /// a case is opened (ADR 0007). Returns misspelt subjects' names to search for (a letter changed, dropped or swapped).
    /// </summary>
    private static async Task<List<string>> SeedPartiesAsync(string connectionString, string dataDirectory)
    {
        Console.WriteLine($"Sealing the parties of {Cases:N0} cases and writing their search tokens...");
        var cipher = KccRights.Intake.Storage.MessageCipher.FromOptions(new KccRights.Intake.Storage.MessageStorageOptions(), dataDirectory);
        var index = new KccRights.Cases.CaseSearchIndex(cipher);
        var random = new Random(14);
        var searches = new List<string>();
        // Completing the token COPY updates the primary key for millions of rows: no 30-second command timeout here.
        connectionString = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var ids = new List<long>();
        await using (var reader = await new NpgsqlCommand("SELECT id FROM cases WHERE reference LIKE 'KCC-SAR-2099-%' ORDER BY id", connection).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        var now = DateTimeOffset.UtcNow;
        await using (var requests = await connection.BeginBinaryImportAsync(
            "COPY case_requests (case_id, relationship, sealed_parties, sealed_details, created_at, search_key_id) FROM STDIN (FORMAT BINARY)"))
        await using (var tokenConnection = new NpgsqlConnection(connectionString))
        {
            await tokenConnection.OpenAsync();
            await using var tokens = await tokenConnection.BeginBinaryImportAsync("COPY case_search_tokens (token, case_id) FROM STDIN (FORMAT BINARY)");
            foreach (var id in ids)
            {
                var surname = Surnames[random.Next(Surnames.Length)];
                var subject = $"{FirstNames[random.Next(FirstNames.Length)]} {surname}";
                var requester = $"{FirstNames[random.Next(FirstNames.Length)]} {surname}";
                var parties = new KccRights.Cases.CaseRequestParties
                {
                    RequesterName = requester,
                    RequesterEmail = Invariant($"{requester.Replace(' ', '.').ToLowerInvariant()}{id}@example.org"),
                    SubjectName = subject,
                };
                var details = new KccRights.Cases.CaseRequestDetails { SubjectDob = BirthDate((int)id) };
                await requests.StartRowAsync();
                await requests.WriteAsync(id, NpgsqlDbType.Bigint);
                await requests.WriteAsync("child", NpgsqlDbType.Text);
                await requests.WriteAsync(parties.Seal(cipher, id), NpgsqlDbType.Bytea);
                await requests.WriteAsync(details.Seal(cipher, id), NpgsqlDbType.Bytea);
                await requests.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await requests.WriteAsync(index.KeyId, NpgsqlDbType.Text);
                foreach (var token in index.TokensFor(parties, details))
                {
                    await tokens.StartRowAsync();
                    await tokens.WriteAsync(token, NpgsqlDbType.Bigint);
                    await tokens.WriteAsync(id, NpgsqlDbType.Bigint);
                }

                if (searches.Count < 500 && random.Next(50) == 0)
                {
                    var words = subject.Split(' ');
                    searches.Add(Misspell(words[0], random) + " " + Misspell(words[1], random));
                }
            }

            await tokens.CompleteAsync();
            await requests.CompleteAsync();
        }

        // As autovacuum would soon after a bulk load: the visibility map lets the token lookup read the index alone.
        await new NpgsqlCommand("VACUUM ANALYZE case_requests", connection).ExecuteNonQueryAsync();
        await new NpgsqlCommand("VACUUM ANALYZE case_search_tokens", connection).ExecuteNonQueryAsync();
        return searches;
    }

    /// <summary>One typing slip in a longer word: a letter changed to one that sounds alike, dropped, or two swapped.</summary>
    private static string Misspell(string word, Random random)
    {
        if (word.Length < 4)
        {
            return word;
        }

        var at = 1 + random.Next(word.Length - 2);
        return random.Next(3) switch
        {
            0 => word[..at] + (word[at] is 'i' ? 'y' : word[at] is 'a' or 'e' or 'o' or 'u' ? 'i' : word[at]) + word[(at + 1)..],
            1 => word[..at] + word[(at + 1)..],
            _ => word[..at] + word[at + 1] + word[at] + word[(at + 2)..],
        };
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"dur=([0-9.]+)")]
    private static partial Regex DurPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
