using System.Text;
using KccRights.Cases;
using KccRights.Correspondence.Letters;
using KccRights.Correspondence.Smtp;
using KccRights.Correspondence.Triage;
using KccRights.Infrastructure.Audit;
using KccRights.Intake.Classification;
using KccRights.Intake.Tests.Support;
using KccRights.Intake.Triage;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace KccRights.Intake.Tests.Triage;

/// <summary>
/// Triage as part of the day (issue 14 item 1): why each item is there, in words; a message attached to a case; a reply
/// from a template queued on Correspondence's outbox and sent by its job to the sender read from the sealed message,
/// audited with ids only; an automatic reply or a delivery failure never answered.
/// </summary>
public class TriageDayTests
{
    private static readonly Actor Officer = new("demo-officer", "Olivia Officer", "officer", null);
    private static readonly Actor Auditor = new("demo-auditor", "Aud Itor", "auditor", null);

    private sealed class KeepingSender : IMailSender
    {
        public List<MimeMessage> Sent { get; } = [];

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    private static TriageInbox Inbox(IntakeHarness harness)
    {
        var replies = new TriageReplies(harness.DataSource, harness.Jobs, new SmtpOptions(), new LetterTemplates());
        return new TriageInbox(harness.DataSource, harness.Store, harness.Opener, harness.Workflows, harness.Jobs, new AuditLog(harness.DataSource, TimeProvider.System), replies, TimeProvider.System);
    }

    private static SendTriageReplyHandler Handler(IntakeHarness harness, KeepingSender sender) =>
        new(new SmtpOptions { FromAddress = "data.protection@kent.gov.uk", MessageIdDomain = "kent.gov.uk" }, new LetterTemplates(), sender, NullLogger<SendTriageReplyHandler>.Instance, new TriageReplyRecipients(harness.Store));

    private static async Task<(long MessageId, long TriageId)> TriagedAsync(IntakeHarness harness, string raw, DateTimeOffset arrived)
    {
        var stored = await harness.Store.StoreAsync(Encoding.UTF8.GetBytes(raw.Replace("\n", "\r\n", StringComparison.Ordinal)), arrived, null);
        var outcome = await harness.Processor.ProcessAsync(stored.Id);
        Assert.That(outcome!.Triaged, Is.True, "the message went to triage");
        return (stored.Id, await harness.ScalarAsync<long>("SELECT id FROM intake_triage WHERE inbound_message_id = @id", new { id = stored.Id }));
    }

    private const string UnknownReply =
        """
        From: Priya Raman <priya.raman@example.co.uk>
        Reply-To: Priya R <p.raman.home@example.org>
        To: data.protection@kent.gov.uk
        Subject: Re: KCC-SAR-2019-999999
        Message-ID: <unknown-reply@example.co.uk>
        In-Reply-To: <ack.nothing@kent.gov.uk>
        Date: Mon, 23 Mar 2026 08:00:00 +0000

        Here is the letter you asked for.
        """;

    [Test]
    public async Task AReplyFromATemplate_IsQueuedAudited_AndSentToTheSenderInReplyToTheirMessage_Once()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var inbox = Inbox(harness);
        var arrived = new DateTimeOffset(2026, 3, 23, 8, 0, 0, TimeSpan.Zero);
        var (messageId, triageId) = await TriagedAsync(harness, UnknownReply, arrived);
        var item = await inbox.FindAsync(triageId);
        var token = Guid.NewGuid();

        var queued = await inbox.ReplyAsync(triageId, "triage-reply-unknown-reference", Officer, token);
        var again = await inbox.ReplyAsync(triageId, "triage-reply-unknown-reference", Officer, token);
        var job = harness.Jobs.Jobs.Single(j => j.Kind == TriageReplies.JobKind);
        var sender = new KeepingSender();
        var handler = Handler(harness, sender);
        var outcome = await harness.RunJobAsync(handler, job);
        await harness.RunJobAsync(handler, job, attempt: 2);
        var audit = await harness.ScalarAsync<string>("SELECT detail::text FROM audit_events WHERE action = 'triage.replied'");
        var replies = await inbox.RepliesAsync(triageId);

        Assert.Multiple(async () =>
        {
            Assert.That(item!.ReasonCodes, Is.EqualTo(new[] { TriageReasons.UnknownReference }));
            Assert.That(item.Headings, Has.Some.Contains("matches no case: search for its case"));
            Assert.That((queued, again), Is.EqualTo((true, false)), "the same form twice queues one reply");
            Assert.That(outcome, Is.Null);
            Assert.That(sender.Sent, Has.Count.EqualTo(1), "sent once, however often the job runs");
            var sent = sender.Sent[0];
            Assert.That(sent.To.Mailboxes.Single().Address, Is.EqualTo("p.raman.home@example.org"), "to the Reply-To");
            Assert.That(sent.InReplyTo, Is.EqualTo("unknown-reply@example.co.uk"));
            Assert.That(sent.Subject, Is.EqualTo("We could not find the request your email is about"));
            Assert.That(sent.TextBody, Does.StartWith("Dear Priya R,").And.Contain("received on 23 March 2026"));
            Assert.That(sent.Headers[HeaderId.AutoSubmitted], Is.Null, "an officer chose to send it");
            Assert.That((replies.Single().Outcome, replies.Single().QueuedBy), Is.EqualTo(("sent", "demo-officer")));
            Assert.That(await harness.ScalarAsync<string>("SELECT message_id FROM correspondence_triage_replies"), Is.EqualTo(sent.MessageId), "the Message-ID fixed when queued");
            Assert.That(audit, Does.Contain($"\"triage\": {triageId}").And.Contain($"\"message\": {messageId}").And.Contain("triage-reply-unknown-reference"));
            Assert.That(audit, Does.Not.Contain("raman").And.Not.Contain("Priya"), "ids only in the audit");
            Assert.That(await harness.ScalarAsync<string>("SELECT status FROM intake_triage WHERE id = @triageId", new { triageId }), Is.EqualTo("open"), "the item waits for its case");
        });
    }

    [Test]
    public async Task AReply_IsRefusedForABounce_ForNoTemplate_AndForARoleThatMayNotAct()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var inbox = Inbox(harness);
        var bounce = await harness.Store.StoreAsync(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "emails", "15-bounce.eml")), DateTimeOffset.UtcNow, null);
        await harness.Processor.ProcessAsync(bounce.Id);
        var bounceItem = await harness.ScalarAsync<long>("SELECT id FROM intake_triage WHERE inbound_message_id = @id", new { id = bounce.Id });
        var (_, replyItem) = await TriagedAsync(harness, UnknownReply, DateTimeOffset.UtcNow);

        Assert.Multiple(async () =>
        {
            Assert.That((await inbox.FindAsync(bounceItem))!.Headings, Is.EqualTo(new[] { TriageReasons.Label(TriageReasons.Bounce) }));
            Assert.That(async () => await inbox.ReplyAsync(bounceItem, "triage-reply-tell-us-more", Officer, Guid.NewGuid()), Throws.TypeOf<TriageRefusedException>().With.Message.Contains("never answered"));
            Assert.That(async () => await inbox.ReplyAsync(replyItem, null, Officer, Guid.NewGuid()), Throws.TypeOf<TriageRefusedException>().With.Property("Field").EqualTo("template"));
            Assert.That(async () => await inbox.ReplyAsync(replyItem, "send-response", Officer, Guid.NewGuid()), Throws.TypeOf<TriageRefusedException>(), "only the triage replies");
            Assert.That(async () => await inbox.ReplyAsync(replyItem, "triage-reply-tell-us-more", Auditor, Guid.NewGuid()), Throws.TypeOf<UnauthorizedAccessException>());
            Assert.That(await inbox.PreviewReplyAsync((await inbox.FindAsync(bounceItem))!, await inbox.SenderAsync((await inbox.FindAsync(bounceItem))!), "triage-reply-tell-us-more"), Is.Null);
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM correspondence_triage_replies"), Is.Zero);
            Assert.That(harness.Jobs.Jobs.Where(j => j.Kind == TriageReplies.JobKind), Is.Empty);
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'triage.replied' AND outcome = 'refused'"), Is.EqualTo(1L), "the refused role is audited");
        });
    }

    [Test]
    public async Task AnUnknownReferenceReply_AttachedToTheCaseFound_JoinsItsCorrespondence_AndLeavesTheInbox()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var inbox = Inbox(harness);
        await harness.Processor.ProcessAsync((await harness.Store.StoreAsync(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "emails", "01-adult-own-records.eml")), DateTimeOffset.UtcNow, null)).Id);
        var (caseId, reference) = (await harness.QueryAsync<(long Id, string Reference)>("SELECT id, reference FROM cases")).Single();
        var (messageId, triageId) = await TriagedAsync(harness, UnknownReply, DateTimeOffset.UtcNow);

        var attached = await inbox.AttachAsync(triageId, reference, Officer, Guid.NewGuid());

        Assert.Multiple(async () =>
        {
            Assert.That(attached, Is.True);
            Assert.That(await harness.ScalarAsync<string>("SELECT role FROM messages_cases WHERE inbound_message_id = @messageId AND case_id = @caseId", new { messageId, caseId }), Is.EqualTo("reply"));
            Assert.That(harness.Workflows.Raised.Select(e => (e.CaseId, e.EventName)), Does.Contain((caseId, "reply-received")));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM intake_triage WHERE status = 'open' AND id = @triageId", new { triageId }), Is.Zero);
            Assert.That(await harness.ScalarAsync<string>("SELECT detail::text FROM audit_events WHERE action = 'triage.attached'"), Does.Not.Contain("raman"));
        });
    }

    [Test]
    public async Task ABounceAttachedToItsCase_IsRecordedAsABounce_AndMovesNothing()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var inbox = Inbox(harness);
        await harness.Processor.ProcessAsync((await harness.Store.StoreAsync(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "emails", "01-adult-own-records.eml")), DateTimeOffset.UtcNow, null)).Id);
        var (caseId, reference) = (await harness.QueryAsync<(long Id, string Reference)>("SELECT id, reference FROM cases")).Single();
        var bounce = await harness.Store.StoreAsync(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "emails", "15-bounce.eml")), DateTimeOffset.UtcNow, null);
        await harness.Processor.ProcessAsync(bounce.Id);
        var triageId = await harness.ScalarAsync<long>("SELECT id FROM intake_triage WHERE inbound_message_id = @id", new { id = bounce.Id });

        Assert.That(await inbox.AttachAsync(triageId, reference, Officer, Guid.NewGuid()), Is.True);
        Assert.Multiple(async () =>
        {
            Assert.That(await harness.ScalarAsync<string>("SELECT role FROM messages_cases WHERE inbound_message_id = @id AND case_id = @caseId", new { id = bounce.Id, caseId }), Is.EqualTo("bounce"));
            Assert.That(harness.Workflows.Raised, Is.Empty, "a delivery failure raises nothing on the workflow");
        });
    }

    [Test]
    public void ReasonCodes_OfEachKindOfProblem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.Bounce }, matchesNoCase: true), Is.EqualTo(new[] { "bounce" }));
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.AutoReply, Language = "fr" }, matchesNoCase: true), Is.EqualTo(new[] { "auto-reply" }));
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.Reply }, matchesNoCase: true), Is.EqualTo(new[] { "unknown-reference" }));
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.Request, Language = "cy" }, matchesNoCase: false), Is.EqualTo(new[] { "language" }));
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.Request, Language = "und" }, matchesNoCase: false), Is.EqualTo(new[] { "doubtful-kind" }), "a doubted request with nothing else to explain it");
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.Other, Language = "pl", ParseProblems = ["bad base64"] }, matchesNoCase: false), Is.EqualTo(new[] { "language", "doubtful-kind", "damaged" }));
            Assert.That(TriageReasons.Of(new ClassificationResult { Kind = MessageKind.Request, OverBudget = true }, matchesNoCase: false), Is.Empty, "over budget says so itself");
        });
    }

    [Test]
    public void Headings_WordTheCodes_AndReadOlderItemsFromTheirSentences()
    {
        var coded = new TriageItem { ReasonCodes = ["unknown-reference", "language"], Reasons = """["anything"]""" };
        var older = new TriageItem { Reasons = """["a reply that matches no case: find its case", "written in another language (cy): check the rights"]""" };
        var bounce = new TriageItem { Reasons = """["x"]""", MessageKind = "bounce" };
        var unserved = new TriageItem { ReasonKind = "imap-unservable", Reasons = """["the mail server could not serve it"]""" };
        var unknown = new TriageItem { Reasons = """["intake could not process this message after 5 attempts"]""" };

        Assert.Multiple(() =>
        {
            Assert.That(coded.Headings, Is.EqualTo(new[] { TriageReasons.Label("unknown-reference"), TriageReasons.Label("language") }));
            Assert.That(older.Headings, Is.EqualTo(coded.Headings));
            Assert.That(bounce.Headings, Is.EqualTo(new[] { "A delivery failure: something we sent did not arrive" }));
            Assert.That(bounce.IsAutomatic, Is.True);
            Assert.That(unserved.Headings, Is.EqualTo(new[] { "The mail server could not hand it over" }));
            Assert.That(unknown.Headings, Is.EqualTo(new[] { "Intake could not tell what to do with it" }));
        });
    }

    [Test]
    public void Recipient_IsTheReplyToElseTheFrom_AndNoneForAnAutomaticMessage()
    {
        static byte[] Raw(string headers) => Encoding.UTF8.GetBytes(headers.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\nBody\r\n");
        var at = new DateTimeOffset(2026, 3, 23, 8, 0, 0, TimeSpan.Zero);

        var plain = TriageReplyRecipients.Read(Raw("From: Jay K <jay@example.com>\nMessage-ID: <m1@example.com>"), null, at);
        var replyTo = TriageReplyRecipients.Read(Raw("From: Jay K <jay@example.com>\nReply-To: <home@example.org>"), "stored@example.com", at);
        var automatic = TriageReplyRecipients.Read(Raw("From: Jay K <jay@example.com>\nAuto-Submitted: auto-replied"), null, at);
        var manual = TriageReplyRecipients.Read(Raw("From: Jay K <jay@example.com>\nAuto-Submitted: no"), null, at);
        var report = TriageReplyRecipients.Read(Raw("From: MAILER-DAEMON <mailer-daemon@example.com>\nContent-Type: multipart/report; report-type=delivery-status; boundary=b"), null, at);
        var nobody = TriageReplyRecipients.Read(Raw("Subject: no sender"), null, at);

        Assert.Multiple(() =>
        {
            Assert.That(plain, Is.EqualTo(new TriageReplyRecipient("jay@example.com", "Jay K", "m1@example.com", at)));
            Assert.That((replyTo!.Address, replyTo.MessageId), Is.EqualTo(("home@example.org", "stored@example.com")));
            Assert.That(automatic, Is.Null, "RFC 3834: never answer an automatic reply");
            Assert.That(manual, Is.Not.Null);
            Assert.That(report, Is.Null, "RFC 3464: never answer a delivery report");
            Assert.That(nobody, Is.Null);
        });
    }
}
