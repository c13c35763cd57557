using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.TestSupport;
using KccRights.Workflows.Definitions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using MimeKit;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 13 Builds 1 and 3 in Chromium against the running service: an emailed request for a planted person is triaged,
/// confirmed and collated (as in <see cref="CollationJourneyTests"/>); the officer reviews the items (paged and filtered
/// list, find-and-redact, withhold, a dataset at once), is refused completing the review while items are undecided,
/// and a second officer checks: the preparer is refused the check (form hidden, POST 403), a return carries the comment
/// back to the reviewer, and the check completes only once every redaction and withheld item is accepted.
/// </summary>
[NonParallelizable]
public partial class ReviewJourneyTests
{
    private const string Mailbox = "data.protection@kent.gov.uk";
    private const string JadeAddress = "jade.parker@example.com";
    private const string Token = "web-test-youth-justice-token";

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
        _mail = await MailServers.StartAsync([Mailbox, JadeAddress]);
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-review-web-" + Guid.NewGuid().ToString("N")[..12]);
        var generator = new DemoDataGenerator(TestPostgres.OwnerConnectionString(_connectionString), _dataDirectory, DemoScale.Small, 1, NullLogger.Instance);
        await generator.GenerateAsync(PlantedPeople.Load());
        _youthJustice = await YouthJusticeDemoServer.StartAsync(_connectionString, Token);
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "source-systems.json")).Build();
        _youthJusticeIndex = shipped.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>()!.Systems.FindIndex(s => s.Id == "youth-justice");
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
    public async Task Review_FindAndRedact_Withhold_Gate_AndTheFourEyesCheck()
    {
        var jade = PlantedPeople.Load().Single(p => p.Key == "P03");
        await using var service = await StartServiceAsync();
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, JadeAddress, Mailbox, Encoding.UTF8.GetBytes(Request(jade)));
        var reference = await WaitForCaseAsync(service);

        var officer = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(officer, service.BaseUrl, "Olivia Officer");
        await TriageAsync(officer, service, reference!);
        await WaitForAsync(StateSql(reference!, "identity-confirmation"), TimeSpan.FromSeconds(120), service);
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await DecideAllAsync(officer);
        var confirmation = officer.Locator(".govuk-summary-card", new() { HasText = "Confirm the subject's records" });
        await confirmation.GetByLabel("Confirmed", new() { Exact = true }).CheckAsync();
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await WaitForAsync(StateSql(reference!, "disclosure-review"), TimeSpan.FromSeconds(240), service);
        var caseId = long.Parse((await ScalarAsync($"SELECT id::text FROM cases WHERE reference = '{reference}'"))!, CultureInfo.InvariantCulture);
        var total = int.Parse((await ScalarAsync($"SELECT count(*)::text FROM collation_items WHERE case_id = {caseId}"))!, CultureInfo.InvariantCulture);
        Assert.That(total, Is.GreaterThan(1));

        // The case page links to the review; the list shows the progress and every item, fifty to a page.
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await officer.GetByRole(AriaRole.Link, new() { Name = "Open the review of the items" }).ClickAsync();
        await Assertions.Expect(officer.Locator("#review-progress")).ToContainTextAsync($"0 of {total} reviewed");
        await Assertions.Expect(officer.Locator("#review-items")).ToHaveAttributeAsync("data-matching", total.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(officer.Locator("#review-items tbody tr")).ToHaveCountAsync(Math.Min(total, 50));
        if (total > 50)
        {
            await officer.Locator("#review-pagination").GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
            await Assertions.Expect(officer.Locator("#review-items tbody tr")).ToHaveCountAsync(Math.Min(total - 50, 50));
        }

        await Browser.AssertAccessibleAsync(officer);

        // Filtered by system: only that system's items.
        var system = (await officer.Locator("#filter-system option").Nth(1).GetAttributeAsync("value"))!;
        await officer.Locator("#filter-system").SelectOptionAsync(system);
        await officer.GetByRole(AriaRole.Button, new() { Name = "Show items" }).ClickAsync();
        var systemRows = officer.Locator("#review-items tbody tr");
        Assert.That(await systemRows.CountAsync(), Is.GreaterThan(0));
        Assert.That(await officer.Locator($"#review-items tbody tr:not([data-system='{system}'])").CountAsync(), Is.Zero);

        // The review cannot be completed while items are undecided: refused in words.
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(officer, "Review every item for disclosure", "Reviewed");
        await Assertions.Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync($"Decide every item first: {total} items have no decision yet");
        Assert.That(await ScalarAsync(StateSql(reference!, "disclosure-review")), Is.EqualTo("disclosure-review"));

        // Find and redact in an item with text: the first word of five letters or more, every occurrence.
        var itemIds = (await QueryAsync($"SELECT id::text FROM collation_items WHERE case_id = {caseId} ORDER BY id")).Select(long.Parse).ToList();
        long redactedItem = 0;
        string word = "";
        foreach (var id in itemIds)
        {
            await officer.GotoAsync(Url(service, $"/cases/{reference}/review/{id}"));
            var text = await officer.Locator("#item-text").InnerTextAsync();
            if (WordPattern().Match(text) is { Success: true } m)
            {
                (redactedItem, word) = (id, m.Value);
                break;
            }
        }

        Assert.That(redactedItem, Is.Not.Zero, "an item with text");

        // With JavaScript, selecting text in the item fills the find-and-redact form (the same form works typed).
        await officer.Locator("#item-text").EvaluateAsync(
            """
            el => {
              const node = [...el.childNodes].find(n => n.nodeType === 3 && /\S{3}/.test(n.textContent));
              const at = node.textContent.search(/\S{3}/);
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + 3);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
              el.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
            }
            """);
        var selected = await officer.Locator("#find").InputValueAsync();
        Assert.That(selected, Has.Length.EqualTo(3));
        Assert.That(await officer.Locator("#item-text").InnerTextAsync(), Does.Contain(selected));
        await officer.Locator("#find").FillAsync(word);
        await officer.Locator("#find-code").SelectOptionAsync("TP");
        await officer.Locator("#find-note").FillAsync("Another person's name");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Redact", Exact = true }).ClickAsync();
        await Assertions.Expect(officer.Locator(".govuk-notification-banner")).ToContainTextAsync("redacted (TP)");
        await Assertions.Expect(officer.Locator("#item-text mark.kcc-redaction[data-code='TP']").First).ToContainTextAsync(word);
        await Assertions.Expect(officer.Locator("#item-decision")).ToHaveAttributeAsync("data-decision", "redact");
        var redactions = await officer.Locator("#redactions-table tbody tr").CountAsync();
        Assert.That(redactions, Is.GreaterThan(0));
        await Browser.AssertAccessibleAsync(officer);

        // A find-and-redact without a code is refused in words; nothing is added.
        await officer.Locator("#find").FillAsync(word);
        await officer.GetByRole(AriaRole.Button, new() { Name = "Redact", Exact = true }).ClickAsync();
        await Assertions.Expect(officer.Locator(".govuk-error-summary")).ToContainTextAsync("Choose an exemption code");
        await Browser.AssertAccessibleAsync(officer);

        // Withhold another item with a code and a note.
        var withheldItem = itemIds.First(id => id != redactedItem);
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review/{withheldItem}"));
        await officer.Locator("#withhold-code").SelectOptionAsync("SOCIAL");
        await officer.Locator("#withhold-note").FillAsync("Social worker advises serious harm");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Withhold", Exact = true }).ClickAsync();
        await Assertions.Expect(officer.Locator("#item-decision")).ToHaveAttributeAsync("data-decision", "withhold");
        await Assertions.Expect(officer.Locator("#item-decision")).ToContainTextAsync("Code SOCIAL");

        // Every other item: each dataset disclosed at once (only the items not yet decided).
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review"));
        var datasets = await officer.Locator("#dataset option").CountAsync();
        for (var i = 0; i < datasets; i++)
        {
            await officer.GotoAsync(Url(service, $"/cases/{reference}/review?decision=none"));
            if (await officer.Locator("#review-items tbody tr").CountAsync() == 0)
            {
                break;
            }

            await officer.Locator("#dataset").SelectOptionAsync(new SelectOptionValue { Index = i });
            await officer.Locator("#bulk-disclose").CheckAsync();
            await officer.GetByRole(AriaRole.Button, new() { Name = "Decide the dataset" }).ClickAsync();
        }

        await officer.GotoAsync(Url(service, $"/cases/{reference}/review"));
        await Assertions.Expect(officer.Locator("#review-progress")).ToContainTextAsync($"{total} of {total} reviewed");
        Assert.That(await ScalarAsync($"SELECT decision FROM review_decisions WHERE case_id = {caseId} AND item_id = {redactedItem}"), Is.EqualTo("redact"), "the bulk decision left the decided items alone");
        Assert.That(await ScalarAsync($"SELECT decision FROM review_decisions WHERE case_id = {caseId} AND item_id = {withheldItem}"), Is.EqualTo("withhold"));
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(officer, "Review every item for disclosure", "Reviewed");
        await WaitForAsync(StateSql(reference!, "redaction-check"), TimeSpan.FromSeconds(30), service);

        // The preparer may read the check but not answer it: no form, and a posted answer is refused (403).
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review/check"));
        await Assertions.Expect(officer.Locator("#check-four-eyes")).ToContainTextAsync("nobody checks or signs off their own work");
        await Assertions.Expect(officer.GetByRole(AriaRole.Button, new() { Name = "Accept" })).ToHaveCountAsync(0);
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        var antiforgery = await officer.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");
        var status = await officer.EvaluateAsync<int>(
            "async ([url, token, target]) => { const f = new FormData(); f.append('__RequestVerificationToken', token); f.append('FormToken', crypto.randomUUID()); f.append('Kind', 'withheld'); f.append('TargetId', target); f.append('accept', 'true'); const r = await fetch(url, { method: 'POST', body: f }); return r.status; }",
            new object[] { Url(service, $"/cases/{reference}/review/check?handler=Answer"), antiforgery!, withheldItem.ToString(CultureInfo.InvariantCulture) });
        Assert.That(status, Is.EqualTo(403));
        Assert.That(await ScalarAsync($"SELECT count(*)::text FROM review_checks WHERE case_id = {caseId}"), Is.EqualTo("0"));

        // The second officer: "checked" is refused until all are accepted; they return one redaction with a comment.
        var checker = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(checker, service.BaseUrl, "Oscar Officer");
        await checker.GotoAsync(Url(service, $"/cases/{reference}/review/check"));
        await Assertions.Expect(checker.Locator("#check-progress")).ToContainTextAsync($"0 of {redactions + 1} accepted");
        await Assertions.Expect(checker.Locator("main")).ToContainTextAsync("Olivia Officer");
        await Assertions.Expect(checker.Locator("main")).Not.ToContainTextAsync("demo-officer", new() { UseInnerText = true });
        await Browser.AssertAccessibleAsync(checker);
        await checker.Locator("#outcome-checked").CheckAsync();
        await checker.GetByRole(AriaRole.Button, new() { Name = "Finish the check" }).ClickAsync();
        await Assertions.Expect(checker.Locator(".govuk-error-summary")).ToContainTextAsync("Accept every redaction and withheld item first");
        await Browser.AssertAccessibleAsync(checker);

        var withheldCard = checker.Locator($"#withheld-{withheldItem}");
        await withheldCard.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Assertions.Expect(checker.Locator($"#withheld-{withheldItem}")).ToHaveAttributeAsync("data-status", "accepted");
        var firstRedaction = checker.Locator("[data-kind='redaction']").First;
        var firstRedactionId = await firstRedaction.GetAttributeAsync("data-target");
        await firstRedaction.Locator("textarea").FillAsync("This name is the requester's own: disclose it");
        await firstRedaction.GetByRole(AriaRole.Button, new() { Name = "Return" }).ClickAsync();
        await Assertions.Expect(checker.Locator($"#redaction-{firstRedactionId}")).ToHaveAttributeAsync("data-status", "returned");
        await checker.Locator("#outcome-returned").CheckAsync();
        await checker.GetByRole(AriaRole.Button, new() { Name = "Finish the check" }).ClickAsync();
        await WaitForAsync(StateSql(reference!, "disclosure-review"), TimeSpan.FromSeconds(30), service);

        // The reviewer sees the comment on the review and on the item; removes that redaction.
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review"));
        await Assertions.Expect(officer.Locator("#returned-list")).ToContainTextAsync("This name is the requester's own: disclose it");
        await Browser.AssertAccessibleAsync(officer);
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review/{redactedItem}"));
        await Assertions.Expect(officer.Locator("#item-returned + ul")).ToContainTextAsync("This name is the requester's own");
        await officer.Locator($"#redactions-table tr[data-redaction='{firstRedactionId}']").GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(officer.Locator($"#redactions-table tr[data-redaction='{firstRedactionId}']")).ToHaveCountAsync(0);
        if (redactions == 1)
        {
            // Its last redaction gone, the item is undecided again: disclose it.
            await officer.GetByRole(AriaRole.Button, new() { Name = "Disclose in full" }).ClickAsync();
        }

        // Issue 13 end to end: a suggestion is accepted (another person's name, phone or address the engine found),
        // and the same text redacted everywhere in the case, so the response must not hold it anywhere.
        string? thirdParty = null;
        foreach (var id in itemIds)
        {
            await officer.GotoAsync(Url(service, $"/cases/{reference}/review/{id}"));
            var open = officer.Locator("#suggestions-list li[data-state='open']")
                .Filter(new() { Has = officer.Locator(".govuk-tag", new() { HasTextString = "Redact" }) })
                .Filter(new() { Has = officer.Locator(".kcc-wrap") });
            for (var i = 0; i < await open.CountAsync(); i++)
            {
                var excerpt = QuotedPattern().Match(await open.Nth(i).Locator(".kcc-wrap").InnerTextAsync()).Groups[1].Value;
                if (excerpt.Length < 6 || !excerpt.Contains(' ', StringComparison.Ordinal))
                {
                    continue;
                }

                var suggestion = await open.Nth(i).GetAttributeAsync("data-suggestion");
                await open.Nth(i).GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Accept") }).ClickAsync();
                await Assertions.Expect(officer.Locator($"#suggestions-list li[data-suggestion='{suggestion}']")).ToHaveAttributeAsync("data-state", "accepted");
                await Assertions.Expect(officer.Locator("#item-decision")).ToHaveAttributeAsync("data-decision", "redact");
                await Browser.AssertAccessibleAsync(officer);
                thirdParty = excerpt;
                break;
            }

            if (thirdParty is not null)
            {
                break;
            }
        }

        Assert.That(thirdParty, Is.Not.Null, "the engine suggested another person's data in P03's records");
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review"));
        await officer.Locator("#find").FillAsync(thirdParty!);
        await officer.Locator("#find-code").SelectOptionAsync("TP");
        await officer.Locator("#find-note").FillAsync("Another person's information");
        await officer.GetByRole(AriaRole.Button, new() { Name = "Redact in every item" }).ClickAsync();
        await Assertions.Expect(officer.Locator(".govuk-error-summary")).ToHaveCountAsync(0);

        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(officer, "Review every item for disclosure", "Reviewed");
        await WaitForAsync(StateSql(reference!, "redaction-check"), TimeSpan.FromSeconds(30), service);

        // The checker accepts what is left and marks the review checked: on to the draft response.
        await checker.GotoAsync(Url(service, $"/cases/{reference}/review/check"));
        while (await checker.Locator("[data-status='open'], [data-status='returned']").CountAsync() > 0)
        {
            await checker.Locator("[data-status='open'], [data-status='returned']").First.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        }

        await checker.Locator("#outcome-checked").CheckAsync();
        await checker.GetByRole(AriaRole.Button, new() { Name = "Finish the check" }).ClickAsync();
        await WaitForAsync(StateSql(reference!, "draft-response"), TimeSpan.FromSeconds(30), service);

        // A record-owner may not see the review.
        var owner = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(owner, service.BaseUrl, "Sam Owner");
        await owner.GotoAsync(Url(service, $"/cases/{reference}/review"));
        await Assertions.Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();

        // The draft renders by itself on entering the stage; the officer marks it drafted.
        await WaitForAsync($"SELECT version::text FROM disclosure_responses WHERE case_id = {caseId} AND status = 'ready'", TimeSpan.FromSeconds(180), service);
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(officer, "Draft the response", WorkflowLabels.Outcome("drafted"));
        await WaitForAsync(StateSql(reference!, "dpo-sign-off"), TimeSpan.FromSeconds(30), service);

        // The DPO (neither the preparer nor the checker) reads the PDF and its redaction log, and approves it.
        var dpo = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(dpo, service.BaseUrl, "Dana DPO");
        await dpo.GotoAsync(Url(service, $"/cases/{reference}"));
        await Assertions.Expect(dpo.Locator("iframe#response-preview")).ToHaveCountAsync(1);
        await Assertions.Expect(dpo.Locator("#redaction-log")).ToContainTextAsync("TP");
        await Browser.AssertAccessibleAsync(dpo);
        await CompleteTaskAsync(dpo, "Sign off the response", WorkflowLabels.Outcome("approved"));

        // Dispatch: the PDF, encrypted, and its password apart arrive in the requester's mailbox, and the case closes.
        await WaitForAsync($"SELECT status FROM cases WHERE id = {caseId} AND status = 'closed'", TimeSpan.FromSeconds(180), service);
        var inbox = await InboxAsync(JadeAddress, 3);
        var letter = inbox.Single(m => m.Attachments.OfType<MimePart>().Any(a => a.ContentType.MimeType == "application/pdf"));
        var passwordMessage = inbox.Single(m => (m.TextBody ?? "").Contains("The password is:", StringComparison.Ordinal));
        var password = PasswordPattern().Match(passwordMessage.TextBody!).Groups[1].Value;
        var attachment = letter.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "application/pdf");
        using var bytes = new MemoryStream();
        await attachment.Content!.DecodeToAsync(bytes);
        var pdf = bytes.ToArray();
        Assert.That(() => UglyToad.PdfPig.PdfDocument.Open(pdf), Throws.Exception, "the PDF does not open without its password");
        string pdfText;
        using (var opened = UglyToad.PdfPig.PdfDocument.Open(pdf, new UglyToad.PdfPig.ParsingOptions { Password = password }))
        {
            pdfText = string.Join("\n", opened.GetPages().Select(pg => string.Join(" ", pg.GetWords().Select(w => w.Text))));
        }

        static string Squeeze(string value) => new(value.Where(c => !char.IsWhiteSpace(c)).ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(letter.TextBody ?? "", Does.Not.Contain(password), "the password never travels with the document");
            Assert.That(pdfText, Does.Contain(reference), "the response names its case");
            Assert.That(pdfText, Does.Contain(jade.Family), "the subject's own data is disclosed");
            Assert.That(Squeeze(pdfText), Does.Not.Contain(Squeeze(thirdParty!)).IgnoreCase, "no redacted string is in the PDF");
            Assert.That(pdfText, Does.Contain("TP"), "the redaction boxes carry their code");
        });
        TestContext.Out.WriteLine($"{reference}: response of {pdf.Length:N0} bytes sent encrypted; redacted everywhere: a {thirdParty!.Length}-character string");
    }

    /// <summary>
    /// Issue 13 Done when, the download-link path through the running stack: a second request for P03 is reviewed,
    /// checked, drafted and approved with dispatch by link; the link and its one-time code arrive as two messages; the
    /// link is refused in words once expired, and with the code (before expiry) gives the approved PDF once.
    /// </summary>
    [Test]
    [Order(2)]
    public async Task ByLink_TheLinkAndCodeArriveApart_TheLinkExpires_AndGivesTheApprovedPdfOnce()
    {
        var jade = PlantedPeople.Load().Single(p => p.Key == "P03");
        await using var service = await StartServiceAsync(new Dictionary<string, string>
        {
            ["Disclosure__Dispatch__Method"] = "link",
            ["Disclosure__Dispatch__PublicBaseUrl"] = "https://rights.example.test",
        });
        var before = (await QueryAsync("SELECT reference FROM cases")).ToHashSet(StringComparer.Ordinal);
        var mailBefore = (await InboxAsync(JadeAddress, 0)).Count;
        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, JadeAddress, Mailbox, Encoding.UTF8.GetBytes(Request(jade)));
        var reference = await WaitForAsync("SELECT reference FROM cases WHERE reference <> ALL(ARRAY['" + string.Join("','", before) + "']) ORDER BY id DESC LIMIT 1", TimeSpan.FromSeconds(120), service);
        var caseId = long.Parse((await ScalarAsync($"SELECT id::text FROM cases WHERE reference = '{reference}'"))!, CultureInfo.InvariantCulture);

        var officer = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(officer, service.BaseUrl, "Olivia Officer");
        await TriageAsync(officer, service, reference!);
        await WaitForAsync(StateSql(reference!, "identity-confirmation"), TimeSpan.FromSeconds(120), service);
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await DecideAllAsync(officer);
        var confirmation = officer.Locator(".govuk-summary-card", new() { HasText = "Confirm the subject's records" });
        await confirmation.GetByLabel("Confirmed", new() { Exact = true }).CheckAsync();
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await WaitForAsync(StateSql(reference!, "disclosure-review"), TimeSpan.FromSeconds(240), service);

        // Every dataset disclosed at once; reviewed; checked by a second officer (nothing to accept).
        await officer.GotoAsync(Url(service, $"/cases/{reference}/review"));
        var datasets = await officer.Locator("#dataset option").CountAsync();
        for (var i = 0; i < datasets; i++)
        {
            await officer.GotoAsync(Url(service, $"/cases/{reference}/review"));
            await officer.Locator("#dataset").SelectOptionAsync(new SelectOptionValue { Index = i });
            await officer.Locator("#bulk-disclose").CheckAsync();
            await officer.GetByRole(AriaRole.Button, new() { Name = "Decide the dataset" }).ClickAsync();
        }

        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(officer, "Review every item for disclosure", "Reviewed");
        await WaitForAsync(StateSql(reference!, "redaction-check"), TimeSpan.FromSeconds(30), service);
        var checker = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(checker, service.BaseUrl, "Oscar Officer");
        await checker.GotoAsync(Url(service, $"/cases/{reference}/review/check"));
        await checker.Locator("#outcome-checked").CheckAsync();
        await checker.GetByRole(AriaRole.Button, new() { Name = "Finish the check" }).ClickAsync();
        await WaitForAsync(StateSql(reference!, "draft-response"), TimeSpan.FromSeconds(30), service);
        await WaitForAsync($"SELECT version::text FROM disclosure_responses WHERE case_id = {caseId} AND status = 'ready'", TimeSpan.FromSeconds(180), service);
        await officer.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(officer, "Draft the response", WorkflowLabels.Outcome("drafted"));
        await WaitForAsync(StateSql(reference!, "dpo-sign-off"), TimeSpan.FromSeconds(30), service);
        var dpo = await Browser.NewPageAsync(_browser);
        await Browser.SignInAsync(dpo, service.BaseUrl, "Dana DPO");
        await dpo.GotoAsync(Url(service, $"/cases/{reference}"));
        await CompleteTaskAsync(dpo, "Sign off the response", WorkflowLabels.Outcome("approved"));
        await WaitForAsync($"SELECT status FROM cases WHERE id = {caseId} AND status = 'closed'", TimeSpan.FromSeconds(180), service);

        // The link and the code, each in its own message; neither holds the other.
        var inbox = (await InboxAsync(JadeAddress, mailBefore + 3)).Skip(mailBefore).ToList();
        var linkMessage = inbox.Single(m => (m.TextBody ?? "").Contains("/download/", StringComparison.Ordinal));
        var codeMessage = inbox.Single(m => (m.Subject ?? "").Contains("security code", StringComparison.Ordinal));
        var token = LinkPattern().Match(linkMessage.TextBody!).Groups[1].Value;
        var code = CodePattern().Match(codeMessage.TextBody!).Groups[1].Value;
        Assert.Multiple(() =>
        {
            Assert.That(token, Has.Length.GreaterThanOrEqualTo(40));
            Assert.That(code, Is.Not.Empty);
            Assert.That(linkMessage.TextBody, Does.Not.Contain(code));
            Assert.That(codeMessage.TextBody, Does.Not.Contain(token));
            Assert.That(linkMessage.Attachments, Is.Empty, "the document goes by the link only");
        });

        // Expired: refused in words, with no code box.
        var requester = await Browser.NewPageAsync(_browser);
        await ScalarAsync($"UPDATE disclosure_dispatches SET expires_at = now() - interval '1 minute' WHERE case_id = {caseId} AND method = 'link' RETURNING 'x'");
        await requester.GotoAsync(Url(service, $"/download/{token}"));
        await Assertions.Expect(requester.GetByRole(AriaRole.Heading, new() { Name = "This link has expired" })).ToBeVisibleAsync();
        await Assertions.Expect(requester.GetByLabel("Security code")).Not.ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(requester);

        // Within its time, the code gives the approved PDF, once.
        await ScalarAsync($"UPDATE disclosure_dispatches SET expires_at = now() + interval '14 days' WHERE case_id = {caseId} AND method = 'link' RETURNING 'x'");
        await requester.GotoAsync(Url(service, $"/download/{token}"));
        await Assertions.Expect(requester.GetByRole(AriaRole.Heading, new() { Name = "Download your response" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(requester);
        await requester.GetByLabel("Security code").FillAsync(code);
        var download = await requester.RunAndWaitForDownloadAsync(() => requester.GetByRole(AriaRole.Button, new() { Name = "Download the response" }).ClickAsync());
        var path = await download.PathAsync();
        var pdf = await File.ReadAllBytesAsync(path!);
        var approvedSha = await ScalarAsync($"SELECT sha256 FROM disclosure_responses WHERE case_id = {caseId} AND approved_by IS NOT NULL");
        string pdfText;
        using (var opened = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            pdfText = string.Join("\n", opened.GetPages().Select(pg => string.Join(" ", pg.GetWords().Select(w => w.Text))));
        }

        Assert.Multiple(() =>
        {
            Assert.That(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)), Is.EqualTo(approvedSha), "the PDF the DPO approved");
            Assert.That(pdfText, Does.Contain(reference));
        });
        await requester.GotoAsync(Url(service, $"/download/{token}"));
        await Assertions.Expect(requester.GetByRole(AriaRole.Heading, new() { Name = "This link has already been used" })).ToBeVisibleAsync();
    }

    /// <summary>Every message in the address's inbox (read over IMAP, read-only), once there are at least <paramref name="count"/>.</summary>
    private async Task<IReadOnlyList<MimeMessage>> InboxAsync(string address, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            using var imap = new MailKit.Net.Imap.ImapClient();
            await imap.ConnectAsync(MailServers.Host, _mail.ImapPort, MailKit.Security.SecureSocketOptions.None);
            await imap.AuthenticateAsync(address, MailServers.Password);
            await imap.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            var found = imap.Inbox.Count;
            if (found >= count)
            {
                var messages = new List<MimeMessage>();
                for (var i = 0; i < found; i++)
                {
                    messages.Add(await imap.Inbox.GetMessageAsync(i));
                }

                await imap.DisconnectAsync(true);
                return messages;
            }

            await imap.DisconnectAsync(true);
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{address} has {found} of {count} messages");
            }

            await Task.Delay(500);
        }
    }

    [GeneratedRegex("[\u201C\"]([^\u201D\"]+)[\u201D\"]")]
    private static partial Regex QuotedPattern();

    [GeneratedRegex(@"The password is: (\S+)")]
    private static partial Regex PasswordPattern();

    [GeneratedRegex(@"https://rights\.example\.test/download/([A-Za-z0-9_-]+)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^\s*(\d{4} ?\d{4})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"\b[A-Za-z]{5,}\b")]
    private static partial Regex WordPattern();

    private static string Url(ServiceProcess service, string path) => new Uri(service.BaseUrl, path).ToString();

    private static string StateSql(string reference, string state) =>
        $"SELECT i.state FROM workflow_instances i JOIN cases c ON c.id = i.case_id WHERE c.reference = '{reference}' AND i.state = '{state}'";

    private static async Task CompleteTaskAsync(IPage page, string title, string outcome)
    {
        var card = page.Locator(".govuk-summary-card", new() { HasText = title }).Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Complete" }) });
        await card.GetByLabel(outcome, new() { Exact = true }).CheckAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
    }

    private async Task<ServiceProcess> StartServiceAsync(IReadOnlyDictionary<string, string>? more = null)
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
            ["Demo__Requests"] = "false",
            ["SourceSystems__DemoServer__Enabled"] = "false",
            [$"SourceSystems__Systems__{_youthJusticeIndex}__BaseUrl"] = _youthJustice.BaseAddress.ToString(),
            ["SourceSystemSecrets__YouthJusticeToken"] = Token,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return await ServiceProcess.StartAsync(_dataDirectory, environment: environment);
    }

    private static string Request(PlantedPerson person) =>
        $"""
        From: {person.Given} {person.Family} <{JadeAddress}>
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

    private static async Task TriageAsync(IPage page, ServiceProcess service, string reference)
    {
        await page.GotoAsync(Url(service, $"/cases/{reference}"));
        var triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("no").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "need to know what the request covers" }).GetByLabel("no").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("no").CheckAsync();
        await triage.GetByLabel("triaged").CheckAsync();
        await triage.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Assertions.Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("Triage the request: done");
    }

    private static async Task DecideAllAsync(IPage page)
    {
        var undecided = page.Locator("#candidates tbody tr", new() { Has = page.Locator(".kcc-decision", new() { HasTextString = "Not decided" }) });
        for (var left = await undecided.CountAsync(); left > 0; left--)
        {
            var row = undecided.First;
            var band = await row.GetAttributeAsync("data-band");
            await row.GetByRole(AriaRole.Button, new() { Name = band == "match" ? "Confirm" : "Reject" }).ClickAsync();
            await Assertions.Expect(undecided).ToHaveCountAsync(left - 1);
        }
    }

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
                Assert.Fail($"Timed out waiting for: {sql}\n{service.Output[^Math.Min(service.Output.Length, 6000)..]}");
            }

            await Task.Delay(500);
        }
    }

    private async Task<string> WaitForCaseAsync(ServiceProcess service)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            if ((await SealedParties.AllAsync(service, _connectionString)).FirstOrDefault(c => c.Parties.RequesterEmail == JadeAddress).Reference is { } reference)
            {
                return reference;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for the case\n{service.Output[^Math.Min(service.Output.Length, 6000)..]}");
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

    private async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.OwnerConnectionString(_connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
