using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Disclosure.Dispatch;

/// <summary>What a download link is now.</summary>
public enum DownloadLinkState
{
    /// <summary>Usable: the page asks for the code.</summary>
    Ready,

    /// <summary>No link has this token (or its response has not been sent yet).</summary>
    Unknown,

    Expired,

    /// <summary>The response was downloaded: a link works once.</summary>
    Used,

    /// <summary>Too many wrong codes.</summary>
    Locked,
}

/// <summary>A link as the page shows it: its state, when it expires and how many codes may still be tried.</summary>
public sealed record DownloadLinkStatus(DownloadLinkState State, DateTimeOffset? ExpiresAt, int AttemptsLeft);

/// <summary>The answer to a code: the PDF, or why not.</summary>
public sealed record DownloadAttempt(DownloadLinkStatus Status, bool WrongCode, byte[]? Pdf, string? FileName);

/// <summary>
/// The public download page's side of a link (issue 13 Build 6): a token is looked up by its SHA-256 only; the one-time
/// code sent apart is compared in constant time with the sealed one; wrong codes are counted and lock the link after
/// <see cref="DispatchOptions.MaxCodeAttempts"/>; an expired, used or locked link is refused. Every attempt and every
/// download is audited with ids only (the dispatch id, the case id), never the token, the code or an address (UK GDPR
/// Art 5(2) accountability, Art 32 security).
/// </summary>
public sealed class DownloadLinks(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, AuditLog audit, DispatchOptions options, TimeProvider time)
{
    private const string Actor = "download-link";
    private const string ActorRole = "requester";

    public async Task<DownloadLinkStatus> StatusAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await FindAsync(connection, null, token, forUpdate: false, cancellationToken);
        return Status(row);
    }

    /// <summary>Checks <paramref name="code"/> against the link's; on a match the link is used and the PDF returned.</summary>
    public async Task<DownloadAttempt> DownloadAsync(string token, string? code, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await FindAsync(connection, transaction, token, forUpdate: true, cancellationToken);
        var status = Status(row);
        if (row is null)
        {
            await audit.RecordAsync(Actor, ActorRole, "disclosure.download-attempt", null, allowed: false, new { reason = "unknown-link" }, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new DownloadAttempt(status, false, null, null);
        }

        if (status.State != DownloadLinkState.Ready)
        {
            await audit.RecordAsync(Actor, ActorRole, "disclosure.download-attempt", row.CaseId, allowed: false, new { dispatchId = row.Id, reason = status.State.ToString().ToLowerInvariant() }, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new DownloadAttempt(status, false, null, null);
        }

        var expected = cipher.Open(row.SealedCode!, DispatchResponseHandler.CodeContext(row.CaseId, row.DocumentId));
        var given = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.ASCII.GetBytes(given)), SHA256.HashData(Encoding.ASCII.GetBytes(expected))))
        {
            var failed = row.FailedAttempts + 1;
            var locked = failed >= options.MaxCodeAttempts;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE disclosure_dispatches SET failed_attempts = @failed, locked_at = CASE WHEN @locked THEN @now ELSE locked_at END WHERE id = @id",
                new { failed, locked, now = time.GetUtcNow(), id = row.Id },
                transaction,
                cancellationToken: cancellationToken));
            await audit.RecordAsync(Actor, ActorRole, "disclosure.download-attempt", row.CaseId, allowed: false, new { dispatchId = row.Id, reason = "wrong-code", attempt = failed, locked }, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new DownloadAttempt(
                new DownloadLinkStatus(locked ? DownloadLinkState.Locked : DownloadLinkState.Ready, row.ExpiresAt, Math.Max(options.MaxCodeAttempts - failed, 0)),
                WrongCode: true,
                null,
                null);
        }

        // Used: the code is no longer kept; the requester's copy stays with the case (Art 15(3)) until retention.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE disclosure_dispatches SET downloaded_at = @now, sealed_code = NULL WHERE id = @id",
            new { now = time.GetUtcNow(), id = row.Id },
            transaction,
            cancellationToken: cancellationToken));
        var pdf = Convert.FromBase64String(cipher.Open(row.SealedCopy, DispatchResponseHandler.CopyContext(row.CaseId, row.DocumentId)));
        await audit.RecordAsync(Actor, ActorRole, "disclosure.downloaded", row.CaseId, allowed: true, new { dispatchId = row.Id, sha256 = row.Sha256 }, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new DownloadAttempt(new DownloadLinkStatus(DownloadLinkState.Used, row.ExpiresAt, 0), false, pdf, $"response-{row.Reference}.pdf");
    }

    private DownloadLinkStatus Status(LinkRow? row)
    {
        if (row is null)
        {
            return new DownloadLinkStatus(DownloadLinkState.Unknown, null, 0);
        }

        var left = Math.Max(options.MaxCodeAttempts - row.FailedAttempts, 0);
        var state = row.LockedAt is not null ? DownloadLinkState.Locked
            : row.DownloadedAt is not null ? DownloadLinkState.Used
            : row.ExpiresAt <= time.GetUtcNow() ? DownloadLinkState.Expired
            : DownloadLinkState.Ready;
        return new DownloadLinkStatus(state, row.ExpiresAt, left);
    }

    private static async Task<LinkRow?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string token, bool forUpdate, CancellationToken cancellationToken)
    {
        // A token is 43 base64url characters; anything else is not looked up.
        if (token.Length is < 40 or > 64 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        return await connection.QuerySingleOrDefaultAsync<LinkRow>(new CommandDefinition(
            $"""
            SELECT d.id, d.case_id, d.document_id, c.reference, d.sealed_copy, d.sealed_code, d.sha256, d.expires_at, d.failed_attempts, d.locked_at, d.downloaded_at
            FROM disclosure_dispatches d JOIN cases c ON c.id = d.case_id
            WHERE d.token_hash = @hash AND d.method = 'link' AND d.sent_at IS NOT NULL
            {(forUpdate ? "FOR UPDATE OF d" : "")}
            """,
            new { hash = DispatchResponseHandler.TokenHash(token) },
            transaction,
            cancellationToken: cancellationToken));
    }

    private sealed record LinkRow
    {
        public long Id { get; init; }
        public long CaseId { get; init; }
        public long DocumentId { get; init; }
        public string Reference { get; init; } = "";
        public byte[] SealedCopy { get; init; } = [];
        public byte[]? SealedCode { get; init; }
        public string Sha256 { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
        public int FailedAttempts { get; init; }
        public DateTimeOffset? LockedAt { get; init; }
        public DateTimeOffset? DownloadedAt { get; init; }
    }
}
