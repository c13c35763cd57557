using System.Security.Cryptography;
using KccRights.Intake.Storage;
using KccRights.Intake.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace KccRights.Intake.Tests.Storage;

/// <summary>
/// Issue 9 Build 6: the subject's details in case_requests are sealed with the stored-mail keys; rows stored in plain
/// text earlier are sealed at start; <c>kccrights keys rotate</c> re-encrypts mail and details under a new key.
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
    public async Task SealedDetails_MovedOntoAnotherCase_DoNotOpen()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var caseId = await RequestAsync(harness);
        var sealedDetails = await harness.ScalarAsync<byte[]>("SELECT sealed_details FROM case_requests");

        Assert.That(() => CaseRequestDetails.Open(harness.Cipher, caseId + 1, sealedDetails), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public async Task Rotate_ReencryptsMailAndDetailsUnderTheNewKey_SoTheOldKeyCanBeDropped()
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
            Assert.That(await harness.ScalarAsync<string>("SELECT key_id FROM inbound_messages"), Is.EqualTo(onlyNew.KeyId));
            Assert.That((await store.LoadAsync(messageId))!.Raw, Is.EqualTo(original));
            Assert.That((await CaseRequestDetails.ReadAsync(harness.DataSource, onlyNew, caseId))?.Postcode, Is.EqualTo("DA1 2AA"));
            Assert.That((await KeyRotation.RotateAsync(harness.DataSource, onlyNew)).MessagesReencrypted, Is.Zero, "nothing is left under the old key");
        });
    }
}
