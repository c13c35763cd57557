using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Correspondence.Acknowledgements;
using KccRights.Correspondence.Smtp;
using KccRights.Intake.Classification;
using KccRights.Intake.Tests.Support;
using KccRights.TestSupport;
using MimeKit;

namespace KccRights.Intake.Tests.Integration;

/// <summary>
/// Issue 4's done-when, with real servers: every example delivered over SMTP to Postfix, read from Dovecot over IMAP,
/// becomes the right cases with the right deadlines; the reply threads; auto-reply and bounce open nothing and get no
/// answer; the malformed message is kept for triage; acknowledgements arrive in the requesters' mailboxes.
/// </summary>
[NonParallelizable]
public class EndToEndTests
{
    // received -> due, from each example's Date header (the instant it reached the mailbox here), LEGAL-RULES.md section 1.
    private static readonly Dictionary<string, (string[] Rights, DateOnly Received, DateOnly Due)> Expected = new()
    {
        ["01-adult-own-records.eml"] = (["access"], new(2026, 3, 2), new(2026, 4, 2)),
        ["02-parent-for-child.eml"] = (["access"], new(2026, 5, 11), new(2026, 6, 11)),
        ["03-solicitor-with-authority.eml"] = (["access"], new(2026, 7, 31), new(2026, 9, 1)),
        ["04-erasure-exclusion.eml"] = (["erasure"], new(2026, 9, 14), new(2026, 10, 14)),
        ["05-rectification-attendance.eml"] = (["rectification"], new(2026, 3, 20), new(2026, 4, 20)),
        ["06-objection-data-set.eml"] = (["objection"], new(2026, 10, 1), new(2026, 11, 2)),
        ["07-portability.eml"] = (["portability"], new(2026, 11, 2), new(2026, 12, 2)),
        ["08-vague.eml"] = (["access"], new(2026, 6, 7), new(2026, 7, 7)),
        ["09-access-then-erase.eml"] = (["access", "erasure"], new(2026, 1, 31), new(2026, 3, 2)),
        ["13-html-only.eml"] = (["access"], new(2026, 8, 3), new(2026, 9, 3)),
        ["14-complaint-handling.eml"] = (["complaint"], new(2026, 7, 20), new(2026, 8, 20)),
    };

    private MailServers _servers = null!;

    private static string MessageIdOf(string file) =>
        MimeMessage.Load(Corpus.PathOf(file)).MessageId ?? throw new InvalidOperationException(file + " has no Message-ID");

    [OneTimeSetUp]
    public async Task StartServers()
    {
        var files = Corpus.Examples().Select(l => l.File).ToList();
        _servers = await MailServers.StartAsync([MailTestKit.Mailbox, .. MailTestKit.Senders(files)]);
    }

    [OneTimeTearDown]
    public async Task StopServers() => await _servers.DisposeAsync();

    [Test]
    public async Task EveryExample_DeliveredOverSmtpAndReadOverImap_EndsAsTheRightCases_AndIsAcknowledged()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var reader = harness.Reader(_servers, MailTestKit.Mailbox);
        reader.OnStored = harness.Processor.ProcessPendingAsync;

        // Example 10 replies to KCC-SAR-2026-000042: number the SARs so that example 01, read first, is that case.
        await harness.ScalarAsync<int>("INSERT INTO case_reference_counters (code, year, last_value) VALUES ('SAR', 2026, 41) RETURNING 1");
        var examples = Corpus.Examples();
        await MailTestKit.DeliverAsync(_servers, MailTestKit.Mailbox, [Corpus.Read(examples[0].File)]);
        Assert.That(await reader.ReadOnceAsync(), Is.EqualTo(1));
        await MailTestKit.DeliverAsync(_servers, MailTestKit.Mailbox, examples.Skip(1).Select(l => Corpus.Read(l.File)));
        Assert.That(await reader.ReadOnceAsync(), Is.EqualTo(15));

        var rows = await harness.QueryAsync<(string MessageId, string Status, string Kind, string? Reference, string? RightCode, string? Role, DateOnly? ReceivedOn, DateOnly? DueOn)>(
            """
            SELECT m.message_id, m.status, m.kind, c.reference, c.right_code, mc.role, k.received_on, k.due_on
            FROM inbound_messages m
            LEFT JOIN messages_cases mc ON mc.inbound_message_id = m.id
            LEFT JOIN cases c ON c.id = mc.case_id
            LEFT JOIN case_clocks k ON k.case_id = c.id
            ORDER BY m.id, c.id
            """);
        // Postfix delivers in parallel, so arrival order (and so the row id) need not follow the order sent: match each
        // example to its row by the Message-ID it carries.
        var byId = rows.GroupBy(r => r.MessageId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Assert.That(byId, Has.Count.EqualTo(16), "every example stored once");
        var byMessage = examples.Select(e => byId[MessageIdOf(e.File)]).ToList();
        var calculator = new DeadlineCalculator(BankHolidayFile.Load());
        Assert.Multiple(() =>
        {
            for (var i = 0; i < examples.Count; i++)
            {
                var file = examples[i].File;
                var message = byMessage[i];
                Assert.That(message[0].Kind, Is.EqualTo(examples[i].Kind.Id()), file);
                var opened = message.Where(r => r.Role == "request").ToList();
                if (Expected.TryGetValue(file, out var expected))
                {
                    Assert.That(opened.Select(r => r.RightCode), Is.EquivalentTo(expected.Rights), file);
                    Assert.That(opened.Select(r => r.ReceivedOn), Is.All.EqualTo(expected.Received), file);
                    Assert.That(opened.Select(r => r.DueOn), Is.All.EqualTo(expected.Due), file);
                }
                else if (file.StartsWith("16", StringComparison.Ordinal))
                {
                    // No readable Date header: received when Dovecot got it (today, here).
                    Assert.That(opened.Select(r => r.RightCode), Is.EqualTo(new[] { "access" }), file);
                    Assert.That(opened[0].DueOn, Is.EqualTo(calculator.Calculate(new ClockInput { ReceivedOn = opened[0].ReceivedOn!.Value }).Due), file);
                    Assert.That(message[0].Status, Is.EqualTo("triage"), file);
                }
                else
                {
                    Assert.That(opened, Is.Empty, file + " opens no case");
                }
            }

            var reply = byMessage[9].Single();
            Assert.That((reply.Role, reply.Reference, reply.Status), Is.EqualTo(("reply", "KCC-SAR-2026-000042", "processed")), "example 10 threads to example 01's case");
            // Neither matches anything the service sent (no acknowledgement has gone yet): an officer sees each (issue 14 item 1).
            Assert.That(byMessage[10].Single().Status, Is.EqualTo("triage"), "out-of-office");
            Assert.That(byMessage[14].Single().Status, Is.EqualTo("triage"), "bounce");
            Assert.That(byMessage[11].Single().Status, Is.EqualTo("triage"), "FOI");
        });
        Assert.That(harness.Workflows.Raised.Select(e => e.EventName), Is.EqualTo(new[] { "id-received" }));
        Assert.That(await MailTestKit.CountAsync(_servers, MailTestKit.Mailbox, "INBOX"), Is.Zero, "every message moved after commit");
        Assert.That(await MailTestKit.CountAsync(_servers, MailTestKit.Mailbox, "Processed"), Is.EqualTo(16));

        // Acknowledgements, sent over SMTP by the job handler, arrive in the requesters' mailboxes.
        using var sender = new SmtpMailSender(IntakeHarness.Smtp(_servers));
        var handler = harness.AcknowledgementHandler(sender, IntakeHarness.Smtp(_servers));
        var ran = await harness.RunAcknowledgementJobsAsync(handler);
        Assert.That(ran, Is.EqualTo(13), "one per case opened");
        await _servers.WaitForNewMessagesAsync("d.okafor@example.com", 1, TimeSpan.FromSeconds(30));
        await _servers.WaitForNewMessagesAsync("lucy.fernandes@example.net", 2, TimeSpan.FromSeconds(30));
        await _servers.WaitForNewMessagesAsync("broken@example.com", 1, TimeSpan.FromSeconds(30));

        var daniel = (await MailTestKit.ReadInboxAsync(_servers, "d.okafor@example.com")).Single();
        var lucy = await MailTestKit.ReadInboxAsync(_servers, "lucy.fernandes@example.net");
        Assert.Multiple(async () =>
        {
            Assert.That(daniel.Subject, Does.Contain("KCC-SAR-2026-000042"));
            Assert.That(daniel.TextBody, Does.Contain("Thursday 2 April 2026"));
            Assert.That(daniel.TextBody, Does.Contain("2 March 2026"));
            Assert.That(daniel.InReplyTo, Is.EqualTo("179599060018.17517.5407560375771665925@example.com"));
            Assert.That(daniel.Headers[HeaderId.AutoSubmitted], Is.EqualTo("auto-replied"));
            Assert.That(lucy.Select(m => m.Subject), Has.Some.Contains("KCC-SAR-2026-").And.Some.Contains("KCC-ERA-2026-"));
            Assert.That(lucy[0].TextBody, Does.Contain("Your message also asked for"), lucy[0].TextBody);
            var sarah = await MailTestKit.ReadInboxAsync(_servers, "sarah.whitlock@example.org");
            Assert.That(sarah.Select(m => m.TextBody), Has.Some.Contains("parental responsibility"), "a parent is asked for proof");
            Assert.That(_servers.NewMessageFiles("newsdesk@kentnews.example.com"), Is.Empty, "FOI gets no acknowledgement");
            Assert.That(_servers.NewMessageFiles("mailer-daemon@mx.kent.gov.uk"), Is.Empty, "a bounce is never answered");
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM outbound_messages"), Is.EqualTo(13));
        });

        // Retried jobs do not send again.
        foreach (var job in harness.Jobs.Jobs)
        {
            await harness.RunJobAsync(handler, job, attempt: 2);
        }

        await Task.Delay(500);
        Assert.That(_servers.NewMessageFiles("d.okafor@example.com"), Has.Count.EqualTo(1), "a retry after a successful send sends nothing");

        // The requester replies to the acknowledgement (no reference typed): In-Reply-To threads it to the case.
        var answer = new MimeMessage();
        answer.From.Add(new MailboxAddress("Daniel Okafor", "d.okafor@example.com"));
        answer.To.Add(MailboxAddress.Parse(MailTestKit.Mailbox));
        answer.Subject = "Re: thanks";
        answer.MessageId = "answer-1@example.com";
        answer.InReplyTo = daniel.MessageId;
        answer.References.Add(daniel.MessageId!);
        answer.Body = new TextPart("plain") { Text = "Thanks, I will wait to hear from you." };
        using (var stream = new MemoryStream())
        {
            await answer.WriteToAsync(stream);
            await MailTestKit.DeliverAsync(_servers, MailTestKit.Mailbox, [stream.ToArray()], useDateHeader: false);
        }

        Assert.That(await reader.ReadOnceAsync(), Is.EqualTo(1));
        var threaded = await harness.QueryAsync<(string Role, string Reference)>(
            "SELECT mc.role, c.reference FROM messages_cases mc JOIN cases c ON c.id = mc.case_id JOIN inbound_messages m ON m.id = mc.inbound_message_id WHERE m.message_id = 'answer-1@example.com'");
        Assert.That(threaded, Is.EqualTo(new[] { ("reply", "KCC-SAR-2026-000042") }));
        Assert.That(harness.Workflows.Raised.Last().EventName, Is.EqualTo("reply-received"));
    }
}
