using System.Globalization;
using System.Text.Json;
using Dapper;
using Fluid;
using KccRights.Cases;
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
/// send again. Wording comes from Liquid templates in templates/letters/, editable without a code change.
/// </summary>
public sealed partial class MailNotificationSender(IMailSender sender, SmtpOptions options, IPersonalDataCipher cipher, ILogger<MailNotificationSender> logger) : INotificationSender
{
    private static readonly FluidParser Parser = new();
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");
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
            SELECT c.reference, c.right_code, r.sealed_parties, r.inbound_message_id,
                   k.due_on, k.effective_due_on, k.extended, k.extension_reason,
                   (SELECT m.message_id FROM inbound_messages m WHERE m.id = r.inbound_message_id) AS request_message_id
            FROM cases c
            LEFT JOIN case_requests r ON r.case_id = c.id
            LEFT JOIN case_clocks k ON k.case_id = c.id
            WHERE c.id = @caseId
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken));
        if (facts is null)
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

        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["reference"] = facts.Reference,
            ["right"] = facts.RightCode,
            ["requester_name"] = LetterName.Clean(facts.RequesterName),
            ["due_on"] = facts.EffectiveDueOn?.ToString("dddd d MMMM yyyy", English),
            ["original_due_on"] = facts.DueOn?.ToString("dddd d MMMM yyyy", English),
            ["extended"] = facts.Extended,
            ["extension_reason"] = facts.ExtensionReason,
            ["template"] = notification.Template,
        };
        var (subject, body) = await RenderAsync(notification.Template, model);

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

    private static async Task<(string Subject, string Body)> RenderAsync(string template, Dictionary<string, object?> model)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "templates", "letters");
        var path = Path.Combine(folder, template + ".liquid");
        if (!File.Exists(path))
        {
            path = Path.Combine(folder, "default.liquid");
        }

        if (!Parser.TryParse(await File.ReadAllTextAsync(path), out var parsed, out var error))
        {
            throw new InvalidOperationException($"The letter template {path} is not valid Liquid: {error}");
        }

        var context = new TemplateContext();
        foreach (var (name, value) in model)
        {
            context.SetValue(name, value);
        }

        var text = (await parsed.RenderAsync(context)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var first = newline < 0 ? text : text[..newline];
        return first.StartsWith("Subject:", StringComparison.Ordinal)
            ? (first["Subject:".Length..].Trim(), text[(newline + 1)..].TrimStart('\n'))
            : ($"Your request {model["reference"]}", text);
    }

    private sealed record CaseFacts
    {
        public string Reference { get; init; } = "";
        public string RightCode { get; init; } = "";
        public byte[]? SealedParties { get; init; }
        public string? RequesterName { get; init; }
        public string? RequesterEmail { get; init; }
        public long? InboundMessageId { get; init; }
        public DateOnly? DueOn { get; init; }
        public DateOnly? EffectiveDueOn { get; init; }
        public bool Extended { get; init; }
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
