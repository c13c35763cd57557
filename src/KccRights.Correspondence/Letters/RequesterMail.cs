using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using KccRights.Cases;
using KccRights.Correspondence.Smtp;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Encryption;
using Microsoft.Extensions.Logging;
using MimeKit;
using Npgsql;

namespace KccRights.Correspondence.Letters;

/// <summary>A file sent with a letter: its bytes, the name the reader sees and its media type.</summary>
public sealed record MailAttachment(byte[] Content, string FileName, string MediaType);

/// <summary>
/// One letter to a case's requester, worded by a template of <see cref="LetterTemplates"/>, with values the case does not
/// hold (a password, a link, a code: read by the template, never logged nor stored by this module) and attachments.
/// </summary>
public sealed record RequesterLetter
{
    /// <summary>The dedupe key in outbound_messages: a letter whose key is recorded is never sent again.</summary>
    public required string Key { get; init; }

    public required string Template { get; init; }

    public required long CaseId { get; init; }

    public IReadOnlyDictionary<string, object?> Values { get; init; } = new Dictionary<string, object?>();

    public IReadOnlyList<MailAttachment> Attachments { get; init; } = [];
}

/// <summary>What became of a letter: its Message-ID, when it went, and whether it had already gone (a retried job).</summary>
public sealed record SentLetter(string MessageId, DateTimeOffset SentAt, bool AlreadySent);

/// <summary>
/// Sends a letter to a case's requester by email, with attachments (issue 13 Build 6: the response PDF), for a module
/// whose job sends more than one message (a letter and, separately, the password that opens its attachment). Each
/// message is recorded in outbound_messages under its key in a transaction of its own, committed as soon as the server
/// took it, so a job that fails after its first message and runs again does not send that message twice. The
/// requester's address is read from the sealed parties (never logged); no body is stored.
/// </summary>
public sealed partial class RequesterMail(IMailSender sender, SmtpOptions options, IPersonalDataCipher cipher, LetterTemplates templates, ClockStore clocks, NpgsqlDataSource dataSource, ILogger<RequesterMail> logger)
{
    /// <summary>False when no SMTP server is configured: nothing can be sent.</summary>
    public bool CanSend => sender.CanSend;

    /// <summary>The letter recorded under <paramref name="key"/>, or null when none went.</summary>
    public async Task<SentLetter?> FindAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string MessageId, DateTimeOffset SentAt)?>(new CommandDefinition(
            "SELECT message_id, sent_at FROM outbound_messages WHERE dedupe_key = @key", new { key }, cancellationToken: cancellationToken));
        return row is { } r ? new SentLetter(r.MessageId, r.SentAt, AlreadySent: true) : null;
    }

    public async Task<SentLetter> SendAsync(RequesterLetter letter, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        ArgumentNullException.ThrowIfNull(time);
        if (await FindAsync(letter.Key, cancellationToken) is { } already)
        {
            return already;
        }

        if (!sender.CanSend)
        {
            throw new InvalidOperationException($"No SMTP server is configured ({SmtpOptions.Section}:Host): the letter {letter.Template} cannot be sent.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var facts = await connection.QuerySingleOrDefaultAsync<CaseFacts>(new CommandDefinition(
            """
            SELECT c.reference, c.right_code, r.sealed_parties, r.relationship,
                   (SELECT m.message_id FROM inbound_messages m WHERE m.id = r.inbound_message_id) AS request_message_id
            FROM cases c LEFT JOIN case_requests r ON r.case_id = c.id
            WHERE c.id = @caseId
            """,
            new { caseId = letter.CaseId },
            cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException($"No case {letter.CaseId}.");
        if (!Rights.TryParseId(facts.RightCode, out var right))
        {
            throw new InvalidOperationException($"Case {facts.Reference} has an unknown right.");
        }

        var parties = CaseRequestParties.Open(cipher, letter.CaseId, facts.SealedParties);
        if (!MailboxAddress.TryParse(parties.RequesterEmail ?? "", out var address))
        {
            throw new InvalidOperationException($"Case {facts.Reference} has no email address for the requester: {letter.Template} cannot be emailed.");
        }

        var to = new MailboxAddress(LetterName.Clean(parties.RequesterName), address.Address);
        CaseDates? dates;
        await using (var read = await connection.BeginTransactionAsync(cancellationToken))
        {
            dates = await ClockStore.DatesAsync(read, letter.CaseId, cancellationToken);
        }

        var model = LetterModel.Build(
            new LetterFacts
            {
                Template = letter.Template,
                Reference = facts.Reference,
                Right = right,
                RecipientName = to.Name,
                RequesterName = parties.RequesterName,
                Relationship = facts.Relationship,
                Dates = dates,
                Today = LondonTime.Today(time),
            },
            clocks.Calculator);
        foreach (var (name, value) in letter.Values)
        {
            model[name] = value;
        }

        var (subject, body) = await templates.RenderAsync(letter.Template, right.Id(), model);
        var now = time.GetUtcNow();
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        message.To.Add(to);
        message.Subject = subject;
        // Fixed by the key, so a message sent but not recorded (a crash between) goes again under the same Message-ID.
        var keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(letter.Key)))[..16];
        message.MessageId = string.Create(CultureInfo.InvariantCulture, $"{letter.Template}.{facts.Reference}.{keyHash}@{options.MessageIdDomain}");
        message.Date = now;
        message.Headers.Add(HeaderId.AutoSubmitted, "auto-generated");
        if (!string.IsNullOrWhiteSpace(facts.RequestMessageId))
        {
            message.InReplyTo = facts.RequestMessageId;
            message.References.Add(facts.RequestMessageId);
        }

        var text = new TextPart("plain") { Text = body };
        if (letter.Attachments.Count == 0)
        {
            message.Body = text;
        }
        else
        {
            var mixed = new Multipart("mixed") { text };
            foreach (var attachment in letter.Attachments)
            {
                mixed.Add(new MimePart(ContentType.Parse(attachment.MediaType))
                {
                    Content = new MimeContent(new MemoryStream(attachment.Content)),
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    FileName = attachment.FileName,
                });
            }

            message.Body = mixed;
        }

        await sender.SendAsync(message, cancellationToken);

        // Recorded at once, outside the caller's transaction: the message has gone whatever becomes of the job.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbound_messages (case_id, message_id, purpose, dedupe_key, recipient, subject, sent_at)
            VALUES (@caseId, @messageId, @purpose, @dedupeKey, @recipient, @subject, @now)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            new { caseId = letter.CaseId, messageId = message.MessageId, purpose = letter.Template, dedupeKey = letter.Key, recipient = to.Address, subject, now },
            cancellationToken: cancellationToken));
        Log.Sent(logger, facts.Reference, letter.Template, letter.Attachments.Count);
        return new SentLetter(message.MessageId, now, AlreadySent: false);
    }

    private sealed record CaseFacts
    {
        public string Reference { get; init; } = "";
        public string RightCode { get; init; } = "";
        public byte[]? SealedParties { get; init; }
        public string? Relationship { get; init; }
        public string? RequestMessageId { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(4321, LogLevel.Information, "Sent {Template} for {Reference} with {Attachments} attachment(s)")]
        public static partial void Sent(ILogger logger, string reference, string template, int attachments);
    }
}
