using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace KccRights.Host.Tests.WebInput;

/// <summary>
/// The staff pages over HTTP against the running service (issue 9 items 6, 7, 10 and 11, Build 5 and 8): form tokens,
/// paging, assignment, lengths, task refusals, the error page, record-owners' refusals and the CSV export.
/// </summary>
public sealed partial class PageInputTests
{
    [Test]
    public async Task CasePage_EachFormHasItsOwnToken_SoAfterANoteWithdrawStillWorks()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var officer = await StaffSession.SignInAsync("demo-officer");

        var page = await officer.GetPageAsync($"/cases/{reference}");
        var tokens = StaffSession.Forms(page).Select(f => f.FormToken).OfType<string>().ToList();
        using var note = await officer.PostFormAsync(page, "Note", new Dictionary<string, string> { ["NoteBody"] = "Rang the requester" });
        using var withdraw = await officer.PostFormAsync(page, "Withdrawn", new Dictionary<string, string>());
        var after = await api.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(tokens, Has.Count.GreaterThanOrEqualTo(4));
            Assert.That(tokens, Is.Unique, "one token per form");
            Assert.That(note.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(withdraw.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(after.GetProperty("case").GetProperty("state").GetString(), Is.EqualTo("withdrawn"));
            Assert.That(await officer.GetPageAsync($"/cases/{reference}"), Does.Contain("Rang the requester"));
        });
    }

    [Test]
    public async Task CasePage_AFormPostedWithoutItsToken_IsRefused_AndDoesNothing()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var officer = await StaffSession.SignInAsync("demo-officer");
        var page = await officer.GetPageAsync($"/cases/{reference}");

        // Twice: before, the first claimed the all-zero token and every later one silently did nothing.
        using var first = await officer.PostFormAsync(page, "Note", new Dictionary<string, string> { ["NoteBody"] = "Tokenless one" }, withFormToken: false);
        using var second = await officer.PostFormAsync(page, "Note", new Dictionary<string, string> { ["NoteBody"] = "Tokenless two", ["FormToken"] = Guid.Empty.ToString() }, withFormToken: false);
        var after = await officer.GetPageAsync($"/cases/{reference}");

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await first.Content.ReadAsStringAsync(), Does.Contain("The form could not be accepted"));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(after, Does.Not.Contain("Tokenless"));
        });
    }

    [Test]
    public async Task CasesQueue_Pages2And3ShowTheirOwnRows_AndNextOnPage2PointsToPage3()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        await using (var db = await WebInputService.OpenDatabaseAsync())
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM cases WHERE status = 'open'", db))
        {
            var open = (long)(await count.ExecuteScalarAsync())!;
            var needed = (int)Math.Max(0, 2 * 50 + 10 - open);
            for (var i = 0; i < needed; i += 5)
            {
                await Task.WhenAll(Enumerable.Range(i, Math.Min(5, needed - i)).Select(n => WebInputService.OpenCaseAsync(api, $"Paging Requester {n}")));
            }
        }

        using var officer = await StaffSession.SignInAsync("demo-officer");
        var one = await officer.GetPageAsync("/cases?page=1");
        var two = await officer.GetPageAsync("/cases?page=2");
        var three = await officer.GetPageAsync("/cases?page=3");
        var (rows1, rows2, rows3) = (References(one), References(two), References(three));

        Assert.Multiple(() =>
        {
            Assert.That(rows1, Has.Count.EqualTo(50));
            Assert.That(rows2, Has.Count.EqualTo(50));
            Assert.That(rows3, Is.Not.Empty);
            Assert.That(rows2, Has.No.AnyOf(rows1.ToArray()), "page 2 is not page 1");
            Assert.That(rows3, Has.No.AnyOf(rows1.Concat(rows2).ToArray()), "page 3 is neither");
            Assert.That(NextLink().Match(two).Groups[1].Value, Does.EndWith("page=3"));
            Assert.That(PreviousLink().Match(three).Groups[1].Value, Does.EndWith("page=2"));
        });
    }

    [TestCase("nobody-at-all")]
    [TestCase("demo-auditor")]
    [TestCase("demo-send")]
    [TestCase("<script>alert(1)</script>")]
    public async Task AssignForm_RefusesAnyoneButAnActiveCaseWorker_WithAMessage(string officerValue)
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var officer = await StaffSession.SignInAsync("demo-officer");
        var page = await officer.GetPageAsync($"/cases/{reference}");

        using var response = await officer.PostFormAsync(page, "Assign", new Dictionary<string, string> { ["Officer"] = officerValue });
        var body = await response.Content.ReadAsStringAsync();
        var after = await api.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the page again, with the error");
            Assert.That(body, Does.Contain("that person cannot be assigned cases"));
            Assert.That(body, Does.Not.Contain("<script>alert(1)</script>"));
            Assert.That(after.GetProperty("case").GetProperty("assignedTo").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task AssignForm_ToAnotherOfficer_Works()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var officer = await StaffSession.SignInAsync("demo-officer");
        var page = await officer.GetPageAsync($"/cases/{reference}");

        using var response = await officer.PostFormAsync(page, "Assign", new Dictionary<string, string> { ["Officer"] = "demo-officer-2" });
        var after = await api.GetFromJsonAsync<JsonElement>(new Uri($"/api/cases/{reference}", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(after.GetProperty("case").GetProperty("assignedTo").GetString(), Is.EqualTo("demo-officer-2"));
        });
    }

    [Test]
    public async Task NoteForm_OverItsLimit_IsRefusedWithAClearMessage()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var officer = await StaffSession.SignInAsync("demo-officer");
        var page = await officer.GetPageAsync($"/cases/{reference}");

        using var response = await officer.PostFormAsync(page, "Note", new Dictionary<string, string> { ["NoteBody"] = "Long note " + new string('x', 10_000) });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Does.Contain("The note must be 10,000 characters or fewer"));
            Assert.That(await officer.GetPageAsync($"/cases/{reference}"), Does.Not.Contain("Long note"));
        });
    }

    [Test]
    public async Task NewCaseForm_WithOverlongFields_IsRefusedWithAMessageForEach_AndATwentyMegabyteSummaryIsRefused()
    {
        using var officer = await StaffSession.SignInAsync("demo-officer");
        var page = await officer.GetPageAsync("/new-case");
        var received = DateTime.UtcNow.AddDays(-1);
        var fields = new Dictionary<string, string>
        {
            ["RightId"] = "access",
            ["Channel"] = "letter",
            ["Received.Day"] = received.Day.ToString(),
            ["Received.Month"] = received.Month.ToString(),
            ["Received.Year"] = received.Year.ToString(),
            ["Relationship"] = "self",
            ["RequesterName"] = new string('n', 201),
            ["Summary"] = new string('s', 10_001),
        };

        var before = await CaseCountAsync();
        using var tooLong = await officer.PostPageFormAsync(page, "/new-case", fields);
        var body = await tooLong.Content.ReadAsStringAsync();
        fields["RequesterName"] = "Huge Summary Requester";
        fields["Summary"] = new string('s', 20 * 1024 * 1024);
        var huge = await StatusOrClosedAsync(() => officer.PostPageFormAsync(page, "/new-case", fields));

        Assert.Multiple(async () =>
        {
            Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Does.Contain("The requester&#x27;s name must be 200 characters or fewer"));
            Assert.That(body, Does.Contain("What they asked for must be 10,000 characters or fewer"));
            Assert.That(huge, Is.Null.Or.InRange(400, 499), "refused, not a 500");
            Assert.That(await CaseCountAsync(), Is.EqualTo(before), "no case opened");
        });
    }

    [Test]
    public async Task TaskAction_BySomeoneWhoMaySeeButNotDoIt_Is403WithTheReason()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        long taskId;
        await using (var db = await WebInputService.OpenDatabaseAsync())
        await using (var query = new NpgsqlCommand("SELECT t.id FROM workflow_tasks t JOIN cases c ON c.id = t.case_id WHERE c.reference = @r AND t.status = 'open' ORDER BY t.id LIMIT 1", db))
        {
            query.Parameters.AddWithValue("r", reference);
            taskId = (long)(await query.ExecuteScalarAsync())!;
        }

        using var auditor = await StaffSession.SignInAsync("demo-auditor");
        var antiforgery = StaffSession.AntiforgeryToken(await auditor.GetPageAsync("/sign-in"));

        using var response = await auditor.Http.PostAsync(new Uri($"/tasks/{taskId}?handler=ClaimTask", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["FormToken"] = Guid.NewGuid().ToString(),
            ["__RequestVerificationToken"] = antiforgery,
        }));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("This task is not for your role or team."));
        });
    }

    [Test]
    public async Task CaseAction_ByAnAuditor_Is403WithTheReason_AndChangesNothing()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var auditor = await StaffSession.SignInAsync("demo-auditor");
        var antiforgery = StaffSession.AntiforgeryToken(await auditor.GetPageAsync("/sign-in"));

        using var response = await auditor.Http.PostAsync(new Uri($"/cases/{reference}?handler=Note", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["NoteBody"] = "Auditor's note",
            ["FormToken"] = Guid.NewGuid().ToString(),
            ["__RequestVerificationToken"] = antiforgery,
        }));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Your role cannot change cases.").And.Not.Contain("Auditor&#x27;s note</"));
        });
    }

    [TestCase("/error/-5", HttpStatusCode.NotFound)]
    [TestCase("/error/200", HttpStatusCode.NotFound)]
    [TestCase("/error/302", HttpStatusCode.NotFound)]
    [TestCase("/error/404", HttpStatusCode.NotFound)]
    [TestCase("/error/403", HttpStatusCode.Forbidden)]
    [TestCase("/error/503", HttpStatusCode.ServiceUnavailable)]
    public async Task ErrorPage_AnswersOnlyErrorStatuses(string path, HttpStatusCode expected)
    {
        using var officer = await StaffSession.SignInAsync("demo-officer");

        using var response = await officer.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(expected));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("govuk-heading-l"));
        });
    }

    [Test]
    public async Task RecordOwner_GetsTheSameAnswerForACaseThatExistsAndOneThatDoesNot()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var owner = await StaffSession.SignInAsync("demo-send");

        using var exists = await owner.Http.GetAsync(new Uri($"/cases/{reference}", UriKind.Relative));
        using var missing = await owner.Http.GetAsync(new Uri("/cases/KCC-ACC-2020-99999", UriKind.Relative));
        using var existsMessage = await owner.Http.GetAsync(new Uri($"/cases/{reference}/messages/1", UriKind.Relative));
        using var missingMessage = await owner.Http.GetAsync(new Uri("/cases/KCC-ACC-2020-99999/messages/1", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(missing.StatusCode, Is.EqualTo(exists.StatusCode));
            Assert.That(missing.Headers.Location, Is.EqualTo(exists.Headers.Location));
            Assert.That(missingMessage.StatusCode, Is.EqualTo(existsMessage.StatusCode));
            Assert.That(missingMessage.Headers.Location, Is.EqualTo(existsMessage.Headers.Location));
        });
    }

    [Test]
    public async Task CsvExport_DisarmsACellStartingWithATab()
    {
        // The export names the officer (issue 14): a display name that starts with a tab and a formula is disarmed.
        const string subject = "\t=HYPERLINK(\"http://x\")";
        await using (var db = await WebInputService.OpenDatabaseAsync())
        await using (var insert = new NpgsqlCommand("INSERT INTO staff_users (subject, display_name, email, role) VALUES (@s, @s, 'tab@example.kent.gov.uk', 'officer') ON CONFLICT (subject) DO NOTHING", db))
        {
            insert.Parameters.AddWithValue("s", subject);
            await insert.ExecuteNonQueryAsync();
        }

        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        using var assign = await api.PostAsJsonAsync(new Uri($"/api/cases/{reference}/assign", UriKind.Relative), new { officer = subject });
        Assert.That(assign.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await assign.Content.ReadAsStringAsync());
        using var officer = await StaffSession.SignInAsync("demo-officer");

        var csv = await officer.GetPageAsync("/cases?view=team&handler=Export");
        var row = csv.Split('\n').Single(l => l.StartsWith(reference, StringComparison.Ordinal));

        Assert.That(row, Does.EndWith(",\"'\t=HYPERLINK(\"\"http://x\"\")\""));
    }

    /// <summary>The status, or null when the server closed the connection on a body over its limit before answering.</summary>
    internal static async Task<int?> StatusOrClosedAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            using var response = await send();
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>All cases: the tests of this service run one at a time, so a difference is the test's own.</summary>
    internal static async Task<long> CaseCountAsync()
    {
        await using var db = await WebInputService.OpenDatabaseAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM cases", db);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static List<string> References(string page) => CaseLink().Matches(page).Select(m => m.Groups[1].Value).Distinct().ToList();

    [GeneratedRegex("""<a class="govuk-link[^"]*" href="/cases/(KCC-[A-Z]+-\d{4}-\d+)">""")]
    private static partial Regex CaseLink();

    [GeneratedRegex("""href="([^"]*)" rel="next""")]
    private static partial Regex NextLink();

    [GeneratedRegex("""href="([^"]*)" rel="prev""")]
    private static partial Regex PreviousLink();
}
