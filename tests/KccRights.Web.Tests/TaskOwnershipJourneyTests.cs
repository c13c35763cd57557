using System.Globalization;
using System.Text.RegularExpressions;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;
using Microsoft.Playwright;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 14 items 3 and 4 in real headless Chromium against the real service, axe-checked on every page visited: a
/// task is not completed untaken; taking and completing the triage makes the officer the case's officer; the case page
/// shows the triage's answers with who and when, stages by their labels and people by name; the queues use the whole
/// window with their columns; a closed case shows its closed date and outcome, not a countdown; four eyes hides the
/// form from whoever it would refuse and says why.
/// </summary>
[NonParallelizable]
public partial class TaskOwnershipJourneyTests
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

    private Task<IPage> NewPageAsync() => Browser.NewPageAsync(_browser, new ViewportSize { Width = 1400, Height = 900 });

    /// <summary>An access request by letter, opened by hand and left unassigned; returns its reference.</summary>
    private static async Task<string> OpenCaseAsync(IPage page, string requester)
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

    private static async Task AnswerTriageAsync(ILocator triage)
    {
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "need to know what the request covers" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.GetByLabel("Triaged", new() { Exact = true }).CheckAsync();
    }

    [Test]
    public async Task ARecordOwnersTask_ShowsWhatToDo_ForWhom_AndTheOfficersNoteForTheTeam()
    {
        // Issue 14 item 4: the officer's assessment carries a note for the team; the record-owner's task shows it (not
        // the findings), with the person and the task, and the record-owner cannot open the case itself.
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, "Olivia Officer");
        var received = LondonTime.Today(TimeProvider.System);
        await page.GotoAsync(new Uri(Base, "/new-case").ToString());
        await page.GetByLabel("Rectification: correct their data (Art 16)").CheckAsync();
        await page.GetByLabel("letter").CheckAsync();
        await page.Locator("#received-day").FillAsync(received.Day.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#received-month").FillAsync(received.Month.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#received-year").FillAsync(received.Year.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Requester's name").FillAsync("Noteworthy Requester");
        await page.GetByLabel("The requester's own").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Open case" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/cases/KCC-REC-\d{4}-\d{6}$"));
        var reference = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        var triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await triage.Locator("fieldset", new() { HasText = "reasonable doubt" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.Locator("fieldset", new() { HasText = "manifestly unfounded" }).GetByLabel("No", new() { Exact = true }).CheckAsync();
        await triage.GetByLabel("Triaged", new() { Exact = true }).CheckAsync();
        await triage.GetByRole(AriaRole.Button, new() { Name = "Take and complete" }).ClickAsync();
        await Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("Triage the request: done");

        var assessment = page.Locator(".govuk-summary-card", new() { HasText = "Assess the request to correct the record" });
        await assessment.GetByLabel("Findings").FillAsync("The address held is the old one.");
        await assessment.GetByLabel("Note for the team that holds the record").FillAsync("Change the home address in the Early Help record to 4 New Road.");
        await assessment.GetByLabel(WorkflowLabels.Outcome("inaccurate"), new() { Exact = true }).CheckAsync();
        await assessment.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Take and complete|Complete) ") }).ClickAsync();
        await Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("done");

        var correction = page.Locator(".govuk-summary-card", new() { HasText = "Correct the record in the source system" });
        await correction.GetByLabel("Team that holds the records").SelectOptionAsync("Early Help");
        await correction.GetByRole(AriaRole.Button, new() { Name = "Send to team" }).ClickAsync();
        await Browser.AssertAccessibleAsync(page);

        var owner = await NewPageAsync();
        await Browser.SignInAsync(owner, Base, "Ravi Owner");
        await owner.GotoAsync(new Uri(Base, "/tasks?view=team").ToString());
        await owner.Locator("#task-queue tbody tr", new() { HasText = reference }).GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(owner.Locator("h1")).ToContainTextAsync("Correct the record in the source system");
        await Expect(owner.Locator("main")).ToContainTextAsync("Noteworthy Requester");
        await Expect(owner.Locator("#officer-note")).ToContainTextAsync("Change the home address in the Early Help record to 4 New Road.");
        await Expect(owner.Locator("#officer-note")).ToContainTextAsync("from Olivia Officer");
        await Expect(owner.Locator("#officer-note")).Not.ToContainTextAsync("The address held is the old one.");
        await Browser.AssertAccessibleAsync(owner);

        var casePage = await owner.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        Assert.That(casePage!.Status == 403 || owner.Url.Contains("AccessDenied", StringComparison.OrdinalIgnoreCase), Is.True, $"the record-owner may not open the case (status {casePage.Status}, {owner.Url})");
    }

    [Test]
    public async Task ATask_IsNotCompletedUntaken_TheTriagingOfficerHoldsTheCase_AndAClosedCaseShowsWhenItClosed()
    {
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, "Olivia Officer");
        var reference = await OpenCaseAsync(page, "Ownership Requester");
        await Expect(page.Locator("#case-officer")).ToHaveTextAsync("Unassigned");

        var triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await Expect(triage).ToContainTextAsync("Not yet taken.");
        await Expect(triage.GetByRole(AriaRole.Button, new() { Name = "Take and complete" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        // A completion posted without taking the task (the form's "take" left out) is refused in words, and the case
        // stays where it was.
        await AnswerTriageAsync(triage);
        await page.EvaluateAsync("() => document.querySelectorAll(\"input[name='Take']\").forEach(e => e.remove())");
        await triage.GetByRole(AriaRole.Button, new() { Name = "Take and complete" }).ClickAsync();
        await Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("Take this task before completing it");
        await Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "triage");
        await Expect(page.Locator("#case-officer")).ToHaveTextAsync("Unassigned");
        await Browser.AssertAccessibleAsync(page);

        // Taken and completed in one action: the officer holds the task and the case.
        triage = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await AnswerTriageAsync(triage);
        await triage.GetByRole(AriaRole.Button, new() { Name = "Take and complete" }).ClickAsync();
        await Expect(page.Locator(".govuk-notification-banner")).ToContainTextAsync("Triage the request: done");
        await Expect(page.Locator("#case-officer")).ToHaveTextAsync("Olivia Officer");

        // The triage's answers, who gave them and when; the stage by its label; people by name everywhere.
        var done = page.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        var today = LondonTime.Today(TimeProvider.System).ToString("d MMMM yyyy", EnGb);
        await Expect(done).ToContainTextAsync($"Done by Olivia Officer on {today}");
        await Expect(done).ToContainTextAsync("Outcome: Triaged");
        await Expect(done).Not.ToContainTextAsync("Not yet taken");
        await Expect(done.Locator("dl")).ToContainTextAsync("Is there reasonable doubt about the requester's identity or authority?");
        await Expect(done.Locator("dl .govuk-summary-list__value").First).ToHaveTextAsync("No");
        await Expect(page.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", new Regex("^(identity-search|identity-confirmation)$"));
        var stage = (await page.Locator("#workflow-state").GetAttributeAsync("data-state"))!;
        await Expect(page.Locator("#workflow-state")).ToHaveTextAsync(WorkflowLabels.State(stage));
        await Expect(page.Locator(".moj-timeline")).ToContainTextAsync("by Olivia Officer");
        // What is shown (innerText), and the workflow diagram's own text (labels, not ids), opened or not.
        var main = page.Locator("main");
        foreach (var slug in new[] { "demo-officer", "identity-search", "identity-confirmation", "task-completed", "task-assigned", "triaged" })
        {
            await Expect(main).Not.ToContainTextAsync(slug, new() { UseInnerText = true });
        }

        var diagramText = await page.Locator("#workflow-diagram svg").TextContentAsync() ?? "";
        Assert.That(diagramText, Does.Contain(WorkflowLabels.State("identity-confirmation")));
        foreach (var slug in new[] { "identity-search", "identity-confirmation", "disclosure-review", "dpo-sign-off" })
        {
            Assert.That(diagramText, Does.Not.Contain(slug), "the diagram is drawn in labels");
        }

        await Browser.AssertAccessibleAsync(page);

        // The queues use the whole window, with the requester, right, stage, due date, working days left and officer.
        await page.GotoAsync(new Uri(Base, "/cases?view=mine").ToString());
        var queue = page.Locator("#case-queue");
        foreach (var header in new[] { "Requester", "About", "Right", "Stage", "Due", "Working days left", "Officer" })
        {
            await Expect(queue.Locator("thead")).ToContainTextAsync(header);
        }

        var row = queue.Locator("tbody tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = reference }) });
        await Expect(row).ToContainTextAsync("Ownership Requester");
        await Expect(row).ToContainTextAsync("Olivia Officer");
        // The search job may have moved the case on meanwhile.
        await Expect(row).ToContainTextAsync(new Regex($"{Regex.Escape(WorkflowLabels.State("identity-search"))}|{Regex.Escape(WorkflowLabels.State("identity-confirmation"))}"));
        await Expect(row.Locator(".kcc-days")).ToHaveTextAsync(new Regex(@"^\d+$"));
        Assert.That(await queue.EvaluateAsync<double>("t => t.getBoundingClientRect().width"), Is.GreaterThan(960), "wider than the 960-pixel reading column");
        Assert.That(await row.GetByRole(AriaRole.Link, new() { Name = reference }).EvaluateAsync<int>("a => a.getClientRects().length"), Is.EqualTo(1), "the reference is on one line");
        await Browser.AssertAccessibleAsync(page);

        // The CSV export names the officer too, never a staff id.
        var exportUrl = new Uri(Base, (await page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).GetAttributeAsync("href"))!).ToString();
        var csv = await (await page.Context.APIRequest.GetAsync(exportUrl)).TextAsync();
        var csvRow = csv.Split('\n').Single(l => l.StartsWith(reference + ",", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(csv, Does.StartWith("reference,right,received,due,paused,extended,overdue,officer\n"));
            Assert.That(csvRow, Does.EndWith(",\"Olivia Officer\""));
            Assert.That(csv, Does.Not.Contain("demo-officer"));
        });

        await page.GotoAsync(new Uri(Base, "/tasks?view=team").ToString());
        await Expect(page.Locator("#task-queue thead")).ToContainTextAsync("Working days left");
        await Browser.AssertAccessibleAsync(page);

        // Closed: the closed date and the outcome instead of a countdown.
        await page.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Close as withdrawn" }).ClickAsync();
        await Expect(page.GetByText("The case is closed as withdrawn")).ToBeVisibleAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await page.Locator("#closed-on").CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        await Expect(page.Locator("#closed-on")).ToContainTextAsync(LondonTime.Today(TimeProvider.System).ToString("d MMM yyyy", EnGb));
        await Expect(page.Locator("#case-outcome")).ToContainTextAsync("Withdrawn");
        await Expect(page.Locator("#deadline-closed-on")).ToBeVisibleAsync();
        await Expect(page.Locator("#working-days-left")).ToHaveCountAsync(0);
        await Expect(page.Locator(".kcc-deadline")).Not.ToContainTextAsync("Working days left");
        await Expect(page.Locator("#case-closed")).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
    }

    [Test]
    public async Task FourEyes_TheDpoWhoAskedForTheExtension_IsToldWhyInsteadOfGivenTheForm()
    {
        var officer = await NewPageAsync();
        await Browser.SignInAsync(officer, Base, "Oscar Officer");
        var reference = await OpenCaseAsync(officer, "Four Eyes Requester");
        var triage = officer.Locator(".govuk-summary-card", new() { HasText = "Triage the request" });
        await AnswerTriageAsync(triage);
        await triage.GetByRole(AriaRole.Button, new() { Name = "Take and complete" }).ClickAsync();
        await Expect(officer.Locator("#case-officer")).ToHaveTextAsync("Oscar Officer");

        var dpo = await NewPageAsync();
        await Browser.SignInAsync(dpo, Base, "Dana DPO");
        await dpo.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await dpo.GetByText("Request an extension").ClickAsync();
        await dpo.GetByLabel("Why is the request complex or numerous?").FillAsync("Records in five systems");
        await dpo.GetByRole(AriaRole.Button, new() { Name = "Request extension" }).ClickAsync();
        await Expect(dpo.Locator("#workflow-state")).ToHaveAttributeAsync("data-state", "extension-sign-off");

        var signOff = dpo.Locator(".govuk-summary-card", new() { HasText = "Approve the extension" });
        await Expect(signOff.Locator(".govuk-inset-text")).ToContainTextAsync("You made the request this decides (\u201cExtension requested\u201d), so someone else must decide it");
        await Expect(signOff.Locator("form")).ToHaveCountAsync(0);
        await Expect(signOff).Not.ToContainTextAsync("extension-requested");
        await Browser.AssertAccessibleAsync(dpo);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    [GeneratedRegex(@"/cases/(KCC-SAR-\d{4}-\d{6})$")]
    private static partial Regex ReferenceUrl();
}
