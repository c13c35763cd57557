using System.Security.Cryptography;
using System.Text;
using KccRights.Intake.Storage;
using KccRights.Intake.Tests.Support;

namespace KccRights.Intake.Tests.Storage;

public class InboundMessageStoreTests
{
    private static readonly DateTimeOffset Arrived = new(2026, 3, 2, 9, 14, 0, TimeSpan.Zero);

    [Test]
    public async Task SameMessageTwice_IsOneRow()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Corpus.Read("01-adult-own-records.eml");

        var first = await harness.Store.StoreAsync(raw, Arrived, "INBOX/1/1");
        var second = await harness.Store.StoreAsync(raw, Arrived, "INBOX/1/1");

        Assert.Multiple(async () =>
        {
            Assert.That(first.Created, Is.True);
            Assert.That(second, Is.EqualTo(first with { Created = false }));
            Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM inbound_messages"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SameMessageDeliveredTwiceWithDifferentTraceHeaders_IsOneRow()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Encoding.UTF8.GetString(Corpus.Read("02-parent-for-child.eml"));
        var viaA = "Return-Path: <a@example.org>\nReceived: from a by mx1; Mon, 11 May 2026 16:40:01 +0000\n" + raw;
        var viaB = "Received: from b by mx2; Mon, 11 May 2026 16:41:07 +0000\nDelivered-To: data.protection@kent.gov.uk\n" + raw;

        await harness.Store.StoreAsync(Encoding.UTF8.GetBytes(viaA), Arrived, null);
        var second = await harness.Store.StoreAsync(Encoding.UTF8.GetBytes(viaB), Arrived, null);

        Assert.That(second.Created, Is.False);
    }

    [Test]
    public async Task MessageWithoutMessageId_IsDedupedByContentHash()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Encoding.UTF8.GetBytes("From: a@example.com\nSubject: hello\n\nsend me my records\n");

        var first = await harness.Store.StoreAsync(raw, Arrived, null);
        var second = await harness.Store.StoreAsync(raw, Arrived, null);

        Assert.That((first.Created, second.Created, second.Id), Is.EqualTo((true, false, first.Id)));
    }

    [Test]
    public async Task SameMessageIdOnDifferentContent_KeepsBoth()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var one = Encoding.UTF8.GetBytes("From: a@example.com\nMessage-ID: <same@example.com>\nSubject: one\n\nfirst\n");
        var two = Encoding.UTF8.GetBytes("From: a@example.com\nMessage-ID: <same@example.com>\nSubject: two\n\nsecond, different\n");

        var first = await harness.Store.StoreAsync(one, Arrived, null);
        var second = await harness.Store.StoreAsync(two, Arrived, null);
        var again = await harness.Store.StoreAsync(two, Arrived, null);

        Assert.Multiple(() =>
        {
            Assert.That(first.Created && second.Created, Is.True);
            Assert.That(second.Id, Is.Not.EqualTo(first.Id));
            Assert.That(again, Is.EqualTo(second with { Created = false }));
        });
    }

    [Test]
    public async Task RawBytes_AreEncryptedAtRest_AndReadBackExactly()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Corpus.Read("01-adult-own-records.eml");

        var stored = await harness.Store.StoreAsync(raw, Arrived, null);
        var ciphertext = await harness.ScalarAsync<byte[]>("SELECT ciphertext FROM inbound_messages WHERE id = @id", new { id = stored.Id });
        var loaded = await harness.Store.LoadAsync(stored.Id);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.Latin1.GetString(ciphertext), Does.Not.Contain("Okafor"));
            Assert.That(loaded!.Raw, Is.EqualTo(raw));
            Assert.That(loaded.ReceivedAt, Is.EqualTo(Arrived));
            Assert.That(loaded.MessageId, Is.EqualTo("179599060018.17517.5407560375771665925@example.com"));
        });
    }

    [Test]
    public async Task CrashBeforeCommit_StoresNothing_AndTheNextReadStoresIt()
    {
        await using var harness = await IntakeHarness.CreateAsync();
        var raw = Corpus.Read("04-erasure-exclusion.eml");

        Assert.ThrowsAsync<IOException>(() => harness.Store.StoreAsync(raw, Arrived, null, _ => throw new IOException("power cut")));
        Assert.That(await harness.ScalarAsync<long>("SELECT count(*) FROM inbound_messages"), Is.Zero);

        var retry = await harness.Store.StoreAsync(raw, Arrived, null);
        Assert.That(retry.Created, Is.True);
    }

    [Test]
    public void Cipher_TamperedCiphertextOrOtherRow_IsRejected()
    {
        var cipher = new MessageCipher(RandomNumberGenerator.GetBytes(32));
        var hash = MessageHash.Compute("x"u8);
        var (nonce, ciphertext, tag) = cipher.Encrypt("secret message"u8, hash);
        var tampered = ciphertext.ToArray();
        tampered[0] ^= 1;

        Assert.Multiple(() =>
        {
            Assert.That(cipher.Decrypt(cipher.KeyId, nonce, ciphertext, tag, hash), Is.EqualTo("secret message"u8.ToArray()));
            Assert.That(() => cipher.Decrypt(cipher.KeyId, nonce, tampered, tag, hash), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => cipher.Decrypt(cipher.KeyId, nonce, ciphertext, tag, MessageHash.Compute("y"u8)), Throws.InstanceOf<CryptographicException>());
            Assert.That(() => cipher.Decrypt("unknown", nonce, ciphertext, tag, hash), Throws.InstanceOf<CryptographicException>());
        });
    }

    [Test]
    public void Cipher_RotatedKey_StillReadsOldRows()
    {
        var oldKey = RandomNumberGenerator.GetBytes(32);
        var old = new MessageCipher(oldKey);
        var hash = MessageHash.Compute("x"u8);
        var (nonce, ciphertext, tag) = old.Encrypt("kept"u8, hash);
        var options = new MessageStorageOptions { EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        options.PreviousKeys.Add(Convert.ToBase64String(oldKey));

        var rotated = MessageCipher.FromOptions(options, Path.GetTempPath());

        Assert.That(rotated.Decrypt(old.KeyId, nonce, ciphertext, tag, hash), Is.EqualTo("kept"u8.ToArray()));
    }

    [Test]
    [Platform("Linux")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Cipher_WithNoKeyConfigured_GeneratesADevelopmentKeyOnceInTheDataDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "kcc-key-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = MessageCipher.FromOptions(new MessageStorageOptions(), directory);
            var second = MessageCipher.FromOptions(new MessageStorageOptions(), directory);
            var file = Path.Combine(directory, MessageCipher.DevelopmentKeyFileName);

            Assert.Multiple(() =>
            {
                Assert.That(second.KeyId, Is.EqualTo(first.KeyId));
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
