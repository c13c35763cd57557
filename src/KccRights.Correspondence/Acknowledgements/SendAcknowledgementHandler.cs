using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Correspondence.Letters;
using KccRights.Correspondence.Smtp;
using KccRights.Infrastructure.Encryption;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace KccRights.Correspondence.Acknowledgements;

/// <summary>
/// The <c>send-acknowledgement</c> job: renders the acknowledgement (reference, right, received date, due date from the
/// stored clock, next steps, an ID request where asked) and sends it, then records it in outbound_messages with its
/// Message-ID so replies thread to the case. Idempotent: when the record exists the job does nothing. The Message-ID is
/// fixed per case, so even a resend after a crash between sending and committing threads the same way.
/// </summary>
public sealed partial class SendAcknowledgementHandler(SmtpOptions options, AcknowledgementTemplates templates, IMailSender sender, IPersonalDataCipher cipher, DeadlineCalculator calculator, ILogger<SendAcknowledgementHandler> logger) : IJobHandler
{
    public const string Purpose = "acknowledgement";
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    public string Kind => "send-acknowledgement";

    public static string MessageIdFor(CaseReference reference, long caseId, string domain) =>
        string.Create(CultureInfo.InvariantCulture, $"ack.{reference}.{caseId}@{domain}");

    public async Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caseId = context.CaseId ?? (context.Payload.TryGetProperty("caseId", out var id) ? id.GetInt64() : throw new InvalidOperationException("send-acknowledgement needs a case."));
        if (!sender.CanSend)
        {
            // No SMTP configured (serve with no mail settings, as the demo cases without run.sh's mailbox): nothing can be
            // sent, and retrying would only end in an incident. Nothing is recorded as sent; the log says why.
            Log.NoSmtp(logger, caseId);
            return "no-smtp";
        }

        var askForId = context.Payload.ValueKind == JsonValueKind.Object && context.Payload.TryGetProperty("askForId", out var ask) && ask.ValueKind == JsonValueKind.True;
        var connection = context.Transaction.Connection!;
        var dedupeKey = string.Create(CultureInfo.InvariantCulture, $"{Purpose}:{caseId}");
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM outbound_messages WHERE dedupe_key = @dedupeKey", new { dedupeKey }, context.Transaction, cancellationToken: cancellationToken)) is not null)
        {
            Log.AlreadySent(logger, caseId);
            return null;
        }

        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(
            """
            SELECT c.reference, c.right_code, k.received_on, k.effective_due_on, r.sealed_parties, r.relationship,
                   m.message_id AS inbound_message_id
            FROM cases c
            JOIN case_clocks k ON k.case_id = c.id
            LEFT JOIN case_requests r ON r.case_id = c.id
            LEFT JOIN inbound_messages m ON m.id = r.inbound_message_id
            WHERE c.id = @caseId
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken)) ?? throw new InvalidOperationException($"Case {caseId} has no clock to acknowledge.");

        // Issue 9 Build 6: the requester, the subject and the agent's reference are sealed at rest (migration 0083).
        var parties = CaseRequestParties.Open(cipher, caseId, row.SealedParties);
        row = row with
        {
            RequesterName = parties.RequesterName,
            RequesterEmail = parties.RequesterEmail,
            SubjectName = parties.SubjectName,
            AgentReference = parties.AgentReference,
        };
        if (string.IsNullOrWhiteSpace(row.RequesterEmail) || !MailboxAddress.TryParse(row.RequesterEmail, out var to))
        {
            Log.NoAddress(logger, caseId);
            return "no-address";
        }

        if (!CaseReference.TryParse(row.Reference, out var reference) || reference is null || !Rights.TryParseId(row.RightCode, out var right))
        {
            throw new InvalidOperationException($"Case {caseId} has an unreadable reference or right.");
        }

        var linked = (await connection.QueryAsync<(string Reference, string RightCode)>(new CommandDefinition(
            """
            SELECT c.reference, c.right_code FROM case_links l JOIN cases c ON c.id = l.linked_case_id
            WHERE l.case_id = @caseId AND l.link_type = 'same-request' ORDER BY c.id
            """,
            new { caseId },
            context.Transaction,
            cancellationToken: cancellationToken))).ToList();

        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["reference"] = reference.ToString(),
            ["right_id"] = right.Id(),
            ["right_title"] = LetterModel.Title(right),
            ["provision"] = right.Provision(),
            ["received_on"] = row.ReceivedOn.ToString("d MMMM yyyy", English),
            ["due_on"] = row.EffectiveDueOn.ToString("dddd d MMMM yyyy", English),

            // DPA 2018 s.164A: a complaint has no one-month date; it is acknowledged within 30 days.
            ["acknowledge_by"] = right == Right.Complaint ? LetterModel.Date(ComplaintDates.AcknowledgeBy(row.ReceivedOn, calculator)) : null,
            ["requester_name"] = LetterName.Clean(row.RequesterName),
            ["subject_name"] = LetterName.Clean(row.SubjectName),
            ["relationship"] = row.Relationship ?? "self",
            ["agent_reference"] = row.AgentReference,
            ["ask_for_id"] = askForId,
            ["linked"] = linked.Select(l => new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["reference"] = l.Reference,
                ["right_title"] = Rights.TryParseId(l.RightCode, out var r) ? LetterModel.Title(r) : l.RightCode,
            }).ToList(),
        };
        var (subject, body) = await templates.RenderAsync(model);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        message.To.Add(to);
        message.Subject = subject;
        message.MessageId = MessageIdFor(reference, caseId, options.MessageIdDomain);
        message.Date = context.Time.GetUtcNow();

        // RFC 3834: an automatic response, so other responders (out-of-office) do not answer it and loop.
        message.Headers.Add(HeaderId.AutoSubmitted, "auto-replied");
        if (!string.IsNullOrWhiteSpace(row.InboundMessageId))
        {
            message.InReplyTo = row.InboundMessageId;
            message.References.Add(row.InboundMessageId);
        }

        message.Body = new TextPart("plain") { Text = body };
        await sender.SendAsync(message, cancellationToken);

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at)
            VALUES (@caseId, @messageId, @purpose, @dedupeKey, @recipient, @subject, @now)
            """,
            new { caseId, messageId = message.MessageId, purpose = Purpose, dedupeKey, recipient = to.Address, subject, now = context.Time.GetUtcNow() },
            context.Transaction,
            cancellationToken: cancellationToken));
        Log.Sent(logger, reference.ToString());
        return null;
    }

    private sealed record CaseRow
    {
        public string Reference { get; init; } = "";
        public string RightCode { get; init; } = "";
        public DateOnly ReceivedOn { get; init; }
        public DateOnly EffectiveDueOn { get; init; }
        public byte[]? SealedParties { get; init; }
        public string? RequesterName { get; init; }
        public string? RequesterEmail { get; init; }
        public string? SubjectName { get; init; }
        public string? Relationship { get; init; }
        public string? AgentReference { get; init; }
        public string? InboundMessageId { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(4301, LogLevel.Information, "Acknowledgement sent for {Reference}")]
        public static partial void Sent(ILogger logger, string reference);

        [LoggerMessage(4302, LogLevel.Information, "Acknowledgement for case {CaseId} already sent: nothing to do")]
        public static partial void AlreadySent(ILogger logger, long caseId);

        [LoggerMessage(4303, LogLevel.Warning, "Case {CaseId} has no usable requester address: no acknowledgement sent")]
        public static partial void NoAddress(ILogger logger, long caseId);

        [LoggerMessage(4304, LogLevel.Warning, "No SMTP host is configured (Intake:Smtp:Host): no acknowledgement sent for case {CaseId}")]
        public static partial void NoSmtp(ILogger logger, long caseId);
    }
}
