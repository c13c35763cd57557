using Dapper;
using KccRights.Cases;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Intake.Storage;

/// <summary>What <c>kccrights keys rotate</c> did.</summary>
/// <remarks>PlaintextRowsSealed counts sealed values: a row with both plain details and plain parties counts twice.</remarks>
public sealed record KeyRotationReport(int MessagesReencrypted, int DetailsResealed, int PlaintextRowsSealed, int PartiesResealed = 0, int SearchIndexed = 0);

/// <summary>
/// Re-encrypts everything stored under an earlier key with the current one (issue 9 Build 6): the raw mail in
/// inbound_messages and the sealed case_requests details and parties (requester, subject, agent's reference, reasons), and remakes the case search's blind index under a key derived from the new one. The operator sets the new key as Intake:Storage:EncryptionKey,
/// keeps the old one in Intake:Storage:PreviousKeys, runs this, and may then drop the old key. Each row is re-encrypted
/// in a short transaction of its batch; running it again after an interruption carries on.
/// </summary>
public static class KeyRotation
{
    private const int Batch = 100;

    public static async Task<KeyRotationReport> RotateAsync(NpgsqlDataSource dataSource, MessageCipher cipher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(cipher);
        var plaintext = await CaseRequestDetails.SealPlaintextRowsAsync(dataSource, cipher, cancellationToken)
            + await CaseRequestParties.SealPlaintextRowsAsync(dataSource, cipher, cancellationToken);
        var messages = await RotateMessagesAsync(dataSource, cipher, cancellationToken);
        var (details, parties) = await CaseRequestSealing.ResealAsync(dataSource, cipher, cancellationToken);

        // The search's blind index is keyed from the current key (ADR 0007): a new key means new tokens for every case.
        var indexed = await new CaseSearchIndex(cipher).IndexStaleRowsAsync(dataSource, cipher, cancellationToken: cancellationToken);
        return new KeyRotationReport(messages, details, plaintext, parties, indexed);
    }

    private static async Task<int> RotateMessagesAsync(NpgsqlDataSource dataSource, MessageCipher cipher, CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<MessageRow>(new CommandDefinition(
                "SELECT id, key_id, nonce, ciphertext, tag, content_hash FROM inbound_messages WHERE key_id <> @current ORDER BY id LIMIT @Batch FOR UPDATE",
                new { current = cipher.KeyId, Batch },
                transaction,
                cancellationToken: cancellationToken))).AsList();
            if (rows.Count == 0)
            {
                return count;
            }

            foreach (var row in rows)
            {
                var raw = cipher.Decrypt(row.KeyId, row.Nonce, row.Ciphertext, row.Tag, row.ContentHash);
                var (nonce, ciphertext, tag) = cipher.Encrypt(raw, row.ContentHash);
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE inbound_messages SET key_id = @keyId, nonce = @nonce, ciphertext = @ciphertext, tag = @tag WHERE id = @Id",
                    new { keyId = cipher.KeyId, nonce, ciphertext, tag, row.Id },
                    transaction,
                    cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            count += rows.Count;
        }
    }

    private sealed record MessageRow
    {
        public long Id { get; init; }
        public string KeyId { get; init; } = "";
        public byte[] Nonce { get; init; } = [];
        public byte[] Ciphertext { get; init; } = [];
        public byte[] Tag { get; init; } = [];
        public byte[] ContentHash { get; init; } = [];
    }
}
