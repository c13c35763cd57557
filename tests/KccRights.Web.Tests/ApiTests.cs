using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>The JSON API with per-user tokens, against the running service.</summary>
public class ApiTests
{
    private static async Task<string> CreateTokenAsync(string subject)
    {
        var (exitCode, output, error) = await RunCommandAsync("api-token", "create", "--user", subject);
        Assert.That(exitCode, Is.Zero, error);
        return output.Trim();
    }

    private static async Task<(int ExitCode, string Out, string Err)> RunCommandAsync(params string[] args)
    {
        var info = Kccrights.StartInfo(args, new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = ServiceSetUp.Service.DataDirectory,
        });
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
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
    public async Task Api_RefusedTokens_Are401WithWwwAuthenticateBearer()
    {
        var expired = await CreateTokenAsync("demo-officer");
        var revoked = await CreateTokenAsync("demo-officer");
        using var good = Client(expired);
        var beforeExpiry = await good.GetAsync(new Uri("/api/cases", UriKind.Relative));
        await using (var connection = new NpgsqlConnection(ServiceSetUp.Service.DatabaseConnectionString()))
        {
            await connection.OpenAsync();
            await using var expire = new NpgsqlCommand("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to(@token, 'UTF8'))", connection);
            expire.Parameters.AddWithValue("token", expired);
            Assert.That(await expire.ExecuteNonQueryAsync(), Is.EqualTo(1));
            await using var find = new NpgsqlCommand("SELECT id FROM api_tokens WHERE token_hash = sha256(convert_to(@token, 'UTF8'))", connection);
            find.Parameters.AddWithValue("token", revoked);
            var id = (long)(await find.ExecuteScalarAsync())!;
            var (exitCode, output, error) = await RunCommandAsync("api-token", "revoke", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.That(exitCode, Is.Zero, error + output);
        }

        var responses = new Dictionary<string, HttpResponseMessage>();
        foreach (var (name, token) in new[] { ("expired", expired), ("revoked", revoked), ("unknown", "kcc_not-a-real-token"), ("none", null) })
        {
            using var http = Client(token);
            responses[name] = await http.GetAsync(new Uri("/api/cases", UriKind.Relative));
        }

        Assert.Multiple(() =>
        {
            Assert.That(beforeExpiry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token worked before it expired");
            foreach (var (name, response) in responses)
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), name);
                Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "Bearer" }), name);
            }

            Assert.That(responses["revoked"].Headers.WwwAuthenticate.Single().Parameter, Is.EqualTo("error=\"invalid_token\""));
        });
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
