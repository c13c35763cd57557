using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace KccRights.Host.Tests.WebInput;

/// <summary>
/// The JSON API's answers to bad input, against the running service (issue 9 items 6 and 11, Build 5): RFC 9457 problem
/// details, never HTML and never a 500; assignment to case workers only; length limits; Idempotency-Key.
/// </summary>
public sealed class ApiInputTests
{
    private const string ProblemJson = "application/problem+json";

    private static string Yesterday => DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(HttpStatusCode Status, string? MediaType, JsonElement Problem)> SendAsync(HttpClient http, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        return (response.StatusCode, mediaType, mediaType == ProblemJson ? JsonDocument.Parse(body).RootElement.Clone() : default);
    }

    [TestCase("{\"right\": \"access\", \"channel\": ", "could not be read")]
    [TestCase("{\"right\": 5, \"channel\": \"phone\", \"receivedOn\": \"2026-11-02\", \"relationship\": \"self\"}", "$.right")]
    [TestCase("{\"right\": \"access\", \"channel\": \"phone\", \"receivedOn\": 20261102, \"relationship\": \"self\"}", "$.receivedOn")]
    [TestCase("{\"right\": \"access\", \"channel\": \"phone\", \"receivedOn\": \"yesterday\", \"relationship\": \"self\"}", "$.receivedOn")]
    [TestCase("{\"right\": \"access\", \"channel\": \"phone\", \"relationship\": \"self\"}", "receivedOn is required")]
    [TestCase("[1, 2, 3]", "could not be read")]
    public async Task OpenCase_WithBadJson_Is400ProblemDetails_SayingWhatWasWrong(string json, string detail)
    {
        using var api = await WebInputService.ApiAsync("demo-officer");

        var (status, mediaType, problem) = await SendAsync(api, HttpMethod.Post, "/api/cases", json);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(mediaType, Is.EqualTo(ProblemJson));
            Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(400));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(detail));
        });
    }

    [TestCase("/api/cases?limit=abc", "limit must be a whole number.")]
    [TestCase("/api/cases?offset=1e99", "offset must be a whole number.")]
    [TestCase("/api/cases?overdue=perhaps", "overdue must be true or false.")]
    public async Task ListCases_WithAQueryValueThatDoesNotParse_Is400ProblemDetails(string path, string detail)
    {
        using var api = await WebInputService.ApiAsync("demo-officer");

        var (status, mediaType, problem) = await SendAsync(api, HttpMethod.Get, path, null);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(mediaType, Is.EqualTo(ProblemJson));
            Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo(detail));
        });
    }

    [Test]
    public async Task OpenCase_WithNoBodyOrNotJson_IsAProblem_NotTheSignInPage()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");

        var empty = await SendAsync(api, HttpMethod.Post, "/api/cases", "");
        var none = await SendAsync(api, HttpMethod.Post, "/api/cases", null);
        var wrongMethod = await SendAsync(api, HttpMethod.Delete, "/api/cases", null);

        Assert.Multiple(() =>
        {
            Assert.That((empty.Status, empty.MediaType), Is.EqualTo((HttpStatusCode.BadRequest, ProblemJson)));
            Assert.That(empty.Problem.GetProperty("detail").GetString(), Is.EqualTo("The request needs a JSON body."));
            Assert.That((none.Status, none.MediaType), Is.EqualTo((HttpStatusCode.BadRequest, ProblemJson)));
            Assert.That((wrongMethod.Status, wrongMethod.MediaType), Is.EqualTo((HttpStatusCode.MethodNotAllowed, ProblemJson)));
        });
    }

    [Test]
    public async Task Api_WithoutAToken_Is401ProblemDetails_WithWwwAuthenticateBearer()
    {
        using var http = new HttpClient { BaseAddress = WebInputService.BaseUrl };

        using var response = await http.GetAsync(new Uri("/api/cases", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Does.Contain("Bearer"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(ProblemJson));
        });
    }

    [Test]
    public async Task Api_ForbiddenAndNotFound_AreProblemDetails()
    {
        using var owner = await WebInputService.ApiAsync("demo-send");
        using var officer = await WebInputService.ApiAsync("demo-officer");

        var forbidden = await SendAsync(owner, HttpMethod.Get, "/api/cases", null);
        var noCase = await SendAsync(officer, HttpMethod.Get, "/api/cases/KCC-ACC-2020-99999", null);
        var noRoute = await SendAsync(officer, HttpMethod.Get, "/api/no-such-thing", null);

        Assert.Multiple(() =>
        {
            Assert.That((forbidden.Status, forbidden.MediaType), Is.EqualTo((HttpStatusCode.Forbidden, ProblemJson)));
            Assert.That((noCase.Status, noCase.MediaType), Is.EqualTo((HttpStatusCode.NotFound, ProblemJson)));
            Assert.That((noRoute.Status, noRoute.MediaType), Is.EqualTo((HttpStatusCode.NotFound, ProblemJson)));
        });
    }

    [TestCase("nobody-at-all")]
    [TestCase("demo-auditor")]
    [TestCase("demo-early-help")]
    [TestCase("<img src=x onerror=alert(1)>")]
    [TestCase(null)]
    public async Task Assign_ToAnyoneButAnActiveCaseWorker_Is400ProblemDetails_AndChangesNothing(string? officer)
    {
        officer ??= new string('a', 5_000);
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);

        var (status, mediaType, problem) = await SendAsync(api, HttpMethod.Post, $"/api/cases/{reference}/assign", JsonSerializer.Serialize(new { officer }));
        var after = await api.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(mediaType, Is.EqualTo(ProblemJson));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("cannot be assigned cases"));
            Assert.That(after.GetProperty("case").GetProperty("assignedTo").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task Assign_ToAnActiveDpo_Works()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);

        using var response = await api.PostAsJsonAsync(new Uri($"/api/cases/{reference}/assign", UriKind.Relative), new { officer = "demo-dpo" });
        var after = await api.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(after.GetProperty("case").GetProperty("assignedTo").GetString(), Is.EqualTo("demo-dpo"));
        });
    }

    [Test]
    public async Task OpenCase_WithAnOverlongSummary_Is400WithTheLimit_AndATwentyMegabyteOneIsRefused()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var before = await PageInputTests.CaseCountAsync();

        var (status, mediaType, problem) = await SendAsync(api, HttpMethod.Post, "/api/cases", JsonSerializer.Serialize(new
        {
            right = "access", channel = "phone", receivedOn = Yesterday, relationship = "self", summary = new string('s', 10_001),
        }));
        var huge = await PageInputTests.StatusOrClosedAsync(() => api.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            right = "access", channel = "phone", receivedOn = Yesterday, relationship = "self", summary = new string('s', 20 * 1024 * 1024),
        }));

        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(mediaType, Is.EqualTo(ProblemJson));
            Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo("What they asked for must be 10,000 characters or fewer"));
            Assert.That(huge, Is.Null.Or.EqualTo(413), "refused as too large");
            Assert.That(await PageInputTests.CaseCountAsync(), Is.EqualTo(before), "no case opened");
        });
    }

    [Test]
    public async Task OpenCase_IdenticalParallelRequestsWithOneIdempotencyKey_OpenOneCase_AndAnswerAlike()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var key = Guid.NewGuid().ToString();
        var body = JsonSerializer.Serialize(new { right = "erasure", channel = "letter", receivedOn = Yesterday, requesterName = "Idempotent Requester", relationship = "self" });
        var before = await PageInputTests.CaseCountAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await api.SendAsync(request);
            return (response.StatusCode, Location: response.Headers.Location?.ToString(), Body: await response.Content.ReadAsStringAsync());
        }));
        var after = await PageInputTests.CaseCountAsync();

        using var different = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative))
        {
            Content = new StringContent(body.Replace("erasure", "objection", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        different.Headers.Add("Idempotency-Key", key);
        using var conflict = await api.SendAsync(different);

        // Another user's same key is theirs alone.
        using var dpo = await WebInputService.ApiAsync("demo-dpo");
        using var theirs = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        theirs.Headers.Add("Idempotency-Key", key);
        using var theirAnswer = await dpo.SendAsync(theirs);

        Assert.Multiple(async () =>
        {
            Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.Created));
            Assert.That(answers.Select(a => a.Body).Distinct().Count(), Is.EqualTo(1), string.Join(" | ", answers.Select(a => a.Body)));
            Assert.That(answers.Select(a => a.Location).Distinct().Count(), Is.EqualTo(1));
            Assert.That(after - before, Is.EqualTo(1), "one case for six requests");
            Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(conflict.Content.Headers.ContentType?.MediaType, Is.EqualTo(ProblemJson));
            Assert.That(await conflict.Content.ReadAsStringAsync(), Does.Contain("different request"));
            Assert.That(theirAnswer.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(await theirAnswer.Content.ReadAsStringAsync(), Is.Not.EqualTo(answers[0].Body));
        });
    }

    [Test]
    public async Task OpenCase_WithAnUnusableIdempotencyKey_Is400()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/cases", UriKind.Relative))
        {
            Content = JsonContent.Create(new { right = "access", channel = "phone", receivedOn = Yesterday, relationship = "self" }),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 300));

        using var response = await api.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
