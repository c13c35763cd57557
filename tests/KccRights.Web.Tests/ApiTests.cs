using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KccRights.TestSupport;

namespace KccRights.Web.Tests;

/// <summary>The JSON API with per-user tokens, against the running service.</summary>
public class ApiTests
{
    private static async Task<string> CreateTokenAsync(string subject)
    {
        var info = Kccrights.StartInfo(["api-token", "create", "--user", subject], new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = ServiceSetUp.Service.DataDirectory,
        });
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, error);
        return output.Trim();
    }

    private static HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = ServiceSetUp.Service.BaseUrl };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    [Test]
    public async Task Api_WithoutAToken_IsUnauthorised()
    {
        using var http = Client(null);

        var response = await http.GetAsync(new Uri("/api/cases", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Api_WithAWrongToken_IsUnauthorised()
    {
        using var http = Client("kcc_not-a-real-token");

        var response = await http.GetAsync(new Uri("/api/cases", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Api_OfficerToken_OpensACaseByHand_ItsWorkflowKeepsTheClock_AndWithdrawalGoesThroughIt()
    {
        using var http = Client(await CreateTokenAsync("demo-officer"));

        var created = await http.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            right = "rectification",
            channel = "phone",
            receivedOn = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            requesterName = "Api Requester",
            relationship = "self",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var reference = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString();
        Assert.That(reference, Does.StartWith("KCC-REC-"));

        // The case runs its right's workflow, which pauses the clock itself when triage asks for clarification: a direct
        // pause is refused, with the reason, and nothing changes.
        var pause = await http.PostAsJsonAsync(new Uri($"/api/cases/{reference}/pause", UriKind.Relative), new
        {
            from = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            reason = "Which records?",
        });
        var afterPause = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        // A withdrawal goes through the workflow, as the case page's button does: it moves to its withdrawn state.
        var withdraw = await http.PostAsJsonAsync(new Uri($"/api/cases/{reference}/withdraw", UriKind.Relative), new { });
        var afterWithdraw = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(pause.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(await pause.Content.ReadAsStringAsync(), Does.Contain("triage task"));
            Assert.That(afterPause.GetProperty("case").GetProperty("paused").GetBoolean(), Is.False);
            Assert.That(withdraw.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await withdraw.Content.ReadAsStringAsync());
            Assert.That(afterWithdraw.GetProperty("case").GetProperty("state").GetString(), Is.EqualTo("withdrawn"));
        });
    }

    [Test]
    public async Task Api_WithAnUnknownRight_IsABadRequestWithAMessage()
    {
        using var http = Client(await CreateTokenAsync("demo-officer"));

        var response = await http.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new { right = "teleportation", channel = "phone", receivedOn = "2026-11-02", relationship = "self" });

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Unknown right"));
        });
    }

    [Test]
    public async Task Api_RecordOwnerToken_MayNotListOrChangeCases()
    {
        using var http = Client(await CreateTokenAsync("demo-send"));

        var list = await http.GetAsync(new Uri("/api/cases", UriKind.Relative));
        var create = await http.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new { right = "access", channel = "phone", receivedOn = "2026-11-02" });

        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task OpenApiDocument_DescribesTheCaseOperations()
    {
        using var http = Client(null);

        var document = await http.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative));

        Assert.That(document, Does.Contain("/api/cases/{reference}/pause").And.Contain("/api/backlog"));
    }
}
