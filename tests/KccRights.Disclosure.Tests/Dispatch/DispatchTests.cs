using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using KccRights.Cases.Retention;
using KccRights.Correspondence.Smtp;
using KccRights.Disclosure.Dispatch;
using KccRights.Infrastructure.Encryption;
using KccRights.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using NUnit.Framework;
using PdfSharp.Pdf.IO;

namespace KccRights.Disclosure.Tests.Dispatch;

/// <summary>
/// Issue 13 Build 6 through the real workflow, PostgreSQL and mail servers: the approved response goes by email
/// (encrypted, the password apart) or by a download link (the code apart), the case closes, a retried job sends nothing
/// twice, and the link refuses wrong, expired, used and locked attempts, each audited.
/// </summary>
[NonParallelizable]
public sealed partial class DispatchTests
{
    private MailServers _servers = null!;

    [OneTimeSetUp]
    public async Task StartMail() => _servers = await MailServers.StartAsync();

    [OneTimeTearDown]
    public async Task StopMail()
    {
        await _servers.DisposeAsync();
        await TestPostgres.StopAsync();
    }

    private async Task<string> MailboxAsync()
    {
        var address = $"req-{Guid.NewGuid():N}"[..16] + "@example.com";
        await _servers.AddUserAsync(address);
        return address;
    }

    [Test]
    public async Task ByEmail_TheEncryptedPdfAndThePassword_ArriveAsTwoMessages_AndTheCaseCloses()
    {
        await using var h = await DispatchHarness.CreateAsync(_servers);
        var address = await MailboxAsync();
        var caseId = await h.ApprovedCaseAsync(address, pages: 3);

        var inbox = await DispatchHarness.InboxAsync(_servers, address, 2);
        Assert.That(inbox, Has.Count.EqualTo(2), "the response and, apart, its password");
        var letter = inbox.Single(m => m.Attachments.Any());
        var passwordMessage = inbox.Single(m => !m.Attachments.Any());
        var attachment = (MimePart)letter.Attachments.Single();
        using var bytes = new MemoryStream();
        await attachment.Content!.DecodeToAsync(bytes);
        var pdf = bytes.ToArray();
        var password = PasswordLine().Match(passwordMessage.TextBody!).Groups["password"].Value;

        Assert.Multiple(async () =>
        {
            Assert.That(attachment.ContentType.MimeType, Is.EqualTo("application/pdf"));
            Assert.That(attachment.FileName, Does.StartWith("response-KCC-SAR-").And.EndWith(".pdf"));
            Assert.That(password, Has.Length.EqualTo(20));
            Assert.That(letter.TextBody!, Does.Not.Contain(password), "the password never travels with the document");
            Assert.That(letter.TextBody!, Does.Contain("separate email").And.StartWith("Dear Sarah Whitlock,"));
            Assert.That(passwordMessage.TextBody!, Does.Contain("The password is: " + password));

            // The PDF does not open without the password, and opens with it.
            Assert.That(() => PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import), Throws.Exception);
            Assert.That(() => PdfReader.Open(new MemoryStream(pdf), "wrong-password-123", PdfDocumentOpenMode.Import), Throws.Exception);
            using var opened = PdfReader.Open(new MemoryStream(pdf), password, PdfDocumentOpenMode.Import);
            Assert.That(opened.PageCount, Is.EqualTo(3));

            // The case closed on dispatch, and the requester's copy is the exact bytes sent.
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed"));
            Assert.That(await h.ScalarAsync<string>("SELECT status FROM cases WHERE id = @caseId", new { caseId }), Is.EqualTo("closed"));
            var row = await RowAsync(h, caseId);
            Assert.That(row.Method, Is.EqualTo("email"));
            Assert.That(row.Sha256, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(pdf))));
            Assert.That(row.SealedSecret, Is.Null, "the password is not kept once sent");
            var cipher = h.Services.GetRequiredService<IPersonalDataCipher>();
            Assert.That(Convert.FromBase64String(cipher.Open(row.SealedCopy, $"disclosure_dispatches.sealed_copy:{caseId}:{1000 + caseId}")), Is.EqualTo(pdf));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM outbound_messages WHERE case_id = @caseId AND dedupe_key LIKE 'dispatch:%'", new { caseId }), Is.EqualTo(2));

            // The timeline says what went.
            var entry = await h.ScalarAsync<string>("SELECT detail->>'summary' FROM workflow_log WHERE case_id = @caseId AND kind = 'response-dispatched'", new { caseId });
            Assert.That(entry, Does.Contain(row.Sha256).And.Contain("3 pages").And.Contain("by email").And.Contain("Art 15(1)(a)-(h)"));
            var timeline = await h.Services.GetRequiredService<KccRights.Cases.CaseTimeline>().WorkflowLogAsync(caseId);
            Assert.That(timeline.Where(t => t.Title == "Response sent").Select(t => t.Text), Is.EqualTo(new[] { entry }), "the case page's timeline shows what went");
        });
    }

    [Test]
    public async Task ARetriedJob_SendsOnlyWhatHadNotGone_WithTheSamePassword()
    {
        var failOnce = new FailingOnce("The password is:");
        await using var h = await DispatchHarness.CreateAsync(_servers, mailSender: sp => failOnce.Wrap(new SmtpMailSender(sp.GetRequiredService<SmtpOptions>())));
        var address = await MailboxAsync();
        var caseId = await h.ApprovedCaseAsync(address);

        Assert.That(failOnce.Failed, Is.True, "the password message failed the first time");
        Assert.That(await h.StateAsync(caseId), Is.EqualTo("dispatch"), "the job failed after its first message");
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.RunJobsAsync();

        var inbox = await DispatchHarness.InboxAsync(_servers, address, 2);
        await Task.Delay(1000);
        Assert.That(_servers.NewMessageFiles(address), Has.Count.EqualTo(2), "the letter with the PDF was not sent again");
        var pdf = await AttachmentAsync(inbox.Single(m => m.Attachments.Any()));
        var password = PasswordLine().Match(inbox.Single(m => !m.Attachments.Any()).TextBody!).Groups["password"].Value;
        using var opened = PdfReader.Open(new MemoryStream(pdf), password, PdfDocumentOpenMode.Import);
        Assert.Multiple(async () =>
        {
            Assert.That(opened.PageCount, Is.EqualTo(2), "the password sent on the retry opens the PDF sent before it");
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed"));
            Assert.That(await h.ScalarAsync<long>("SELECT count(*) FROM disclosure_dispatches WHERE case_id = @caseId", new { caseId }), Is.EqualTo(1));
        });

        // Run again by hand after it succeeded: nothing more goes.
        var handler = h.Services.GetServices<KccRights.Workflows.Runtime.IJobHandler>().Single(x => x.Kind == "dispatch-response");
        await using (var connection = await h.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var outcome = await handler.HandleAsync(
                new KccRights.Workflows.Runtime.JobContext { JobId = 999_999, Kind = "dispatch-response", Attempt = 1, CaseId = caseId, Payload = default, Transaction = transaction, Time = h.Time },
                CancellationToken.None);
            Assert.That(outcome, Is.EqualTo("sent"));
            await transaction.CommitAsync();
        }

        await Task.Delay(1000);
        Assert.That(_servers.NewMessageFiles(address), Has.Count.EqualTo(2), "a job run again sends nothing twice");
    }

    [Test]
    public async Task OverTheSizeLimit_ALinkAndItsCodeArriveApart_TheCodeGetsThePdfOnce_AndEveryAttemptIsAudited()
    {
        await using var h = await DispatchHarness.CreateAsync(_servers, [new("Disclosure:Dispatch:MaxEmailBytes", "100")]);
        var address = await MailboxAsync();
        var caseId = await h.ApprovedCaseAsync(address);

        var inbox = await DispatchHarness.InboxAsync(_servers, address, 2);
        var (token, code) = LinkAndCode(inbox);
        var links = h.Services.GetRequiredService<DownloadLinks>();
        var approved = (await h.Documents.ApprovedAsync(caseId, CancellationToken.None))!.Pdf;

        var wrong = await links.DownloadAsync(token, "00000000" == code ? "11111111" : "00000000", CancellationToken.None);
        var right = await links.DownloadAsync(token, code, CancellationToken.None);
        var again = await links.DownloadAsync(token, code, CancellationToken.None);
        var row = await RowAsync(h, caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(inbox.All(m => !m.Attachments.Any()), Is.True, "nothing is attached to a link");
            Assert.That(inbox.Single(m => m.TextBody!.Contains("/download/", StringComparison.Ordinal)).TextBody!, Does.Not.Contain(code), "the code never travels with the link");
            Assert.That(inbox.Single(m => m.TextBody!.Contains(code, StringComparison.Ordinal)).TextBody!, Does.Not.Contain(token));
            Assert.That(row.Method, Is.EqualTo("link"));
            Assert.That(row.TokenHash, Is.EqualTo(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), "only the token's hash is kept");
            Assert.That(row.SealedSecret, Is.Null);
            Assert.That(wrong.WrongCode, Is.True);
            Assert.That(wrong.Status.AttemptsLeft, Is.EqualTo(4));
            Assert.That(right.Pdf, Is.EqualTo(approved), "over TLS, the PDF as approved");
            Assert.That(again.Pdf, Is.Null);
            Assert.That(again.Status.State, Is.EqualTo(DownloadLinkState.Used), "a link works once");
            Assert.That(await h.StateAsync(caseId), Is.EqualTo("closed"));
            Assert.That(await AuditAsync(h, caseId), Is.EqualTo(new[] { "disclosure.download-attempt:refused", "disclosure.downloaded:allowed", "disclosure.download-attempt:refused" }));
            Assert.That(await h.ScalarAsync<string>("SELECT string_agg(detail::text, ' ') FROM audit_events WHERE case_id = @caseId", new { caseId }), Does.Not.Contain(code).And.Not.Contain(token), "ids only");
        });
    }

    [Test]
    public async Task ByChoice_ALink_LockedAfterFiveWrongCodes_AndAnExpiredLinkIsRefused()
    {
        await using var h = await DispatchHarness.CreateAsync(_servers, [new("Disclosure:Dispatch:Method", "link")]);
        var first = await MailboxAsync();
        var second = await MailboxAsync();
        var locked = await h.ApprovedCaseAsync(first);
        var expiring = await h.ApprovedCaseAsync(second);
        var links = h.Services.GetRequiredService<DownloadLinks>();
        var (lockedToken, lockedCode) = LinkAndCode(await DispatchHarness.InboxAsync(_servers, first, 2));
        var (expiringToken, expiringCode) = LinkAndCode(await DispatchHarness.InboxAsync(_servers, second, 2));

        var tries = new List<DownloadAttempt>();
        for (var i = 0; i < 5; i++)
        {
            tries.Add(await links.DownloadAsync(lockedToken, lockedCode == "12345678" ? "87654321" : "12345678", CancellationToken.None));
        }

        var afterLock = await links.DownloadAsync(lockedToken, lockedCode, CancellationToken.None);

        // Issued Monday 2 March: works to the end of Monday 16 March (London), refused after.
        Assert.That((await links.StatusAsync(expiringToken, CancellationToken.None)).State, Is.EqualTo(DownloadLinkState.Ready));
        h.Time.SetUtcNow(new DateTimeOffset(2026, 3, 16, 23, 0, 0, TimeSpan.Zero));
        Assert.That((await links.StatusAsync(expiringToken, CancellationToken.None)).State, Is.EqualTo(DownloadLinkState.Ready), "still the 16th in London");
        h.Time.SetUtcNow(new DateTimeOffset(2026, 3, 17, 0, 0, 1, TimeSpan.Zero));
        var expired = await links.DownloadAsync(expiringToken, expiringCode, CancellationToken.None);
        var unknown = await links.DownloadAsync(new string('A', 43), expiringCode, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(tries.Select(t => t.Status.AttemptsLeft), Is.EqualTo(new[] { 4, 3, 2, 1, 0 }));
            Assert.That(tries[^1].Status.State, Is.EqualTo(DownloadLinkState.Locked));
            Assert.That(afterLock.Pdf, Is.Null, "a locked link refuses even the right code");
            Assert.That(afterLock.Status.State, Is.EqualTo(DownloadLinkState.Locked));
            Assert.That(expired.Pdf, Is.Null);
            Assert.That(expired.Status.State, Is.EqualTo(DownloadLinkState.Expired));
            Assert.That(unknown.Status.State, Is.EqualTo(DownloadLinkState.Unknown));
            Assert.That(await AuditAsync(h, locked), Has.Exactly(6).EqualTo("disclosure.download-attempt:refused"));
            Assert.That(await AuditAsync(h, expiring), Is.EqualTo(new[] { "disclosure.download-attempt:refused" }));
        });
    }

    [Test]
    public async Task TheOfficersChoice_OnTheDraftResponse_SendsALink()
    {
        await using var h = await DispatchHarness.CreateAsync(_servers);
        var address = await MailboxAsync();
        var caseId = await h.ApprovedCaseAsync(address, drafted: new { dispatchMethod = "link" });
        var (token, _) = LinkAndCode(await DispatchHarness.InboxAsync(_servers, address, 2));
        Assert.Multiple(async () =>
        {
            Assert.That((await RowAsync(h, caseId)).Method, Is.EqualTo("link"), "the default is email; the officer chose a link");
            Assert.That((await h.Services.GetRequiredService<DownloadLinks>().StatusAsync(token, CancellationToken.None)).State, Is.EqualTo(DownloadLinkState.Ready));
        });
    }

    [Test]
    public async Task ThePurger_RemovesTheCasesDispatches()
    {
        await using var h = await DispatchHarness.CreateAsync(_servers);
        var caseId = await h.ApprovedCaseAsync(await MailboxAsync());
        var purger = h.Services.GetServices<ICaseDataPurger>().OfType<DispatchPurger>().Single();
        await using var connection = await h.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        Assert.That(await purger.PurgeAsync(transaction, caseId, CancellationToken.None), Is.EqualTo(1));
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM disclosure_dispatches WHERE case_id = @caseId", new { caseId }, transaction), Is.Zero);
        Assert.That(await purger.PurgeAsync(transaction, caseId, CancellationToken.None), Is.Zero, "idempotent");
    }

    private static (string Token, string Code) LinkAndCode(IReadOnlyList<MimeMessage> inbox)
    {
        var token = LinkLine().Match(string.Join("\n", inbox.Select(m => m.TextBody!))).Groups["token"].Value;
        var code = CodeLine().Match(string.Join("\n", inbox.Select(m => m.TextBody!))).Groups["code"].Value;
        Assert.That(token, Has.Length.EqualTo(43));
        Assert.That(code, Has.Length.EqualTo(8));
        return (token, code);
    }

    private static async Task<byte[]> AttachmentAsync(MimeMessage message)
    {
        using var bytes = new MemoryStream();
        await ((MimePart)message.Attachments.Single()).Content!.DecodeToAsync(bytes);
        return bytes.ToArray();
    }

    private static async Task<DispatchRow> RowAsync(DispatchHarness h, long caseId)
    {
        await using var connection = await h.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<DispatchRow>(
            "SELECT method, sha256, sealed_copy, sealed_secret, token_hash FROM disclosure_dispatches WHERE case_id = @caseId", new { caseId });
    }

    private static async Task<IReadOnlyList<string>> AuditAsync(DispatchHarness h, long caseId)
    {
        await using var connection = await h.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(
            "SELECT action || ':' || outcome FROM audit_events WHERE case_id = @caseId AND action LIKE 'disclosure.%' ORDER BY id", new { caseId })).AsList();
    }

    [GeneratedRegex(@"The password is: (?<password>\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex(@"https://rights\.example\.test/download/(?<token>[A-Za-z0-9_-]+)")]
    private static partial Regex LinkLine();

    [GeneratedRegex(@"^(?<code>\d{8})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();

    private sealed record DispatchRow
    {
        public string Method { get; init; } = "";
        public string Sha256 { get; init; } = "";
        public byte[] SealedCopy { get; init; } = [];
        public byte[]? SealedSecret { get; init; }
        public byte[]? TokenHash { get; init; }
    }

    /// <summary>Fails the first message whose body contains <paramref name="marker"/> once, as a server dropping the connection would.</summary>
    private sealed class FailingOnce(string marker)
    {
        public bool Failed { get; private set; }

        public string Marker { get; } = marker;

        public IMailSender Wrap(IMailSender inner) => new Sender(this, inner);

        private sealed class Sender(FailingOnce owner, IMailSender inner) : IMailSender
        {
            public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
            {
                if (!owner.Failed && (message.TextBody ?? "").Contains(owner.Marker, StringComparison.Ordinal))
                {
                    owner.Failed = true;
                    throw new IOException("connection dropped (test)");
                }

                return inner.SendAsync(message, cancellationToken);
            }
        }
    }
}
