using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Host.Tests.WebInput;

/// <summary>
/// One running service (real process, own PostgreSQL, demo users) for the web-input tests (issue 9 Build 5 and 8), kept
/// apart from the other tests' service so seeding a hundred cases for paging does not move anyone else's rows.
/// </summary>
[SetUpFixture]
public sealed class WebInputService
{
    private static string _dataDirectory = "";

    public static ServiceProcess Service { get; private set; } = null!;

    public static Uri BaseUrl => Service.BaseUrl;

    [OneTimeSetUp]
    public async Task Start()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-webinput-" + Guid.NewGuid().ToString("N")[..12]);
        Service = await ServiceProcess.StartAsync(_dataDirectory, demo: true);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await Service.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    public static async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Service.DatabaseConnectionString());
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>An API client for a demo user, with a token made by <c>kccrights api-token create</c>.</summary>
    public static async Task<HttpClient> ApiAsync(string subject)
    {
        var info = Kccrights.StartInfo(["api-token", "create", "--user", subject], new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = Service.DataDirectory,
        });
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, error);
        var http = new HttpClient { BaseAddress = BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", output.Trim());
        return http;
    }

    /// <summary>Opens a case through the API and returns its reference.</summary>
    public static async Task<string> OpenCaseAsync(HttpClient api, string requesterName = "Web Input Requester", string right = "rectification")
    {
        var created = await api.PostAsJsonAsync(new Uri("/api/cases", UriKind.Relative), new
        {
            right,
            channel = "phone",
            receivedOn = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            requesterName,
            relationship = "self",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reference").GetString()!;
    }
}

/// <summary>A browser-like session over plain HTTP: the demo sign-in's cookie, forms posted with their tokens.</summary>
internal sealed partial class StaffSession : IDisposable
{
    private readonly HttpClientHandler _handler = new() { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };

    private StaffSession() => Http = new HttpClient(_handler) { BaseAddress = WebInputService.BaseUrl };

    public HttpClient Http { get; }

    public static async Task<StaffSession> SignInAsync(string subject)
    {
        var session = new StaffSession();
        var page = await session.Http.GetStringAsync(new Uri("/sign-in", UriKind.Relative));
        using var response = await session.Http.PostAsync(new Uri("/sign-in", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Subject"] = subject,
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), $"sign-in as {subject}");
        return session;
    }

    public async Task<string> GetPageAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {path}: {body}");
        return body;
    }

    /// <summary>Posts the form whose action ends with <paramref name="handler"/>'s query, with its own tokens and the given fields.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string page, string handler, IDictionary<string, string> fields, bool withFormToken = true)
    {
        var form = Forms(page).First(f => f.Action.EndsWith("handler=" + handler, StringComparison.Ordinal));
        var values = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = AntiforgeryToken(page) };
        if (withFormToken)
        {
            values["FormToken"] = form.FormToken ?? throw new AssertionException($"The {handler} form has no FormToken");
        }

        return await Http.PostAsync(new Uri(form.Action, UriKind.Relative), new FormUrlEncodedContent(values));
    }

    /// <summary>Posts a page's only form (one with no action: it posts to the page itself).</summary>
    public async Task<HttpResponseMessage> PostPageFormAsync(string page, string path, IDictionary<string, string> fields)
    {
        var values = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["FormToken"] = FormTokenPattern().Match(page).Groups[1].Value,
        };
        return await Http.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(values));
    }

    public static IReadOnlyList<(string Action, string? FormToken)> Forms(string page) =>
        FormPattern().Matches(page).Select(m => (
            WebUtility.HtmlDecode(m.Groups["action"].Value),
            FormTokenPattern().Match(m.Groups["body"].Value) is { Success: true } token ? token.Groups[1].Value : null)).ToList();

    public static string AntiforgeryToken(string page) =>
        AntiforgeryPattern().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new AssertionException("No anti-forgery token on the page");

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    [GeneratedRegex("""<form\b[^>]*\baction="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("""name="FormToken" value="([0-9a-f-]{36})""")]
    private static partial Regex FormTokenPattern();

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)""")]
    private static partial Regex AntiforgeryPattern();
}
