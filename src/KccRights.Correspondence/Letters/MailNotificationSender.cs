using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Cases;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Correspondence.Smtp;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Reminders;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace KccRights.Correspondence.Letters;

/// <summary>
/// Sends the workflow's notifications by email: letters to the requester (ID request, clarification request, extension
/// notice, responses; UK GDPR Arts 12(3), 12(6), 12A(5)) and reminders to the assigned officer and the team. Each is
/// recorded first (the same row the recording sender writes); a requester letter is also recorded in outbound_messages
/// with its Message-ID, so the requester's reply threads to the case, and a retried job finds the record and does not
/// send again. Wording comes from <see cref="LetterTemplates"/> (templates/letters/, editable without a code change):
/// a notification with no wording of its own is an error, never a generic letter.
/// </summary>
public sealed partial class MailNotificationSender(IMailSender sender, SmtpOptions options, IPersonalDataCipher cipher, LetterTemplates templates, ClockStore clocks, ILogger<MailNotificationSender> logger) : INotificationSender
{
    // The assessment task of each right: its outcome chooses the response's wording (LetterFacts.Decision).
    private static readonly string[] DecisionTaskTypes =
    [
        "rectification-assessment", "erasure-assessment", "restriction-assessment", "portability-assessment",
        "objection-assessment", "automated-decision-review",
    ];

    private readonly RecordingNotificationSender _recorder = new();

    public async Task SendAsync(OutboundNotification notification, JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(context);
        await _recorder.SendAsync(notification, context, cancellationToken);
        var connection = context.Transaction.Connection!;
        var already = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outbound_notifications WHERE dedupe_key = @Key AND status = 'sent')",
            new { notification.Key },
            context.Transaction,
            cancellationToken: cancellationToken));
        if (already || notification.CaseId is not { } caseId)
        {
            return;
        }

        var facts = await connection.QuerySingleOrDefaultAsync<CaseFacts>(new CommandDefinition(
            """
            SELECT c.reference, c.right_code, r.sealed_parties, r.inbound_message_id, r.relationship, k.extension_reason,
                   (SELECT m.message_id FROM inbound_messages m WHERE m.id = r.inbound_message_id) AS request_message_id
            FROM cases c
            LEFT JOIN case_requests r ON r.case_id = c.id
            LEFT JOIN case_clocks k ON k.case_id = c.id
            WHERE c.id = @caseId
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken));
        if (facts is null || !Rights.TryParseId(facts.RightCode, out var right))
        {
            return;
        }

        // Issue 9 Build 6: the requester's name and address are sealed at rest (migration 0083).
        var parties = CaseRequestParties.Open(cipher, caseId, facts.SealedParties);
        facts = facts with { RequesterName = parties.RequesterName, RequesterEmail = parties.RequesterEmail };

        var to = await RecipientAsync(notification, facts, context, cancellationToken);
        if (to is null)
        {
            Log.NoAddress(logger, facts.Reference, notification.Template, notification.RecipientKind);
            return;
        }

        var letter = await LetterFactsAsync(notification, facts, right, to, context, cancellationToken);
        var (subject, body) = await templates.RenderAsync(notification.Template, right.Id(), LetterModel.Build(letter, clocks.Calculator));

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        message.To.Add(to);
        message.Subject = subject;
        message.MessageId = string.Create(CultureInfo.InvariantCulture, $"{notification.Template}.{facts.Reference}.{notification.Key.GetHashCode(StringComparison.Ordinal):x8}@{options.MessageIdDomain}");
        message.Date = context.Time.GetUtcNow();
        message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        if (!string.IsNullOrWhiteSpace(facts.RequestMessageId) && notification.RecipientKind == "requester")
        {
            message.InReplyTo = facts.RequestMessageId;
            message.References.Add(facts.RequestMessageId);
        }

        message.Body = new TextPart("plain") { Text = body };
        await sender.SendAsync(message, cancellationToken);

        if (notification.RecipientKind == "requester")
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at)
                VALUES (@caseId, @messageId, @purpose, @dedupeKey, @recipient, @subject, @now)
                ON CONFLICT (dedupe_key) DO NOTHING
                """,
                new { caseId, messageId = message.MessageId, purpose = notification.Template, dedupeKey = notification.Key, recipient = to.Address, subject, now = context.Time.GetUtcNow() },
                context.Transaction,
                cancellationToken: cancellationToken));
        }

        await RecordingNotificationSender.MarkSentAsync(context, notification.Key, cancellationToken);
        Log.Sent(logger, facts.Reference, notification.Template);
    }

    private async Task<MailboxAddress?> RecipientAsync(OutboundNotification notification, CaseFacts facts, JobContext context, CancellationToken cancellationToken)
    {
        switch (notification.RecipientKind)
        {
            case "requester":
                return MailboxAddress.TryParse(facts.RequesterEmail ?? "", out var requester) ? new MailboxAddress(LetterName.Clean(facts.RequesterName), requester.Address) : null;
            case "officer":
            {
                var email = await context.Transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
                    "SELECT email FROM staff_users WHERE subject = @subject AND active", new { subject = notification.Recipient }, context.Transaction, cancellationToken: cancellationToken));
                return email is not null && MailboxAddress.TryParse(email, out var officer) ? officer : null;
            }

            case "team" when !string.IsNullOrWhiteSpace(options.TeamAddress):
                return MailboxAddress.TryParse(options.TeamAddress, out var team) ? team : null;
            case "role" when notification.Recipient == "dpo" && !string.IsNullOrWhiteSpace(options.DpoAddress):
                return MailboxAddress.TryParse(options.DpoAddress, out var dpo) ? dpo : null;
            default:
                return null;
        }
    }

    /// <summary>What the letter is about, read in the job's transaction: the stored clock, the decision, the reader.</summary>
    private static async Task<LetterFacts> LetterFactsAsync(OutboundNotification notification, CaseFacts facts, Right right, MailboxAddress to, JobContext context, CancellationToken cancellationToken)
    {
        var caseId = notification.CaseId!.Value;
        var connection = context.Transaction.Connection!;
        var dates = await ClockStore.DatesAsync(context.Transaction, caseId, cancellationToken);
        var tasks = (await connection.QueryAsync<(string State, string Type, string Outcome, string? Reasons)>(new CommandDefinition(
            """
            SELECT state, type, outcome, outcome_data ->> 'reasons' AS reasons
            FROM workflow_tasks WHERE case_id = @caseId AND status = 'completed'
            ORDER BY completed_at, id
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken))).ToList();

        // UK GDPR Art 12(5): the latest refusal decision stands (a refusal overruled and proposed again is decided again).
        var refusal = tasks.LastOrDefault(t => t.State == "refusal-sign-off");
        string? recipientName = null;
        if (notification.RecipientKind == "officer")
        {
            recipientName = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT display_name FROM staff_users WHERE subject = @subject", new { subject = notification.Recipient }, context.Transaction, cancellationToken: cancellationToken));
        }
        else if (notification.RecipientKind == "requester")
        {
            recipientName = to.Name;
        }

        string? taskTitle = null;
        DateOnly? taskDueOn = null;
        int? chaser = null;
        using (var data = JsonDocument.Parse(string.IsNullOrWhiteSpace(notification.DataJson) ? "{}" : notification.DataJson))
        {
            if (data.RootElement.ValueKind == JsonValueKind.Object && data.RootElement.TryGetProperty("taskId", out var taskId) && taskId.TryGetInt64(out var id))
            {
                (taskTitle, taskDueOn) = await connection.QuerySingleOrDefaultAsync<(string?, DateOnly?)>(new CommandDefinition(
                    "SELECT title, due_on FROM workflow_tasks WHERE id = @id", new { id }, context.Transaction, cancellationToken: cancellationToken));
            }

            if (data.RootElement.ValueKind == JsonValueKind.Object && data.RootElement.TryGetProperty("chaser", out var c) && c.TryGetInt32(out var n))
            {
                chaser = n;
            }
        }

        return new LetterFacts
        {
            Template = notification.Template,
            Reference = facts.Reference,
            Right = right,
            RecipientKind = notification.RecipientKind,
            RecipientName = recipientName,
            RequesterName = facts.RequesterName,
            Relationship = facts.Relationship,
            Dates = dates,
            ExtensionReason = facts.ExtensionReason,
            Today = LondonTime.Today(context.Time),
            Decision = tasks.LastOrDefault(t => DecisionTaskTypes.Contains(t.Type)).Outcome,
            Refused = refusal.Outcome == "approved",
            RefusalReasons = refusal.Outcome == "approved" ? refusal.Reasons : null,
            TaskTitle = taskTitle,
            TaskDueOn = taskDueOn,
            Chaser = chaser,
        };
    }

    private sealed record CaseFacts
    {
        public string Reference { get; init; } = "";
        public string RightCode { get; init; } = "";
        public byte[]? SealedParties { get; init; }
        public string? RequesterName { get; init; }
        public string? RequesterEmail { get; init; }
        public long? InboundMessageId { get; init; }
        public string? Relationship { get; init; }
        public string? ExtensionReason { get; init; }
        public string? RequestMessageId { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(4301, LogLevel.Information, "Sent {Template} for {Reference}")]
        public static partial void Sent(ILogger logger, string reference, string template);

        [LoggerMessage(4302, LogLevel.Warning, "No address for {RecipientKind} for {Template} on {Reference}: recorded, not emailed")]
        public static partial void NoAddress(ILogger logger, string reference, string template, string recipientKind);
    }
}
