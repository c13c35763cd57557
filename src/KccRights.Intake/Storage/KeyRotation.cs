using Dapper;
using KccRights.Cases;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Intake.Storage;

/// <summary>What <c>kccrights keys rotate</c> did.</summary>
/// <remarks>PlaintextRowsSealed counts sealed values: a row with both plain details and plain parties counts twice.</remarks>
public sealed record KeyRotationReport(int MessagesReencrypted, int DetailsResealed, int PlaintextRowsSealed, int PartiesResealed = 0);

/// <summary>
/// Re-encrypts everything stored under an earlier key with the current one (issue 9 Build 6): the raw mail in
/// inbound_messages and the sealed case_requests details and parties (requester, subject, agent's reference, reasons). The operator sets the new key as Intake:Storage:EncryptionKey,
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
        var details = await ResealColumnAsync(dataSource, cipher, "sealed_details", (caseId, value) => CaseRequestDetails.Open(cipher, caseId, value).Seal(cipher, caseId), cancellationToken);
        var parties = await ResealColumnAsync(dataSource, cipher, "sealed_parties", (caseId, value) => CaseRequestParties.Open(cipher, caseId, value).Seal(cipher, caseId), cancellationToken);
        return new KeyRotationReport(messages, details, plaintext, parties);
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

    /// <summary>Re-seals under the current key every value of a sealed case_requests column made with an earlier one.</summary>
    private static async Task<int> ResealColumnAsync(NpgsqlDataSource dataSource, MessageCipher cipher, string column, Func<long, byte[], byte[]> reseal, CancellationToken cancellationToken)
    {
        var count = 0;
        var lastCaseId = 0L;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<SealedRow>(new CommandDefinition(
                $"SELECT case_id, {column} AS sealed_value FROM case_requests WHERE {column} IS NOT NULL AND case_id > @lastCaseId ORDER BY case_id LIMIT @Batch FOR UPDATE",
                new { lastCaseId, Batch },
                transaction,
                cancellationToken: cancellationToken))).AsList();
            if (rows.Count == 0)
            {
                return count;
            }

            foreach (var row in rows.Where(r => !cipher.IsCurrent(SealedData.KeyIdOfSealed(r.SealedValue))))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE case_requests SET {column} = @sealed WHERE case_id = @CaseId",
                    new { @sealed = reseal(row.CaseId, row.SealedValue), row.CaseId },
                    transaction,
                    cancellationToken: cancellationToken));
                count++;
            }

            await transaction.CommitAsync(cancellationToken);
            lastCaseId = rows[^1].CaseId;
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

    private sealed record SealedRow
    {
        public long CaseId { get; init; }
        public byte[] SealedValue { get; init; } = [];
    }
}
