using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Domain.Text;
using KccRights.Cases;
using KccRights.Correspondence.Triage;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Encryption;
using KccRights.Infrastructure.Staff;
using KccRights.Intake.Processing;
using KccRights.Intake.Storage;
using KccRights.Workflows.Runtime;
using MimeKit;
using Npgsql;

namespace KccRights.Intake.Triage;

/// <summary>An item in the triage inbox: a message intake could not act on by itself, or could not read at all.</summary>
public sealed record TriageItem
{
    public long Id { get; init; }
    public long? InboundMessageId { get; init; }
    public long? CaseId { get; init; }
    public string? CaseReference { get; init; }
    public string Reasons { get; init; } = "[]";
    public string Status { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
    public long? ImapUid { get; init; }
    public string? Mailbox { get; init; }
    public string? ReasonKind { get; init; }
    public string? Detail { get; init; }
    public string? Outcome { get; init; }
    public string? OutcomeReference { get; init; }
    public string? OutcomeReason { get; init; }
    public string? ResolvedBy { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Why the message is here, as intake's codes (<see cref="TriageReasons"/>); empty for items from before them.</summary>
    public string[] ReasonCodes { get; init; } = [];

    /// <summary>What intake took the message to be (<c>inbound_messages.kind</c>), if it read it.</summary>
    public string? MessageKind { get; init; }

    /// <summary>
    /// Why the item is here in an officer's words (issue 14 item 1), most telling first: the problem intake had with it,
    /// if any (too large, failed, not served), then each reason code in words; for an item from before the codes, the
    /// codes read from its sentences; at least one line.
    /// </summary>
    public IReadOnlyList<string> Headings
    {
        get
        {
            var headings = new List<string>();
            if (ReasonKind is not (null or "" or "classification"))
            {
                headings.Add(KindLabel);
            }

            var codes = ReasonCodes.Length > 0 ? ReasonCodes : TriageReasons.FromSentences(ReasonList, MessageKind);
            headings.AddRange(codes.Select(TriageReasons.Label));
            if (headings.Count == 0)
            {
                headings.Add(KindLabel);
            }

            return headings;
        }
    }

    /// <summary>Whether the message is one never answered (RFC 3834: an automatic reply; RFC 3464: a delivery report).</summary>
    public bool IsAutomatic => MessageKind is "bounce" or "auto-reply" || ReasonCodes.Contains(TriageReasons.Bounce) || ReasonCodes.Contains(TriageReasons.AutoReply);

    /// <summary>Why intake put the item here, in words an officer uses (intake's <c>reason_kind</c>).</summary>
    public string KindLabel => ReasonKind switch
    {
        null or "" or "classification" => "Intake could not tell what to do with it",
        "over-budget" => "Too large or too slow to read in full",
        "processing-failed" => "Intake failed on it after its retries",
        "imap-unservable" => "The mail server could not hand it over",
        var other => PlainText.OneLine(other),
    };

    /// <summary>The technical error behind the item, if any, for the item page (never the list).</summary>
    public string? TechnicalDetail => Detail is { Length: > 0 } detail ? PlainText.OneLine(detail) : null;

    /// <summary>The reasons as sentences, whatever shape the JSON has (intake writes an array of strings).</summary>
    public IReadOnlyList<string> ReasonList
    {
        get
        {
            var list = new List<string>();
            try
            {
                using var document = JsonDocument.Parse(Reasons);
                Collect(document.RootElement, null, list);
            }
            catch (JsonException)
            {
                list.Add(Reasons);
            }

            return list.Select(PlainText.OneLine).Where(r => r.Length > 0).ToList();
        }
    }

    private static void Collect(JsonElement element, string? name, List<string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, name, into);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, property.Name, into);
                }

                break;
            case JsonValueKind.String:
                into.Add(name is null ? element.GetString()! : $"{name}: {element.GetString()}");
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            default:
                into.Add(name is null ? element.GetRawText() : $"{name}: {element.GetRawText()}");
                break;
        }
    }
}

/// <summary>Who sent a stored message and what it is about, read from its decrypted headers, cleaned for display.</summary>
public sealed record TriageSender(string? Name, string? Address, string? Subject, int Attachments, bool Readable);

/// <summary>Why a triage action was not done: shown to the officer beside the field it concerns.</summary>
public sealed class TriageRefusedException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// The triage inbox (issue 9, Build 2): nothing intake stores is left unseen. Staff list the open items, and close each
/// one by opening a case of a chosen right from it, attaching it to an existing case, or recording that it is not a
/// request, with the reason. Every action runs in one transaction with its audit record (UK GDPR Art 5(2)) and the
/// one-time form token, so a second submission does nothing.
/// </summary>
public sealed class TriageInbox(
    NpgsqlDataSource dataSource,
    InboundMessageStore store,
    CaseOpener opener,
    IWorkflowEngine workflows,
    IJobQueue jobs,
    AuditLog audit,
    TriageReplies replies,
    TimeProvider time)
{
    public const int MaxReasonLength = 1000;

    public static readonly string[] Relationships = ["self", "child", "client", "other"];

    private const string Select =
        """
        SELECT t.id, t.inbound_message_id, t.case_id, c.reference AS case_reference, t.reasons::text AS reasons, t.status,
               t.created_at, m.received_at, t.imap_uid, t.mailbox, t.reason_kind, t.detail, t.outcome,
               oc.reference AS outcome_reference, t.outcome_reason, t.resolved_by, t.resolved_at, t.reason_codes, m.kind AS message_kind
        FROM intake_triage t
        LEFT JOIN inbound_messages m ON m.id = t.inbound_message_id
        LEFT JOIN cases c ON c.id = t.case_id
        LEFT JOIN cases oc ON oc.id = t.outcome_case_id
        """;

    /// <summary>How many items wait for an officer (the count in the navigation).</summary>
    public async Task<int> OpenCountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM intake_triage WHERE status = 'open'", cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The navigation's count, or null when the database cannot answer: the layout is also the error page's, which must
    /// still render during a database outage.
    /// </summary>
    public async Task<int?> NavigationCountAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await OpenCountAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Open items, oldest first.</summary>
    public async Task<IReadOnlyList<TriageItem>> OpenAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<TriageItem>(new CommandDefinition(
            $"{Select} WHERE t.status = 'open' ORDER BY t.created_at, t.id LIMIT @limit", new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<TriageItem?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TriageItem>(new CommandDefinition(
            $"{Select} WHERE t.id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The sender and subject of the item's message, decrypted from the store (headers only, cleaned).</summary>
    public async Task<TriageSender?> SenderAsync(TriageItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.InboundMessageId is not { } messageId)
        {
            return null;
        }

        try
        {
            var stored = await store.LoadAsync(messageId, cancellationToken);
            return stored is null ? null : ReadSender(stored.Raw);
        }
        catch (CryptographicException)
        {
            return new TriageSender(null, null, null, 0, Readable: false);
        }
    }

    /// <summary>The item's message, decrypted and parsed, for reading on the item page; null when there is none or it cannot be read.</summary>
    public async Task<MimeMessage?> LoadMessageAsync(TriageItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.InboundMessageId is not { } messageId)
        {
            return null;
        }

        try
        {
            var stored = await store.LoadAsync(messageId, cancellationToken);
            if (stored is null)
            {
                return null;
            }

            using var stream = new MemoryStream(stored.Raw, writable: false);
            return await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ParseException or IOException)
        {
            return null;
        }
    }

    internal static TriageSender ReadSender(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var message = MimeMessage.Load(stream);
            var from = message.From.Mailboxes.FirstOrDefault();
            return new TriageSender(
                from?.Name is { Length: > 0 } name ? Limit(PlainText.OneLine(name), 200) : null,
                from?.Address is { Length: > 0 } address ? Limit(PlainText.OneLine(address), 320) : null,
                message.Subject is { Length: > 0 } subject ? Limit(PlainText.OneLine(subject), 300) : null,
                message.Attachments.Count(),
                Readable: true);
        }
        catch (Exception ex) when (ex is FormatException or ParseException or IOException)
        {
            return new TriageSender(null, null, null, 0, Readable: false);
        }
    }

    private static string Limit(string value, int length) => value.Length <= length ? value : value[..length] + "…";

    /// <summary>
    /// Opens a case of the chosen right from the item's message, exactly as intake does for an emailed request: the clock
    /// starts at the instant the message reached the mailbox (LEGAL-RULES.md section 1), the right's workflow starts, the
    /// acknowledgement is queued and the message is linked to the case as its request. Null when the form was already
    /// submitted.
    /// </summary>
    public async Task<CaseReference?> OpenCaseAsync(long id, Right right, string relationship, Actor actor, Guid formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await RefuseUnlessMayActAsync(actor, "triage.case-opened", id, cancellationToken);
        if (!Relationships.Contains(relationship))
        {
            throw new TriageRefusedException("relationship", "Choose whose data it is");
        }

        var item = await FindAsync(id, cancellationToken) ?? throw new TriageRefusedException("actions", "There is no such triage item.");
        if (item.InboundMessageId is not { } messageId)
        {
            throw new TriageRefusedException("actions", "The mail server could not give this message to the service: open it in the mailbox and open a case by hand (New case).");
        }

        var stored = await store.LoadAsync(messageId, cancellationToken) ?? throw new TriageRefusedException("actions", "The stored message is missing.");
        var sender = ReadSender(stored.Raw);
        var askForId = relationship is "child" or "other" || (relationship == "client" && sender.Attachments == 0);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ClaimAsync(transaction, id, formToken, actor, cancellationToken))
        {
            return null;
        }

        // LEGAL-RULES.md section 1: day 1 is the London date of the instant the request reached the mailbox.
        var opened = await opener.OpenAsync(
            transaction,
            new OpenCaseCommand
            {
                Right = right,
                Channel = "email",
                ReceivedAt = stored.ReceivedAt,
                Actor = actor.Subject,
                InboundMessageId = messageId,
                Relationship = relationship,

                // Issue 9 Build 6: the requester's name and address are sealed, never kept in plain text (migration 0083).
                Parties = new CaseRequestParties { RequesterName = sender.Name, RequesterEmail = sender.Address },
                IdRequested = askForId,
            },
            cancellationToken);
        var (caseId, reference) = (opened.Id, opened.Reference);
        var now = time.GetUtcNow();
        await LinkAsync(transaction, messageId, caseId, "request", cancellationToken);
        var data = JsonSerializer.SerializeToElement(new
        {
            inboundMessageId = messageId,
            relationship,
            confidence = 1.0, // An officer read the message and chose the right.
            needsTriage = false,
            linkedCases = Array.Empty<string>(),
        });
        await opener.StartWorkflowAsync(transaction, opened, data, actor.Subject, cancellationToken);
        await jobs.EnqueueAsync(transaction, IntakeProcessor.AcknowledgementJob, new { caseId, askForId }, caseId, dedupeKey: reference.ToString(), cancellationToken: cancellationToken);

        // The message is dealt with: intake must not act on it again.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbound_messages SET status = 'processed', processed_at = coalesce(processed_at, @now) WHERE id = @messageId AND status IN ('received', 'triage')",
            new { messageId, now },
            transaction,
            cancellationToken: cancellationToken));
        await CloseAsync(transaction, id, "case-opened", caseId, null, actor, cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, "triage.case-opened", caseId, detail: new { triage = id, message = messageId, right = right.Id() }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return reference;
    }

    /// <summary>
    /// Attaches the item's message to an existing case, as intake does with a reply it matched: linked to the case and
    /// raised on its workflow (an ID document when it has attachments). False when the form was already submitted.
    /// </summary>
    public async Task<bool> AttachAsync(long id, string? referenceText, Actor actor, Guid formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await RefuseUnlessMayActAsync(actor, "triage.attached", id, cancellationToken);
        var text = PlainText.OneLine(referenceText).ToUpperInvariant();
        if (text.Length == 0)
        {
            throw new TriageRefusedException("reference", "Enter the reference of the case to attach it to");
        }

        if (text.Length > 40 || !CaseReference.TryParse(text, out _))
        {
            throw new TriageRefusedException("reference", "Enter a case reference like KCC-SAR-2026-000123");
        }

        var item = await FindAsync(id, cancellationToken) ?? throw new TriageRefusedException("actions", "There is no such triage item.");
        if (item.InboundMessageId is not { } messageId)
        {
            throw new TriageRefusedException("reference", "The mail server could not give this message to the service, so there is nothing to attach.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var caseId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM cases WHERE reference = @text", new { text }, transaction, cancellationToken: cancellationToken))
            ?? throw new TriageRefusedException("reference", $"No case has the reference {text}");
        if (!await ClaimAsync(transaction, id, formToken, actor, cancellationToken))
        {
            return false;
        }

        // A delivery failure or an automatic reply is recorded on the case as intake records one it matched; it moves
        // nothing on the case's workflow (RFC 3834, RFC 3464).
        if (item.MessageKind is "bounce" or "auto-reply")
        {
            await LinkAsync(transaction, messageId, caseId, item.MessageKind, cancellationToken);
        }
        else
        {
            var stored = await store.LoadAsync(messageId, cancellationToken);
            var attachments = stored is null ? 0 : ReadSender(stored.Raw).Attachments;
            await LinkAsync(transaction, messageId, caseId, "reply", cancellationToken);
            await workflows.RaiseAsync(
                transaction,
                caseId,
                attachments > 0 ? IntakeProcessor.IdReceived : IntakeProcessor.ReplyReceived,
                JsonSerializer.SerializeToElement(new { inboundMessageId = messageId }),
                actor.Subject,
                cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE inbound_messages SET status = 'processed', processed_at = coalesce(processed_at, @now) WHERE id = @messageId AND status IN ('received', 'triage')",
            new { messageId, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
        await CloseAsync(transaction, id, "attached", caseId, null, actor, cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, "triage.attached", caseId, detail: new { triage = id, message = messageId }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Replies to the sender with one of the <see cref="TriageReplies.Templates"/> (issue 14 item 1): the reply is
    /// recorded and its sending queued on Correspondence's outbox in one transaction with its audit record (ids and the
    /// template only) and the one-time form token. The item stays open: the officer still attaches it, opens a case or
    /// closes it. An automatic reply or a delivery failure is never answered (RFC 3834). False when the form was already
    /// submitted.
    /// </summary>
    public async Task<bool> ReplyAsync(long id, string? template, Actor actor, Guid formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await RefuseUnlessMayActAsync(actor, "triage.replied", id, cancellationToken);
        if (TriageReplies.Find(template) is not { } chosen)
        {
            throw new TriageRefusedException("template", "Choose the reply to send");
        }

        var item = await FindAsync(id, cancellationToken) ?? throw new TriageRefusedException("actions", "There is no such triage item.");
        if (item.InboundMessageId is not { } messageId)
        {
            throw new TriageRefusedException("template", "The mail server could not give this message to the service, so there is no one to reply to.");
        }

        if (item.IsAutomatic)
        {
            throw new TriageRefusedException("template", "This is an automatic reply or a delivery failure: it is never answered.");
        }

        if (await SenderAsync(item, cancellationToken) is not { Readable: true, Address: not null })
        {
            throw new TriageRefusedException("template", "The message has no address to reply to.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ClaimAsync(transaction, id, formToken, actor, cancellationToken))
        {
            return false;
        }

        var replyId = await replies.QueueAsync(transaction, id, messageId, chosen.Name, actor.Subject, time.GetUtcNow(), cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, "triage.replied", item.CaseId, detail: new { triage = id, message = messageId, reply = replyId, template = chosen.Name }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The replies sent (or queued) from the item, oldest first.</summary>
    public Task<IReadOnlyList<TriageReplyRecord>> RepliesAsync(long id, CancellationToken cancellationToken = default) =>
        replies.ForItemAsync(id, cancellationToken);

    /// <summary>The reply as it would be sent to the item's sender, for the officer to read first; null when it cannot be answered.</summary>
    public async Task<(string Subject, string Body)?> PreviewReplyAsync(TriageItem item, TriageSender? sender, string template)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.InboundMessageId is null || item.IsAutomatic || sender is not { Readable: true, Address: not null })
        {
            return null;
        }

        return await replies.PreviewAsync(template, sender.Name, item.ReceivedAt ?? item.CreatedAt);
    }

    /// <summary>Closes the item as not a request, with the officer's reason (required, at most <see cref="MaxReasonLength"/> characters).</summary>
    public async Task<bool> NotARequestAsync(long id, string? reason, Actor actor, Guid formToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await RefuseUnlessMayActAsync(actor, "triage.not-a-request", id, cancellationToken);
        var text = PlainText.Clean(reason ?? "").Trim();
        if (text.Length == 0)
        {
            throw new TriageRefusedException("reason", "Enter why this is not a request");
        }

        if (text.Length > MaxReasonLength)
        {
            throw new TriageRefusedException("reason", $"The reason must be {MaxReasonLength} characters or fewer");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ClaimAsync(transaction, id, formToken, actor, cancellationToken))
        {
            return false;
        }

        await CloseAsync(transaction, id, "not-a-request", null, text, actor, cancellationToken);
        await audit.RecordAsync(actor.Subject, actor.Role, "triage.not-a-request", null, detail: new { triage = id }, transaction: transaction, cancellationToken: cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task RefuseUnlessMayActAsync(Actor actor, string action, long id, CancellationToken cancellationToken)
    {
        if (!actor.MayChangeCases)
        {
            await audit.RecordAsync(actor.Subject, actor.Role, action, null, allowed: false, detail: new { triage = id }, cancellationToken: cancellationToken);
            throw new UnauthorizedAccessException("Your role cannot act on triage items.");
        }
    }

    /// <summary>Claims the form token, then locks the item: false for a repeated form, refused when someone closed it meanwhile.</summary>
    private static async Task<bool> ClaimAsync(NpgsqlTransaction transaction, long id, Guid formToken, Actor actor, CancellationToken cancellationToken)
    {
        // Issue 9, item 10: a form posted without its token must not claim the all-zero token for everyone.
        if (formToken == Guid.Empty)
        {
            throw new TriageRefusedException("actions", "The form was sent without its token: reload the page and try again.");
        }

        if (!await StaffStore.ClaimFormTokenAsync(transaction, formToken, actor.Subject, cancellationToken))
        {
            return false;
        }

        var status = await transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM intake_triage WHERE id = @id FOR UPDATE", new { id }, transaction, cancellationToken: cancellationToken));
        return status switch
        {
            null => throw new TriageRefusedException("actions", "There is no such triage item."),
            "open" => true,
            _ => throw new TriageRefusedException("actions", "Someone has already dealt with this item: the page shows it as it is now."),
        };
    }

    private async Task CloseAsync(NpgsqlTransaction transaction, long id, string outcome, long? caseId, string? reason, Actor actor, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            UPDATE intake_triage SET status = 'done', resolved_at = @now, resolved_by = @by, outcome = @outcome, outcome_case_id = @caseId, outcome_reason = @reason
            WHERE id = @id
            """,
            new { id, now = time.GetUtcNow(), by = actor.Subject, outcome, caseId, reason },
            transaction,
            cancellationToken: cancellationToken));

    private async Task LinkAsync(NpgsqlTransaction transaction, long messageId, long caseId, string role, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO messages_cases (inbound_message_id, case_id, role, linked_at) VALUES (@messageId, @caseId, @role, @now)
            ON CONFLICT (inbound_message_id, case_id) DO NOTHING
            """,
            new { messageId, caseId, role, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
}
