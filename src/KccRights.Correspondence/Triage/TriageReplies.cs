using System.Globalization;
using Dapper;
using KccRights.Correspondence.Letters;
using KccRights.Correspondence.Smtp;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using MimeKit;
using Npgsql;

namespace KccRights.Correspondence.Triage;

/// <summary>A reply an officer may send from the triage inbox: its letter template and what the officer sees.</summary>
public sealed record TriageReplyTemplate(string Name, string Label, string Hint);

/// <summary>Who a triaged message is answered to, read from the stored (sealed) message by the module that stores it.</summary>
public sealed record TriageReplyRecipient(string Address, string? Name, string? MessageId, DateTimeOffset ReceivedAt);

/// <summary>
/// Reads the address a triaged message is answered to (its Reply-To, else its From) from the sealed stored message.
/// Implemented by Intake, which holds the stored mail; null when there is no address to answer, or the message is an
/// automatic reply or a delivery report (RFC 3834: never answered).
/// </summary>
public interface ITriageReplyRecipients
{
    Task<TriageReplyRecipient?> FindAsync(long inboundMessageId, CancellationToken cancellationToken);
}

/// <summary>One reply queued or sent from a triage item, for the item's page.</summary>
public sealed record TriageReplyRecord
{
    public long Id { get; init; }
    public string Template { get; init; } = "";
    public string QueuedBy { get; init; } = "";
    public DateTimeOffset QueuedAt { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? Outcome { get; init; }

    public string Label => TriageReplies.Find(Template)?.Label ?? Template;
}

/// <summary>
/// Replies from the triage inbox (issue 14 item 1), through the outbox: the officer's choice is recorded and a
/// <c>send-triage-reply</c> job queued in the caller's transaction (with its audit record), and the job words the reply
/// from its letter template and sends it. Only this module writes <c>correspondence_triage_replies</c>.
/// </summary>
public sealed class TriageReplies(NpgsqlDataSource dataSource, IJobQueue jobs, SmtpOptions options, LetterTemplates templates)
{
    public const string JobKind = "send-triage-reply";

    /// <summary>The replies an officer may choose; each must have its wording in templates/letters/ (checked at start).</summary>
    public static readonly IReadOnlyList<TriageReplyTemplate> Templates =
    [
        new("triage-reply-unknown-reference", "We could not find the request it is about", "Asks for our reference, or the name and date of birth of the person the request is about"),
        new("triage-reply-tell-us-more", "Please tell us more", "Asks whose information it is and what they would like us to do"),
        new("triage-reply-not-this-mailbox", "This mailbox is for data-protection requests", "Says what the mailbox is for and where to go instead"),
    ];

    public static TriageReplyTemplate? Find(string? name) => Templates.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>The templates with no wording in <paramref name="letters"/> (none when the shipped templates are in place).</summary>
    public static IReadOnlyList<string> Missing(LetterTemplates letters)
    {
        ArgumentNullException.ThrowIfNull(letters);
        return Templates.Where(t => letters.Resolve(t.Name, null) is null).Select(t => t.Name).ToList();
    }

    /// <summary>The model a triage reply is rendered with: the cleaned name (or none) and the day the message arrived.</summary>
    public static Dictionary<string, object?> Model(string? name, DateTimeOffset receivedAt) => new(StringComparer.Ordinal)
    {
        ["requester_name"] = LetterName.Clean(name),
        ["received_on"] = LondonTime.DateOf(receivedAt).ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
    };

    /// <summary>The reply as it would be sent, for the officer to read before sending.</summary>
    public Task<(string Subject, string Body)> PreviewAsync(string template, string? name, DateTimeOffset receivedAt) =>
        templates.RenderAsync(template, null, Model(name, receivedAt));

    /// <summary>
    /// Records the reply and queues its sending, in the caller's transaction: the reply exists if and only if the
    /// caller's work (the audit record) commits. Returns the reply's id.
    /// </summary>
    public async Task<long> QueueAsync(NpgsqlTransaction transaction, long triageId, long inboundMessageId, string template, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (Find(template) is null)
        {
            throw new ArgumentException($"'{template}' is not a triage reply.", nameof(template));
        }

        var messageId = string.Create(CultureInfo.InvariantCulture, $"triage.{Guid.NewGuid():N}@{options.MessageIdDomain}");
        var id = await transaction.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO correspondence_triage_replies (triage_id, inbound_message_id, template, message_id, queued_by, queued_at)
            VALUES (@triageId, @inboundMessageId, @template, @messageId, @actor, @now) RETURNING id
            """,
            new { triageId, inboundMessageId, template, messageId, actor, now },
            transaction,
            cancellationToken: cancellationToken));
        await jobs.EnqueueAsync(transaction, JobKind, new { replyId = id }, dedupeKey: string.Create(CultureInfo.InvariantCulture, $"triage-reply:{id}"), cancellationToken: cancellationToken);
        return id;
    }

    /// <summary>The replies of a triage item, oldest first.</summary>
    public async Task<IReadOnlyList<TriageReplyRecord>> ForItemAsync(long triageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<TriageReplyRecord>(new CommandDefinition(
            """
            SELECT id, template, queued_by, queued_at, subject, sent_at, outcome
            FROM correspondence_triage_replies WHERE triage_id = @triageId ORDER BY queued_at, id
            """,
            new { triageId },
            cancellationToken: cancellationToken))).AsList();
    }
}

/// <summary>
/// The <c>send-triage-reply</c> job: reads the recipient from the stored message (never stored with the reply), words
/// the reply from its template, sends it in reply to the message (In-Reply-To, References) with the Message-ID fixed
/// when it was queued, and records it sent. Idempotent: a reply already sent is not sent again. A message with no
/// address to answer (or an automatic reply, RFC 3834) is recorded as 'no-address', not retried.
/// </summary>
public sealed partial class SendTriageReplyHandler : IJobHandler
{
    private readonly SmtpOptions _options;
    private readonly LetterTemplates _templates;
    private readonly IMailSender _sender;
    private readonly ITriageReplyRecipients? _recipients;
    private readonly ILogger<SendTriageReplyHandler> _logger;

    public SendTriageReplyHandler(SmtpOptions options, LetterTemplates templates, IMailSender sender, ILogger<SendTriageReplyHandler> logger, ITriageReplyRecipients? recipients = null)
    {
        ArgumentNullException.ThrowIfNull(templates);

        // Every reply an officer may choose has its wording, or the service does not start (as for every letter).
        if (TriageReplies.Missing(templates) is { Count: > 0 } missing)
        {
            throw new InvalidOperationException($"No wording for the triage replies {string.Join(", ", missing)}: add NAME.liquid to {templates.Folder}.");
        }

        (_options, _templates, _sender, _recipients, _logger) = (options, templates, sender, recipients, logger);
    }

    public string Kind => TriageReplies.JobKind;

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var replyId = context.Payload.GetProperty("replyId").GetInt64();
        var connection = context.Transaction.Connection!;
        var reply = await connection.QuerySingleOrDefaultAsync<ReplyRow>(new CommandDefinition(
            "SELECT id, inbound_message_id, template, message_id, sent_at, outcome FROM correspondence_triage_replies WHERE id = @replyId FOR UPDATE",
            new { replyId },
            context.Transaction,
            cancellationToken: cancellationToken)) ?? throw new InvalidOperationException($"Triage reply {replyId} does not exist.");
        if (reply.Outcome is not null)
        {
            Log.AlreadyDone(_logger, replyId);
            return null;
        }

        var recipient = _recipients is null
            ? throw new InvalidOperationException("No reader of stored messages is registered: triage replies cannot be sent by this host.")
            : await _recipients.FindAsync(reply.InboundMessageId, cancellationToken);
        if (recipient is null || !MailboxAddress.TryParse(recipient.Address, out var to))
        {
            await RecordAsync(context, replyId, null, null, "no-address", cancellationToken);
            Log.NoAddress(_logger, replyId);
            return "no-address";
        }

        var (subject, body) = await _templates.RenderAsync(reply.Template, null, TriageReplies.Model(recipient.Name, recipient.ReceivedAt));
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(_options.FromName, _options.FromAddress));
        message.To.Add(to);
        message.Subject = subject;
        message.MessageId = reply.MessageId;
        message.Date = context.Time.GetUtcNow();
        if (!string.IsNullOrWhiteSpace(recipient.MessageId))
        {
            message.InReplyTo = recipient.MessageId;
            message.References.Add(recipient.MessageId);
        }

        message.Body = new TextPart("plain") { Text = body };
        await _sender.SendAsync(message, cancellationToken);
        await RecordAsync(context, replyId, subject, context.Time.GetUtcNow(), "sent", cancellationToken);
        Log.Sent(_logger, replyId, reply.Template);
        return null;
    }

    private static async Task RecordAsync(JobContext context, long replyId, string? subject, DateTimeOffset? sentAt, string outcome, CancellationToken cancellationToken) =>
        await context.Transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE correspondence_triage_replies SET subject = @subject, sent_at = @sentAt, outcome = @outcome WHERE id = @replyId",
            new { replyId, subject, sentAt, outcome },
            context.Transaction,
            cancellationToken: cancellationToken));

    private sealed record ReplyRow
    {
        public long Id { get; init; }
        public long InboundMessageId { get; init; }
        public string Template { get; init; } = "";
        public string MessageId { get; init; } = "";
        public DateTimeOffset? SentAt { get; init; }
        public string? Outcome { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(4311, LogLevel.Information, "Triage reply {ReplyId} sent ({Template})")]
        public static partial void Sent(ILogger logger, long replyId, string template);

        [LoggerMessage(4312, LogLevel.Information, "Triage reply {ReplyId} already dealt with: nothing to do")]
        public static partial void AlreadyDone(ILogger logger, long replyId);

        [LoggerMessage(4313, LogLevel.Warning, "Triage reply {ReplyId}: the message has no address to answer; not sent")]
        public static partial void NoAddress(ILogger logger, long replyId);
    }
}
