using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KccRights.TestSupport;
using Microsoft.Playwright;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 9, item 2: a NUL in a query string or JSON body gave 500 (PostgreSQL refuses NUL in text). At the web boundary
/// it is now refused with 400 (problem details for the API), and removed from form fields, against the running service.
/// </summary>
[NonParallelizable]
public class InputCleaningTests
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

    private static async Task<HttpClient> ApiClientAsync()
    {
        var info = Kccrights.StartInfo(["api-token", "create", "--user", "demo-officer"], new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = ServiceSetUp.Service.DataDirectory,
        });
        using var process = Process.Start(info)!;
        var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero);
        var http = new HttpClient { BaseAddress = Base };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [TestCase("/api/cases?right=%00")]
    [TestCase("/api/cases?view=mine%01")]
    public async Task Api_ControlCharacterInTheAddress_IsABadRequest_AsProblemDetails(string address)
    {
        using var http = await ApiClientAsync();

        using var response = await http.GetAsync(new Uri(address, UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("control character"));
        });
    }

    [TestCase("/api/cases/KCC-SAR-2026-%00")]
    [TestCase("/api/cases/KCC-SAR-2026-%01")]
    public async Task ControlCharacterInThePath_IsABadRequest(string address)
    {
        // Kestrel itself refuses some (NUL); the boundary refuses the rest before a page or endpoint looks them up.
        using var http = await ApiClientAsync();

        using var response = await http.GetAsync(new Uri(address, UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Api_NulInAJsonBody_IsABadRequestNamingTheMember_AndNothingIsStored()
    {
        using var http = await ApiClientAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var json = $$"""{"right":"access","channel":"phone","receivedOn":"{{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}}","requesterName":"Nul\u0000{{tag}}","relationship":"self"}""";

        using var response = await http.PostAsync(new Uri("/api/cases", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("requesterName"));
            Assert.That(await SealedParties.CountRequesterAsync(ServiceSetUp.Service, n => n.StartsWith("Nul", StringComparison.Ordinal) && n.EndsWith(tag, StringComparison.Ordinal)), Is.Zero);
        });
    }

    [Test]
    public async Task Api_CleanJsonBody_StillOpensTheCase()
    {
        // The body is read to be inspected and then given to the endpoint whole.
        using var http = await ApiClientAsync();
        var json = $$"""{"right":"access","channel":"phone","receivedOn":"{{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}}","requesterName":"Clean\tName","relationship":"self"}""";

        using var response = await http.PostAsync(new Uri("/api/cases", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Pages_ControlCharacters_AreRefusedInTheAddress_AndRemovedFromFormFields()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        var page = await context.NewPageAsync();
        await Browser.SignInAsync(page, Base, "Olivia Officer");

        var query = await page.GotoAsync(new Uri(Base, "/cases?stage=%00&view=team").ToString());
        Assert.That(query!.Status, Is.EqualTo(400));
        await Browser.AssertAccessibleAsync(page);
        var path = await page.GotoAsync(new Uri(Base, "/cases/KCC-SAR-2026-%07").ToString());
        Assert.That(path!.Status, Is.EqualTo(400));

        // The new-case form posted with a bell character in the requester's name: the case opens with the name cleaned.
        // Posted with a NUL, it is refused with the error page (ASP.NET Core's form reader refuses NUL), never a 500.
        var tag = Guid.NewGuid().ToString("N")[..8];
        var bell = await PostNewCaseAsync(page, $"Bell\u0007Form {tag}");
        var nul = await PostNewCaseAsync(page, $"Nul\u0000Form {tag}");

        Assert.Multiple(async () =>
        {
            Assert.That(bell, Does.StartWith("0 "), "redirected to the case (fetch shows a manual redirect as status 0)");
            Assert.That(await SealedParties.CountRequesterAsync(ServiceSetUp.Service, n => n == $"BellForm {tag}"), Is.EqualTo(1L), $"status {bell}");
            Assert.That(nul, Does.StartWith("400").And.Contain("The form could not be accepted"));
            Assert.That(await SealedParties.CountRequesterAsync(ServiceSetUp.Service, n => n.StartsWith("Nul", StringComparison.Ordinal) && n.EndsWith($"Form {tag}", StringComparison.Ordinal)), Is.Zero);
        });
        await context.DisposeAsync();
    }

    /// <summary>Posts the new-case form, as filled in, with the requester's name given; the status and the page's start.</summary>
    private static async Task<string> PostNewCaseAsync(IPage page, string requesterName)
    {
        await page.GotoAsync(new Uri(Base, "/new-case").ToString());
        await page.GetByLabel("Access: a copy of their data (Art 15)").CheckAsync();
        await page.GetByLabel("phone").CheckAsync();
        await page.GetByLabel("The requester's own").CheckAsync();
        return await page.EvaluateAsync<string>(
            """
            async (name) => {
              const form = document.querySelector('main form[method=post]');
              const body = new URLSearchParams(new FormData(form));
              body.set('RequesterName', name);
              const response = await fetch(location.href, { method: 'POST', body, redirect: 'manual' });
              return response.status + ' ' + (await response.text()).substring(0, 5000);
            }
            """,
            requesterName);
    }
}
