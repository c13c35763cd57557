using System.Globalization;
using System.Text.RegularExpressions;
using KccRights.Domain.Deadlines;
using KccRights.TestSupport;
using KccRights.Workflows.Definitions;
using Microsoft.Playwright;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 13 Builds 4 and 5 in real headless Chromium against a real service of its own (no source systems, so nothing is
/// collated and the review has no items): an access case walked by two officers to the draft response, which renders
/// by itself on entry; the officer previews the PDF in the page (same-origin frame, inline, never cached, never sniffed)
/// and drafts; the DPO's sign-off page shows the PDF, its download and the redaction log; the DPO returns it to the
/// disclosure review (a stage they name), and after a new round approves the re-rendered version, which is marked
/// approved. The preparer is told why they may not sign it off. axe-checked on the draft and sign-off pages.
/// </summary>
[NonParallelizable]
public partial class ResponseJourneyTests
{
        private ServiceProcess _service = null!;
    private string _dataDirectory = "";
    private string _sourceSystems = "";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-response-web-" + Guid.NewGuid().ToString("N")[..12]);
        _sourceSystems = Path.Combine(Path.GetTempPath(), $"kcc-response-no-systems-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_sourceSystems, "{ \"SourceSystems\": { \"Systems\": [], \"DemoServer\": { \"Enabled\": false } } }");
        _service = await ServiceProcess.StartAsync(_dataDirectory, environment: new Dictionary<string, string> { ["SourceSystems__File"] = _sourceSystems });
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _service.DisposeAsync();
        File.Delete(_sourceSystems);
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private Uri Base => _service.BaseUrl;

    [GeneratedRegex(@"/cases/(KCC-[A-Z]+-\d{4}-\d{6})$")]
    private static partial Regex ReferenceUrl();

    [Test]
    public async Task DraftResponse_PreviewedInThePage_ReturnedByTheDpoToTheReview_ThenApproved()
    {
        var olivia = await NewPageAsync();
        await Browser.SignInAsync(olivia, Base, "Olivia Officer");
        var oscar = await NewPageAsync();
        await Browser.SignInAsync(oscar, Base, "Oscar Officer");
        var dana = await NewPageAsync();
        await Browser.SignInAsync(dana, Base, "Dana DPO");

        var reference = await OpenCaseAsync(olivia, "Response Requester");
        var triage = olivia.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "need to know what the request covers" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.GetByLabel("Triaged", new() { Exact = true }).CheckAsync();
        await triage.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete)( |$)") }).ClickAsync();
        await WaitForStateAsync(olivia, reference, "identity-confirmation");
        await CompleteOnCasePageAsync(olivia, reference, "Confirm the subject's records", "Confirmed");
        await WaitForStateAsync(olivia, reference, "disclosure-review");
        await WalkReviewToDraftAsync(olivia, oscar, reference);

        // The draft renders by itself on entering the stage; the officer previews it on the task's page.
        var draftTask = await OpenTaskPageAsync(olivia, reference, "Draft the response");
        await WaitForRenderAsync(olivia, 1);
        var preview = olivia.Locator("iframe#response-preview");
        await Expect(preview).ToHaveAttributeAsync("src", $"/cases/{reference}/response/1.pdf");
        await Expect(preview).ToHaveAttributeAsync("title", "Response PDF, version 1");
        await Expect(olivia.Locator("#response-download")).ToHaveAttributeAsync("href", $"/cases/{reference}/response/1.pdf?download=true");
        await Browser.AssertAccessibleAsync(olivia);
        await AssertPdfServedAsync(olivia, reference, 1);

        await CompleteOnTaskPageAsync(olivia, "Drafted");
        await WaitForStateAsync(olivia, reference, "dpo-sign-off");

        // The DPO reads the PDF in the page, with its download and the redaction log, and returns it to the review.
        var signOffId = await OpenTaskPageAsync(dana, reference, "Sign off the response");
        await Expect(dana.Locator("iframe#response-preview")).ToHaveAttributeAsync("src", $"/cases/{reference}/response/1.pdf");
        await Expect(dana.Locator("#response-download")).ToBeVisibleAsync();
        await Expect(dana.Locator("#redaction-log-heading")).ToHaveTextAsync("Redaction log (internal: never sent)");
        await Expect(dana.Locator("#redaction-log")).ToContainTextAsync("Nothing is redacted or withheld in this version.");
        await Browser.AssertAccessibleAsync(dana);
        await AssertPdfServedAsync(dana, reference, 1);

        // A return without saying why is refused in words; with comments it goes to the stage the DPO named.
        await dana.GetByLabel(WorkflowLabels.Outcome("return-to-review"), new() { Exact = true }).CheckAsync();
        await dana.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete)( |$)") }).ClickAsync();
        await Expect(dana.Locator(".govuk-error-summary")).ToContainTextAsync("Say in the comments what needs to change");
        await dana.Locator("textarea[name='Fields[comments]']").FillAsync("Check the school records again");
        await dana.GetByLabel(WorkflowLabels.Outcome("return-to-review"), new() { Exact = true }).CheckAsync();
        await dana.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete)( |$)") }).ClickAsync();
        await WaitForStateAsync(dana, reference, "disclosure-review");

        // A new round: reviewed, checked, rendered again (version 2), drafted; the DPO approves version 2.
        await WalkReviewToDraftAsync(olivia, oscar, reference);
        await OpenTaskPageAsync(olivia, reference, "Draft the response");
        await WaitForRenderAsync(olivia, 2);
        await Expect(olivia.Locator("iframe#response-preview")).ToHaveAttributeAsync("src", $"/cases/{reference}/response/2.pdf");
        await CompleteOnTaskPageAsync(olivia, "Drafted");
        await WaitForStateAsync(olivia, reference, "dpo-sign-off");

        var secondSignOff = await OpenTaskPageAsync(dana, reference, "Sign off the response");
        await Expect(dana.Locator("iframe#response-preview")).ToHaveAttributeAsync("src", $"/cases/{reference}/response/2.pdf");
        await Browser.AssertAccessibleAsync(dana);
        await dana.GetByLabel(WorkflowLabels.Outcome("approved"), new() { Exact = true }).CheckAsync();
        await dana.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete)( |$)") }).ClickAsync();
        await WaitForStateAsync(dana, reference, "dispatch|closed");

        // The case page says which version the DPO approved.
        await dana.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await Expect(dana.Locator("#response-version")).ToHaveAttributeAsync("data-version", "2");
        await Expect(dana.Locator("#response-approved")).ToContainTextAsync("Approved by Dana DPO");
        Assert.That(secondSignOff, Is.Not.EqualTo(signOffId));
        Assert.That(draftTask, Is.GreaterThan(0));
    }

    private async Task AssertPdfServedAsync(IPage page, string reference, int version)
    {
        var response = await page.APIRequest.GetAsync(new Uri(Base, $"/cases/{reference}/response/{version}.pdf").ToString());
        Assert.That(response.Status, Is.EqualTo(200));
        var headers = response.Headers;
        var body = await response.BodyAsync();
        Assert.Multiple(() =>
        {
            Assert.That(headers["content-type"], Is.EqualTo("application/pdf"));
            Assert.That(headers["content-disposition"], Does.StartWith("inline").And.Contain($"{reference}-response-v{version}.pdf"));
            Assert.That(headers["cache-control"], Does.Contain("no-store"));
            Assert.That(headers["x-content-type-options"], Is.EqualTo("nosniff"));
            Assert.That(headers["x-frame-options"], Is.EqualTo("SAMEORIGIN"));
            Assert.That(headers["content-security-policy"], Does.Contain("frame-ancestors 'self'"));
            Assert.That(System.Text.Encoding.ASCII.GetString(body, 0, 5), Is.EqualTo("%PDF-"));
        });

        var download = await page.APIRequest.GetAsync(new Uri(Base, $"/cases/{reference}/response/{version}.pdf?download=true").ToString());
        Assert.That(download.Headers["content-disposition"], Does.StartWith("attachment"));
        Assert.That(download.Headers["x-frame-options"], Is.EqualTo("DENY"));
    }

    private static async Task WalkReviewToDraftAsync(IPage officer, IPage checker, string reference)
    {
        await CompleteOnCasePageAsync(officer, reference, "Review every item for disclosure", "Reviewed");
        await WaitForStateAsync(officer, reference, "redaction-check");
        await CompleteOnCasePageAsync(checker, reference, "Check the redactions", "Checked");
        await WaitForStateAsync(checker, reference, "draft-response");
    }

    private static async Task CompleteOnCasePageAsync(IPage page, string reference, string title, string outcome)
    {
        await page.GotoAsync(new Uri(new Uri(page.Url), $"/cases/{reference}").ToString());
        var card = page.Locator(".govuk-summary-card", new() { HasText = title }).Filter(new() { HasText = "To do" });
        await card.GetByLabel(outcome, new() { Exact = true }).CheckAsync();
        await card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete)( |$)") }).ClickAsync();
    }

    private static async Task CompleteOnTaskPageAsync(IPage page, string outcome)
    {
        await page.GetByLabel(outcome, new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete)( |$)") }).ClickAsync();
        await Expect(page.Locator(".govuk-error-summary")).ToHaveCountAsync(0);
    }

    /// <summary>Opens the case's open task with this title on its own page; returns its id.</summary>
    private static async Task<long> OpenTaskPageAsync(IPage page, string reference, string title)
    {
        await page.GotoAsync(new Uri(new Uri(page.Url), $"/cases/{reference}").ToString());
        var card = page.Locator(".govuk-summary-card", new() { HasText = title }).Filter(new() { HasText = "To do" });
        var id = long.Parse((await card.GetAttributeAsync("id"))!["task-".Length..], CultureInfo.InvariantCulture);
        await page.GotoAsync(new Uri(new Uri(page.Url), $"/tasks/{id}").ToString());
        return id;
    }

    /// <summary>The page has no script to refresh the render's progress: reload until the version is ready.</summary>
    private static async Task WaitForRenderAsync(IPage page, int version)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await page.Locator($"#response-status [data-status='ready']").CountAsync() == 0
               || await page.Locator("#response-version").GetAttributeAsync("data-version") != version.ToString(CultureInfo.InvariantCulture))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"version {version} was not rendered: {await page.Locator("#response-status").InnerTextAsync()}");
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        await Expect(page.Locator("#response-status")).ToContainTextAsync($"Version {version}, ");
    }

    private static async Task WaitForStateAsync(IPage page, string reference, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await page.GotoAsync(new Uri(new Uri(page.Url), $"/cases/{reference}").ToString());
        while (!Regex.IsMatch(await page.Locator("#workflow-state").GetAttributeAsync("data-state") ?? "", $"^({state})$"))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the case did not reach {state}");
            await Task.Delay(500);
            await page.ReloadAsync();
        }
    }

    private async Task<string> OpenCaseAsync(IPage page, string requester)
    {
        var received = LondonTime.Today(TimeProvider.System);
        await page.GotoAsync(new Uri(Base, "/new-case").ToString());
        await page.GetByLabel("Access: a copy of their data (Art 15)").CheckAsync();
        await page.GetByLabel("letter").CheckAsync();
        await page.Locator("#received-day").FillAsync(received.Day.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#received-month").FillAsync(received.Month.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#received-year").FillAsync(received.Year.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Requester's name").FillAsync(requester);
        await page.GetByLabel("The requester's own").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Open case" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(ReferenceUrl());
        return ReferenceUrl().Match(page.Url).Groups[1].Value;
    }

    private Task<IPage> NewPageAsync() => Browser.NewPageAsync(_browser, new ViewportSize { Width = 1400, Height = 900 });

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
