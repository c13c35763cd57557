using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace KccRights.Host.Tests.WebInput;

/// <summary>
/// Issue 14 item 8: every error status the API answers - 401, 403, 404, 409, 422 and 500 - is an RFC 9457 problem
/// (<c>application/problem+json</c> with type, title and status), each brought about on a real route of the running
/// service, and the OpenAPI document lists that status as a problem for that operation.
/// </summary>
public sealed partial class ApiProblemTests
{
    private const string ProblemJson = "application/problem+json";

    private static string Day(int offset) => DateTime.UtcNow.AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(409)]
    [TestCase(422)]
    [TestCase(500)]
    public async Task EachErrorStatus_IsProblemJson_WithTypeTitleAndStatus_AndTheOpenApiDocumentSaysSo(int status)
    {
        var (response, method, operation) = await BringAboutAsync(status);
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var problem = mediaType == ProblemJson ? JsonDocument.Parse(body).RootElement : default;
            var declared = await DeclaredProblemAsync(operation, method, status);

            Assert.Multiple(() =>
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
                Assert.That(mediaType, Is.EqualTo(ProblemJson), body);
                if (mediaType == ProblemJson)
                {
                    Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(status), body);
                    Assert.That(Uri.TryCreate(problem.GetProperty("type").GetString(), UriKind.Absolute, out _), Is.True, "type is a URI: " + body);
                    Assert.That(problem.GetProperty("title").GetString(), Is.Not.Null.And.Not.Empty, body);
                    Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Null.And.Not.Empty, body);
                }

                Assert.That(declared, Is.True, $"the OpenAPI document lists {status} as {ProblemJson} for {method} {operation}");
            });
        }
    }

    [Test]
    public async Task OpenApiDocument_ListsTheProblemsEveryOperationCanAnswer()
    {
        using var http = new HttpClient { BaseAddress = WebInputService.BaseUrl };
        var document = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/openapi.json", UriKind.Relative));
        var operations = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (Path: p.Name, Method: m.Name, Responses: m.Value.GetProperty("responses"))))
            .ToList();

        static bool Problem(JsonElement responses, int status) =>
            responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
            && response.TryGetProperty("content", out var content)
            && content.TryGetProperty(ProblemJson, out _);

        Assert.Multiple(() =>
        {
            Assert.That(operations, Has.Count.GreaterThanOrEqualTo(9), "the case operations and the backlog");
            foreach (var (path, method, responses) in operations)
            {
                foreach (var status in new[] { 400, 401, 403, 500 })
                {
                    Assert.That(Problem(responses, status), Is.True, $"{method} {path} lists {status} as {ProblemJson}");
                }

                var byReference = path.Contains("{reference}", StringComparison.Ordinal);
                Assert.That(Problem(responses, 404), Is.EqualTo(byReference), $"{method} {path}: 404 exactly when it names a case");
                Assert.That(Problem(responses, 409), Is.EqualTo(byReference && method == "post"), $"{method} {path}: 409 exactly for a step on a case");
            }

            Assert.That(operations.Where(o => Problem(o.Responses, 422)).Select(o => $"{o.Method} {o.Path}"), Does.Contain("post /api/cases"));
        });
    }

    /// <summary>Makes the service answer <paramref name="status"/> on a real route; returns the answer and the operation it came from.</summary>
    private static async Task<(HttpResponseMessage Response, string Method, string Operation)> BringAboutAsync(int status)
    {
        switch (status)
        {
            case 401:
            {
                // No token at all.
                using var anonymous = new HttpClient { BaseAddress = WebInputService.BaseUrl };
                return (await anonymous.GetAsync(new Uri("/api/cases", UriKind.Relative)), "get", "/api/cases");
            }

            case 403:
            {
                // An officer's valid token on the DPO's backlog: authenticated, but not the role.
                using var officer = await WebInputService.ApiAsync("demo-officer");
                return (await officer.GetAsync(new Uri("/api/backlog", UriKind.Relative)), "get", "/api/backlog");
            }

            case 404:
            {
                using var officer = await WebInputService.ApiAsync("demo-officer");
                return (await officer.GetAsync(new Uri("/api/cases/KCC-ACC-2020-99999", UriKind.Relative)), "get", "/api/cases/{reference}");
            }

            case 409:
            {
                // A withdrawn case is closed: assigning it conflicts with its state.
                using var officer = await WebInputService.ApiAsync("demo-officer");
                var reference = await WebInputService.OpenCaseAsync(officer, "Conflict Requester");
                using var withdrawn = await officer.PostAsJsonAsync(new Uri($"/api/cases/{reference}/withdraw", UriKind.Relative), new { });
                Assert.That(withdrawn.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await withdrawn.Content.ReadAsStringAsync());

                // The workflow closes the case as it enters its withdrawn state, just after the answer.
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while ((await officer.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative))).GetProperty("case").GetProperty("status").GetString() != "closed")
                {
                    Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the withdrawn case closes");
                    await Task.Delay(100);
                }

                return (await officer.PostAsJsonAsync(new Uri($"/api/cases/{reference}/assign", UriKind.Relative), new { officer = "demo-officer" }), "post", "/api/cases/{reference}/assign");
            }

            case 422:
            {
                // Well-formed, but the law's clock cannot start tomorrow.
                using var officer = await WebInputService.ApiAsync("demo-officer");
                return (await officer.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
                {
                    right = "access",
                    channel = "letter",
                    receivedOn = Day(2),
                    relationship = "self",
                }), "post", "/api/cases");
            }

            case 500:
                return await FailingAssignmentAsync();

            default:
                throw new ArgumentOutOfRangeException(nameof(status));
        }
    }

    /// <summary>
    /// A failure the service did not foresee: a trigger makes the database refuse any change to one case's row, so its
    /// assignment throws out of the handler. The trigger touches only that case and is gone before the assertions.
    /// </summary>
    private static async Task<(HttpResponseMessage Response, string Method, string Operation)> FailingAssignmentAsync()
    {
        using var officer = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(officer, "Failure Requester");
        Assert.That(reference, Does.Match(ReferencePattern()), "a reference safe to put in the trigger's condition");
        var trigger = "test_api_failure_" + Guid.NewGuid().ToString("N")[..8];
        await using var database = await WebInputService.OpenDatabaseAsync();
        await ExecuteAsync(database, $"""
            CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by ApiProblemTests'; END $$;
            CREATE TRIGGER {trigger} BEFORE UPDATE ON cases FOR EACH ROW WHEN (OLD.reference = '{reference}') EXECUTE FUNCTION {trigger}();
            """);
        HttpResponseMessage response;
        try
        {
            response = await officer.PostAsJsonAsync(new Uri($"/api/cases/{reference}/assign", UriKind.Relative), new { officer = "demo-officer" });
        }
        finally
        {
            await ExecuteAsync(database, $"DROP TRIGGER {trigger} ON cases; DROP FUNCTION {trigger}();");
        }

        // Nothing was half-saved: the assignment's audit entry went with it.
        var after = await officer.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));
        Assert.That(after.GetProperty("case").GetProperty("assignedTo").ValueKind, Is.EqualTo(JsonValueKind.Null));
        return (response, "post", "/api/cases/{reference}/assign");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Whether the OpenAPI document lists <paramref name="status"/> as application/problem+json for the operation.</summary>
    private static async Task<bool> DeclaredProblemAsync(string path, string method, int status)
    {
        using var http = new HttpClient { BaseAddress = WebInputService.BaseUrl };
        var document = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/openapi.json", UriKind.Relative));
        return document.GetProperty("paths").TryGetProperty(path, out var operations)
            && operations.TryGetProperty(method, out var operation)
            && operation.GetProperty("responses").TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
            && response.TryGetProperty("content", out var content)
            && content.TryGetProperty(ProblemJson, out _);
    }

    [GeneratedRegex("^KCC-[A-Z]{3}-[0-9]{4}-[0-9]+$")]
    private static partial Regex ReferencePattern();
}
