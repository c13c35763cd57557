using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using KccRights.Collation.Connectors;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Collation.Store;

/// <summary>A confirmed (or rejected) identity of a case's subject in one system.</summary>
public sealed record CaseIdentity(string System, string PersonId, IReadOnlyList<string> Identifiers, string Status);

/// <summary>A collated item, opened, with every place it came from.</summary>
public sealed record CollatedItem(long Id, string Kind, string ContentHash, DateOnly? RecordDate, JsonElement Content, IReadOnlyList<ItemSource> Sources)
{
    /// <summary>Why the item is kept out of the review (outside the agreed scope), or null.</summary>
    public string? ExcludedReason { get; init; }
}

public sealed record ItemSource(string System, string Dataset, string RecordId, DateTimeOffset RetrievedAt)
{
    /// <summary>The staff member who uploaded it in a manual search, or null for a connector's record.</summary>
    public string? UploadedBy { get; init; }
}

/// <summary>The agreed scope of a case's search (Art 15(1A)): the systems and the date range.</summary>
public sealed record CollationScope(IReadOnlyList<string> Systems, DateOnly? From, DateOnly? To, string AgreedBy, DateTimeOffset AgreedAt)
{
    /// <summary>Why a record dated <paramref name="date"/> is outside the scope, or null when inside (undated records are inside).</summary>
    public string? Excludes(DateOnly? date) =>
        date is not { } d ? null
        : From is { } f && d < f ? $"dated {d:yyyy-MM-dd}, before the agreed scope (from {f:yyyy-MM-dd})"
        : To is { } t && d > t ? $"dated {d:yyyy-MM-dd}, after the agreed scope (to {t:yyyy-MM-dd})"
        : null;
}

/// <summary>A system's collation progress on a case.</summary>
public sealed record CollationProgress(string System, string Status, int Items, string? LastError, DateTimeOffset UpdatedAt)
{
    public int Attempts { get; init; }

    public long? ManualTaskId { get; init; }

    public string? SearchedBy { get; init; }
}

/// <summary>
/// The collation tables (migration 0100): identities, items with provenance, progress. Item content is sealed with the
/// service's keys (UK GDPR Art 32(1)(a)); a re-run updates in place through the unique keys, never duplicates.
/// </summary>
public sealed class CollationStore(NpgsqlDataSource dataSource, IPersonalDataCipher cipher)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public async Task DecideAsync(long caseId, string system, string personId, IEnumerable<string> identifiers, bool confirmed, string? display, string actor, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sealedDisplay = display is null ? null : cipher.Seal(display, $"collation_identities.sealed_display:{caseId}:{system}:{personId}");
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO collation_identities (case_id, system, person_id, identifiers, status, sealed_display, decided_by, decided_at)
            VALUES (@caseId, @system, @personId, @identifiers, @status, @sealedDisplay, @actor, @at)
            ON CONFLICT (case_id, system, person_id) DO UPDATE
               SET identifiers = EXCLUDED.identifiers, status = EXCLUDED.status, sealed_display = EXCLUDED.sealed_display,
                   decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at
            """,
            new { caseId, system, personId, identifiers = identifiers.Distinct(StringComparer.Ordinal).ToArray(), status = confirmed ? "confirmed" : "rejected", sealedDisplay, actor, at },
            cancellationToken: cancellationToken));
    }

    public static async Task<IReadOnlyList<CaseIdentity>> ConfirmedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = await connection.QueryAsync<(string System, string PersonId, string[] Identifiers, string Status)>(new CommandDefinition(
            "SELECT system, person_id, identifiers, status FROM collation_identities WHERE case_id = @caseId AND status = 'confirmed' ORDER BY system, person_id",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
        return rows.Select(r => new CaseIdentity(r.System, r.PersonId, r.Identifiers, r.Status)).ToList();
    }

    public static Task SetProgressAsync(NpgsqlTransaction transaction, long caseId, string system, string status, int items, string? error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO collation_runs (case_id, system, status, items, last_error, updated_at) VALUES (@caseId, @system, @status, @items, @error, @at)
            ON CONFLICT (case_id, system) DO UPDATE SET status = EXCLUDED.status, items = EXCLUDED.items, last_error = EXCLUDED.last_error, updated_at = EXCLUDED.updated_at
            """,
            new { caseId, system, status, items, error, at },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Stores one system's records for a case in the caller's transaction, replacing what that system gave before: each
    /// record is an item (and each attachment a document item), deduplicated by content hash across systems; sources the
    /// system no longer returns are removed, and items left with no source with them. Returns the number of sources.
    /// </summary>
    public async Task<int> ReplaceSystemAsync(NpgsqlTransaction transaction, long caseId, string system, IReadOnlyList<SourceRecord> records, DateTimeOffset retrievedAt, CancellationToken cancellationToken, CollationScope? scope = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(records);
        var connection = transaction.Connection!;
        var kept = new List<(string Dataset, string RecordId)>();
        foreach (var record in records)
        {
            if (record.IsDocument && record.Attachments.Count == 1)
            {
                await UpsertAsync(transaction, caseId, "document", record.Date, DocumentContent(record.Title, record.Attachments[0]), SHA256.HashData(record.Attachments[0].Content), (record.System, record.Dataset, record.RecordId), retrievedAt, scope?.Excludes(record.Date), null, cancellationToken);
                kept.Add((record.Dataset, record.RecordId));
                continue;
            }

            var attachments = record.Attachments.Select(a => (a, Hash: SHA256.HashData(a.Content))).ToList();
            var content = JsonSerializer.Serialize(new
            {
                system = record.System,
                dataset = record.Dataset,
                recordId = record.RecordId,
                title = record.Title,
                date = record.Date,
                fields = new SortedDictionary<string, string?>(record.Fields.ToDictionary(f => f.Key, f => f.Value), StringComparer.Ordinal),
                text = record.FreeText,
                attachments = attachments.Select(x => new { fileName = x.a.FileName, mediaType = x.a.MediaType, contentHash = Convert.ToHexStringLower(x.Hash) }),
            }, Json);
            await UpsertAsync(transaction, caseId, "record", record.Date, content, SHA256.HashData(Encoding.UTF8.GetBytes(content)), (record.System, record.Dataset, record.RecordId), retrievedAt, scope?.Excludes(record.Date), null, cancellationToken);
            kept.Add((record.Dataset, record.RecordId));
            foreach (var (attachment, hash) in attachments)
            {
                var recordId = $"{record.RecordId}/{attachment.FileName}";
                await UpsertAsync(transaction, caseId, "document", record.Date, DocumentContent(attachment.FileName, attachment), hash, (record.System, record.Dataset, recordId), retrievedAt, scope?.Excludes(record.Date), null, cancellationToken);
                kept.Add((record.Dataset, recordId));
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM collation_item_sources s
            WHERE s.case_id = @caseId AND s.system = @system AND s.uploaded_by IS NULL
              AND NOT EXISTS (SELECT 1 FROM unnest(@datasets, @recordIds) AS k(dataset, record_id) WHERE k.dataset = s.dataset AND k.record_id = s.record_id);
            DELETE FROM collation_items i
            WHERE i.case_id = @caseId AND NOT EXISTS (SELECT 1 FROM collation_item_sources s WHERE s.item_id = i.id);
            """,
            new { caseId, system, datasets = kept.Select(k => k.Dataset).ToArray(), recordIds = kept.Select(k => k.RecordId).ToArray() },
            transaction,
            cancellationToken: cancellationToken));
        return kept.Count;
    }

    /// <summary>
    /// Stores a file uploaded in a manual search as a document item of <paramref name="system"/>, with the uploader as
    /// its provenance (deduplicated by content like any document). Returns the item id.
    /// </summary>
    public Task<long> StoreUploadAsync(NpgsqlTransaction transaction, long caseId, string system, string recordId, SourceAttachment file, string uploadedBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        return UpsertAsync(transaction, caseId, "document", null, DocumentContent(file.FileName, file), SHA256.HashData(file.Content), (system, "manual-search", recordId), at, null, uploadedBy, cancellationToken);
    }

    private async Task<long> UpsertAsync(NpgsqlTransaction transaction, long caseId, string kind, DateOnly? date, string content, byte[] hash, (string System, string Dataset, string RecordId) source, DateTimeOffset at, string? excludedReason, string? uploadedBy, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var sealedContent = cipher.Seal(content, ItemContext(caseId, hash));
        var itemId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO collation_items (case_id, content_hash, kind, record_date, sealed_content, created_at, updated_at, excluded_reason)
            VALUES (@caseId, @hash, @kind, @date, @sealedContent, @at, @at, @excludedReason)
            ON CONFLICT (case_id, content_hash) DO UPDATE SET updated_at = EXCLUDED.updated_at, excluded_reason = EXCLUDED.excluded_reason
            RETURNING id
            """,
            new { caseId, hash, kind, date, sealedContent, at, excludedReason },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO collation_item_sources (case_id, item_id, system, dataset, record_id, retrieved_at, content_hash, uploaded_by)
            VALUES (@caseId, @itemId, @system, @dataset, @recordId, @at, @hash, @uploadedBy)
            ON CONFLICT (case_id, system, dataset, record_id) DO UPDATE
               SET item_id = EXCLUDED.item_id, retrieved_at = EXCLUDED.retrieved_at, content_hash = EXCLUDED.content_hash, uploaded_by = EXCLUDED.uploaded_by
            """,
            new { caseId, itemId, source.System, source.Dataset, source.RecordId, at, hash, uploadedBy },
            transaction,
            cancellationToken: cancellationToken));
        return itemId;
    }

    private static string DocumentContent(string title, SourceAttachment attachment) => JsonSerializer.Serialize(new
    {
        title,
        fileName = attachment.FileName,
        mediaType = attachment.MediaType,
        text = attachment.Text,
        content = Convert.ToBase64String(attachment.Content),
    }, Json);

    private static string ItemContext(long caseId, byte[] hash) => $"collation_items.sealed_content:{caseId}:{Convert.ToHexStringLower(hash)}";

    /// <summary>Every item of a case, opened, with its sources.</summary>
    public async Task<IReadOnlyList<CollatedItem>> ItemsAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var items = (await connection.QueryAsync<(long Id, string Kind, byte[] ContentHash, DateTime? RecordDate, byte[] SealedContent, string? ExcludedReason)>(new CommandDefinition(
            "SELECT id, kind, content_hash, record_date, sealed_content, excluded_reason FROM collation_items WHERE case_id = @caseId ORDER BY id",
            new { caseId },
            cancellationToken: cancellationToken))).ToList();
        var sources = (await connection.QueryAsync<(long ItemId, string System, string Dataset, string RecordId, DateTime RetrievedAt, string? UploadedBy)>(new CommandDefinition(
            "SELECT item_id, system, dataset, record_id, retrieved_at, uploaded_by FROM collation_item_sources WHERE case_id = @caseId ORDER BY system, dataset, record_id",
            new { caseId },
            cancellationToken: cancellationToken))).ToLookup(s => s.ItemId);
        return items.Select(i => new CollatedItem(
            i.Id,
            i.Kind,
            Convert.ToHexStringLower(i.ContentHash),
            i.RecordDate is { } d ? DateOnly.FromDateTime(d) : null,
            JsonDocument.Parse(cipher.Open(i.SealedContent, ItemContext(caseId, i.ContentHash))).RootElement.Clone(),
            sources[i.Id].Select(s => new ItemSource(s.System, s.Dataset, s.RecordId, new DateTimeOffset(DateTime.SpecifyKind(s.RetrievedAt, DateTimeKind.Utc))) { UploadedBy = s.UploadedBy }).ToList())
        {
            ExcludedReason = i.ExcludedReason,
        }).ToList();
    }

    public async Task<IReadOnlyList<CollationProgress>> ProgressAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string System, string Status, int Items, string? LastError, DateTime UpdatedAt, int Attempts, long? ManualTaskId, string? SearchedBy)>(new CommandDefinition(
            "SELECT system, status, items, last_error, updated_at, attempts, manual_task_id, searched_by FROM collation_runs WHERE case_id = @caseId ORDER BY system",
            new { caseId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new CollationProgress(r.System, r.Status, r.Items, r.LastError, new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc)))
        {
            Attempts = r.Attempts,
            ManualTaskId = r.ManualTaskId,
            SearchedBy = r.SearchedBy,
        }).ToList();
    }
}
