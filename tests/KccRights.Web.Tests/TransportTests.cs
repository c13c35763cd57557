using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using KccRights.TestSupport;

namespace KccRights.Web.Tests;

/// <summary>Issue 9 item 11 (Build 7) on the running (Development) service: no banner, timing only for staff, no echoed host.</summary>
public class TransportTests
{
    private static Uri Base => ServiceSetUp.Service.BaseUrl;

    [Test]
    public async Task AnonymousResponses_CarryNoServerBannerAndNoServerTiming()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Base };

        using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
        using var signIn = await http.GetAsync(new Uri("/sign-in", UriKind.Relative));
        using var cases = await http.GetAsync(new Uri("/cases", UriKind.Relative));

        Assert.Multiple(() =>
        {
            foreach (var response in new[] { health, signIn, cases })
            {
                Assert.That(response.Headers.Server, Is.Empty, $"{response.RequestMessage!.RequestUri}: no Server banner");
                Assert.That(response.Headers.Contains("Server-Timing"), Is.False, $"{response.RequestMessage!.RequestUri}: no Server-Timing for an anonymous caller");
            }
        });
    }

    [Test]
    public async Task ApiClientWithAToken_StillGetsServerTiming()
    {
        var info = Kccrights.StartInfo(["api-token", "create", "--user", "demo-auditor"], new Dictionary<string, string> { ["Storage__DataDirectory"] = ServiceSetUp.Service.DataDirectory });
        using var process = Process.Start(info)!;
        var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        using var http = new HttpClient { BaseAddress = Base };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.GetAsync(new Uri("/api/cases", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.TryGetValues("Server-Timing", out var timing) ? timing.Single() : null, Does.StartWith("app;dur="));
        });
    }

    [Test]
    public async Task OpenApiDocument_DoesNotEchoTheHostHeader()
    {
        using var http = new HttpClient { BaseAddress = Base };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/openapi.json", UriKind.Relative));
        request.Headers.Host = "evil.example";

        using var response = await http.SendAsync(request);
        var document = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "Development allows any host");
            Assert.That(document, Does.Contain("/api/cases").And.Not.Contain("evil.example"));
        });
    }
}
