using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Cases;
using KccRights.Correspondence.Letters;
using KccRights.Correspondence.Smtp;
using KccRights.Intake.Storage;
using KccRights.Intake.Tests.Support;
using KccRights.TestSupport;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Npgsql;

namespace KccRights.Intake.Tests.Storage;

/// <summary>
/// Issue 9 Build 6: the subject's details and the requester's and subject's names, the requester's address, the agent's
/// reference and the quoted reasons in case_requests are sealed with the stored-mail keys; rows stored in plain text
/// earlier are sealed at start; <c>kccrights keys rotate</c> re-encrypts mail, details and parties under a new key.
/// </summary>
public class PersonalDataAtRestTests
{
    private static async Task<long> RequestAsync(IntakeHarness harness)
    {
        var stored = await harness.Store.StoreAsync(Corpus.Read("03-solicitor-with-authority.eml"), new DateTimeOffset(2026, 7, 31, 11, 5, 0, TimeSpan.Zero), null);
        await harness.Processor.ProcessAsync(stored.Id);
        return await harness.ScalarAsync<long>("SELECT case_id FROM case_requests");
    }

    [Test]
    public async Task DetailsStoredInPlainTextBefore_AreSealedAtStart_AndTheirPlainColumnsEmptied()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);
        await harness.ScalarAsync<int>(
            "UPDATE case_requests SET sealed_details = NULL, school = 'Oakwood Primary', address = '1 High Street', previous_names = '{Jade Smith}' RETURNING 1");

        await new SealPlaintextAtStart(harness.DataSource, harness.Cipher, NullLogger<SealPlaintextAtStart>.Instance).StartAsync(CancellationToken.None);

        var details = await CaseRequestDetails.ReadAsync(harness.DataSource, harness.Cipher, caseId);
        Assert.Multiple(async () =>
        {
            Assert.That(details?.School, Is.EqualTo("Oakwood Primary"));
            Assert.That(details?.Address, Is.EqualTo("1 High Street"));
            Assert.That(details?.PreviousNames, Is.EqualTo(new[] { "Jade Smith" }));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM case_requests WHERE school IS NOT NULL OR address IS NOT NULL OR cardinality(previous_names) > 0"), Is.Zero);
        });
    }

    [Test]
    public async Task RequestViaIntake_KeepsNoNameOrAddressInPlainText_InCaseRequests()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);

        var parties = (await harness.PartiesAsync()).Single();
        var summary = await new CaseQueries(harness.DataSource, harness.Cipher).FindAsync(
            await harness.ScalarAsync<string>("SELECT reference FROM cases WHERE id = @caseId", new { caseId }));

        // The row as PostgreSQL holds it on disk, after a checkpoint: the heap file of case_requests (read as the owner).
        string heap;
        await using (var owner = new NpgsqlConnection(TestPostgres.OwnerConnectionString(harness.DataSource.ConnectionString)))
        {
            await owner.OpenAsync();
            await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", owner))
            {
                await checkpoint.ExecuteNonQueryAsync();
            }

            heap = Encoding.Latin1.GetString(await owner.ExecuteScalarAsync<byte[]>("SELECT pg_read_binary_file(pg_relation_filepath('case_requests'))") ?? []);
        }

        var rowText = await harness.ScalarAsync<string>("SELECT string_agg(r::text, '|') FROM case_requests r");
        Assert.Multiple(async () =>
        {
            Assert.That(parties.RequesterEmail, Is.EqualTo("records@harrisco.example.net"));
            Assert.That(parties.RequesterName, Does.Contain("Harris"));
            Assert.That(parties.SubjectName, Is.EqualTo("Jade Parker"));
            Assert.That(parties.AgentReference, Is.EqualTo("HC/JP/4471"));
            Assert.That(parties.Reasons, Is.Not.Empty, "the phrases that decided are kept, sealed");
            Assert.That(
                await harness.ScalarAsync<long>("SELECT count(*) FROM case_requests WHERE requester_name IS NOT NULL OR requester_email IS NOT NULL OR subject_name IS NOT NULL OR agent_reference IS NOT NULL OR reasons <> '[]'"),
                Is.Zero,
                "the plain columns are empty");
            foreach (var plain in new[] { "Jade Parker", "harrisco", "Harris", "HC/JP/4471" })
            {
                Assert.That(rowText, Does.Not.Contain(plain), "the row as text");
                Assert.That(heap, Does.Not.Contain(plain), "the table's bytes on disk");
            }

            Assert.That(heap, Does.Contain("client"), "the file holds the row: its plain relationship is there");

            // The data-access layer opens them, so the queue, the case page and the letters are unchanged.
            Assert.That((summary?.RequesterName, summary?.RequesterEmail, summary?.SubjectName), Is.EqualTo((parties.RequesterName, "records@harrisco.example.net", "Jade Parker")));
        });
    }

    [Test]
    public async Task PartiesStoredInPlainTextBefore_AreSealedAtStart_AndTheirPlainColumnsEmptied()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);
        await harness.ScalarAsync<int>(
            """
            UPDATE case_requests SET sealed_parties = NULL, requester_name = 'Old Requester', requester_email = 'old@example.com',
                subject_name = 'Old Subject', agent_reference = 'OLD/1', reasons = '["quoted phrase"]' RETURNING 1
            """);

        await new SealPlaintextAtStart(harness.DataSource, harness.Cipher, NullLogger<SealPlaintextAtStart>.Instance).StartAsync(CancellationToken.None);

        var parties = (await harness.PartiesAsync()).Single();
        var summary = await new CaseQueries(harness.DataSource, harness.Cipher).FindAsync(
            await harness.ScalarAsync<string>("SELECT reference FROM cases WHERE id = @caseId", new { caseId }));
        Assert.Multiple(async () =>
        {
            Assert.That((parties.RequesterName, parties.RequesterEmail, parties.SubjectName, parties.AgentReference), Is.EqualTo(("Old Requester", "old@example.com", "Old Subject", "OLD/1")));
            Assert.That(parties.Reasons, Is.EqualTo(new[] { "quoted phrase" }));
            Assert.That(summary?.RequesterName, Is.EqualTo("Old Requester"));
            Assert.That(
                await harness.ScalarAsync<long>("SELECT count(*) FROM case_requests WHERE requester_name IS NOT NULL OR requester_email IS NOT NULL OR subject_name IS NOT NULL OR agent_reference IS NOT NULL OR reasons <> '[]'"),
                Is.Zero);
        });
    }

    [Test]
    public async Task LetterToTheRequester_GoesToTheSealedAddress_AndNamesThem()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);
        var mail = new KeepingSender();
        var letters = new MailNotificationSender(mail, new SmtpOptions { FromAddress = "data.protection@kent.gov.uk" }, harness.Cipher, new LetterTemplates(), harness.Clocks, NullLogger<MailNotificationSender>.Instance);

        await using (var connection = await harness.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await letters.SendAsync(
                new OutboundNotification { Key = "id-request:" + caseId, Template = "send-id-request", RecipientKind = "requester", Recipient = "requester", CaseId = caseId },
                new JobContext { JobId = 1, Kind = "send-notification", Attempt = 1, CaseId = caseId, Payload = default, Transaction = transaction, Time = TimeProvider.System },
                CancellationToken.None);
            await transaction.CommitAsync();
        }

        var letter = mail.Sent.Single();
        Assert.Multiple(() =>
        {
            Assert.That(letter.To.Mailboxes.Single().Address, Is.EqualTo("records@harrisco.example.net"));
            Assert.That(letter.TextBody, Does.StartWith("Dear Harris"));
        });
    }

    private sealed class KeepingSender : IMailSender
    {
        public List<MimeMessage> Sent { get; } = [];

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task SealedParties_MovedOntoAnotherCase_DoNotOpen()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);
        var sealedParties = await harness.ScalarAsync<byte[]>("SELECT sealed_parties FROM case_requests");

        Assert.That(() => CaseRequestParties.Open(harness.Cipher, caseId + 1, sealedParties), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public async Task SealedDetails_MovedOntoAnotherCase_DoNotOpen()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);
        var sealedDetails = await harness.ScalarAsync<byte[]>("SELECT sealed_details FROM case_requests");

        Assert.That(() => CaseRequestDetails.Open(harness.Cipher, caseId + 1, sealedDetails), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public async Task Rotate_ReencryptsMailDetailsAndPartiesUnderTheNewKey_SoTheOldKeyCanBeDropped()
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        await using var harness = await IntakeHarness.CreateAsync(key: oldKey);
        var caseId = await RequestAsync(harness);
        var messageId = await harness.ScalarAsync<long>("SELECT id FROM inbound_messages");
        var original = (await harness.Store.LoadAsync(messageId))!.Raw;
        var newKey = RandomNumberGenerator.GetBytes(32);

        var report = await KeyRotation.RotateAsync(harness.DataSource, new MessageCipher(newKey, [oldKey]));

        var onlyNew = new MessageCipher(newKey);
        var store = new InboundMessageStore(harness.DataSource, onlyNew, TimeProvider.System, NullLogger<InboundMessageStore>.Instance);
        Assert.Multiple(async () =>
        {
            Assert.That(report.MessagesReencrypted, Is.EqualTo(1));
            Assert.That(report.DetailsResealed, Is.EqualTo(1));
            Assert.That(report.PartiesResealed, Is.EqualTo(1));
            Assert.That(await harness.ScalarAsync<string>("SELECT key_id FROM inbound_messages"), Is.EqualTo(onlyNew.KeyId));
            Assert.That((await store.LoadAsync(messageId))!.Raw, Is.EqualTo(original));
            Assert.That((await CaseRequestDetails.ReadAsync(harness.DataSource, onlyNew, caseId))?.Postcode, Is.EqualTo("DA1 2AA"));
            Assert.That(CaseRequestParties.Open(onlyNew, caseId, await harness.ScalarAsync<byte[]>("SELECT sealed_parties FROM case_requests")).SubjectName, Is.EqualTo("Jade Parker"));
            Assert.That((await KeyRotation.RotateAsync(harness.DataSource, onlyNew)).MessagesReencrypted, Is.Zero, "nothing is left under the old key");
        });
    }
}
