using System.Globalization;
using Dapper;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Disclosure.Response;

/// <summary>A rendered version without its bytes, for the pages: what it is, who rendered and who approved it.</summary>
public sealed record ResponseVersion
{
    public int Version { get; init; }
    public string Sha256 { get; init; } = "";
    public int PageCount { get; init; }
    public string RenderedBy { get; init; } = "";
    public DateTimeOffset RenderedAt { get; init; }
    public string? ApprovedBy { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public string? ReviewFingerprint { get; init; }
}

/// <summary>Where the case's latest render stands: queued, rendering, ready (with its version and pages) or failed with the reason.</summary>
public sealed record RenderStatus(string Status, int? Version, int? PageCount, string? Reason, DateTimeOffset At)
{
    public const string Queued = "queued";
    public const string Rendering = "rendering";
    public const string Ready = "ready";
    public const string Failed = "failed";
}

/// <summary>
/// The case's response PDFs (table <c>disclosure_responses</c>, migration 0108): each finished render-response job
/// leaves one row, a numbered version (PDF and redaction log sealed at rest, UK GDPR Art 32(1)(a)) or the reason it
/// failed. The DPO's approval marks one version; dispatch sends the approved one.
/// </summary>
public sealed class ResponseStore(NpgsqlDataSource dataSource, IPersonalDataCipher cipher) : IResponseDocuments
{
    private const string Columns = "id, case_id, version, sealed_pdf, sha256, page_count, rendered_at, approved_by, approved_at";

    public static string PdfContext(long caseId, int version) => string.Create(CultureInfo.InvariantCulture, $"disclosure_responses.sealed_pdf:{caseId}:{version}");

    public static string LogContext(long caseId, int version) => string.Create(CultureInfo.InvariantCulture, $"disclosure_responses.sealed_redaction_log:{caseId}:{version}");

    public Task<ResponseDocument?> LatestAsync(long caseId, CancellationToken cancellationToken) =>
        OneAsync($"SELECT {Columns} FROM disclosure_responses WHERE case_id = @caseId AND status = 'ready' ORDER BY version DESC LIMIT 1", new { caseId }, cancellationToken);

    public Task<ResponseDocument?> ApprovedAsync(long caseId, CancellationToken cancellationToken) =>
        OneAsync($"SELECT {Columns} FROM disclosure_responses WHERE case_id = @caseId AND approved_by IS NOT NULL ORDER BY approved_at DESC, version DESC LIMIT 1", new { caseId }, cancellationToken);

    /// <summary>One version of the case's response, opened; null when there is no such version.</summary>
    public Task<ResponseDocument?> VersionAsync(long caseId, int version, CancellationToken cancellationToken) =>
        OneAsync($"SELECT {Columns} FROM disclosure_responses WHERE case_id = @caseId AND version = @version AND status = 'ready'", new { caseId, version }, cancellationToken);

    /// <summary>The internal redaction log (CSV) of a version, opened; null when there is no such version.</summary>
    public async Task<string?> RedactionLogAsync(long caseId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sealedLog = await connection.QuerySingleOrDefaultAsync<byte[]?>(new CommandDefinition(
            "SELECT sealed_redaction_log FROM disclosure_responses WHERE case_id = @caseId AND version = @version AND status = 'ready'",
            new { caseId, version },
            cancellationToken: cancellationToken));
        return sealedLog is null ? null : cipher.Open(sealedLog, LogContext(caseId, version));
    }

    /// <summary>The case's rendered versions, newest first, without their bytes.</summary>
    public async Task<IReadOnlyList<ResponseVersion>> VersionsAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ResponseVersion>(new CommandDefinition(
            """
            SELECT version, sha256, page_count, rendered_by, rendered_at, approved_by, approved_at, review_fingerprint
            FROM disclosure_responses WHERE case_id = @caseId AND status = 'ready' ORDER BY version DESC
            """,
            new { caseId },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// The progress of the case's latest render, from its job (pending: queued; running: rendering; failed: the
    /// runtime's error) and, once the job finished, from the row it left (ready with its pages, or failed with why).
    /// Null when no render was ever asked for.
    /// </summary>
    public async Task<RenderStatus?> StatusAsync(long caseId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StatusRow>(new CommandDefinition(
            """
            SELECT j.status AS job_status, j.last_error, j.created_at, j.finished_at,
                   r.status AS row_status, r.version, r.page_count, r.failure, r.rendered_at
            FROM jobs j
            LEFT JOIN disclosure_responses r ON r.job_id = j.id
            WHERE j.case_id = @caseId AND j.kind = @kind AND j.status <> 'cancelled'
            ORDER BY j.id DESC LIMIT 1
            """,
            new { caseId, kind = RenderResponseHandler.JobKind },
            cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        return row.JobStatus switch
        {
            "pending" => new RenderStatus(RenderStatus.Queued, null, null, null, row.CreatedAt),
            "running" => new RenderStatus(RenderStatus.Rendering, null, null, null, row.CreatedAt),
            "failed" => new RenderStatus(RenderStatus.Failed, null, null, row.LastError ?? "the render job failed", row.FinishedAt ?? row.CreatedAt),
            _ when row.RowStatus == "ready" => new RenderStatus(RenderStatus.Ready, row.Version, row.PageCount, null, row.RenderedAt ?? row.CreatedAt),
            _ when row.RowStatus == "failed" => new RenderStatus(RenderStatus.Failed, null, null, row.Failure, row.RenderedAt ?? row.CreatedAt),
            _ => null,
        };
    }

    /// <summary>Stores a rendered PDF as the case's next version (sealed) in the job's transaction; returns the version.</summary>
    public async Task<int> SaveAsync(NpgsqlTransaction transaction, long caseId, long jobId, byte[] pdf, int pageCount, string redactionLog, string reviewFingerprint, string renderedBy, DateTimeOffset renderedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(pdf);
        await LockAsync(transaction, caseId, cancellationToken);
        var version = await transaction.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) + 1 FROM disclosure_responses WHERE case_id = @caseId",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO disclosure_responses (case_id, job_id, status, version, sealed_pdf, sha256, page_count, sealed_redaction_log, review_fingerprint, rendered_by, rendered_at)
            VALUES (@caseId, @jobId, 'ready', @version, @sealedPdf, @sha256, @pageCount, @sealedLog, @reviewFingerprint, @renderedBy, @renderedAt)
            """,
            new
            {
                caseId,
                jobId,
                version,
                sealedPdf = cipher.Seal(Convert.ToBase64String(pdf), PdfContext(caseId, version)),
                sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)),
                pageCount,
                sealedLog = cipher.Seal(redactionLog, LogContext(caseId, version)),
                reviewFingerprint,
                renderedBy,
                renderedAt,
            },
            transaction,
            cancellationToken: cancellationToken));
        return version;
    }

    /// <summary>Records why the job's render could not be made (no PDF), in the job's transaction.</summary>
    public static async Task FailAsync(NpgsqlTransaction transaction, long caseId, long jobId, string reason, string renderedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO disclosure_responses (case_id, job_id, status, failure, rendered_by, rendered_at)
            VALUES (@caseId, @jobId, 'failed', @reason, @renderedBy, @at)
            ON CONFLICT (job_id) DO NOTHING
            """,
            new { caseId, jobId, reason, renderedBy, at },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The DPO approves <paramref name="version"/> (UK GDPR Art 12(1) and Art 15: what the requester will be sent), in
    /// the transaction that completes the sign-off task; false when it is not the case's latest rendered version or is
    /// already approved.
    /// </summary>
    public static async Task<bool> ApproveAsync(NpgsqlTransaction transaction, long caseId, int version, string approvedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await LockAsync(transaction, caseId, cancellationToken);
        return await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            UPDATE disclosure_responses SET approved_by = @approvedBy, approved_at = @at
            WHERE case_id = @caseId AND version = @version AND status = 'ready' AND approved_by IS NULL
              AND version = (SELECT max(version) FROM disclosure_responses WHERE case_id = @caseId)
            """,
            new { caseId, version, approvedBy, at },
            transaction,
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Queues a render of the case's response (the officer's "Render the draft"), committed at once.</summary>
    public async Task<long> RequestRenderAsync(KccRights.Workflows.Runtime.IJobQueue queue, long caseId, string requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var job = await queue.EnqueueAsync(transaction, RenderResponseHandler.JobKind, new { requestedBy }, caseId, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return job;
    }

    /// <summary>Deletes every row of the case (retention, <see cref="ResponsePurger"/>).</summary>
    internal static Task<int> DeleteAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition("DELETE FROM disclosure_responses WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));

    /// <summary>One render or approval of a case at a time: versions are numbered without gaps or duplicates.</summary>
    private static Task<int> LockAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext('disclosure_responses'), @key)",
            new { key = unchecked((int)(caseId ^ (caseId >> 32))) },
            transaction,
            cancellationToken: cancellationToken));

    private async Task<ResponseDocument?> OneAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DocumentRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var pdf = Convert.FromBase64String(cipher.Open(row.SealedPdf, PdfContext(row.CaseId, row.Version)));
        return new ResponseDocument(row.Id, row.CaseId, row.Version, pdf, row.Sha256, row.PageCount, row.RenderedAt)
        {
            ApprovedBy = row.ApprovedBy,
            ApprovedAt = row.ApprovedAt,
        };
    }

    private sealed record DocumentRow
    {
        public long Id { get; init; }
        public long CaseId { get; init; }
        public int Version { get; init; }
        public byte[] SealedPdf { get; init; } = [];
        public string Sha256 { get; init; } = "";
        public int PageCount { get; init; }
        public DateTimeOffset RenderedAt { get; init; }
        public string? ApprovedBy { get; init; }
        public DateTimeOffset? ApprovedAt { get; init; }
    }

    private sealed record StatusRow
    {
        public string JobStatus { get; init; } = "";
        public string? LastError { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }
        public string? RowStatus { get; init; }
        public int? Version { get; init; }
        public int? PageCount { get; init; }
        public string? Failure { get; init; }
        public DateTimeOffset? RenderedAt { get; init; }
    }
}
