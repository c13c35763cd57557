using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 9 items 3 and 4 (Build 3): a session follows the staff table. Each test signs in its own member of staff, made
/// for it by SQL through the test's connection to the service's database (the service has no staff admin page), and
/// changes that row by SQL as an administrator would, while the browser's session goes on.
/// </summary>
[NonParallelizable]
public partial class SessionTests
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
    public async Task DeactivatedUser_IsRefusedOnTheirNextRequest_AndSentToSignIn()
    {
        var (subject, name) = await NewStaffAsync("officer");
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, name);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/cases"));
        await Assertions.Expect(page.GetByText($"Signed in as {name}")).ToBeVisibleAsync();

        // Another session (an administrator's, here SQL) deactivates them.
        await ExecuteAsync("UPDATE staff_users SET active = false WHERE subject = @subject", subject);

        var response = await page.GotoAsync(new Uri(Base, "/cases").ToString());

        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/sign-in"), "the next request was refused and sent to sign in");
        Assert.That(response!.Status, Is.EqualTo(200));
        Assert.That(await page.GetByText($"Signed in as {name}").CountAsync(), Is.Zero);
        var cookies = await page.Context.CookiesAsync();
        Assert.That(cookies.Select(c => c.Name), Has.No.Member("kcc.session"), "the refused cookie was removed");
    }

    [Test]
    public async Task UserDowngradedToAuditor_CanNoLongerAddNotes()
    {
        var (subject, name) = await NewStaffAsync("officer");
        var reference = await ScalarAsync<string>("SELECT reference FROM cases ORDER BY id LIMIT 1", subject);
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, name);
        await page.GotoAsync(new Uri(Base, $"/cases/{reference}").ToString());
        await page.GetByText("Add a note").ClickAsync();
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("Before the downgrade");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Before the downgrade").First).ToBeVisibleAsync();

        // The page is still open with the officer's form on it when the role changes.
        await page.GetByText("Add a note").ClickAsync();
        await page.GetByLabel("Note", new() { Exact = true }).FillAsync("After the downgrade");
        await ExecuteAsync("UPDATE staff_users SET role = 'auditor' WHERE subject = @subject", subject);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sign-in"));

        // Signed in again, they are what the table says: an auditor.
        await Browser.SignInAsync(page, Base, name);
        await Assertions.Expect(page.GetByText($"Signed in as {name} (auditor)")).ToBeVisibleAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await ScalarAsync<long>("SELECT count(*) FROM case_notes WHERE body = 'Before the downgrade'", subject), Is.EqualTo(1));
            Assert.That(await ScalarAsync<long>("SELECT count(*) FROM case_notes WHERE body = 'After the downgrade'", subject), Is.Zero, "the note posted after the downgrade was refused");
        });
    }

    [Test]
    public async Task SignOutButton_SignsOut_AndTheOldCookieReplayedIsRefused()
    {
        var (_, name) = await NewStaffAsync("officer");
        var page = await NewPageAsync();
        await Browser.SignInAsync(page, Base, name);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/cases"));
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "kcc.session").Value;

        // The cookie, copied, works from anywhere while the session lasts.
        Assert.That(await StatusWithCookieAsync(session), Is.EqualTo(HttpStatusCode.OK), "the copied cookie loads /cases before sign-out");

        var signOut = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync(),
            r => r.Url.EndsWith("/sign-out", StringComparison.Ordinal) && r.Request.Method == "POST");

        Assert.That(signOut.Status, Is.EqualTo(302), "the sign-out form posts with its anti-forgery token (it was a 400)");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/sign-in"));
        await page.GotoAsync(new Uri(Base, "/cases").ToString());
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/sign-in"), "the browser is signed out");
        Assert.That(await StatusWithCookieAsync(session), Is.EqualTo(HttpStatusCode.Redirect), "the old cookie replayed after sign-out is refused");
    }

    private Task<IPage> NewPageAsync() => Browser.NewPageAsync(_browser);

    /// <summary>A new active member of staff, shown on the demo sign-in page as "name, role".</summary>
    private static async Task<(string Subject, string Name)> NewStaffAsync(string role)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var subject = $"session-test-{id}";
        var name = $"Session Tester {id}";
        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO staff_users (subject, display_name, email, role) VALUES (@subject, @name, @subject || '@example.kent.gov.uk', @role)", connection);
        insert.Parameters.AddWithValue("subject", subject);
        insert.Parameters.AddWithValue("name", name);
        insert.Parameters.AddWithValue("role", role);
        await insert.ExecuteNonQueryAsync();
        return (subject, name);
    }

    private static async Task ExecuteAsync(string sql, string subject)
    {
        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("subject", subject);
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    private static async Task<T> ScalarAsync<T>(string sql, string subject)
    {
        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("subject", subject);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>GET /cases with only the given session cookie, redirects not followed.</summary>
    private static async Task<HttpStatusCode> StatusWithCookieAsync(string session)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = Base };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/cases", UriKind.Relative));
        request.Headers.Add("Cookie", $"kcc.session={session}");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
