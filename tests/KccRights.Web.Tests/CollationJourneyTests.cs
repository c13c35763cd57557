using System.Globalization;
using System.Text;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 11 end to end, with real servers: the small demo source systems generated into the service's database (the
/// youth-justice API served on a loopback port with its token, the documents folder in the service's data directory),
/// a subject access request for a planted person emailed into the mailbox, and an officer in Chromium taking it through
/// triage, the candidate confirmation and collation, watching the case page's progress refresh itself. Then a system
/// that cannot be reached: its manual search is done by the record-owner team, who upload a PDF (and are refused a
/// file of a type that is not allowed).
/// </summary>
[NonParallelizable]
public class CollationJourneyTests
{
    private const string Mailbox = "data.protection@kent.gov.uk";
    private const string JadeAddress = "jade.parker@example.com";
    private const string AishaAddress = "aisha.begum@example.com";
    private const string Token = "web-test-youth-justice-token";
    private const string YouthJustice = "youth-justice";
    private const string YouthJusticeTeam = "Youth Justice";

    private MailServers _mail = null!;
    private string _connectionString = "";
    private string _dataDirectory = "";
    private YouthJusticeDemoServer _youthJustice = null!;
    private int _youthJusticeIndex;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _mail = await MailServers.StartAsync([Mailbox, JadeAddress, AishaAddress]);
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-collation-web-" + Guid.NewGuid().ToString("N")[..12]);

        // The small demo systems (seed 1) in the service's own database, their documents in its data directory.
        var generator = new DemoDataGenerator(TestPostgres.OwnerConnectionString(_connectionString), _dataDirectory, DemoScale.Small, 1, NullLogger.Instance);
        await generator.GenerateAsync(PlantedPeople.Load());
        _youthJustice = await YouthJusticeDemoServer.StartAsync(_connectionString, Token);
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "source-systems.json")).Build();
        _youthJusticeIndex = shipped.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!.Systems.FindIndex(s => s.Id == YouthJustice);
        Assert.That(_youthJusticeIndex, Is.GreaterThanOrEqualTo(0));

        // A record-owner of the youth-justice team (the demo users belong to other teams).
        await ExecuteAsync(
            $"""
            INSERT INTO staff_users (subject, display_name, email, role, team)
            VALUES ('demo-youth-justice', 'Yusuf Owner', 'demo-youth-justice@example.kent.gov.uk', 'record-owner', '{YouthJusticeTeam}')
            """);
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _youthJustice.DisposeAsync();
        await _mail.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    [Order(1)]
    public async Task EmailedRequest_ThroughTriageIdentityConfirmationAndCollation_ShowsEachSystemsCount()
    {
        var jade = PlantedPeople.Load().Single(p => p.Key == "P03");
        await using var service = await StartServiceAsync(Token);
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, JadeAddress, Mailbox, Encoding.UTF8.GetBytes(Request(jade, JadeAddress)));
        var reference = await WaitForCaseOfAsync(service, JadeAddress);

        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        var refreshes = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/collation", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref refreshes);
            }
        };
        await Browser.SignInAsync(page, service.BaseUrl, "Olivia Officer");
        await TriageAsync(page, service, reference);
        await WaitForStateAsync(service, reference, "identity-confirmation", TimeSpan.FromSeconds(120));

        // The candidates, each with its system, score, band and reasons.
        await page.GotoAsync(new Uri(service.BaseUrl, $"/cases/{reference}").ToString());
        await Assertions.Expect(page.Locator("#records-found")).ToContainTextAsync("Records found");
        var matchRows = page.Locator("#candidates tbody tr[data-band='match']");
        var matchSystems = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < await matchRows.CountAsync(); i++)
        {
            matchSystems.Add((await matchRows.Nth(i).GetAttributeAsync("data-system"))!);
        }

        Assert.That(matchSystems, Is.SupersetOf(jade.Systems), "P03 is found in band match in every system that holds her");
        await Assertions.Expect(page.Locator("#candidates-undecided")).ToContainTextAsync("still undecided");
        await Browser.AssertAccessibleAsync(page);

        // Completing the confirmation with candidates undecided is refused in words.
        await CompleteConfirmationAsync(page, scopeFrom: null);
        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("Confirm or reject every candidate of band match or review first");
        await Browser.AssertAccessibleAsync(page);

        // Confirm every match, reject the rest.
        await DecideAllAsync(page, confirmBand: "match");
        await Assertions.Expect(page.Locator("#candidates-undecided")).ToContainTextAsync("Every candidate of band match or review is decided");

        // A date the form cannot read is refused with an example.
        await CompleteConfirmationAsync(page, scopeFrom: "next Tuesday");
        await Assertions.Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("Enter only records dated on or after as a date, for example 2019-09-01");

        // Confirmed: collection starts, and the progress refreshes itself until every system is done.
        await CompleteConfirmationAsync(page, scopeFrom: null);
        await Assertions.Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("done");
        var startedRefreshing = await page.Locator("#collation-progress-body[data-refresh-url]").CountAsync() > 0;
        foreach (var system in jade.Systems)
        {
            await Assertions.Expect(page.Locator($"#collation-systems tr[data-system='{system}']")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 180_000 });
        }

        try
        {
            await Assertions.Expect(page.Locator("#collation-progress-body[data-refresh-url]")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        }
        catch (PlaywrightException)
        {
            var url = await page.Locator("#collation-progress-body").GetAttributeAsync("data-refresh-url");
            var fetched = await page.EvaluateAsync<string>("async u => { const r = await fetch(u, { cache: 'no-store' }); return r.status + ' ' + r.redirected + ' ' + (await r.text()); }", url);
            Assert.Fail($"The section kept refreshing ({Volatile.Read(ref refreshes)} fetches): {await RunsAsync(reference)}\n{url}\n{fetched}\n{Tail(service)}");
        }
        TestContext.Out.WriteLine($"progress refreshing when the page loaded: {startedRefreshing}; section fetched {Volatile.Read(ref refreshes)} times");
        if (startedRefreshing)
        {
            Assert.That(Volatile.Read(ref refreshes), Is.GreaterThan(0), "the section was fetched again while collation ran");
        }

        var caseId = long.Parse((await ScalarAsync($"SELECT id::text FROM cases WHERE reference = '{reference}'"))!, CultureInfo.InvariantCulture);
        foreach (var system in jade.Systems)
        {
            var stored = long.Parse((await ScalarAsync($"SELECT count(*)::text FROM collation_item_sources WHERE case_id = {caseId} AND system = '{system}'"))!, CultureInfo.InvariantCulture);
            var run = long.Parse((await ScalarAsync($"SELECT items::text FROM collation_runs WHERE case_id = {caseId} AND system = '{system}'"))!, CultureInfo.InvariantCulture);
            Assert.That(stored, Is.GreaterThan(0), $"{system} gave P03's records");
            Assert.That(run, Is.EqualTo(stored), $"{system}: the progress counts what the store holds");
            var row = page.Locator($"#collation-systems tr[data-system='{system}']");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-items", stored.ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(row).ToContainTextAsync($"Done: {stored} item");
        }

        await Browser.AssertAccessibleAsync(page);

        // The case moves on by itself when the last system is done.
        await WaitForStateAsync(service, reference, "disclosure-review", TimeSpan.FromSeconds(60));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "disclosure-review");
        await Assertions.Expect(page.Locator("#collation-scope")).ToContainTextAsync("All dates");
        await Assertions.Expect(page.Locator("#collation-scope")).ToContainTextAsync("by Olivia Officer");
        await Browser.AssertAccessibleAsync(page);

        // The fragment the script fetches: the same authorization as the case page.
        var owner = await (await _browser.NewContextAsync()).NewPageAsync();
        await Browser.SignInAsync(owner, service.BaseUrl, "Sam Owner");
        await owner.GotoAsync(new Uri(service.BaseUrl, $"/cases/{reference}/collation").ToString());
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();
    }

    [Test]
    [Order(2)]
    public async Task SystemThatCannotBeReached_IsSearchedByHand_ByItsRecordOwnerTeam()
    {
        var aisha = PlantedPeople.Load().Single(p => p.Key == "P09");

        // The youth-justice API refuses the service's (wrong) token: the system cannot be searched, so a manual search opens.
        await using var service = await StartServiceAsync("wrong-token", new Dictionary<string, string> { ["Workflows__MaxAttempts"] = "1" });
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, AishaAddress, Mailbox, Encoding.UTF8.GetBytes(Request(aisha, AishaAddress)));
        var reference = await WaitForCaseOfAsync(service, AishaAddress);

        var officer = await (await _browser.NewContextAsync()).NewPageAsync();
        await Browser.SignInAsync(officer, service.BaseUrl, "Olivia Officer");
        await TriageAsync(officer, service, reference);
        await WaitForStateAsync(service, reference, "identity-confirmation", TimeSpan.FromSeconds(120));
        await officer.GotoAsync(new Uri(service.BaseUrl, $"/cases/{reference}").ToString());
        await Assertions.Expect(officer.Locator("#not-searched")).ToContainTextAsync("Youth Justice");
        await Browser.AssertAccessibleAsync(officer);
        await DecideAllAsync(officer, confirmBand: "match");
        await CompleteConfirmationAsync(officer, scopeFrom: "1/9/2010");
        await Assertions.Expect(officer.Locator(".govuk-notification-banner")).ToContainTextAsync("done");

        var taskId = await WaitForAsync(
            $"SELECT t.id::text FROM workflow_tasks t JOIN cases c ON c.id = t.case_id WHERE c.reference = '{reference}' AND t.type = 'manual-search' AND t.status = 'open' AND t.team = '{YouthJusticeTeam}'",
            TimeSpan.FromSeconds(120),
            service);
        await Assertions.Expect(officer.Locator($"#collation-systems tr[data-system='{YouthJustice}']")).ToContainTextAsync("Manual search open", new() { Timeout = 30_000 });

        // The record-owner of the team: a file that is not an allowed type is refused, and nothing is stored.
        var owner = await (await _browser.NewContextAsync()).NewPageAsync();
        await Browser.SignInAsync(owner, service.BaseUrl, "Yusuf Owner");
        await owner.GotoAsync(new Uri(service.BaseUrl, $"/tasks/{taskId}").ToString());
        // Issue 14 item 4: what to do, for which person (name and date of birth from the request), in which team's records.
        await Assertions.Expect(owner.Locator("#what-to-do + p")).ToContainTextAsync("in the records Youth Justice holds");
        await Assertions.Expect(owner.Locator("#task-person")).ToContainTextAsync($"{aisha.Given} {aisha.Family}");
        await Assertions.Expect(owner.Locator("#task-person")).ToContainTextAsync(aisha.DateOfBirth.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")));
        await Browser.AssertAccessibleAsync(owner);
        await owner.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "tool.exe", MimeType = "application/octet-stream", Buffer = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00] });
        await owner.GetByRole(AriaRole.Button, new() { Name = "Upload and complete" }).ClickAsync();
        await Assertions.Expect(owner.Locator(".govuk-error-summary")).ToContainTextAsync("tool.exe must be a PDF, a Word document (.docx), an email (.eml), a text file, or a PNG or JPEG image.");
        await Browser.AssertAccessibleAsync(owner);
        Assert.That(await ScalarAsync($"SELECT status FROM workflow_tasks WHERE id = {taskId}"), Is.EqualTo("open"));
        Assert.That(await ScalarAsync($"SELECT count(*)::text FROM collation_item_sources WHERE system = '{YouthJustice}' AND dataset = 'manual-search'"), Is.EqualTo("0"));

        // A small PDF and a text file larger than the app-wide 1 MB body limit (lifted for this page alone): stored as
        // the system's items with the uploader as provenance; the system is searched by hand.
        var notes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Contact log: appointment attended, no further action.\n", 30_000)));
        Assert.That(notes, Has.Length.GreaterThan(1024 * 1024));
        await owner.Locator("input[type=file]").SetInputFilesAsync(
        [
            new FilePayload { Name = "youth-justice-record.pdf", MimeType = "application/pdf", Buffer = SmallPdf() },
            new FilePayload { Name = "contact-log.txt", MimeType = "text/plain", Buffer = notes },
        ]);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Upload and complete" }).ClickAsync();
        await Assertions.Expect(owner.Locator(".govuk-notification-banner")).ToContainTextAsync("2 files uploaded");
        await Browser.AssertAccessibleAsync(owner);
        Assert.That(await ScalarAsync($"SELECT status || ':' || outcome FROM workflow_tasks WHERE id = {taskId}"), Is.EqualTo("completed:uploaded"));
        Assert.That(await ScalarAsync($"SELECT string_agg(DISTINCT uploaded_by, ',') || ':' || count(*) FROM collation_item_sources WHERE system = '{YouthJustice}' AND dataset = 'manual-search'"), Is.EqualTo("demo-youth-justice:2"));

        await WaitForStateAsync(service, reference, "disclosure-review", TimeSpan.FromSeconds(120));
        await officer.GotoAsync(new Uri(service.BaseUrl, $"/cases/{reference}").ToString());
        await Assertions.Expect(officer.Locator($"#collation-systems tr[data-system='{YouthJustice}']")).ToContainTextAsync("Searched by hand by Yusuf Owner: 2 items");
        await Assertions.Expect(officer.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "disclosure-review");
        await Assertions.Expect(officer.Locator("#collation-scope")).ToContainTextAsync("From 1 September 2010");
        await Browser.AssertAccessibleAsync(officer);
    }

    private async Task<ServiceProcess> StartServiceAsync(string token, IReadOnlyDictionary<string, string>? more = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Database"] = _connectionString,
            ["Intake__Mailbox__Host"] = MailServers.Host,
            ["Intake__Mailbox__Port"] = _mail.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["Intake__Mailbox__Tls"] = "None",
            ["Intake__Mailbox__Username"] = Mailbox,
            ["Intake__Mailbox__Password"] = MailServers.Password,
            ["Intake__Smtp__Host"] = MailServers.Host,
            ["Intake__Smtp__Port"] = _mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Intake__Smtp__Tls"] = "None",

            // Only this test's mail: no demonstration cases opened from example emails (they would be stored and answered too).
            ["Demo__Requests"] = "false",

            // The test serves the youth-justice API itself; the service is told where, and with which token.
            ["SourceSystems__DemoServer__Enabled"] = "false",
            [$"SourceSystems__Systems__{_youthJusticeIndex}__BaseUrl"] = _youthJustice.BaseAddress.ToString(),
            ["SourceSystemSecrets__YouthJusticeToken"] = token,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return await ServiceProcess.StartAsync(_dataDirectory, environment: environment);
    }

    private static string Request(PlantedPerson person, string address) =>
        $"""
        From: {person.Given} {person.Family} <{address}>
        To: {Mailbox}
        Subject: Subject access request
        Message-ID: <sar-{Guid.NewGuid():N}@example.com>
        Date: {DateTimeOffset.UtcNow:R}
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        Dear Sir or Madam,

        Under the UK GDPR I would like a copy of all personal information Kent County Council holds about me,
        including my school records.

        My details:
        Name: {person.Given} {person.Family}
        Date of birth: {person.DateOfBirth.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}
        Address: {person.Address}, {person.Postcode}

        Please send the information by email.

        Kind regards,
        {person.Given} {person.Family}

        """.ReplaceLineEndings("\r\n");

    /// <summary>The officer triages the request: no doubt about identity, no clarification, not unfounded.</summary>
    private static async Task TriageAsync(IPage page, ServiceProcess service, string reference)
    {
        await page.GotoAsync(new Uri(service.BaseUrl, $"/cases/{reference}").ToString());
        var triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("no").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "need to know what the request covers" }).GetByLabel("no").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("no").CheckAsync();
        await triage.GetByLabel("triaged").CheckAsync();
        await triage.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Assertions.Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("Triage the request: done");
    }

    /// <summary>Confirms every undecided candidate of <paramref name="confirmBand"/> and rejects every other one, one POST each.</summary>
    private static async Task DecideAllAsync(IPage page, string confirmBand)
    {
        var undecided = page.Locator("#candidates tbody tr", new() { Has = page.Locator(".kcc-decision", new() { HasTextString = "Not decided" }) });
        for (var left = await undecided.CountAsync(); left > 0; left--)
        {
            var row = undecided.First;
            var band = await row.GetAttributeAsync("data-band");
            await row.GetByRole(AriaRole.Button, new() { Name = band == confirmBand ? "Confirm" : "Reject" }).ClickAsync();
            await Assertions.Expect(undecided).ToHaveCountAsync(left - 1);
        }
    }

    private static async Task CompleteConfirmationAsync(IPage page, string? scopeFrom)
    {
        var card = page.Locator(".govuk-summary-card", new() { HasText = "Confirm the subject's records" });
        await card.Locator("input[name='Fields[scopeFrom]']").FillAsync(scopeFrom ?? "");
        await card.GetByLabel("Confirmed", new() { Exact = true }).CheckAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
    }

    /// <summary>A one-page PDF with a line of text.</summary>
    private static byte[] SmallPdf()
    {
        const string content = "BT /F1 12 Tf 72 770 Td (Youth Justice Service: record of contact, test upload) Tj ET";
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.ASCII.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Encoding.ASCII.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    private async Task<string> WaitForCaseOfAsync(ServiceProcess service, string requesterEmail)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            if ((await SealedParties.AllAsync(service, _connectionString)).FirstOrDefault(c => c.Parties.RequesterEmail == requesterEmail).Reference is { } reference)
            {
                return reference;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for a case of {requesterEmail}\n{Tail(service)}");
            }

            await Task.Delay(500);
        }
    }

    private Task<string?> WaitForStateAsync(ServiceProcess service, string reference, string state, TimeSpan timeout) =>
        WaitForAsync($"SELECT i.state FROM workflow_instances i JOIN cases c ON c.id = i.case_id WHERE c.reference = '{reference}' AND i.state = '{state}'", timeout, service);

    private async Task<string?> WaitForAsync(string sql, TimeSpan timeout, ServiceProcess service)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await ScalarAsync(sql) is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {sql}\n{Tail(service)}");
            }

            await Task.Delay(500);
        }
    }

    private async Task<string?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.OwnerConnectionString(_connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() as string;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.OwnerConnectionString(_connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The case's state and its systems' progress, for a failure message.</summary>
    private async Task<string> RunsAsync(string reference) =>
        await ScalarAsync(
            $"""
            SELECT i.state || ' | ' || coalesce(string_agg(r.system || '=' || r.status || '/' || r.items || '/' || r.attempts || '/' || coalesce(r.last_error, ''), '; '), '')
            FROM cases c JOIN workflow_instances i ON i.case_id = c.id LEFT JOIN collation_runs r ON r.case_id = c.id
            WHERE c.reference = '{reference}' GROUP BY i.state
            """) ?? "";

    private static string Tail(ServiceProcess service) => service.Output[^Math.Min(service.Output.Length, 6000)..];
}
