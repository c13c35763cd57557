using System.Globalization;
using Dapper;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Suggestions;
using KccRights.Documents.Bundles;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Disclosure.Review;

/// <summary>A redaction as stored: <see cref="Field"/> null for the item's text; <see cref="Note"/> opened.</summary>
public sealed record StoredRedaction(long Id, long ItemId, string? Field, bool WholeField, int Start, int Length, string Code, string Note, string? SuggestionId, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>An item's decision as stored (the note opened; null for a disclosed or redacted item without one).</summary>
public sealed record StoredDecision(long ItemId, DisclosureDecision Decision, string? WithheldCode, string? Note, string DecidedBy, DateTimeOffset DecidedAt);

/// <summary>The reviewer's answer to a suggestion.</summary>
public sealed record SuggestionState(string SuggestionId, long ItemId, bool Accepted, string DecidedBy, DateTimeOffset DecidedAt);

/// <summary>The four-eyes checker's answer on one redaction or withheld item (the comment opened).</summary>
public sealed record CheckAnswer(string Kind, long TargetId, bool Accepted, string? Comment, string CheckedBy, DateTimeOffset CheckedAt);

/// <summary>A decision or redaction the review refuses, said in words for the page.</summary>
public sealed class ReviewRefusedException(string message) : Exception(message)
{
    public ReviewRefusedException()
        : this("The review refused the change.")
    {
    }

    public ReviewRefusedException(string message, Exception innerException)
        : this(message) => _ = innerException;
}

/// <summary>A span to add: <paramref name="Field"/> null for the item's text.</summary>
public sealed record NewSpan(string? Field, int Start, int Length, bool WholeField = false);

/// <summary>
/// The review's tables (migration 0107). Notes and comments may name people, so they are sealed with the service's keys
/// (UK GDPR Art 32(1)(a)); a redaction's offsets are checked against the item's current text and never overlap another
/// in the same field. Collated items are immutable by id (an item is stored once per content hash), so offsets checked
/// when added stay valid for as long as the item exists.
/// </summary>
public sealed class ReviewStore(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, TimeProvider time)
{
    public const string CheckRedaction = "redaction";
    public const string CheckWithheld = "withheld";

    /// <summary>Every decided item of the case with its decision (cheap: nothing is opened), for the list and progress.</summary>
    public async Task<IReadOnlyDictionary<long, DisclosureDecision>> DecidedAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await DecidedAsync(connection, null, caseId, cancellationToken);
    }

    internal static async Task<IReadOnlyDictionary<long, DisclosureDecision>> DecidedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long caseId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long ItemId, string Decision)>(new CommandDefinition(
            "SELECT item_id, decision FROM review_decisions WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ItemId, r => Parse(r.Decision));
    }

    /// <summary>The number of redactions per item (for the list), nothing opened.</summary>
    public async Task<IReadOnlyDictionary<long, int>> RedactionCountsAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long ItemId, int Count)>(new CommandDefinition(
            "SELECT item_id, count(*)::int FROM review_redactions WHERE case_id = @caseId GROUP BY item_id", new { caseId }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ItemId, r => r.Count);
    }

    public async Task<StoredDecision?> DecisionAsync(long caseId, long itemId, CancellationToken cancellationToken = default)
    {
        var all = await DecisionsAsync(caseId, itemId, cancellationToken);
        return all.Count > 0 ? all[0] : null;
    }

    /// <summary>The case's decisions (or one item's), notes opened.</summary>
    public async Task<IReadOnlyList<StoredDecision>> DecisionsAsync(long caseId, long? itemId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DecisionRow>(new CommandDefinition(
            """
            SELECT item_id, decision, withheld_code, sealed_note, decided_by, decided_at FROM review_decisions
            WHERE case_id = @caseId AND (@itemId::bigint IS NULL OR item_id = @itemId) ORDER BY item_id
            """,
            new { caseId, itemId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new StoredDecision(r.ItemId, Parse(r.Decision), r.WithheldCode, r.SealedNote is null ? null : cipher.Open(r.SealedNote, NoteContext(caseId, r.ItemId)), r.DecidedBy, r.DecidedAt)).ToList();
    }

    /// <summary>The case's redactions (or one item's), notes opened, in the order of the text.</summary>
    public async Task<IReadOnlyList<StoredRedaction>> RedactionsAsync(long caseId, long? itemId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RedactionRow>(new CommandDefinition(
            """
            SELECT id, item_id, field_name, whole_field, start_at, length, code, sealed_note, suggestion_id, created_by, created_at FROM review_redactions
            WHERE case_id = @caseId AND (@itemId::bigint IS NULL OR item_id = @itemId) ORDER BY item_id, field_name NULLS FIRST, start_at
            """,
            new { caseId, itemId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new StoredRedaction(r.Id, r.ItemId, r.FieldName, r.WholeField, r.StartAt, r.Length, r.Code, cipher.Open(r.SealedNote, RedactionContext(caseId, r.ItemId)), r.SuggestionId, r.CreatedBy, r.CreatedAt)).ToList();
    }

    public async Task<IReadOnlyList<SuggestionState>> SuggestionStatesAsync(long caseId, long? itemId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StateRow>(new CommandDefinition(
            "SELECT suggestion_id, item_id, state, decided_by, decided_at FROM review_suggestion_states WHERE case_id = @caseId AND (@itemId::bigint IS NULL OR item_id = @itemId)",
            new { caseId, itemId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new SuggestionState(r.SuggestionId, r.ItemId, r.State == "accepted", r.DecidedBy, r.DecidedAt)).ToList();
    }

    /// <summary>The checker's answers on the case's redactions and withheld items, comments opened.</summary>
    public async Task<IReadOnlyList<CheckAnswer>> ChecksAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CheckRow>(new CommandDefinition(
            "SELECT kind, target_id, status, sealed_comment, checked_by, checked_at FROM review_checks WHERE case_id = @caseId",
            new { caseId },
            cancellationToken: cancellationToken));
        return rows.Select(r => new CheckAnswer(r.Kind, r.TargetId, r.Status == "accepted", r.SealedComment is null ? null : cipher.Open(r.SealedComment, CheckContext(caseId, r.Kind, r.TargetId)), r.CheckedBy, r.CheckedAt)).ToList();
    }

    /// <summary>Discloses the items in full: their redactions (and the checks of them) go; returns the number decided.</summary>
    public async Task<int> DiscloseAsync(long caseId, IReadOnlyCollection<ReviewItem> items, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        RefuseExcluded(items);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(transaction, caseId, cancellationToken);
        var ids = items.Select(i => i.Id).ToArray();
        await ClearAsync(transaction, caseId, ids, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO review_decisions (case_id, item_id, decision, withheld_code, sealed_note, decided_by, decided_at)
            SELECT @caseId, id, 'disclose', NULL, NULL, @actor, @now FROM unnest(@ids) AS id
            """,
            new { caseId, ids, actor, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return ids.Length;
    }

    /// <summary>
    /// Withholds the items whole with an exemption code and a note (DPA 2018 Schs 2-4): their redactions go, and an
    /// earlier check of the withholding is reset (the checker sees the new reason).
    /// </summary>
    public async Task<int> WithholdAsync(long caseId, IReadOnlyCollection<ReviewItem> items, string code, string note, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        RequireCode(code);
        note = RequireNote(note);
        RefuseExcluded(items);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(transaction, caseId, cancellationToken);
        await ClearAsync(transaction, caseId, items.Select(i => i.Id).ToArray(), cancellationToken);
        var now = time.GetUtcNow();
        foreach (var item in items)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO review_decisions (case_id, item_id, decision, withheld_code, sealed_note, decided_by, decided_at)
                VALUES (@caseId, @itemId, 'withhold', @code, @sealedNote, @actor, @now)
                """,
                new { caseId, itemId = item.Id, code, sealedNote = cipher.Seal(note, NoteContext(caseId, item.Id)), actor, now },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return items.Count;
    }

    /// <summary>
    /// Adds redactions to an item, each checked against the item's current text (inside it, not overlapping another in
    /// the same field); the item's decision becomes redact. All or nothing. Returns the new redactions' ids.
    /// </summary>
    public async Task<IReadOnlyList<long>> RedactAsync(long caseId, ReviewItem item, IReadOnlyCollection<NewSpan> spans, string code, string note, string actor, string? suggestionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(spans);
        RequireCode(code);
        note = RequireNote(note);
        RefuseExcluded([item]);
        if (spans.Count == 0)
        {
            throw new ReviewRefusedException("There is nothing to redact.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(transaction, caseId, cancellationToken);
        var existing = (await connection.QueryAsync<(string? Field, int Start, int Length)>(new CommandDefinition(
            "SELECT field_name, start_at, length FROM review_redactions WHERE case_id = @caseId AND item_id = @itemId",
            new { caseId, itemId = item.Id },
            transaction,
            cancellationToken: cancellationToken))).ToList();
        var taken = existing.Select(e => new NewSpan(e.Field, e.Start, e.Length)).ToList();
        foreach (var span in spans)
        {
            Validate(item, span, taken);
            taken.Add(span);
        }

        var now = time.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM review_checks WHERE case_id = @caseId AND kind = 'withheld' AND target_id = @itemId;
            INSERT INTO review_decisions (case_id, item_id, decision, withheld_code, sealed_note, decided_by, decided_at)
            VALUES (@caseId, @itemId, 'redact', NULL, NULL, @actor, @now)
            ON CONFLICT (case_id, item_id) DO UPDATE SET decision = 'redact', withheld_code = NULL, sealed_note = NULL, decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at
            """,
            new { caseId, itemId = item.Id, actor, now },
            transaction,
            cancellationToken: cancellationToken));
        var ids = new List<long>();
        foreach (var span in spans)
        {
            ids.Add(await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO review_redactions (case_id, item_id, field_name, whole_field, start_at, length, code, sealed_note, suggestion_id, created_by, created_at)
                VALUES (@caseId, @itemId, @field, @whole, @start, @length, @code, @sealedNote, @suggestionId, @actor, @now) RETURNING id
                """,
                new { caseId, itemId = item.Id, field = span.Field, whole = span.WholeField, start = span.Start, length = span.Length, code, sealedNote = cipher.Seal(note, RedactionContext(caseId, item.Id)), suggestionId, actor, now },
                transaction,
                cancellationToken: cancellationToken)));
        }

        await transaction.CommitAsync(cancellationToken);
        return ids;
    }

    /// <summary>
    /// Find and redact: every occurrence of <paramref name="find"/> (ignoring case) in the items' text and fields, less
    /// those already inside a redaction. Returns the number of spans redacted; items without one are left as they were.
    /// </summary>
    public async Task<int> FindAndRedactAsync(long caseId, IEnumerable<ReviewItem> items, string find, string code, string note, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        find = (find ?? "").Trim();
        if (find.Length == 0)
        {
            throw new ReviewRefusedException("Enter the text to find and redact.");
        }

        RequireCode(code);
        note = RequireNote(note);
        var candidates = items.Where(i => i.ExcludedReason is null).Select(i => (Item: i, Spans: Occurrences(i, find))).Where(x => x.Spans.Count > 0).ToList();
        if (candidates.Count == 0)
        {
            return 0;
        }

        // One transaction for the whole case (a case-wide name across 5,000 items is one statement per table, not
        // one transaction per item); the spans are checked as RedactAsync checks them.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(transaction, caseId, cancellationToken);
        var existing = (await connection.QueryAsync<(long ItemId, string? Field, int Start, int Length)>(new CommandDefinition(
            "SELECT item_id, field_name, start_at, length FROM review_redactions WHERE case_id = @caseId",
            new { caseId },
            transaction,
            cancellationToken: cancellationToken))).ToLookup(r => r.ItemId, r => new NewSpan(r.Field, r.Start, r.Length));
        var rows = new List<(long ItemId, NewSpan Span)>();
        foreach (var (item, spans) in candidates)
        {
            var taken = existing[item.Id].ToList();
            foreach (var span in spans.Where(s => !taken.Any(t => t.Field == s.Field && Overlaps(t.Start, t.Length, s.Start, s.Length))).ToList())
            {
                Validate(item, span, taken);
                taken.Add(span);
                rows.Add((item.Id, span));
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var itemIds = rows.Select(r => r.ItemId).Distinct().ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM review_checks WHERE case_id = @caseId AND kind = 'withheld' AND target_id = ANY(@itemIds);
            INSERT INTO review_decisions (case_id, item_id, decision, withheld_code, sealed_note, decided_by, decided_at)
            SELECT @caseId, id, 'redact', NULL, NULL, @actor, @now FROM unnest(@itemIds) AS id
            ON CONFLICT (case_id, item_id) DO UPDATE SET decision = 'redact', withheld_code = NULL, sealed_note = NULL, decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at;
            INSERT INTO review_redactions (case_id, item_id, field_name, whole_field, start_at, length, code, sealed_note, suggestion_id, created_by, created_at)
            SELECT @caseId, r.item_id, r.field_name, false, r.start_at, r.length, @code, r.sealed_note, NULL, @actor, @now
            FROM unnest(@items, @fields, @starts, @lengths, @notes) AS r(item_id, field_name, start_at, length, sealed_note);
            """,
            new
            {
                caseId,
                itemIds,
                actor,
                now,
                code,
                items = rows.Select(r => r.ItemId).ToArray(),
                fields = rows.Select(r => r.Span.Field).ToArray(),
                starts = rows.Select(r => r.Span.Start).ToArray(),
                lengths = rows.Select(r => r.Span.Length).ToArray(),
                notes = rows.Select(r => cipher.Seal(note, RedactionContext(caseId, r.ItemId))).ToArray(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        var total = rows.Count;
        return total;
    }

    /// <summary>Every occurrence of <paramref name="find"/> in the item's text and fields, ignoring case.</summary>
    public static IReadOnlyList<NewSpan> Occurrences(ReviewItem item, string find)
    {
        ArgumentNullException.ThrowIfNull(item);
        var spans = new List<NewSpan>();
        if (string.IsNullOrEmpty(find))
        {
            return spans;
        }

        void Scan(string? field, string value)
        {
            var at = 0;
            while ((at = value.IndexOf(find, at, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                spans.Add(new NewSpan(field, at, find.Length));
                at += find.Length;
            }
        }

        Scan(null, item.Text);
        foreach (var field in item.Fields.DistinctBy(f => f.Key))
        {
            Scan(field.Key, field.Value);
        }

        return spans;
    }

    /// <summary>Removes a redaction (and its check); an item left with none is no longer reviewed.</summary>
    public async Task<bool> RemoveRedactionAsync(long caseId, long redactionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(transaction, caseId, cancellationToken);
        var itemId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "DELETE FROM review_redactions WHERE case_id = @caseId AND id = @redactionId RETURNING item_id",
            new { caseId, redactionId },
            transaction,
            cancellationToken: cancellationToken));
        if (itemId is null)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM review_checks WHERE case_id = @caseId AND kind = 'redaction' AND target_id = @redactionId;
            DELETE FROM review_decisions d WHERE d.case_id = @caseId AND d.item_id = @itemId AND d.decision = 'redact'
              AND NOT EXISTS (SELECT 1 FROM review_redactions r WHERE r.case_id = @caseId AND r.item_id = @itemId);
            """,
            new { caseId, redactionId, itemId },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Accepts a suggestion: a span it asks to redact becomes a redaction with the suggestion's code (TP, DPA 2018 Sch 2
    /// para 16, when it names none) and its reason as the note, unless that part is already redacted; a prompt or a
    /// "normally disclose" is only recorded. The answer is kept by the suggestion's stable id. True when it redacted.
    /// </summary>
    public async Task<bool> AcceptSuggestionAsync(long caseId, ReviewItem item, Suggestion suggestion, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(suggestion);
        if (suggestion.ItemId != item.Id)
        {
            throw new ReviewRefusedException("That suggestion is for another item.");
        }

        var redacted = false;
        if (suggestion is { Action: SuggestionAction.Redact, Length: > 0 })
        {
            var existing = await RedactionsAsync(caseId, item.Id, cancellationToken);
            if (!existing.Any(r => r.Field == suggestion.Field && Overlaps(r.Start, r.Length, suggestion.Start, suggestion.Length)))
            {
                await RedactAsync(caseId, item, [new NewSpan(suggestion.Field, suggestion.Start, suggestion.Length)], suggestion.Code ?? "TP", suggestion.Reason, actor, suggestion.Id, cancellationToken);
                redacted = true;
            }
        }

        await SetSuggestionStateAsync(caseId, suggestion.Id, item.Id, accepted: true, actor, cancellationToken);
        return redacted;
    }

    public async Task SetSuggestionStateAsync(long caseId, string suggestionId, long itemId, bool accepted, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(suggestionId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO review_suggestion_states (case_id, suggestion_id, item_id, state, decided_by, decided_at) VALUES (@caseId, @suggestionId, @itemId, @state, @actor, @now)
            ON CONFLICT (case_id, suggestion_id) DO UPDATE SET state = EXCLUDED.state, decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at
            """,
            new { caseId, suggestionId, itemId, state = accepted ? "accepted" : "dismissed", actor, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    /// <summary>The checker's answer on a redaction or withheld item of the case (a return needs a comment).</summary>
    public async Task CheckAsync(long caseId, string kind, long targetId, bool accepted, string? comment, string actor, CancellationToken cancellationToken = default)
    {
        if (kind is not (CheckRedaction or CheckWithheld))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "redaction or withheld");
        }

        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (!accepted && comment is null)
        {
            throw new ReviewRefusedException("Say what the reviewer should change before returning it.");
        }

        if (comment is { Length: > 2000 })
        {
            throw new ReviewRefusedException("The comment must be 2,000 characters or fewer.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            kind == CheckRedaction
                ? "SELECT EXISTS (SELECT 1 FROM review_redactions WHERE case_id = @caseId AND id = @targetId)"
                : "SELECT EXISTS (SELECT 1 FROM review_decisions WHERE case_id = @caseId AND item_id = @targetId AND decision = 'withhold')",
            new { caseId, targetId },
            cancellationToken: cancellationToken));
        if (!exists)
        {
            throw new ReviewRefusedException("That redaction or withheld item is no longer in the review: reload the page.");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO review_checks (case_id, kind, target_id, status, sealed_comment, checked_by, checked_at) VALUES (@caseId, @kind, @targetId, @status, @sealed, @actor, @now)
            ON CONFLICT (case_id, kind, target_id) DO UPDATE SET status = EXCLUDED.status, sealed_comment = EXCLUDED.sealed_comment, checked_by = EXCLUDED.checked_by, checked_at = EXCLUDED.checked_at
            """,
            new { caseId, kind, targetId, status = accepted ? "accepted" : "returned", @sealed = comment is null ? null : cipher.Seal(comment, CheckContext(caseId, kind, targetId)), actor, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    /// <summary>Redactions and withheld items of the case the checker has not accepted (the redaction-check gate).</summary>
    public static Task<int> NotAcceptedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT (SELECT count(*) FROM review_redactions r WHERE r.case_id = @caseId
                      AND NOT EXISTS (SELECT 1 FROM review_checks k WHERE k.case_id = @caseId AND k.kind = 'redaction' AND k.target_id = r.id AND k.status = 'accepted'))
                 + (SELECT count(*) FROM review_decisions d WHERE d.case_id = @caseId AND d.decision = 'withhold'
                      AND NOT EXISTS (SELECT 1 FROM review_checks k WHERE k.case_id = @caseId AND k.kind = 'withheld' AND k.target_id = d.item_id AND k.status = 'accepted'))
            """,
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
    }

    public async Task<int> NotAcceptedAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await NotAcceptedAsync(connection, null, caseId, cancellationToken);
    }

    /// <summary>Checks a span against the item's current text and the spans already taken in the same field.</summary>
    public static void Validate(ReviewItem item, NewSpan span, IEnumerable<NewSpan> taken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(span);
        ArgumentNullException.ThrowIfNull(taken);
        string value;
        if (span.Field is null)
        {
            value = item.Text;
        }
        else
        {
            var field = item.Fields.FirstOrDefault(f => f.Key == span.Field);
            if (field.Key is null)
            {
                throw new ReviewRefusedException($"Item {item.Id} has no field \u201c{span.Field}\u201d.");
            }

            value = field.Value;
        }

        var where = span.Field is null ? "the text" : $"\u201c{span.Field}\u201d";
        if (span.Length <= 0 || span.Start < 0 || span.Start > value.Length - span.Length)
        {
            throw new ReviewRefusedException(string.Create(CultureInfo.InvariantCulture, $"The redaction at {span.Start} (length {span.Length}) is outside {where} of item {item.Id}, which is {value.Length} characters long."));
        }

        if (taken.Any(t => t.Field == span.Field && Overlaps(t.Start, t.Length, span.Start, span.Length)))
        {
            throw new ReviewRefusedException($"That part of {where} is already redacted: remove the redaction first, or choose another part.");
        }
    }

    private static bool Overlaps(int aStart, int aLength, int bStart, int bLength) => aStart < bStart + bLength && bStart < aStart + aLength;

    private static void RequireCode(string code)
    {
        if (string.IsNullOrEmpty(code) || !ExemptionCatalogue.TryGet(code, out _))
        {
            throw new ReviewRefusedException("Choose an exemption code.");
        }
    }

    private static string RequireNote(string note)
    {
        note = (note ?? "").Trim();
        if (note.Length == 0)
        {
            throw new ReviewRefusedException("Enter a note saying why the exemption applies.");
        }

        return note.Length > 2000 ? throw new ReviewRefusedException("The note must be 2,000 characters or fewer.") : note;
    }

    private static void RefuseExcluded(IEnumerable<ReviewItem> items)
    {
        if (items.FirstOrDefault(i => i.ExcludedReason is not null) is { } excluded)
        {
            throw new ReviewRefusedException($"Item {excluded.Id} is outside the agreed scope, so it is not reviewed.");
        }
    }

    private static async Task ClearAsync(NpgsqlTransaction transaction, long caseId, long[] ids, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM review_checks k USING review_redactions r
            WHERE k.case_id = @caseId AND k.kind = 'redaction' AND r.case_id = @caseId AND r.id = k.target_id AND r.item_id = ANY(@ids);
            DELETE FROM review_checks WHERE case_id = @caseId AND kind = 'withheld' AND target_id = ANY(@ids);
            DELETE FROM review_redactions WHERE case_id = @caseId AND item_id = ANY(@ids);
            DELETE FROM review_decisions WHERE case_id = @caseId AND item_id = ANY(@ids);
            """,
            new { caseId, ids },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>One writer per case at a time, so two overlapping redactions cannot both pass the overlap check.</summary>
    private static async Task LockAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(107, (@caseId % 2147483647)::int)", new { caseId }, transaction, cancellationToken: cancellationToken));

    internal static DisclosureDecision Parse(string decision) => decision switch
    {
        "disclose" => DisclosureDecision.Disclose,
        "redact" => DisclosureDecision.Redact,
        "withhold" => DisclosureDecision.Withhold,
        _ => throw new InvalidOperationException($"unknown decision {decision}"),
    };

    private static string NoteContext(long caseId, long itemId) => $"review_decisions.sealed_note:{caseId}:{itemId}";

    private static string RedactionContext(long caseId, long itemId) => $"review_redactions.sealed_note:{caseId}:{itemId}";

    private static string CheckContext(long caseId, string kind, long targetId) => $"review_checks.sealed_comment:{caseId}:{kind}:{targetId}";

    private sealed record DecisionRow
    {
        public long ItemId { get; init; }
        public string Decision { get; init; } = "";
        public string? WithheldCode { get; init; }
        public byte[]? SealedNote { get; init; }
        public string DecidedBy { get; init; } = "";
        public DateTimeOffset DecidedAt { get; init; }
    }

    private sealed record RedactionRow
    {
        public long Id { get; init; }
        public long ItemId { get; init; }
        public string? FieldName { get; init; }
        public bool WholeField { get; init; }
        public int StartAt { get; init; }
        public int Length { get; init; }
        public string Code { get; init; } = "";
        public byte[] SealedNote { get; init; } = [];
        public string? SuggestionId { get; init; }
        public string CreatedBy { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed record StateRow
    {
        public string SuggestionId { get; init; } = "";
        public long ItemId { get; init; }
        public string State { get; init; } = "";
        public string DecidedBy { get; init; } = "";
        public DateTimeOffset DecidedAt { get; init; }
    }

    private sealed record CheckRow
    {
        public string Kind { get; init; } = "";
        public long TargetId { get; init; }
        public string Status { get; init; } = "";
        public byte[]? SealedComment { get; init; }
        public string CheckedBy { get; init; } = "";
        public DateTimeOffset CheckedAt { get; init; }
    }
}
