using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KccRights.Domain.Deadlines;
using KccRights.Intake.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// The triage inbox (issue 9, Build 2) in a browser against the running service: a message intake could not store as a
/// case (the NUL display name of issue 9, item 2) is stored through the real message store and waits in triage; the
/// officer sees the count in the navigation, opens a case of a chosen right from it, and the case runs as an emailed
/// case does. Not a request needs a reason; the auditor reads without acting; a record-owner is refused.
/// </summary>
[NonParallelizable]
public partial class TriageJourneyTests
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task Launch() => (_playwright, _browser) = await Browser.LaunchAsync();

    [OneTimeTearDown]
    public async Task Close()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static Uri Base => ServiceSetUp.Service.BaseUrl;

    private Task<IPage> NewPageAsync() => Browser.NewPageAsync(_browser);

    [Test]
    public async Task Officer_OpensACaseFromATriagedMessage_NotARequestNeedsAReason_RecordOwnerIsRefused()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var receivedAt = DateTimeOffset.UtcNow.AddDays(-2);

        // Intake failed five times on the NUL (PostgreSQL 22021) and sent the message to triage, as RecordFailureAsync does.
        var nulMessage = await StoreTriagedAsync(
            $"From: =?utf-8?B?TnVsAE5hbWUgUGVyc29u?= <nul.{tag}@example.com>\r\nTo: data.protection@kent.gov.uk\r\nSubject: Please delete my data {tag}\r\n" +
            $"Message-ID: <nul-{tag}@example.com>\r\nDate: {receivedAt:R}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
            "Please erase everything you hold about me.\r\n",
            receivedAt,
            "intake could not process this message after 5 attempts: PostgresException: 22021: invalid byte sequence for encoding \"UTF8\": 0x00");
        var otherMessage = await StoreTriagedAsync(
            $"From: Newsletter <news.{tag}@example.com>\r\nTo: data.protection@kent.gov.uk\r\nSubject: Offers {tag}\r\n" +
            $"Message-ID: <news-{tag}@example.com>\r\nDate: {receivedAt:R}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBuy now.\r\n",
            receivedAt,
            "not a request: no right asked for");

        var replyMessage = await StoreTriagedAsync(
            $"From: Reply Person <reply.{tag}@example.com>\r\nTo: data.protection@kent.gov.uk\r\nSubject: Re: your letter {tag}\r\n" +
            $"Message-ID: <reply-{tag}@example.com>\r\nDate: {receivedAt:R}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is the answer.\r\n",
            receivedAt,
            "a reply that matches no case: find its case");

        // A message the mail server could not serve has no stored message: it is shown by its UID (issue 9, Build 2).
        var unserved = await ScalarAsync(
            $"INSERT INTO intake_triage (inbound_message_id, imap_uid, mailbox, reason_kind, detail, reasons, created_at) VALUES (NULL, 4242{tag.Length}, 'INBOX/1', 'imap-unservable', 'TimeoutException: fetch timed out after 3 tries', '[\"the mail server could not serve message UID 4242 in INBOX/1 after 3 attempts\"]', now()) RETURNING id");

        var officer = await NewPageAsync();
        await Browser.SignInAsync(officer, Base, "Olivia Officer");

        // The count in the navigation is the number of open items.
        var openBefore = await ScalarAsync("SELECT count(*) FROM intake_triage WHERE status = 'open'");
        await Expect(officer.Locator("#triage-count")).ToHaveTextAsync(openBefore.ToString(CultureInfo.InvariantCulture));

        await officer.Locator("#nav-triage").ClickAsync();
        await Expect(officer).ToHaveURLAsync(new Regex("/triage$"));
        var row = officer.Locator("#triage-items tr", new() { HasText = $"nul.{tag}@example.com" });
        await Expect(row).ToContainTextAsync("NulName Person");
        await Expect(row).ToContainTextAsync($"Please delete my data {tag}");
        await Expect(row).ToContainTextAsync("22021");
        // The list says why in an officer's words; the exception behind it is only on the item's own page.
        var unservedRow = officer.Locator("#triage-items tr", new() { HasText = $"message 4242{tag.Length} in INBOX" });
        await Expect(unservedRow).ToContainTextAsync("The mail server could not hand it over");
        await Expect(unservedRow).ToContainTextAsync("could not serve message UID 4242");
        await Expect(unservedRow).Not.ToContainTextAsync("TimeoutException");
        await Browser.AssertAccessibleAsync(officer);

        // The unserved message can only be recorded (after an officer found it in the mailbox): no case or attachment from it.
        await officer.GotoAsync(new Uri(Base, $"/triage/{unserved}").ToString());
        await Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Open case" })).ToHaveCountAsync(0);
        await Expect(officer.Locator("details", new() { HasText = "Technical detail" })).ToContainTextAsync("fetch timed out after 3 tries");
        await officer.GetByLabel("Why is this not a request?").FillAsync("Found in the mailbox and opened by hand");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Close as not a request" }).ClickAsync();
        await Expect(officer.GetByText("Recorded as not a request")).ToBeVisibleAsync();

        // Not a request needs a reason: refused with an accessible error, nothing closed.
        await officer.GotoAsync(new Uri(Base, $"/triage/{otherMessage.TriageId}").ToString());
        await officer.GetByRole(AriaRole.Button, new() { Name = "Close as not a request" }).ClickAsync();
        await Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync("Enter why this is not a request");
        await Expect(officer).ToHaveTitleAsync(new Regex("^Error: "));
        await Browser.AssertAccessibleAsync(officer);
        Assert.That(await ScalarAsync($"SELECT count(*) FROM intake_triage WHERE id = {otherMessage.TriageId} AND status = 'open'"), Is.EqualTo(1L));

        // The auditor reads the item but has no actions; a record-owner is refused, and the refusal audited.
        var auditor = await NewPageAsync();
        await Browser.SignInAsync(auditor, Base, "Aud Itor");
        await auditor.GotoAsync(new Uri(Base, $"/triage/{otherMessage.TriageId}").ToString());
        await Expect(auditor.Locator("#read-only")).ToBeVisibleAsync();
        await Expect(auditor.GetByRole(AriaRole.Button, new() { Name = "Close as not a request" })).ToHaveCountAsync(0);
        await Expect(auditor.Locator("#triage-count")).ToHaveCountAsync(0);

        var owner = await NewPageAsync();
        await Browser.SignInAsync(owner, Base, "Ravi Owner");
        await Expect(owner.Locator("#nav-triage")).ToHaveCountAsync(0);
        var refused = await owner.GotoAsync(new Uri(Base, "/triage").ToString());
        Assert.That(refused!.Status, Is.EqualTo(403));
        await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();
        await Expect(owner.GetByText("NulName Person")).ToHaveCountAsync(0);
        await owner.GotoAsync(new Uri(Base, $"/triage/{nulMessage.TriageId}").ToString());
        await Expect(owner.GetByText("NulName Person")).ToHaveCountAsync(0);
        Assert.That(
            await ScalarAsync("SELECT count(*) FROM audit_events WHERE actor = 'demo-early-help' AND action IN ('triage.viewed', 'triage.item-viewed') AND outcome = 'refused'"),
            Is.GreaterThanOrEqualTo(2L));

        // The reason is limited in length, with a clear message.
        await officer.GetByLabel("Why is this not a request?").FillAsync(new string('x', 1001));
        await officer.GetByRole(AriaRole.Button, new() { Name = "Close as not a request" }).ClickAsync();
        await Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync("The reason must be 1000 characters or fewer");

        // With a reason, the item is closed and leaves the inbox.
        await officer.GetByLabel("Why is this not a request?").FillAsync("A marketing email");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Close as not a request" }).ClickAsync();
        await Expect(officer.GetByText("Recorded as not a request")).ToBeVisibleAsync();
        await Expect(officer.Locator("#triage-items tr", new() { HasText = $"news.{tag}@example.com" })).ToHaveCountAsync(0);

        // The officer opens an erasure case from the NUL message.
        await officer.GotoAsync(new Uri(Base, $"/triage/{nulMessage.TriageId}").ToString());
        await Expect(officer.Locator("#message-body")).ToContainTextAsync("Please erase everything");
        await Browser.AssertAccessibleAsync(officer);
        await officer.GetByLabel("Erasure: delete their data (Art 17)").CheckAsync();
        await officer.GetByRole(AriaRole.Button, new() { Name = "Open case" }).ClickAsync();

        await Expect(officer).ToHaveURLAsync(CaseUrl());
        var reference = CaseUrl().Match(officer.Url).Groups[1].Value;
        await Expect(officer.GetByText($"Case {reference} opened from the message")).ToBeVisibleAsync();
        await Expect(officer.GetByText("NulName Person")).Not.ToHaveCountAsync(0);
        await Expect(officer.Locator("#workflow-state")).Not.ToBeEmptyAsync();
        await Expect(officer.Locator("#triage-count")).ToHaveTextAsync((openBefore - 3).ToString(CultureInfo.InvariantCulture));
        await Browser.AssertAccessibleAsync(officer);

        // The reply is attached to that case; an unknown or malformed reference is a clear error, nothing attached.
        await officer.GotoAsync(new Uri(Base, $"/triage/{replyMessage.TriageId}").ToString());
        await officer.GetByLabel("Case reference").FillAsync("KCC-SAR-2019-999999");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Attach to case" }).ClickAsync();
        await Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync("No case has the reference KCC-SAR-2019-999999");
        await Browser.AssertAccessibleAsync(officer);
        await officer.GetByLabel("Case reference").FillAsync("not a reference");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Attach to case" }).ClickAsync();
        await Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync("Enter a case reference like");
        await officer.GetByLabel("Case reference").FillAsync(reference.ToLowerInvariant());
        await officer.GetByRole(AriaRole.Button, new() { Name = "Attach to case" }).ClickAsync();
        await Expect(officer.GetByText($"The message is attached to {reference}")).ToBeVisibleAsync();
        await Expect(officer.Locator("#triage-count")).ToHaveTextAsync((openBefore - 4).ToString(CultureInfo.InvariantCulture));

        // As an emailed case: its clock starts at the instant the message reached the mailbox, its workflow runs, the
        // acknowledgement is queued, and the message is the case's request.
        Assert.Multiple(async () =>
        {
            Assert.That(await ScalarAsync($"SELECT count(*) FROM cases c JOIN case_clocks k ON k.case_id = c.id WHERE c.reference = '{reference}' AND c.channel = 'email' AND k.received_on = '{LondonTime.DateOf(receivedAt):yyyy-MM-dd}'::date"), Is.EqualTo(1L), "clock from the received instant");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM workflow_instances w JOIN cases c ON c.id = w.case_id WHERE c.reference = '{reference}' AND w.definition_id = 'erasure'"), Is.EqualTo(1L), "workflow");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM jobs j JOIN cases c ON c.id = j.case_id WHERE c.reference = '{reference}' AND j.kind = 'send-acknowledgement'"), Is.EqualTo(1L), "acknowledgement queued");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM messages_cases mc JOIN cases c ON c.id = mc.case_id WHERE c.reference = '{reference}' AND mc.inbound_message_id = {nulMessage.MessageId} AND mc.role = 'request'"), Is.EqualTo(1L), "message linked");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM intake_triage t JOIN cases c ON c.id = t.outcome_case_id WHERE t.id = {nulMessage.TriageId} AND t.status = 'done' AND t.outcome = 'case-opened' AND t.resolved_by = 'demo-officer'"), Is.EqualTo(1L), "item closed");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM audit_events a JOIN cases c ON c.id = a.case_id WHERE c.reference = '{reference}' AND a.action = 'triage.case-opened' AND a.outcome = 'allowed'"), Is.EqualTo(1L), "audited");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM audit_events WHERE action = 'triage.not-a-request' AND detail->>'triage' = '{otherMessage.TriageId}'"), Is.EqualTo(1L), "not a request audited");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM intake_triage WHERE id = {otherMessage.TriageId} AND outcome = 'not-a-request' AND outcome_reason = 'A marketing email'"), Is.EqualTo(1L), "reason kept");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM messages_cases mc JOIN cases c ON c.id = mc.case_id WHERE c.reference = '{reference}' AND mc.inbound_message_id = {replyMessage.MessageId} AND mc.role = 'reply'"), Is.EqualTo(1L), "reply attached");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM audit_events a JOIN cases c ON c.id = a.case_id WHERE c.reference = '{reference}' AND a.action = 'triage.attached'"), Is.EqualTo(1L), "attach audited");
            Assert.That((await SealedParties.AllAsync(ServiceSetUp.Service)).Single(c => c.Reference == reference).Parties.RequesterName, Is.EqualTo("NulName Person"), "requester sealed");
            Assert.That(await SealedParties.PlainValuesAsync(ServiceSetUp.Service), Is.Zero, "issue 9 Build 6: no name or address in plain text");
        });
    }

    /// <summary>
    /// Issue 14 item 1, triage as part of the day: a reply that quotes no reference we know waits in triage saying why in
    /// words; the officer answers it from a template (queued on the outbox, audited with ids only), finds its case by the
    /// subject's misspelt name with the case search, and attaches it: it joins that case's correspondence and leaves the
    /// inbox. Every page visited is axe-clean.
    /// </summary>
    [Test]
    public async Task AReplyToAnUnknownReference_IsAnsweredFromATemplate_AndAttachedToTheCaseFoundBySearch()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        using var api = new HttpClient { BaseAddress = Base };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await CreateTokenAsync("demo-officer"));
        var created = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(api, new Uri("/api/cases", UriKind.Relative), new
        {
            right = "access",
            channel = "letter",
            receivedOn = DateTime.UtcNow.AddDays(-5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            requesterName = "Cordelia Fairweather",
            subjectName = "Ignatius Fairweather",
            relationship = "child",
        });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        var reference = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(created.Content)).GetProperty("reference").GetString()!;

        var receivedAt = DateTimeOffset.UtcNow.AddHours(-3);
        var reply = await StoreTriagedAsync(
            $"From: Cordelia Fairweather <cordelia.{tag}@example.com>\r\nTo: data.protection@kent.gov.uk\r\nSubject: Re: my son's records {tag}\r\n" +
            $"Message-ID: <unknown-{tag}@example.com>\r\nIn-Reply-To: <somewhere-{tag}@example.net>\r\nDate: {receivedAt:R}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
            "Here is the school he went to, as you asked: Oakfield Primary. Reference KCC-SAR-2019-424242.\r\n",
            receivedAt,
            "a reply that matches no case: find its case");
        await ScalarAsync($"UPDATE intake_triage SET reason_codes = '{{unknown-reference}}' WHERE id = {reply.TriageId} RETURNING id");

        var officer = await NewPageAsync();
        await Browser.SignInAsync(officer, Base, "Olivia Officer");

        // The inbox says why the message is there in words.
        await officer.GotoAsync(new Uri(Base, "/triage").ToString());
        var row = officer.Locator("#triage-items tr", new() { HasText = $"cordelia.{tag}@example.com" });
        await Expect(row).ToContainTextAsync("A reply or reference that matches no case: search for its case");
        await Browser.AssertAccessibleAsync(officer);
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(officer.Locator("#triage-why")).ToContainTextAsync("matches no case");
        await Browser.AssertAccessibleAsync(officer);

        // A reply needs its template chosen; then it is queued on the outbox, in reply to the message, and audited.
        await officer.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync("Choose the reply to send");
        await Browser.AssertAccessibleAsync(officer);
        await officer.GetByText("Read the reply: We could not find the request it is about").ClickAsync();
        await Expect(officer.Locator("details", new() { HasText = "Read the reply: We could not find the request it is about" })).ToContainTextAsync("Dear Cordelia Fairweather,");
        await officer.GetByLabel("We could not find the request it is about").CheckAsync();
        await officer.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(officer.GetByText("Reply queued: We could not find the request it is about")).ToBeVisibleAsync();
        await Expect(officer.Locator("#triage-replies")).ToContainTextAsync("We could not find the request it is about");
        await Browser.AssertAccessibleAsync(officer);

        // The officer finds the case by the subject's name, misspelt, and attaches the message to it.
        await officer.GetByLabel("Find the case: reference, name, email address or date of birth").FillAsync("Ignatius Fairwether");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Search cases" }).ClickAsync();
        var found = officer.Locator("#search-results tbody tr", new() { HasText = reference });
        await Expect(found).ToContainTextAsync("Ignatius Fairweather");
        await Browser.AssertAccessibleAsync(officer);
        await found.GetByRole(AriaRole.Button, new() { Name = $"Attach to {reference}" }).ClickAsync();

        await Expect(officer).ToHaveURLAsync(new Regex("/triage$"));
        await Expect(officer.GetByText($"The message is attached to {reference}")).ToBeVisibleAsync();
        await Expect(officer.Locator("#triage-items tr", new() { HasText = $"cordelia.{tag}@example.com" })).ToHaveCountAsync(0);
        await Browser.AssertAccessibleAsync(officer);

        // It is on the case's correspondence now.
        await officer.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await Expect(officer.Locator("#correspondence")).ToContainTextAsync("reply email");
        await Browser.AssertAccessibleAsync(officer);

        // And so is the reply sent from triage before the message was attached (this service has no mail server, so it
        // is still waiting to be sent).
        var replyRow = officer.Locator("#correspondence tbody tr", new() { HasText = "Reply from triage" });
        await Expect(replyRow).ToContainTextAsync(new Regex("Waiting to be sent|Sent"));

        Assert.Multiple(async () =>
        {
            Assert.That(await ScalarAsync($"SELECT count(*) FROM messages_cases mc JOIN cases c ON c.id = mc.case_id WHERE c.reference = '{reference}' AND mc.inbound_message_id = {reply.MessageId} AND mc.role = 'reply'"), Is.EqualTo(1L), "attached");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM intake_triage t JOIN cases c ON c.id = t.outcome_case_id WHERE t.id = {reply.TriageId} AND t.status = 'done' AND t.outcome = 'attached' AND c.reference = '{reference}'"), Is.EqualTo(1L), "closed as attached");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM correspondence_triage_replies WHERE triage_id = {reply.TriageId} AND template = 'triage-reply-unknown-reference' AND queued_by = 'demo-officer'"), Is.EqualTo(1L), "reply recorded");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM jobs WHERE kind = 'send-triage-reply'"), Is.GreaterThanOrEqualTo(1L), "reply queued on the outbox");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM audit_events WHERE action = 'triage.replied' AND detail->>'triage' = '{reply.TriageId}' AND detail::text NOT LIKE '%ordelia%' AND detail::text NOT LIKE '%{tag}%'"), Is.EqualTo(1L), "reply audited, ids only");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM audit_events a JOIN cases c ON c.id = a.case_id WHERE c.reference = '{reference}' AND a.action = 'triage.attached' AND a.detail::text NOT LIKE '%ordelia%'"), Is.EqualTo(1L), "attach audited, ids only");
            Assert.That(await ScalarAsync("SELECT count(*) FROM audit_events WHERE action = 'cases.searched' AND detail->>'via' = 'triage' AND detail::text NOT LIKE '%airwe%'"), Is.GreaterThanOrEqualTo(1L), "the search audited without its text");
            Assert.That(await SealedParties.PlainValuesAsync(ServiceSetUp.Service), Is.Zero, "issue 9 Build 6: no name or address in plain text");
        });
    }

    private static async Task<string> CreateTokenAsync(string subject)
    {
        var info = KccRights.TestSupport.Kccrights.StartInfo(["api-token", "create", "--user", subject], new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = ServiceSetUp.Service.DataDirectory,
        });
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await error);
        return (await output).Trim();
    }

    /// <summary>Stores the message through the intake's own encrypted store and sends it to triage as intake does.</summary>
    private static async Task<(long MessageId, long TriageId)> StoreTriagedAsync(string raw, DateTimeOffset receivedAt, string reason)
    {
        var cipher = MessageCipher.FromOptions(new MessageStorageOptions(), ServiceSetUp.Service.DataDirectory);
        await using var dataSource = NpgsqlDataSource.Create(ServiceSetUp.Service.DatabaseConnectionString());
        var store = new InboundMessageStore(dataSource, cipher, TimeProvider.System, NullLogger<InboundMessageStore>.Instance);
        var stored = await store.StoreAsync(Encoding.UTF8.GetBytes(raw), receivedAt, "data.protection@kent.gov.uk");

        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var update = new NpgsqlCommand("UPDATE inbound_messages SET status = 'triage', attempts = 5, last_error = $2 WHERE id = $1", connection))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = stored.Id });
            update.Parameters.Add(new NpgsqlParameter { Value = reason });
            await update.ExecuteNonQueryAsync();
        }

        await using var insert = new NpgsqlCommand("INSERT INTO intake_triage (inbound_message_id, reasons, created_at) VALUES ($1, jsonb_build_array($2::text), now()) RETURNING id", connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = stored.Id });
        insert.Parameters.Add(new NpgsqlParameter { Value = reason });
        var triageId = (long)(await insert.ExecuteScalarAsync())!;
        return (stored.Id, triageId);
    }

    private static async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    [GeneratedRegex(@"/cases/(KCC-ERA-\d{4}-\d{6})$")]
    private static partial Regex CaseUrl();
}
