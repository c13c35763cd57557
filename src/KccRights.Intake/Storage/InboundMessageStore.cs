using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Domain.Text;
using KccRights.Intake.Classification;
using Microsoft.Extensions.Logging;
using MimeKit;
using Npgsql;

namespace KccRights.Intake.Storage;

/// <summary>A stored inbound message: its row and, once decrypted, its raw bytes.</summary>
public sealed record StoredMessage(long Id, string? MessageId, DateTimeOffset ReceivedAt, string Status, byte[] Raw);

/// <summary>The outcome of storing: the row's id, and whether this call created it (false: it was already stored).</summary>
public readonly record struct StoreResult(long Id, bool Created);

/// <summary>
/// Stores raw inbound mail, encrypted, exactly once. Storing commits its own transaction: the mailbox reader moves or
/// flags the message only after this returns, so a crash in between leaves the message in the inbox to be read again,
/// and storing it again finds the existing row (same Message-ID or same content hash) instead of adding one.
/// </summary>
public sealed partial class InboundMessageStore(NpgsqlDataSource dataSource, MessageCipher cipher, TimeProvider time, ILogger<InboundMessageStore> logger)
{
    /// <summary>The stored-mail cipher, which also seals the personal details intake derives from a message.</summary>
    internal MessageCipher Cipher => cipher;

    /// <param name="beforeCommit">Runs inside the transaction just before commit (tests use it to crash at that point).</param>
    public async Task<StoreResult> StoreAsync(
        byte[] raw, DateTimeOffset receivedAt, string? mailbox, Func<CancellationToken, Task>? beforeCommit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var hash = MessageHash.Compute(raw);
        var messageId = ReadMessageId(raw);
        var dedupeKey = messageId ?? "sha256:" + Convert.ToHexStringLower(hash);
        var (nonce, ciphertext, tag) = cipher.Encrypt(raw, hash);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var existing = await FindAsync(connection, transaction, dedupeKey, hash, cancellationToken);
        if (existing is { } found && (found.SameHash || messageId is null))
        {
            await transaction.RollbackAsync(cancellationToken);
            Log.Duplicate(logger, found.Id);
            return new StoreResult(found.Id, false);
        }

        if (existing is not null)
        {
            // The same Message-ID on different content: a broken client or a resend with changes. Keep both (the second
            // under a key with its hash) and process each like any other message: dropping one could lose a request.
            dedupeKey = messageId + "#sha256:" + Convert.ToHexStringLower(hash);
            if (await FindAsync(connection, transaction, dedupeKey, hash, cancellationToken) is { } again)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new StoreResult(again.Id, false);
            }
        }

        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            INSERT INTO inbound_messages (message_id, dedupe_key, content_hash, received_at, stored_at, size_bytes, key_id, nonce, ciphertext, tag, mailbox)
            VALUES (@messageId, @dedupeKey, @hash, @receivedAt, @now, @size, @keyId, @nonce, @ciphertext, @tag, @mailbox)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            new { messageId, dedupeKey, hash, receivedAt, now = time.GetUtcNow(), size = raw.Length, keyId = cipher.KeyId, nonce, ciphertext, tag, mailbox },
            transaction,
            cancellationToken: cancellationToken));
        if (id is null)
        {
            // Another reader stored it between our look and our insert.
            await transaction.RollbackAsync(cancellationToken);
            var winner = await FindAsync(connection, null, dedupeKey, hash, cancellationToken);
            return new StoreResult(winner?.Id ?? throw new InvalidOperationException("A conflicting inbound message vanished."), false);
        }

        if (beforeCommit is not null)
        {
            await beforeCommit(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Log.Stored(logger, id.Value, raw.Length);
        return new StoreResult(id.Value, true);
    }

    public async Task<StoredMessage?> LoadAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LoadAsync(connection, null, id, forUpdate: false, cancellationToken);
    }

    internal async Task<StoredMessage?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, bool forUpdate, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT id, message_id, received_at, status, key_id, nonce, ciphertext, tag, content_hash FROM inbound_messages WHERE id = @id{(forUpdate ? " FOR UPDATE SKIP LOCKED" : string.Empty)}",
            new { id },
            transaction,
            cancellationToken: cancellationToken));
        return row is null
            ? null
            : new StoredMessage(row.Id, row.MessageId, row.ReceivedAt, row.Status, cipher.Decrypt(row.KeyId, row.Nonce, row.Ciphertext, row.Tag, row.ContentHash));
    }

    /// <summary>Stored messages not yet acted on, oldest first.</summary>
    public async Task<IReadOnlyList<long>> PendingAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM inbound_messages WHERE status = 'received' ORDER BY id LIMIT @limit",
            new { limit },
            cancellationToken: cancellationToken));
        return ids.AsList();
    }

    internal static async Task SetOutcomeAsync(NpgsqlTransaction transaction, long id, string status, ClassificationResult result, DateTimeOffset now, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            UPDATE inbound_messages SET status = @status, kind = @kind, classification = @classification::jsonb, processed_at = @now,
                   last_error = NULL
            WHERE id = @id
            """,
            new { id, status, kind = result.Kind.Id(), classification = ClassificationJson.ToStoredJson(result).ToJsonString(), now },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>After this many failed attempts a message stops being retried and goes to an officer.</summary>
    public const int MaxAttempts = 5;

    /// <summary>
    /// Counts an attempt BEFORE the work, in its own short transaction: a message that stops the service while it is read
    /// (the probe's kill -9 during a 43 s classification) is not read again for ever. Null when the message is not waiting
    /// or another worker has it.
    /// </summary>
    internal async Task<(int Attempts, string? LastError)?> BeginAttemptAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(int Attempts, string? LastError)>(new CommandDefinition(
            """
            WITH claimed AS (SELECT id FROM inbound_messages WHERE id = @id AND status = 'received' FOR UPDATE SKIP LOCKED)
            UPDATE inbound_messages m SET attempts = m.attempts + 1 FROM claimed WHERE m.id = claimed.id
            RETURNING m.attempts, m.last_error
            """,
            new { id },
            cancellationToken: cancellationToken))).AsList();
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Notes a failed attempt; at the last one the message goes to triage with the reason (issue 9, item 2).</summary>
    internal async Task RecordFailureAsync(long id, string error, CancellationToken cancellationToken)
    {
        error = TextCleaner.Line(error) ?? string.Empty;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            WITH failed AS (
                UPDATE inbound_messages SET last_error = @error,
                       status = CASE WHEN attempts >= @max THEN 'triage' ELSE status END
                WHERE id = @id AND status = 'received'
                RETURNING id, status, attempts
            )
            INSERT INTO intake_triage (inbound_message_id, reasons, reason_kind, detail, created_at)
            SELECT id, jsonb_build_array('intake could not process this message after ' || attempts || ' attempts: an officer must read it and open a case if it is a request', @error),
                   'processing-failed', @error, @now
            FROM failed WHERE status = 'triage'
            ON CONFLICT (inbound_message_id) DO NOTHING
            """,
            new { id, error, max = MaxAttempts, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A message whose attempts ran out without a recorded outcome (each one ended the process, or ran out of time): to
    /// triage without reading it again.
    /// </summary>
    internal async Task GiveUpAsync(long id, int attempts, string? lastError, CancellationToken cancellationToken)
    {
        var detail = TextCleaner.Line(lastError);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbound_messages SET status = 'triage', processed_at = @now WHERE id = @id AND status = 'received'",
            new { id, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
        if (updated == 1)
        {
            string[] reasons = [$"intake started on this message {attempts - 1} times without finishing it (the service stopped or ran out of time while reading it): an officer must read it and open a case if it is a request"];
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO intake_triage (inbound_message_id, reasons, reason_kind, detail, created_at)
                VALUES (@id, @reasons::jsonb, 'over-budget', @detail, @now)
                ON CONFLICT (inbound_message_id) DO NOTHING
                """,
                new { id, reasons = JsonSerializer.Serialize(reasons), detail, now = time.GetUtcNow() },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Issue 9, item 9: a message the IMAP server could not serve after its retries is recorded with its folder and UID
    /// (it was never stored) so an officer sees it, and the reader skips it from then on. Idempotent.
    /// </summary>
    /// <param name="fetched">True when the server served it but the database refused to store it ('processing-failed').</param>
    public async Task RecordUnservableAsync(string mailbox, uint uid, int attempts, string error, bool fetched = false, CancellationToken cancellationToken = default)
    {
        var detail = TextCleaner.Line(error);
        string[] reasons =
        [
            fetched
                ? string.Create(CultureInfo.InvariantCulture, $"message UID {uid} in {mailbox} could not be stored after {attempts} attempts: it was skipped and is still in the mailbox; open it there (webmail or a mail client) and deal with it by hand")
                : string.Create(CultureInfo.InvariantCulture, $"the mail server could not serve message UID {uid} in {mailbox} after {attempts} attempts: it was skipped and is still in the mailbox; open it there (webmail or a mail client) and deal with it by hand"),
        ];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO intake_triage (inbound_message_id, mailbox, imap_uid, reasons, reason_kind, detail, created_at)
            VALUES (NULL, @mailbox, @uid, @reasons::jsonb, @kind, @detail, @now)
            ON CONFLICT (mailbox, imap_uid) WHERE inbound_message_id IS NULL DO NOTHING
            """,
            new { mailbox, uid = (long)uid, reasons = JsonSerializer.Serialize(reasons), kind = fetched ? "processing-failed" : "imap-unservable", detail, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    /// <summary>The UIDs already recorded as not fetchable or not storable in this mailbox (folder/UIDVALIDITY): skipped from then on.</summary>
    public async Task<IReadOnlySet<uint>> UnservableUidsAsync(string mailbox, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var uids = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT imap_uid FROM intake_triage WHERE inbound_message_id IS NULL AND mailbox = @mailbox",
            new { mailbox },
            cancellationToken: cancellationToken));
        return uids.Select(u => (uint)u).ToHashSet();
    }

    private static async Task<(long Id, bool SameHash)?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string dedupeKey, byte[] hash, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<(long Id, byte[] ContentHash)>(new CommandDefinition(
            "SELECT id, content_hash FROM inbound_messages WHERE dedupe_key = @dedupeKey OR content_hash = @hash ORDER BY id",
            new { dedupeKey, hash },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return null;
        }

        var same = rows.FirstOrDefault(r => r.ContentHash.AsSpan().SequenceEqual(hash));
        return same.Id != 0 ? (same.Id, true) : (rows[0].Id, false);
    }

    private const int MaxMessageIdBytes = 1000;

    /// <summary>The Message-ID without angle brackets, or null when the message has none, an unusable one, or no readable headers.</summary>
    internal static string? ReadMessageId(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var headers = HeaderList.Load(stream);
            var value = headers[HeaderId.MessageId];
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            // Cleaned: a NUL in the Message-ID would make every insert fail (PostgreSQL 22021) and the mailbox retry for ever.
            // Too long for a b-tree index entry (PostgreSQL refuses ~2.7 KB): such a message is deduplicated by its hash.
            return TextCleaner.Line(MimeKit.Utils.MimeUtils.ParseMessageId(value) ?? value.Trim().Trim('<', '>')) is { Length: > 0 } id
                && System.Text.Encoding.UTF8.GetByteCount(id) <= MaxMessageIdBytes ? id : null;
        }
        catch (Exception ex) when (ex is FormatException or ParseException or IOException)
        {
            return null;
        }
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public string? MessageId { get; init; }
        public DateTimeOffset ReceivedAt { get; init; }
        public string Status { get; init; } = "";
        public string KeyId { get; init; } = "";
        public byte[] Nonce { get; init; } = [];
        public byte[] Ciphertext { get; init; } = [];
        public byte[] Tag { get; init; } = [];
        public byte[] ContentHash { get; init; } = [];
    }

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Information, "Stored inbound message {Id} ({Bytes} bytes)")]
        public static partial void Stored(ILogger logger, long id, int bytes);

        [LoggerMessage(4002, LogLevel.Information, "Inbound message already stored as {Id}: not stored again")]
        public static partial void Duplicate(ILogger logger, long id);
    }
}
