using System.Globalization;
using System.Text.RegularExpressions;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using Microsoft.Playwright;

namespace KccRights.Web.Tests;

/// <summary>
/// The staff journey in real headless Chromium against the real service: every page visited is checked with axe-core
/// for WCAG 2.2 AA.
/// </summary>
[NonParallelizable]
public partial class OfficerJourneyTests
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");
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
    public async Task Officer_OpensClaimsPausesResumesAndExtendsACase_AndOthersSeeWhatTheyMay()
    {
        var today = LondonTime.Today(TimeProvider.System);
        var received = today.AddDays(-3);
        var page = await NewPageAsync();

        await Browser.SignInAsync(page, Base, "Olivia Officer");
        await Expect(page).ToHaveURLAsync(new Regex("/cases"));
        await Browser.AssertAccessibleAsync(page);

        // A request made by letter, opened by hand with its real received date.
        await page.GotoAsync(new Uri(Base, "/new-case").ToString());
        await Browser.AssertAccessibleAsync(page);
        await page.GetByLabel("Access: a copy of their data (Art 15)").CheckAsync();
        await page.GetByLabel("letter").CheckAsync();
        await page.Locator("#received-day").FillAsync(received.Day.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#received-month").FillAsync(received.Month.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#received-year").FillAsync(received.Year.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Requester's name").FillAsync("Journey Requester");
        await page.GetByLabel("The requester's own").CheckAsync();
        await page.GetByLabel("What did they ask for?").FillAsync("All school records");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open case" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(ReferenceUrl());
        var reference = ReferenceUrl().Match(page.Url).Groups[1].Value;
        await Browser.AssertAccessibleAsync(page);

        // The queue shows it, unassigned; the officer claims it.
        await page.GotoAsync(new Uri(Base, "/cases?view=unassigned").ToString());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Claim this case" }).ClickAsync();
        await Expect(page.GetByText("You have claimed this case")).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(Base, "/cases?view=mine").ToString());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        // Triage: the council needs to know what the request covers, so the workflow asks and pauses the clock
        // (UK GDPR Art 12A(5)).
        await page.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        var triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("no").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "need to know what the request covers" }).GetByLabel("yes").CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("no").CheckAsync();
        await triage.GetByLabel("triaged").CheckAsync();
        await triage.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "awaiting-clarification");
        await Expect(page.Locator("#workflow-state")).ToHaveTextAsync("Waiting for clarification");
        await Expect(page.Locator(".govuk-tag", new() { HasText = "Paused" })).ToBeVisibleAsync();
        await Expect(page.GetByText("now (waiting for the answer)")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        // The answer comes by phone: the officer records it, the clock runs again, and the scope is agreed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the answer" }).ClickAsync();
        await Expect(page.GetByText("The answer is recorded and the clock runs again")).ToBeVisibleAsync();
        var scope = page.Locator(".govuk-summary-card", new() { HasText = "Agree the scope" });
        await scope.GetByLabel("Scope agreed").CheckAsync();
        await scope.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        // On to the search for the subject's records (the search job may already have run: then the officer confirms).
        await Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", new Regex("^(identity-search|identity-confirmation)$"));
        var searchStage = (await page.Locator("#workflow-state").GetAttributeAsync("data-state"))!;

        // The workflow's diagram, drawn on the server, marks the case's stage; the table after it says the same in words.
        await page.GetByText("The access workflow", new() { Exact = true }).ClickAsync();
        await Expect(page.Locator("#workflow-diagram svg [data-current='true']")).ToHaveAttributeAsync("data-state", searchStage);
        await Expect(page.Locator("#workflow-diagram svg [data-state]")).ToHaveCountAsync(23);
        await Expect(page.Locator("#workflow-transitions")).ToContainTextAsync($"{KccRights.Workflows.Definitions.WorkflowLabels.State(searchStage)} (the case is here)");
        await Browser.AssertAccessibleAsync(page);

        // Paused today and answered today: one day does not count.
        var calculator = new DeadlineCalculator(BankHolidayFile.Load());
        var expected = calculator.Calculate(new ClockInput { ReceivedOn = received, Pauses = [new ClockPause(today, today)] });
        await Expect(page.Locator("#deadline-heading + dl")).ToContainTextAsync(expected.Due.ToString("dddd d MMMM yyyy", EnGb));

        // Extension with a reason (UK GDPR Art 12(3)), signed off by the DPO, not by the officer who asked.
        await page.GetByText("Request an extension").ClickAsync();
        await page.GetByLabel("Why is the request complex or numerous?").FillAsync("Records in five systems");
        await page.GetByRole(AriaRole.Button, new() { Name = "Request extension" }).ClickAsync();
        await Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "extension-sign-off");
        await Browser.AssertAccessibleAsync(page);

        var signOff = await NewPageAsync();
        await Browser.SignInAsync(signOff, Base, "Dana DPO");
        await signOff.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        var dpoTask = signOff.Locator(".govuk-summary-card", new() { HasText = "extension" }).Filter(new() { HasText = "To do" });
        foreach (var box in await dpoTask.Locator("textarea").AllAsync())
        {
            await box.FillAsync("Agreed: five source systems");
        }

        await dpoTask.GetByLabel("approved").CheckAsync();
        await dpoTask.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(signOff.Locator(".govuk-tag", new() { HasText = "Extended" })).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Expect(signOff.Locator("#deadline-heading + dl")).ToContainTextAsync(expected.ExtendedDue.ToString("dddd d MMMM yyyy", EnGb));
        await Browser.AssertAccessibleAsync(signOff);

        // The DPO balances the workload: the case moves to another officer, and the queue filters by stage.
        await signOff.GetByLabel("Assign to").SelectOptionAsync(new SelectOptionValue { Label = "Oscar Officer" });
        await signOff.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await Expect(signOff.GetByText("Assigned to Oscar Officer")).ToBeVisibleAsync();
        await Expect(signOff.Locator("#case-officer")).ToHaveTextAsync("Oscar Officer");
        // On the timeline too: the officer's claim of the case earlier, and now this.
        await Expect(signOff.Locator(".moj-timeline__title", new() { HasText = "Case assigned" })).ToHaveCountAsync(2);
        var stage = await signOff.Locator("#workflow-state").GetAttributeAsync("data-state");
        await signOff.GotoAsync(new Uri(Base, $"/cases?view=team&stage={stage}").ToString());
        await Expect(signOff.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(signOff);

        // A record-owner from another team may not see the case: refused, and the refusal is audited.
        var owner = await NewPageAsync();
        await Browser.SignInAsync(owner, Base, "Ravi Owner");
        await owner.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();
        await Expect(owner.GetByText("Journey Requester")).Not.ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(owner);

        var auditor = await NewPageAsync();
        await Browser.SignInAsync(auditor, Base, "Aud Itor");
        await auditor.GotoAsync(new Uri(Base, "/audit").ToString());
        var refusal = auditor.Locator("#audit-events tr", new() { HasText = reference }).Filter(new() { HasText = "Refused" });
        await Expect(refusal.First).ToContainTextAsync("demo-early-help");
        var extension = auditor.Locator("#audit-events tr", new() { HasText = reference }).Filter(new() { HasText = "workflow.extension-requested" });
        await Expect(extension).ToHaveCountAsync(1);
        await Expect(extension).ToContainTextAsync("Allowed");
        await Browser.AssertAccessibleAsync(auditor);

        // The DPO's backlog shows the case in the right age band (received 3 days ago).
        var dpo = await NewPageAsync();
        await Browser.SignInAsync(dpo, Base, "Dana DPO");
        await dpo.GotoAsync(new Uri(Base, "/backlog").ToString());
        var band = dpo.Locator("#age-bands tr", new() { HasText = "0 to 7 days" });
        Assert.That(int.Parse(await band.Locator("td").InnerTextAsync(), CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(1));
        await Expect(dpo.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(dpo);
    }

    [Test]
    public async Task NewCaseForm_SubmittedTwice_OpensOneCase()
    {
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, "Oscar Officer");
        await page.GotoAsync(new Uri(Base, "/new-case").ToString());
        await page.GetByLabel("Erasure: delete their data (Art 17)").CheckAsync();
        await page.GetByLabel("phone").CheckAsync();
        await page.GetByLabel("Requester's name").FillAsync("Double Submitter");
        await page.GetByLabel("The requester's own").CheckAsync();

        // Post the same form (same one-time token) twice, as a double click or a resend would.
        var statuses = await page.EvaluateAsync<int[]>(
            """
            async () => {
              const form = document.querySelector('main form[method=post]');
              const body = new URLSearchParams(new FormData(form));
              const first = await fetch(location.href, { method: 'POST', body, redirect: 'manual' });
              const second = await fetch(location.href, { method: 'POST', body, redirect: 'manual' });
              return [first.status, second.status];
            }
            """);

        var count = await SealedParties.CountRequesterAsync(ServiceSetUp.Service, n => n == "Double Submitter");
        var plain = await SealedParties.PlainValuesAsync(ServiceSetUp.Service);
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Has.All.Not.EqualTo(500));
            Assert.That(count, Is.EqualTo(1L), $"statuses {string.Join(",", statuses)}");
            Assert.That(plain, Is.Zero, "issue 9 Build 6: a case opened by hand keeps no name or address in plain text");
        });
    }

    [Test]
    public async Task NewCaseForm_WithAnImpossibleDate_ShowsAnAccessibleErrorSummary()
    {
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, "Olivia Officer");
        await page.GotoAsync(new Uri(Base, "/new-case").ToString());
        await page.GetByLabel("Access: a copy of their data (Art 15)").CheckAsync();
        await page.GetByLabel("email", new() { Exact = true }).CheckAsync();
        await page.Locator("#received-day").FillAsync("31");
        await page.Locator("#received-month").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open case" }).ClickAsync();

        await Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("must be a real date");
        await Expect(page).ToHaveTitleAsync(new Regex("^Error: "));
        await Browser.AssertAccessibleAsync(page);
    }

    [Test]
    public async Task Pages_CarryAStrictContentSecurityPolicy()
    {
        var page = await NewPageAsync();
        var response = await page.GotoAsync(new Uri(Base, "/sign-in").ToString());
        var csp = await response!.HeaderValueAsync("content-security-policy");

        Assert.That(csp, Does.Contain("script-src 'self'").And.Not.Contain("unsafe-inline"));
        await Browser.AssertAccessibleAsync(page);
    }

    [Test]
    public async Task UnknownCase_ShowsAnAccessibleNotFoundPage()
    {
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, "Olivia Officer");

        var response = await page.GotoAsync(new Uri(Base, "/cases/KCC-SAR-2019-999999").ToString());

        Assert.That(response!.Status, Is.EqualTo(404));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
    }

    [Test]
    public async Task AxeCheck_OnAPageWithAViolation_Fails()
    {
        // The accessibility check itself must be able to fail.
        var page = await NewPageAsync();
        await page.SetContentAsync("<html><head><title>t</title></head><body><main><img src='x.png'><input type='text'></main></body></html>");

        Assert.That(async () => await Browser.AssertAccessibleAsync(page), Throws.InstanceOf<AssertionException>().With.Message.Contains("image-alt"));
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    [GeneratedRegex(@"/cases/(KCC-SAR-\d{4}-\d{6})$")]
    private static partial Regex ReferenceUrl();
}
