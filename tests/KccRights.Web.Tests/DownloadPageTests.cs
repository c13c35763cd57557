using System.Security.Cryptography;
using System.Text.RegularExpressions;
using KccRights.Disclosure.Dispatch;
using KccRights.Intake.Storage;
using KccRights.TestSupport;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 13 Build 6: the public download page of a response link, in Chromium against the running service, without
/// signing in: the code gets the PDF once; a wrong code, a used, an expired and an unknown link are answered in words;
/// axe finds nothing on any of them; every attempt is audited.
/// </summary>
[NonParallelizable]
public class DownloadPageTests
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
    public async Task TheCode_GetsThePdfOnce_AndEveryRefusalIsInWords()
    {
        var pdf = System.Text.Encoding.ASCII.GetBytes("%PDF-1.7\n% a test response\n%%EOF\n");
        var (caseId, ready) = await LinkAsync(pdf, "40172956", DateTimeOffset.UtcNow.AddDays(1));
        var (_, expired) = await LinkAsync(pdf, "40172956", DateTimeOffset.UtcNow.AddMinutes(-1));
        var page = await Browser.NewPageAsync(_browser);

        await page.GotoAsync(new Uri(Base, $"/download/{ready}").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Download your response" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Signed in as")).Not.ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        await page.GetByLabel("Security code").FillAsync("11112222");
        await page.GetByRole(AriaRole.Button, new() { Name = "Download the response" }).ClickAsync();
        await Expect(page.Locator(".govuk-error-summary")).ToContainTextAsync("You can try 4 more times");
        await Expect(page).ToHaveTitleAsync(new Regex("^Error: "));
        await Browser.AssertAccessibleAsync(page);

        await page.GetByLabel("Security code").FillAsync("4017 2956");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download the response" }).ClickAsync());
        var saved = Path.Combine(Path.GetTempPath(), $"kcc-download-{Guid.NewGuid():N}.pdf");
        await download.SaveAsAsync(saved);
        Assert.That(await File.ReadAllBytesAsync(saved), Is.EqualTo(pdf));
        File.Delete(saved);

        await page.GotoAsync(new Uri(Base, $"/download/{ready}").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link has already been used" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        await page.GotoAsync(new Uri(Base, $"/download/{expired}").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link has expired" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Security code")).Not.ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        var response = await page.GotoAsync(new Uri(Base, $"/download/{new string('x', 43)}").ToString());
        Assert.That(response!.Status, Is.EqualTo(404));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This link does not work" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(page);

        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var audit = new NpgsqlCommand(
            "SELECT string_agg(action || ':' || outcome, ',' ORDER BY id) FROM audit_events WHERE case_id = @caseId AND action LIKE 'disclosure.%' AND (detail->>'dispatchId')::bigint = (SELECT id FROM disclosure_dispatches WHERE token_hash = @hash)",
            connection);
        audit.Parameters.AddWithValue("caseId", caseId);
        audit.Parameters.AddWithValue("hash", DispatchResponseHandler.TokenHash(ready));
        Assert.That(await audit.ExecuteScalarAsync(), Is.EqualTo("disclosure.download-attempt:refused,disclosure.downloaded:allowed"), "the wrong code and the download, by ids only");
    }

    /// <summary>A sent link to <paramref name="pdf"/> on one of the demo cases, sealed with the service's own key.</summary>
    private static async Task<(long CaseId, string Token)> LinkAsync(byte[] pdf, string code, DateTimeOffset expiresAt)
    {
        var cipher = MessageCipher.FromOptions(new MessageStorageOptions(), ServiceSetUp.Service.DataDirectory);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var documentId = RandomNumberGenerator.GetInt32(1_000_000, int.MaxValue);
        await using var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString());
        await connection.OpenAsync();
        long? caseId = null;
        for (var i = 0; i < 60 && caseId is null; i++)
        {
            await using var find = new NpgsqlCommand("SELECT min(id) FROM cases", connection);
            caseId = await find.ExecuteScalarAsync() as long?;
            if (caseId is null)
            {
                await Task.Delay(500);
            }
        }

        Assert.That(caseId, Is.Not.Null, "the demo cases are opened at start");
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO disclosure_dispatches (case_id, document_id, method, sealed_copy, sha256, source_sha256, page_count, size_bytes, sealed_code, token_hash, expires_at, created_at, sent_at)
            VALUES (@caseId, @documentId, 'link', @copy, @sha, @sha, 1, @size, @code, @hash, @expires, now(), now())
            """,
            connection);
        insert.Parameters.AddWithValue("caseId", caseId!.Value);
        insert.Parameters.AddWithValue("documentId", (long)documentId);
        insert.Parameters.AddWithValue("copy", cipher.Seal(Convert.ToBase64String(pdf), DispatchResponseHandler.CopyContext(caseId.Value, documentId)));
        insert.Parameters.AddWithValue("sha", Convert.ToHexStringLower(SHA256.HashData(pdf)));
        insert.Parameters.AddWithValue("size", pdf.Length);
        insert.Parameters.AddWithValue("code", cipher.Seal(code, DispatchResponseHandler.CodeContext(caseId.Value, documentId)));
        insert.Parameters.AddWithValue("hash", DispatchResponseHandler.TokenHash(token));
        insert.Parameters.AddWithValue("expires", expiresAt);
        await insert.ExecuteNonQueryAsync();
        return (caseId.Value, token);
    }
}
