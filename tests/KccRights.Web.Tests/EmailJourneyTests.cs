using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KccRights.TestSupport;
using Microsoft.Playwright;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// The whole path with real servers: a request emailed over SMTP (Postfix) lands in the mailbox (Dovecot), the service
/// reads it over IMAP, opens the case with its clock and workflow, and its workers send the acknowledgement, which
/// arrives in the requester's mailbox. An officer then finds it in the queue in Chromium, triages it (ID in doubt),
/// the requester replies with ID, and the officer completes the identity check.
/// </summary>
[NonParallelizable]
public partial class EmailJourneyTests
{
    private const string Mailbox = "data.protection@kent.gov.uk";
    private const string Requester = "d.okafor@example.com";
    private MailServers _mail = null!;
    private ServiceProcess _service = null!;
    private string _dataDirectory = "";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _mail = await MailServers.StartAsync([Mailbox, Requester]);
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-email-" + Guid.NewGuid().ToString("N")[..12]);
        _service = await ServiceProcess.StartAsync(_dataDirectory, environment: new Dictionary<string, string>
        {
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
        });
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _service.DisposeAsync();
        await _mail.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task EmailedRequest_IsAcknowledged_AppearsInTheQueue_AndGoesThroughTheIdentityCheck()
    {
        var raw = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "emails", "01-adult-own-records.eml"));
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, Requester, Mailbox, raw);

        // The case opens with its clock: received Mon 2 March 2026 (the message's own date is not the arrival; the
        // arrival is now), so read the reference from the database once it exists.
        // The requester's address is sealed at rest (issue 9 Build 6), so the case is found by opening it.
        var reference = await WaitForCaseOfAsync("d.okafor@example.com", TimeSpan.FromSeconds(90));
        Assert.That(reference, Does.Match(@"^KCC-SAR-\d{4}-\d{6}$"));

        // The acknowledgement, sent by the service's own job workers, arrives in the requester's mailbox.
        var acknowledgements = await _mail.WaitForNewMessagesAsync(Requester, 1, TimeSpan.FromSeconds(90));
        var acknowledgement = await File.ReadAllTextAsync(acknowledgements[0]);
        var due = await WaitForAsync($"SELECT to_char(k.due_on, 'FMDD FMMonth YYYY') FROM case_clocks k JOIN cases c ON c.id = k.case_id WHERE c.reference = '{reference}'", TimeSpan.FromSeconds(5));
        Assert.That(Unfold(acknowledgement), Does.Contain(reference!).And.Contain(due!));

        // An out-of-office reply opens nothing and gets no answer.
        var casesBefore = await CountAsync("SELECT count(*) FROM cases");
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, "someone@example.org", Mailbox, await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "emails", "11-out-of-office.eml")));
        await WaitForAsync("SELECT id::text FROM inbound_messages WHERE kind = 'auto-reply'", TimeSpan.FromSeconds(60));
        Assert.That(await CountAsync("SELECT count(*) FROM cases"), Is.EqualTo(casesBefore));

        // The officer finds the emailed request in the queue and triages it: identity is in doubt (UK GDPR Art 12(6)).
        var page = await (await _browser.NewContextAsync()).NewPageAsync();
        await Browser.SignInAsync(page, _service.BaseUrl, "Olivia Officer");
        await page.GotoAsync(new Uri(_service.BaseUrl, "/cases?view=unassigned").ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await Assertions.Expect(page.Locator("#correspondence")).ToContainTextAsync("request email");
        await Browser.AssertAccessibleAsync(page);

        var triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.GetByRole(AriaRole.Button, new() { Name = "Take this task" }).ClickAsync();
        triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("yes").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "need to know what the request covers" }).GetByLabel("no").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("no").CheckAsync();
        await triage.GetByLabel("triaged").CheckAsync();
        await triage.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Assertions.Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "awaiting-id");
        await Assertions.Expect(page.Locator("#workflow-state")).ToHaveTextAsync("Waiting for ID");
        await Assertions.Expect(page.Locator("#case-officer")).ToHaveTextAsync("Olivia Officer");

        // The workflow's ID request goes to the requester by email, from its editable template (UK GDPR Art 12(6)).
        var letters = await _mail.WaitForNewMessagesAsync(Requester, 2, TimeSpan.FromSeconds(60));
        var idRequest = string.Join("\n", letters.Select(File.ReadAllText));
        Assert.That(Unfold(idRequest), Does.Contain("we need to confirm your identity").And.Contain(reference!));

        // The requester replies with ID, quoting the reference: intake raises "id-received" on the case.
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, Requester, Mailbox, Encoding.UTF8.GetBytes(IdReply(reference!)));
        await WaitForAsync($"SELECT i.state FROM workflow_instances i JOIN cases c ON c.id = i.case_id WHERE c.reference = '{reference}' AND i.state = 'id-received'", TimeSpan.FromSeconds(90));

        // The identity check: what was seen is recorded, no copy is kept.
        await page.ReloadAsync();
        var check = page.Locator(".govuk-summary-card", new() { HasText = "Check the ID" });
        await Assertions.Expect(check).ToBeVisibleAsync();

        // The officer who triaged holds the case, so the runtime may already have given them the task.
        var take = check.GetByRole(AriaRole.Button, new() { Name = "Take this task" });
        if (await take.CountAsync() > 0)
        {
            await take.ClickAsync();
            check = page.Locator(".govuk-summary-card", new() { HasText = "Check the ID" });
        }
        await check.Locator("textarea").First.FillAsync("Passport seen, matches name and date of birth");
        await check.GetByLabel("Verified", new() { Exact = true }).CheckAsync();
        await check.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();

        // Issue 14 item 3: the case page shows the identity check's answers, who gave them and when.
        var done = page.Locator(".govuk-summary-card", new() { HasText = "Check the ID" });
        await Assertions.Expect(done).ToContainTextAsync("Done by Olivia Officer on");
        await Assertions.Expect(done).ToContainTextAsync("Outcome: Verified");
        await Assertions.Expect(done.Locator("dl")).ToContainTextAsync("Passport seen, matches name and date of birth");
        await Browser.AssertAccessibleAsync(page);

        // The ID copy is deleted from the stored reply once identity is verified, and the case records that it was.
        var deletedCopies = await WaitForAsync($"SELECT l.detail->>'attachmentsDeleted' FROM workflow_log l JOIN cases c ON c.id = l.case_id WHERE c.reference = '{reference}' AND l.kind = 'id-copies-deleted'", TimeSpan.FromSeconds(30));
        Assert.That(deletedCopies, Is.EqualTo("1"));
        var replyId = await WaitForAsync($"SELECT m.inbound_message_id::text FROM messages_cases m JOIN cases c ON c.id = m.case_id WHERE c.reference = '{reference}' AND m.role = 'reply'", TimeSpan.FromSeconds(5));
        await page.GotoAsync(new Uri(_service.BaseUrl, $"/cases/{reference}/messages/{replyId}").ToString());
        await Assertions.Expect(page.Locator("#message-body")).ToContainTextAsync("Please find my passport attached");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "passport.jpg" })).ToHaveCountAsync(0);
        await Browser.AssertAccessibleAsync(page);

        // The next task is in the officer's queue, oldest due first; another team's record-owner may not open it.
        var openTask = await WaitForAsync($"SELECT t.id::text FROM workflow_tasks t JOIN cases c ON c.id = t.case_id WHERE c.reference = '{reference}' AND t.status = 'open' ORDER BY t.id LIMIT 1", TimeSpan.FromSeconds(30));
        await page.GotoAsync(new Uri(_service.BaseUrl, "/tasks?view=team").ToString());
        await Assertions.Expect(page.Locator("#task-queue")).ToContainTextAsync(reference!);
        await Browser.AssertAccessibleAsync(page);
        await page.GotoAsync(new Uri(_service.BaseUrl, $"/tasks/{openTask}").ToString());
        await Browser.AssertAccessibleAsync(page);

        var owner = await (await _browser.NewContextAsync()).NewPageAsync();
        await Browser.SignInAsync(owner, _service.BaseUrl, "Sam Owner");
        await owner.GotoAsync(new Uri(_service.BaseUrl, "/tasks").ToString());
        await Assertions.Expect(owner.Locator("#task-queue")).Not.ToContainTextAsync(reference!);
        await owner.GotoAsync(new Uri(_service.BaseUrl, $"/tasks/{openTask}").ToString());
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();

        // The ID arrived after the request: the month restarted from that day (Art 12(6)).
        var restarted = await WaitForAsync($"SELECT (k.clock_start > k.received_on OR k.id_received_on IS NOT NULL)::text FROM case_clocks k JOIN cases c ON c.id = k.case_id WHERE c.reference = '{reference}'", TimeSpan.FromSeconds(5));
        Assert.That(restarted, Is.EqualTo("true"));
    }

    private static string IdReply(string reference) =>
        $"""
        From: Daniel Okafor <{Requester}>
        To: {Mailbox}
        Subject: Re: {reference} your request
        Message-ID: <id-reply-{Guid.NewGuid():N}@example.com>
        Date: {DateTimeOffset.UtcNow:R}
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8

        Please find my passport attached.
        --b1
        Content-Type: image/jpeg; name="passport.jpg"
        Content-Disposition: attachment; filename="passport.jpg"
        Content-Transfer-Encoding: base64

        /9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=
        --b1--

        """.ReplaceLineEndings("\r\n");

    private static string Unfold(string mime) => QuotedPrintableSoftBreak().Replace(mime, "");

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> WaitForCaseOfAsync(string requesterEmail, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if ((await SealedParties.AllAsync(_service)).FirstOrDefault(c => c.Parties.RequesterEmail == requesterEmail).Reference is { } reference)
            {
                return reference;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for a case of {requesterEmail}\n{_service.Output[^Math.Min(_service.Output.Length, 4000)..]}");
            }

            await Task.Delay(500);
        }
    }

    private async Task<string?> WaitForAsync(string sql, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var connection = new NpgsqlConnection(_service.DatabaseConnectionString()))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                if (await command.ExecuteScalarAsync() is string value)
                {
                    return value;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {sql}\n{_service.Output[^Math.Min(_service.Output.Length, 4000)..]}");
            }

            await Task.Delay(500);
        }
    }

    [GeneratedRegex("=\r?\n")]
    private static partial Regex QuotedPrintableSoftBreak();
}
