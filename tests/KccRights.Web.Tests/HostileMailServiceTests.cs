using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KccRights.Domain.Text;
using KccRights.TestSupport;
using Microsoft.Playwright;
using MimeKit;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// Issue 9's done-when, against the RUNNING service: the hostile-input corpus (Intake.Tests' Fixtures/hostile, and a
/// 10 MB HTML message made here) goes through the real Postfix and Dovecot into <c>kccrights serve</c> with its own
/// PostgreSQL. Every message is stored and ends as a case or an open triage item an officer sees at /triage, none
/// blocks the next (an ordinary request sent right after the corpus becomes a case and is acknowledged), each is
/// processed within a fixed budget (the figures are printed), and /health reports no skipped message and no failure.
/// </summary>
[NonParallelizable]
public partial class HostileMailServiceTests
{
    private const string Mailbox = "data.protection@kent.gov.uk";
    private const string Requester = "d.okafor@example.com";

    /// <summary>The most one message may take to process (classify and act), on a shared two-core machine.</summary>
    private static readonly TimeSpan PerMessageBudget = TimeSpan.FromSeconds(10);

    /// <summary>The most the whole corpus may take to be stored and processed.</summary>
    private static readonly TimeSpan CorpusTimeout = TimeSpan.FromMinutes(5);

    private MailServers _mail = null!;
    private ServiceProcess _service = null!;
    private string _dataDirectory = "";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "hostile");

    [OneTimeSetUp]
    public async Task StartServers()
    {
        // Every sender the corpus names gets a mailbox, so the acknowledgements the service sends are delivered, not bounced.
        _mail = await MailServers.StartAsync(new[] { Mailbox, Requester, TenMegabyteSender }.Concat(CorpusSenders()).Distinct(StringComparer.OrdinalIgnoreCase));
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-hostile-" + Guid.NewGuid().ToString("N")[..12]);
        _service = await ServiceProcess.StartAsync(_dataDirectory, environment: new Dictionary<string, string>
        {
            ["Intake__Mailbox__Host"] = MailServers.Host,
            ["Intake__Mailbox__Port"] = _mail.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["Intake__Mailbox__Tls"] = "None",
            ["Intake__Mailbox__Username"] = Mailbox,
            ["Intake__Mailbox__Password"] = MailServers.Password,
            ["Intake__Smtp__Host"] = MailServers.Host,
            ["Intake__Smtp__Port"] = _mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Intake__Smtp__Tls"] = "None",

            // Only this test's mail: no demonstration cases opened from example emails (they would be stored and answered too).
            ["Demo__Requests"] = "false",
        });
        (_playwright, _browser) = await Browser.LaunchAsync();
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _service.DisposeAsync();
        await _mail.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task HostileCorpus_ThroughTheRunningService_EveryMessageACaseOrAVisibleTriageItem_NoneBlocksTheNext_EachWithinItsBudget()
    {
        var files = Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).ToList();
        Assert.That(files, Has.Count.GreaterThanOrEqualTo(30), "the corpus has at least 30 messages");
        var corpus = files.Select(File.ReadAllBytes).Append(TenMegabyteHtmlMessage()).ToList();

        // An ordinary request, sent right after the corpus, under a Message-ID of its own.
        var ordinaryId = $"ordinary-{Guid.NewGuid():N}@example.com";
        var ordinary = Encoding.UTF8.GetBytes(Regex.Replace(
            await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "emails", "01-adult-own-records.eml")),
            "^Message-ID: .*$", $"Message-ID: <{ordinaryId}>", RegexOptions.Multiline | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)));
        var delivered = corpus.Append(ordinary).ToList();

        foreach (var raw in corpus)
        {
            await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, "sender@test.invalid", Mailbox, raw);
        }

        await RawSmtp.SendAsync(MailServers.Host, _mail.SmtpPort, Requester, Mailbox, ordinary);

        // None blocks the next: the ordinary request becomes a case and is acknowledged, by email, by the service's workers.
        var reference = await WaitForAsync(
            $"SELECT c.reference FROM cases c JOIN messages_cases mc ON mc.case_id = c.id AND mc.role = 'request' JOIN inbound_messages m ON m.id = mc.inbound_message_id WHERE m.message_id = '{ordinaryId}'",
            CorpusTimeout);
        await WaitForAsync($"SELECT o.id::text FROM outbound_messages o JOIN cases c ON c.id = o.case_id WHERE c.reference = '{reference}' AND o.purpose = 'acknowledgement'", TimeSpan.FromSeconds(90));
        await WaitUntilAsync(() => _mail.NewMessageFiles(Requester).Any(f => Unfold(File.ReadAllText(f)).Contains(reference!, StringComparison.Ordinal)), TimeSpan.FromSeconds(90), "the acknowledgement reached the requester's mailbox");

        // Every delivered message stored, and none left waiting.
        await WaitForAsync(
            string.Create(CultureInfo.InvariantCulture, $"SELECT 'done' WHERE (SELECT count(*) FROM inbound_messages) >= {delivered.Count} AND NOT EXISTS (SELECT 1 FROM inbound_messages WHERE status = 'received')"),
            CorpusTimeout);

        var rows = await QueryAsync(
            """
            SELECT m.id, m.message_id, m.status, m.size_bytes, m.stored_at, m.processed_at,
                   EXISTS (SELECT 1 FROM messages_cases mc WHERE mc.inbound_message_id = m.id AND mc.role = 'request'),
                   t.id, t.created_at
            FROM inbound_messages m
            LEFT JOIN intake_triage t ON t.inbound_message_id = m.id AND t.status = 'open' AND jsonb_array_length(t.reasons) > 0
            ORDER BY m.id
            """,
            r => new Row(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5), r.GetBoolean(6), r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8)));

        // Matched by Message-ID where a message has a usable one (the store's rule: cleaned, at most 1,000 bytes). The corpus
        // reuses one (39 has 01's, on different content: both kept) and has messages with none or one too long to index
        // (24, 41): those are counted as the rows whose Message-ID no delivered message has (Postfix may add one).
        var expectedIds = delivered.Select(MessageIdOf).ToList();
        var byId = expectedIds.OfType<string>().GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var withoutId = expectedIds.Count(id => id is null);
        var timings = ProcessingTimes(rows);
        var sorted = timings.Values.Order().ToList();
        TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hostile corpus through the running service: {delivered.Count} delivered, {rows.Count} stored, {rows.Count(r => r.HasCase)} cases, {rows.Count(r => r.TriageId is not null)} open triage items; per message max {sorted[^1].TotalMilliseconds:0} ms, p50 {sorted[sorted.Count / 2].TotalMilliseconds:0} ms, p90 {sorted[sorted.Count * 9 / 10].TotalMilliseconds:0} ms; first stored to last processed {(rows.Max(r => r.EndedAt ?? r.StoredAt) - rows.Min(r => r.StoredAt)).TotalMilliseconds:0} ms"));
        foreach (var (id, took) in timings.OrderByDescending(t => t.Value).Take(5))
        {
            TestContext.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  slowest: message {id} ({rows.Single(r => r.Id == id).SizeBytes:N0} bytes) {took.TotalMilliseconds:0} ms"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(rows, Has.Count.EqualTo(delivered.Count), "every delivered message stored once: none blocked the next");
            foreach (var (id, count) in byId)
            {
                Assert.That(rows.Count(r => r.MessageId == id), Is.EqualTo(count), $"stored: Message-ID {id[..Math.Min(id.Length, 60)]}");
            }

            Assert.That(rows.Count(r => r.MessageId is null || !byId.ContainsKey(r.MessageId)), Is.EqualTo(withoutId), "stored: the messages without a usable Message-ID");
            foreach (var row in rows)
            {
                Assert.That(row.Status, Is.AnyOf("processed", "triage"), $"message {row.Id} was acted on");
                Assert.That(row.HasCase || row.TriageId is not null, Is.True, $"message {row.Id} is a case or an open triage item (status {row.Status})");
            }

            Assert.That(timings, Has.Count.EqualTo(rows.Count), "every message has a processing time");
            Assert.That(sorted[^1], Is.LessThan(PerMessageBudget), "the slowest message within the per-message budget");
        });

        // The triage items are visible to an officer: the count in the navigation, and a row for each at /triage.
        var triageIds = rows.Where(r => r.TriageId is not null).Select(r => r.TriageId!.Value).ToList();
        var openTriage = await CountAsync("SELECT count(*) FROM intake_triage WHERE status = 'open'");
        Assert.That(openTriage, Is.EqualTo(triageIds.Count), "no open triage item from elsewhere");
        var page = await (await _browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" })).NewPageAsync();
        await Browser.SignInAsync(page, _service.BaseUrl, "Olivia Officer");
        await Assertions.Expect(page.Locator("#triage-count")).ToHaveTextAsync(openTriage.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#nav-triage").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/triage$"));
        await Assertions.Expect(page.Locator("#triage-items tbody tr")).ToHaveCountAsync(triageIds.Count);
        foreach (var triageId in triageIds)
        {
            await Assertions.Expect(page.Locator($"#triage-items tbody tr a[href='/triage/{triageId}']")).ToHaveCountAsync(1);
        }

        await Browser.AssertAccessibleAsync(page);

        // /health: nothing waiting, retried, given up on or skipped; the mailbox reader counted no failure.
        using var http = new HttpClient();
        using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri(_service.BaseUrl, "/health")));
        var intake = health.RootElement.GetProperty("intake");
        var mailbox = health.RootElement.GetProperty("mailbox");
        TestContext.Progress.WriteLine($"/health: intake {intake.GetRawText()}; mailbox failures {mailbox.GetProperty("totalFailures")}, fetch failures {mailbox.GetProperty("fetchFailures")}, skipped {mailbox.GetProperty("messagesSkipped")}");
        Assert.Multiple(() =>
        {
            Assert.That(intake.GetProperty("waiting").GetInt64(), Is.Zero);
            Assert.That(intake.GetProperty("retrying").GetInt64(), Is.Zero);
            Assert.That(intake.GetProperty("failedAfterRetries").GetInt64(), Is.Zero);
            Assert.That(intake.GetProperty("skippedUnservable").GetInt64(), Is.Zero);
            Assert.That(intake.GetProperty("triageOpen").GetInt64(), Is.EqualTo(openTriage));
            Assert.That(mailbox.GetProperty("healthy").GetBoolean(), Is.True);
            Assert.That(mailbox.GetProperty("totalFailures").GetInt64(), Is.Zero);
            Assert.That(mailbox.GetProperty("fetchFailures").GetInt64(), Is.Zero);
            Assert.That(mailbox.GetProperty("messagesSkipped").GetInt64(), Is.Zero);
            Assert.That(mailbox.GetProperty("messagesStored").GetInt64(), Is.EqualTo(delivered.Count));
        });
    }

    /// <summary>
    /// How long the service spent on each message, from the database: intake stores a batch, then processes it one message
    /// at a time, so a message's processing began at the later of the previous message's end and the last store before its
    /// own end. The end is processed_at, or for a message sent to triage after failed attempts, its triage item's creation.
    /// (Includes moving the batch out of the inbox for a batch's first message: an upper bound, not a flattering figure.
    /// The schema has no processing-start column. Intake's once-a-minute sweep overlaps the reader's processing only if
    /// intake is still busy a minute after the service started; then a time could read low. The whole corpus takes about
    /// 7 s here, printed as "first stored to last processed".)
    /// </summary>
    private static Dictionary<long, TimeSpan> ProcessingTimes(IReadOnlyList<Row> rows)
    {
        var stores = rows.Select(r => r.StoredAt).Order().ToList();
        var times = new Dictionary<long, TimeSpan>();
        DateTimeOffset? previousEnd = null;
        foreach (var row in rows.Where(r => r.EndedAt is not null).OrderBy(r => r.EndedAt))
        {
            var end = row.EndedAt!.Value;
            var lastStore = stores.Where(s => s <= end).DefaultIfEmpty(row.StoredAt).Max();
            var start = previousEnd is { } p && p > lastStore ? p : lastStore;
            times[row.Id] = end - start;
            previousEnd = end;
        }

        return times;
    }

    private static string? MessageIdOf(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var value = HeaderList.Load(stream)[HeaderId.MessageId];
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            return TextCleaner.Line(MimeKit.Utils.MimeUtils.ParseMessageId(value) ?? value.Trim().Trim('<', '>')) is { Length: > 0 } id && Encoding.UTF8.GetByteCount(id) <= 1000 ? id : null;
        }
        catch (Exception ex) when (ex is FormatException or ParseException or IOException)
        {
            return null;
        }
    }

    private static IEnumerable<string> CorpusSenders()
    {
        foreach (var file in Directory.GetFiles(Folder, "*.eml"))
        {
            string? address;
            try
            {
                address = MimeMessage.Load(file).From.Mailboxes.FirstOrDefault()?.Address;
            }
            catch (Exception ex) when (ex is FormatException or ParseException)
            {
                continue;
            }

            if (address is not null && SimpleAddress().IsMatch(address))
            {
                yield return address.ToLowerInvariant();
            }
        }
    }

    private const string TenMegabyteSender = "pat.tester@example.com";

    /// <summary>A 10 MB HTML request (the probe's: 91 s and 974 MB before the fix), under a Message-ID of its own.</summary>
    private static byte[] TenMegabyteHtmlMessage()
    {
        var html = new StringBuilder("<html><body><p>Please send me a copy of all the personal data you hold about me. This is a subject access request.</p>");
        const string row = "<div class=\"x\"><span>Lorem <b>ipsum</b> dolor sit amet, consectetur <i>adipiscing</i> elit.</span></div>\r\n";
        while (html.Length < 10 * 1024 * 1024)
        {
            html.Append(row);
        }

        html.Append("</body></html>\r\n");
        return Encoding.UTF8.GetBytes(
            $"From: Pat Tester <{TenMegabyteSender}>\r\nTo: {Mailbox}\r\nSubject: My records\r\n" +
            $"Date: {DateTimeOffset.UtcNow:R}\r\nMessage-ID: <ten-megabytes-{Guid.NewGuid():N}@example.com>\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/html; charset=utf-8\r\n\r\n" + html);
    }

    private sealed record Row(long Id, string? MessageId, string Status, int SizeBytes, DateTimeOffset StoredAt, DateTimeOffset? ProcessedAt, bool HasCase, long? TriageId, DateTimeOffset? TriagedAt)
    {
        public DateTimeOffset? EndedAt => ProcessedAt ?? TriagedAt;
    }

    private static string Unfold(string mime) => QuotedPrintableSoftBreak().Replace(mime, "");

    private async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(_service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string?> WaitForAsync(string sql, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using (var connection = new NpgsqlConnection(_service.DatabaseConnectionString()))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                if (await command.ExecuteScalarAsync() is string value)
                {
                    return value;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {sql}\n{_service.Output[^Math.Min(_service.Output.Length, 4000)..]}");
            }

            await Task.Delay(500);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(250);
        }
    }

    [GeneratedRegex("=\r?\n")]
    private static partial Regex QuotedPrintableSoftBreak();

    [GeneratedRegex(@"^[a-z0-9._+-]+@[a-z0-9.-]+\.[a-z]+$", RegexOptions.IgnoreCase)]
    private static partial Regex SimpleAddress();
}
