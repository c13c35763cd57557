using System.Text;
using KccRights.Cases;
using KccRights.Domain.Cases;
using KccRights.Intake.Classification;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.Intake.Tests.Support;

namespace KccRights.Intake.Tests.Processing;

public class IntakeProcessorTests
{
    private static async Task<IntakeOutcome> ProcessAsync(IntakeHarness harness, string file, DateTimeOffset arrived) =>
        await ProcessAsync(harness, Corpus.Read(file), arrived);

    private static async Task<IntakeOutcome> ProcessAsync(IntakeHarness harness, byte[] raw, DateTimeOffset arrived)
    {
        var stored = await harness.Store.StoreAsync(raw, arrived, null);
        return await harness.Processor.ProcessAsync(stored.Id) ?? throw new InvalidOperationException("not processed");
    }

    [Test]
    public async Task AccessThenErase_OpensTwoLinkedCases_WithClocksWorkflowsAndAcknowledgements()
    {
        await using var harness = await IntakeHarness.CreateAsync();

        // Sat 31 Jan 2026 -> Mon 2 Mar 2026 (28 Feb 2026 is a Saturday).
        var outcome = await ProcessAsync(harness, "09-access-then-erase.eml", new DateTimeOffset(2026, 1, 31, 14, 22, 0, TimeSpan.Zero));

        var clocks = await harness.QueryAsync<(string Reference, DateOnly ReceivedOn, DateOnly DueOn)>(
            "SELECT c.reference, k.received_on, k.due_on FROM cases c JOIN case_clocks k ON k.case_id = c.id ORDER BY c.id");
        var links = await harness.ScalarAsync<long>("SELECT count(*) FROM case_links WHERE link_type = 'same-request'");
        Assert.Multiple(() =>
        {
            Assert.That(outcome.OpenedCases.Select(r => r.ToString()), Is.EqualTo(new[] { "KCC-SAR-2026-000001", "KCC-ERA-2026-000001" }));
            Assert.That(outcome.Status, Is.EqualTo("processed"));
            Assert.That(clocks, Is.EqualTo(new[]
            {
                ("KCC-SAR-2026-000001", new DateOnly(2026, 1, 31), new DateOnly(2026, 3, 2)),
                ("KCC-ERA-2026-000001", new DateOnly(2026, 1, 31), new DateOnly(2026, 3, 2)),
            }));
            Assert.That(links, Is.EqualTo(2));
            Assert.That(harness.Workflows.Started.Select(s => s.DefinitionId), Is.EqualTo(new[] { "access", "erasure" }));
            Assert.That(harness.Jobs.Jobs.Select(j => (j.Kind, j.DedupeKey)), Is.EqualTo(new[]
            {
                ("send-acknowledgement", (string?)"KCC-SAR-2026-000001"),
                ("send-acknowledgement", (string?)"KCC-ERA-2026-000001"),
            }));
        });
    }

    [Test]
    public async Task ReceivedDate_IsTheLondonDateOfTheInstantItReachedTheMailbox()
    {
        await using var harness = await IntakeHarness.CreateAsync();

        // 23:50 UTC on Sat 6 June is 00:50 BST on Sunday 7 June: received on 7 June, due Tue 7 July.
        await ProcessAsync(harness, "08-vague.eml", new DateTimeOffset(2026, 6, 6, 23, 50, 0, TimeSpan.Zero));

        var clock = (await harness.QueryAsync<(DateOnly ReceivedOn, DateOnly DueOn)>("SELECT received_on, due_on FROM case_clocks")).Single();
        Assert.That(clock, Is.EqualTo((new DateOnly(2026, 6, 7), new DateOnly(2026, 7, 7))));
    }

    [Test]
    public async Task Request_RecordsWhatWasUnderstood_ForTheCase()
    {
        await using var harness = await IntakeHarness.CreateAsync();

        await ProcessAsync(harness, "03-solicitor-with-authority.eml", new DateTimeOffset(2026, 7, 31, 11, 5, 0, TimeSpan.Zero));

        var row = (await harness.QueryAsync<(long CaseId, string Relationship, bool IdRequested)>(
            "SELECT case_id, relationship, id_requested FROM case_requests")).Single();
        var details = await CaseRequestDetails.ReadAsync(harness.DataSource, harness.Cipher, row.CaseId);
        var parties = (await harness.PartiesAsync()).Single();
        var due = await harness.ScalarAsync<DateOnly>("SELECT due_on FROM case_clocks");
        Assert.Multiple(async () =>
        {
            Assert.That(row, Is.EqualTo((row.CaseId, "client", false)));
            Assert.That((parties.SubjectName, parties.AgentReference), Is.EqualTo(("Jade Parker", "HC/JP/4471")));
            Assert.That(details?.SubjectDob, Is.EqualTo(new DateOnly(2004, 11, 9)));
            Assert.That(details?.Postcode, Is.EqualTo("DA1 2AA"));
            Assert.That(due, Is.EqualTo(new DateOnly(2026, 9, 1)), "31 Aug 2026 is a bank holiday");

            // Issue 9 Build 6: the subject's details are not in plain text, in the row or in the stored classification.
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM case_requests WHERE subject_dob IS NOT NULL OR postcode IS NOT NULL OR school IS NOT NULL OR address IS NOT NULL OR upn IS NOT NULL OR cardinality(previous_names) > 0"), Is.Zero);
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM case_requests WHERE requester_name IS NOT NULL OR requester_email IS NOT NULL OR subject_name IS NOT NULL OR agent_reference IS NOT NULL OR reasons <> '[]'"), Is.Zero);
            Assert.That(await harness.ScalarAsync<string>("SELECT classification::text FROM inbound_messages"), Does.Not.Contain("DA1 2AA").And.Not.Contain("2004-11-09").And.Contain("\"kind\""));
        });
    }

    [Test]
    public async Task ReplyQuotingTheReference_IsAttachedToTheCase_AndRaisesIdReceivedForItsAttachments()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        await harness.ScalarAsync<int>("INSERT INTO case_reference_counters (code, year, last_value) VALUES ('SAR', 2026, 41) RETURNING 1");
        var request = await ProcessAsync(harness, "01-adult-own-records.eml", new DateTimeOffset(2026, 3, 2, 9, 14, 0, TimeSpan.Zero));

        var reply = await ProcessAsync(harness, "10-reply-with-id.eml", new DateTimeOffset(2026, 3, 9, 10, 30, 0, TimeSpan.Zero));

        var caseId = await harness.ScalarAsync<long>("SELECT id FROM cases WHERE reference = 'KCC-SAR-2026-000042'");
        Assert.Multiple(async () =>
        {
            Assert.That(request.OpenedCases.Single().ToString(), Is.EqualTo("KCC-SAR-2026-000042"));
            Assert.That(reply.Kind, Is.EqualTo(MessageKind.Reply));
            Assert.That(reply.AttachedToCases, Is.EqualTo(new[] { caseId }));
            Assert.That(harness.Workflows.Raised.Select(e => (e.CaseId, e.EventName)), Is.EqualTo(new[] { (caseId, "id-received") }));
            Assert.That(await harness.ScalarAsync<string>("SELECT role FROM messages_cases WHERE inbound_message_id = @id", new { id = reply.MessageId }), Is.EqualTo("reply"));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.EqualTo(1), "a reply opens no case");
            Assert.That(harness.Jobs.Jobs, Has.Count.EqualTo(1), "a reply is not acknowledged");
        });
    }

    [Test]
    public async Task ReplyToAMessageTheServiceSent_ThreadsByInReplyTo_AndRaisesReplyReceived()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var request = await ProcessAsync(harness, "02-parent-for-child.eml", new DateTimeOffset(2026, 5, 11, 16, 40, 0, TimeSpan.Zero));
        var caseId = await harness.ScalarAsync<long>("SELECT id FROM cases");
        await harness.ScalarAsync<int>(
            "INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at) VALUES (@caseId, 'ack.x@kent.gov.uk', 'acknowledgement', 'acknowledgement:x', 'sarah.whitlock@example.org', 's', now()) RETURNING 1",
            new { caseId });
        var raw = Encoding.UTF8.GetBytes(
            "From: Sarah Whitlock <sarah.whitlock@example.org>\nTo: data.protection@kent.gov.uk\nSubject: Re: We have received your request\n" +
            "Message-ID: <r1@example.org>\nIn-Reply-To: <ack.x@kent.gov.uk>\nReferences: <ack.x@kent.gov.uk>\n\nThanks. He is in Year 4.\n");

        var reply = await ProcessAsync(harness, raw, new DateTimeOffset(2026, 5, 12, 8, 0, 0, TimeSpan.Zero));

        Assert.Multiple(() =>
        {
            Assert.That(request.OpenedCases, Has.Count.EqualTo(1));
            Assert.That(reply.Kind, Is.EqualTo(MessageKind.Reply));
            Assert.That(reply.AttachedToCases, Is.EqualTo(new[] { caseId }));
            Assert.That(harness.Workflows.Raised.Select(e => e.EventName), Is.EqualTo(new[] { "reply-received" }));
        });
    }

    [Test]
    public async Task AnswerWithoutReOrReference_ThatRepliesToOurMessage_IsStillAReplyOnTheCase()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        await ProcessAsync(harness, "05-rectification-attendance.eml", new DateTimeOffset(2026, 3, 20, 13, 30, 0, TimeSpan.Zero));
        var caseId = await harness.ScalarAsync<long>("SELECT id FROM cases");
        await harness.ScalarAsync<int>(
            "INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at) VALUES (@caseId, 'ack.z@kent.gov.uk', 'acknowledgement', 'acknowledgement:z', 'priya.raman@example.co.uk', 's', now()) RETURNING 1",
            new { caseId });
        var raw = Encoding.UTF8.GetBytes(
            "From: Priya Raman <priya.raman@example.co.uk>\nTo: data.protection@kent.gov.uk\nSubject: hospital letter\n" +
            "Message-ID: <r2@example.co.uk>\nIn-Reply-To: <ack.z@kent.gov.uk>\n\nHere is the letter from the hospital.\n");

        var answer = await ProcessAsync(harness, raw, new DateTimeOffset(2026, 3, 23, 8, 0, 0, TimeSpan.Zero));

        Assert.Multiple(async () =>
        {
            Assert.That(answer.Kind, Is.EqualTo(MessageKind.Reply));
            Assert.That(answer.AttachedToCases, Is.EqualTo(new[] { caseId }));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM intake_triage"), Is.Zero);
        });
    }

    [TestCase("11-out-of-office.eml", "auto-reply")]
    [TestCase("15-bounce.eml", "bounce")]
    public async Task AutoRepliesAndBounces_MatchingNoCase_OpenNothing_AreNeverAnswered_AndWaitInTriageSayingWhatTheyAre(string file, string kind)
    {
        await using var harness = await IntakeHarness.CreateAsync();

        var outcome = await ProcessAsync(harness, file, DateTimeOffset.UtcNow);

        Assert.Multiple(async () =>
        {
            Assert.That(outcome.Kind.Id(), Is.EqualTo(kind));
            Assert.That(outcome.Status, Is.EqualTo("triage"), "matches nothing the service sent: an officer sees it (issue 14 item 1)");
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.Zero);
            Assert.That(await harness.ScalarAsync<string>("SELECT array_to_string(reason_codes, ',') FROM intake_triage WHERE inbound_message_id = @id", new { id = outcome.MessageId }), Is.EqualTo(kind));
            Assert.That(harness.Jobs.Jobs, Is.Empty, "never answered");
            Assert.That(harness.Workflows.Started, Is.Empty);
        });
    }

    [Test]
    public async Task AReplyMatchingNoCase_IsTriagedAsAnUnknownReference()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Encoding.UTF8.GetBytes(
            "From: Priya Raman <priya.raman@example.co.uk>\nTo: data.protection@kent.gov.uk\nSubject: Re: KCC-SAR-2019-999999\n" +
            "Message-ID: <r9@example.co.uk>\nIn-Reply-To: <ack.nothing@kent.gov.uk>\n\nHere is the letter you asked for.\n");

        var outcome = await ProcessAsync(harness, raw, new DateTimeOffset(2026, 3, 23, 8, 0, 0, TimeSpan.Zero));

        Assert.Multiple(async () =>
        {
            Assert.That(outcome.Status, Is.EqualTo("triage"));
            Assert.That(await harness.ScalarAsync<string>("SELECT array_to_string(reason_codes, ',') FROM intake_triage WHERE inbound_message_id = @id", new { id = outcome.MessageId }), Does.StartWith("unknown-reference"));
        });
    }

    [Test]
    public async Task Bounce_IsRecordedOnTheCaseWhoseAcknowledgementItReturns()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        await ProcessAsync(harness, "08-vague.eml", new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var caseId = await harness.ScalarAsync<long>("SELECT id FROM cases");
        await harness.ScalarAsync<int>(
            "INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at) VALUES (@caseId, 'ack.y@kent.gov.uk', 'acknowledgement', 'acknowledgement:y', 'jay.k.1999@example.com', 's', now()) RETURNING 1",
            new { caseId });

        var bounce = await ProcessAsync(harness, "15-bounce.eml", new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

        Assert.Multiple(async () =>
        {
            Assert.That(bounce.AttachedToCases, Is.EqualTo(new[] { caseId }));
            Assert.That(await harness.ScalarAsync<string>("SELECT role FROM messages_cases WHERE inbound_message_id = @id", new { id = bounce.MessageId }), Is.EqualTo("bounce"));
            Assert.That(harness.Jobs.Jobs, Has.Count.EqualTo(1), "only the request's acknowledgement");
        });
    }

    [Test]
    public async Task FreedomOfInformation_GoesToTriage_WithItsReason()
    {
        await using var harness = await IntakeHarness.CreateAsync();

        var outcome = await ProcessAsync(harness, "12-foi-not-rights.eml", DateTimeOffset.UtcNow);

        var reasons = await harness.ScalarAsync<string>("SELECT reasons::text FROM intake_triage WHERE inbound_message_id = @id", new { id = outcome.MessageId });
        Assert.Multiple(async () =>
        {
            Assert.That(outcome.Status, Is.EqualTo("triage"));
            Assert.That(reasons, Does.Contain("Freedom of Information"));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.Zero);
        });
    }

    /// <summary>Issue 14, item 7: a conference advert that mentions erasure opened a case and was acknowledged to the advertiser.</summary>
    [TestCase("96-conference-advert-erasure.eml")]
    [TestCase("98-vendor-sar-software-pitch.eml")]
    public async Task MarketingThatMentionsRights_OpensNoCase_SendsNothing_AndGoesToTriage(string file)
    {
        await using var harness = await IntakeHarness.CreateAsync();

        var outcome = await ProcessAsync(harness, file, DateTimeOffset.UtcNow);

        var reasons = await harness.ScalarAsync<string>("SELECT reasons::text FROM intake_triage WHERE inbound_message_id = @id", new { id = outcome.MessageId });
        Assert.Multiple(async () =>
        {
            Assert.That(outcome.Status, Is.EqualTo("triage"));
            Assert.That(outcome.OpenedCases, Is.Empty);
            Assert.That(reasons, Does.Contain("marketing or a newsletter"));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.Zero);
            Assert.That(harness.Jobs.Jobs, Is.Empty, "no acknowledgement to an advertiser");
            Assert.That(harness.Workflows.Started, Is.Empty);
        });
    }

    /// <summary>Issue 14, item 7: a complaint about "my SAR response" also opened an access case.</summary>
    [Test]
    public async Task ComplaintAboutAnEarlierAccessRequest_OpensOnlyTheComplaint()
    {
        await using var harness = await IntakeHarness.CreateAsync();

        var outcome = await ProcessAsync(harness, "102-complaint-sar-response-incomplete.eml", DateTimeOffset.UtcNow);

        Assert.Multiple(async () =>
        {
            Assert.That(outcome.OpenedCases.Select(c => c.Right), Is.EqualTo(new[] { Right.Complaint }));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.EqualTo(1));
        });
    }

    /// <summary>Issue 14, item 7: a foster carer for a child, and a parent objecting for a son, were recorded as the subject.</summary>
    [TestCase("107-foster-carer-access.eml", "other", "Denise Hollis", "Jayden Price")]
    [TestCase("118-mum-objects-son-photo.eml", "child", "Karen Harper", "Jack Harper")]
    public async Task SomeoneActingForAChild_RecordsTheChildAsTheSubject_AndAsksForProof(string file, string relationship, string requester, string subject)
    {
        await using var harness = await IntakeHarness.CreateAsync();

        await ProcessAsync(harness, file, DateTimeOffset.UtcNow);

        var row = (await harness.QueryAsync<(string Relationship, bool IdRequested)>("SELECT relationship, id_requested FROM case_requests")).Single();
        var parties = (await harness.PartiesAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(row, Is.EqualTo((relationship, true)));
            Assert.That((parties.RequesterName, parties.SubjectName), Is.EqualTo((requester, subject)));
        });
    }

    [Test]
    public async Task Malformed_OpensItsCase_AndIsKeptForTriage()
    {
        await using var harness = await IntakeHarness.CreateAsync();

        var outcome = await ProcessAsync(harness, "16-malformed.eml", new DateTimeOffset(2026, 4, 1, 12, 0, 0, TimeSpan.Zero));

        var triage = await harness.QueryAsync<(long? CaseId, string Reasons)>("SELECT case_id, reasons::text FROM intake_triage");
        Assert.Multiple(async () =>
        {
            Assert.That(outcome.OpenedCases.Single().Right, Is.EqualTo(Right.Access));
            Assert.That(outcome.Status, Is.EqualTo("triage"));
            Assert.That(triage.Single().CaseId, Is.Not.Null);
            Assert.That(triage.Single().Reasons, Does.Contain("damaged"));
            Assert.That((await harness.Store.LoadAsync(outcome.MessageId))!.Raw, Is.EqualTo(Corpus.Read("16-malformed.eml")));
        });
    }

    [Test]
    public async Task ComplaintAboutAnExistingCase_OpensAComplaintCaseLinkedToIt()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        await harness.ScalarAsync<int>("INSERT INTO case_reference_counters (code, year, last_value) VALUES ('SAR', 2026, 87) RETURNING 1");
        await ProcessAsync(harness, "02-parent-for-child.eml", new DateTimeOffset(2026, 5, 11, 16, 40, 0, TimeSpan.Zero));

        var complaint = await ProcessAsync(harness, "14-complaint-handling.eml", new DateTimeOffset(2026, 7, 20, 12, 12, 0, TimeSpan.Zero));

        var links = await harness.QueryAsync<(string From, string To, string Type)>(
            "SELECT a.reference, b.reference, l.link_type FROM case_links l JOIN cases a ON a.id = l.case_id JOIN cases b ON b.id = l.linked_case_id ORDER BY 1");
        Assert.Multiple(() =>
        {
            Assert.That(complaint.OpenedCases.Select(r => r.ToString()), Is.EqualTo(new[] { "KCC-CMP-2026-000001" }));
            Assert.That(links, Is.EquivalentTo(new[]
            {
                ("KCC-CMP-2026-000001", "KCC-SAR-2026-000088", "complaint-about"),
                ("KCC-SAR-2026-000088", "KCC-CMP-2026-000001", "complained-of"),
            }));
            Assert.That(harness.Workflows.Started.Last().DefinitionId, Is.EqualTo("complaint"));
        });
    }

    [Test]
    public async Task MessageThatKeepsFailing_GoesToTriageAfterFiveAttempts_InsteadOfBlockingIntake()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var stored = await harness.Store.StoreAsync(Corpus.Read("07-portability.eml"), DateTimeOffset.UtcNow, null);
        await harness.ScalarAsync<int>("UPDATE inbound_messages SET tag = '\\x00000000000000000000000000000000'::bytea WHERE id = @id RETURNING 1", new { id = stored.Id });

        for (var i = 0; i < 6; i++)
        {
            Assert.That(await harness.Processor.ProcessAsync(stored.Id), Is.Null);
        }

        var row = (await harness.QueryAsync<(string Status, int Attempts, string LastError)>("SELECT status, attempts, last_error FROM inbound_messages")).Single();
        Assert.Multiple(async () =>
        {
            Assert.That(row.Status, Is.EqualTo("triage"));
            Assert.That(row.Attempts, Is.EqualTo(5));
            Assert.That(row.LastError, Does.Contain("AuthenticationTagMismatch"));
            Assert.That(await harness.ScalarAsync<string>("SELECT reasons::text FROM intake_triage"), Does.Contain("after 5 attempts"));
        });
    }

    [Test]
    public async Task ProcessingTwice_ActsOnce()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var stored = await harness.Store.StoreAsync(Corpus.Read("07-portability.eml"), DateTimeOffset.UtcNow, null);

        var first = await harness.Processor.ProcessAsync(stored.Id);
        var second = await harness.Processor.ProcessAsync(stored.Id);
        var pending = await harness.Processor.ProcessPendingAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.Not.Null);
            Assert.That(second, Is.Null);
            Assert.That(pending, Is.Zero);
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM cases"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task EveryLabelledMessage_EndsAsItsLabelSays()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var labels = Corpus.Labels();
        foreach (var label in labels)
        {
            await harness.Store.StoreAsync(Corpus.Read(label.File), new DateTimeOffset(2026, 10, 1, 9, 0, 0, TimeSpan.Zero), null);
        }

        var processed = await harness.Processor.ProcessPendingAsync();

        var opened = await harness.QueryAsync<(long MessageId, string RightCode)>(
            "SELECT mc.inbound_message_id, c.right_code FROM messages_cases mc JOIN cases c ON c.id = mc.case_id WHERE mc.role = 'request'");
        var statuses = await harness.QueryAsync<(long Id, string Status)>("SELECT id, status FROM inbound_messages ORDER BY id");
        Assert.That(processed, Is.EqualTo(labels.Count));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < labels.Count; i++)
            {
                var (id, status) = statuses[i];
                var rights = opened.Where(o => o.MessageId == id).Select(o => o.RightCode).Order(StringComparer.Ordinal).ToList();
                var expected = labels[i].Kind == MessageKind.Request ? labels[i].Rights.Select(r => r.Id()).Order(StringComparer.Ordinal).ToList() : [];
                Assert.That(rights, Is.EqualTo(expected), labels[i].File);
                Assert.That(status, Is.Not.EqualTo("received"), labels[i].File);
            }
        });
    }
}
