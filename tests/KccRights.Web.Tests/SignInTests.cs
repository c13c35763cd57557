using System.Text.RegularExpressions;
using KccRights.TestSupport;
using Microsoft.Playwright;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 9, Build 10: the production sign-in (OpenID Connect, as with Entra ID) driven in the browser against a real
/// provider on loopback: code flow with PKCE and nonce; a person is let in only when their <c>oid</c> is an active member
/// of staff and the token is for this service. The service runs in Development only because the test speaks plain HTTP
/// with no TLS proxy (Production's always-Secure anti-forgery cookie refuses that); with OpenID Connect configured the
/// challenge, callback and staff lookup are Production's, and the demo users are not seeded.
/// </summary>
[NonParallelizable]
public class SignInTests
{
    private OidcProvider _provider = null!;
    private ServiceProcess _service = null!;
    private string _dataDirectory = "";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _provider = await OidcProvider.StartAsync();
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-oidc-" + Guid.NewGuid().ToString("N")[..12]);
        _service = await ServiceProcess.StartAsync(_dataDirectory, demo: false, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Authentication__Oidc__Authority"] = _provider.Authority.ToString(),
            ["Authentication__Oidc__ClientId"] = OidcProvider.ClientId,
            ["Authentication__Oidc__RequireHttpsMetadata"] = "false",
            ["Authentication__Session__RevalidateSeconds"] = "0",
        });
        _provider.RedirectUri = new Uri(_service.BaseUrl, "/signin-oidc").ToString();
        await using var connection = new NpgsqlConnection(_service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO staff_users (subject, display_name, email, role, active) VALUES
                ('oid-olivia', 'Olivia Oidc', 'olivia@example.kent.gov.uk', 'officer', true),
                ('oid-gone', 'Gone Officer', 'gone@example.kent.gov.uk', 'officer', false)
            """, connection);
        await insert.ExecuteNonQueryAsync();
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _service.DisposeAsync();
        await _provider.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task ActiveStaff_SignsInThroughTheProvider_WithPkceAndNonce()
    {
        _provider.NextOid = "oid-olivia";
        _provider.NextAudience = null;
        var page = await NewPageAsync();

        await page.GotoAsync(new Uri(_service.BaseUrl, "/cases").ToString());

        await Assertions.Expect(page.GetByText("Signed in as Olivia Oidc (officer)")).ToBeVisibleAsync();
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/cases"));
        var request = _provider.AuthorizationRequests.Last();
        Assert.Multiple(() =>
        {
            Assert.That(request.ResponseType, Is.EqualTo("code"));
            Assert.That(request.CodeChallengeMethod, Is.EqualTo("S256"));
            Assert.That(request.CodeChallenge, Is.Not.Empty);
            Assert.That(request.Nonce, Is.Not.Empty);
            Assert.That(request.RedirectUri, Is.EqualTo(_provider.RedirectUri));
        });
    }

    [Test]
    public async Task SigningOut_EndsOnTheSignedOutPage_AndTheNextVisitAsksTheProviderAgain()
    {
        _provider.NextOid = "oid-olivia";
        _provider.NextAudience = null;
        var page = await NewPageAsync();
        await page.GotoAsync(new Uri(_service.BaseUrl, "/cases").ToString());
        await Assertions.Expect(page.GetByText("Signed in as Olivia Oidc (officer)")).ToBeVisibleAsync();
        var asked = _provider.AuthorizationRequests.Count;

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signed-out$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You have signed out" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in again" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Signed in as Olivia Oidc (officer)")).ToBeVisibleAsync();
        Assert.That(_provider.AuthorizationRequests, Has.Count.EqualTo(asked + 1), "signing in again went to the provider");
    }

    [TestCase("oid-nobody", null, TestName = "UnknownOid_IsRefused")]
    [TestCase("oid-gone", null, TestName = "DeactivatedStaff_IsRefused")]
    [TestCase("oid-olivia", "another-application", TestName = "TokenForAnotherAudience_IsRefused")]
    public async Task Refused_SignInEndsOnTheAccessPage_WithNoSession(string oid, string? audience)
    {
        _provider.NextOid = oid;
        _provider.NextAudience = audience;
        var page = await NewPageAsync();

        await page.GotoAsync(new Uri(_service.BaseUrl, "/cases").ToString());

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/error/403$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You do not have access to this page" })).ToBeVisibleAsync();
        Assert.That((await page.Context.CookiesAsync()).Select(c => c.Name), Has.No.Member("kcc.session"));
        Assert.That(_provider.AuthorizationRequests.Last().Nonce, Is.Not.Empty, "the provider was asked");
    }

    private Task<IPage> NewPageAsync() => Browser.NewPageAsync(_browser);
}
