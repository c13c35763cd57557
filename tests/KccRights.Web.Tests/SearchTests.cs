using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KccRights.TestSupport;
using Microsoft.Playwright;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// The case search (issue 14 item 2) against the running service: a closed case found by its subject's misspelt name on
/// /search in Chromium (axe clean) and through <c>GET /api/cases?q=</c>; the audit keeps no name.
/// </summary>
[NonParallelizable]
public class SearchTests
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

    [Test]
    public async Task Browser_AClosedCase_IsFoundByTheSubjectsMisspeltName()
    {
        using var api = Client(await CreateTokenAsync("demo-officer"));
        var reference = await OpenAndCloseAsync(api, "Rosalind Featherstone", "Theodora Wainwright");
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB", ViewportSize = new ViewportSize { Width = 1600, Height = 900 } });
        var page = await context.NewPageAsync();
        await Browser.SignInAsync(page, Base, "Olivia Officer");

        await page.GetByRole(AriaRole.Link, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/search$"));
        await Browser.AssertAccessibleAsync(page);
        await page.GetByLabel("Reference, name, email address or date of birth").FillAsync("Theadora Wainright");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();

        var row = page.Locator("#search-results tbody tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = reference }) });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Theodora Wainwright");
        await Expect(row).ToContainTextAsync("Rosalind Featherstone");
        await Expect(row).ToContainTextAsync("Closed");
        await Expect(row).ToContainTextAsync("Access");
        await Browser.AssertAccessibleAsync(page);

        // The table has the whole window, not the 960-pixel reading column, and no reference breaks over two lines.
        var width = await page.Locator("#search-results table").EvaluateAsync<double>("t => t.getBoundingClientRect().width");
        Assert.That(width, Is.GreaterThan(1200));
        var referenceHeight = await row.GetByRole(AriaRole.Link, new() { Name = reference }).EvaluateAsync<double>("a => a.getBoundingClientRect().height");
        var cellLineHeight = await row.GetByRole(AriaRole.Link, new() { Name = reference }).EvaluateAsync<double>("a => parseFloat(getComputedStyle(a).lineHeight)");
        Assert.That(referenceHeight, Is.LessThan(cellLineHeight * 1.5));

        // The filters narrow it: open cases only does not show it; the case opens from the result.
        await page.GetByText("More filters").ClickAsync();
        await page.GetByLabel("Status").SelectOptionAsync("open");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No cases found" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        // A record-owner may not search: refused, as on the case pages.
        var owner = await (await _browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" })).NewPageAsync();
        await Browser.SignInAsync(owner, Base, "Ravi Owner");
        await owner.GotoAsync(new Uri(Base, "/search?q=Wainwright").ToString());
        await Expect(owner.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();
        await Expect(owner.GetByText("Theodora")).Not.ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(owner);
    }

    [Test]
    public async Task Api_SearchFindsAClosedCaseByAMisspeltName_AuditsWithoutTheName_AndAnswersErrorsAsProblems()
    {
        using var http = Client(await CreateTokenAsync("demo-officer"));
        var reference = await OpenAndCloseAsync(http, "Agatha Pennyfeather", "Bartholomew Quennell");

        var found = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/cases?q=" + Uri.EscapeDataString("Bartholemew Quenel"), UriKind.Relative));
        var byReference = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/cases?q=" + reference, UriKind.Relative));
        var badStatus = await http.GetAsync(new Uri("/api/cases?q=Quennell&status=archived", UriKind.Relative));
        var badRight = await http.GetAsync(new Uri("/api/cases?q=Quennell&right=teleportation", UriKind.Relative));
        using var owner = Client(await CreateTokenAsync("demo-early-help"));
        var refused = await owner.GetAsync(new Uri("/api/cases?q=Quennell", UriKind.Relative));

        var hits = found.GetProperty("cases").EnumerateArray().ToList();
        var detail = await LastSearchAuditAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(hits.Select(h => h.GetProperty("reference").GetString()), Is.EqualTo(new[] { reference }));
            Assert.That(hits[0].GetProperty("status").GetString(), Is.EqualTo("closed"));
            Assert.That(hits[0].GetProperty("about").GetString(), Is.EqualTo("Bartholomew Quennell"));
            Assert.That(hits[0].GetProperty("from").GetString(), Is.EqualTo("Agatha Pennyfeather"));
            Assert.That(hits[0].GetProperty("right").GetString(), Is.EqualTo("access"));
            Assert.That(byReference.GetProperty("cases").EnumerateArray().Select(h => h.GetProperty("reference").GetString()), Is.EqualTo(new[] { reference }));
            foreach (var (response, status) in new[] { (badStatus, 400), (badRight, 400), (refused, 403) })
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(status));
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
                Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32(), Is.EqualTo(status));
            }

            // The two searches are audited with what kind of thing was searched for, never the name or the reference typed.
            Assert.That(detail, Does.Contain("\"name\"").And.Contain("\"reference\"").And.Not.Contain("Quen").And.Not.Contain("Barth").And.Not.Contain("KCC-"));
        });
    }

    /// <summary>Opens an access case for a child through the API and withdraws it; returns when the case is closed.</summary>
    private static async Task<string> OpenAndCloseAsync(HttpClient http, string requester, string subject)
    {
        var created = await http.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            right = "access",
            channel = "letter",
            receivedOn = DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            requesterName = requester,
            subjectName = subject,
            relationship = "child",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var reference = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
        var withdraw = await http.PostAsJsonAsync(new Uri($"/api/cases/{reference}/withdraw", UriKind.Relative), new { });
        Assert.That(withdraw.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await withdraw.Content.ReadAsStringAsync());
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var state = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));
            if (state.GetProperty("case").GetProperty("status").GetString() == "closed")
            {
                return reference;
            }

            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the withdrawn case did not close");
            await Task.Delay(200);
        }
    }

    private static async Task<string> LastSearchAuditAsync()
    {
        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(detail, ' ') FROM (SELECT detail::text FROM audit_events WHERE action = 'cases.searched' AND outcome = 'allowed' ORDER BY id DESC LIMIT 2) d", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> CreateTokenAsync(string subject)
    {
        var info = Kccrights.StartInfo(["api-token", "create", "--user", subject], new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = ServiceSetUp.Service.DataDirectory,
        });
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await error);
        return (await output).Trim();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    private static HttpClient Client(string token)
    {
        var http = new HttpClient { BaseAddress = ServiceSetUp.Service.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
