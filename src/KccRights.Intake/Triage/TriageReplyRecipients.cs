using System.Security.Cryptography;
using KccRights.Correspondence.Triage;
using KccRights.Domain.Text;
using KccRights.Intake.Storage;
using MimeKit;

namespace KccRights.Intake.Triage;

/// <summary>
/// Who a triaged message is answered to, for Correspondence's <c>send-triage-reply</c> job: read from the sealed stored
/// message when the reply is sent, so the address is never stored with the reply (issue 9 Build 6). The Reply-To, else
/// the From; none for an automatic reply or a delivery report (RFC 3834: never answered) or a message that cannot be read.
/// </summary>
public sealed class TriageReplyRecipients(InboundMessageStore store) : ITriageReplyRecipients
{
    public async Task<TriageReplyRecipient?> FindAsync(long inboundMessageId, CancellationToken cancellationToken)
    {
        StoredMessage? stored;
        try
        {
            stored = await store.LoadAsync(inboundMessageId, cancellationToken);
        }
        catch (CryptographicException)
        {
            return null;
        }

        return stored is null ? null : Read(stored.Raw, stored.MessageId, stored.ReceivedAt);
    }

    internal static TriageReplyRecipient? Read(byte[] raw, string? storedMessageId, DateTimeOffset receivedAt)
    {
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            message = MimeMessage.Load(stream);
        }
        catch (Exception ex) when (ex is FormatException or ParseException or IOException)
        {
            return null;
        }

        if (IsAutomatic(message))
        {
            return null;
        }

        var to = message.ReplyTo.Mailboxes.FirstOrDefault(m => m.Address.Contains('@', StringComparison.Ordinal))
            ?? message.From.Mailboxes.FirstOrDefault(m => m.Address.Contains('@', StringComparison.Ordinal));
        if (to is null)
        {
            return null;
        }

        var messageId = storedMessageId ?? message.MessageId;
        return new TriageReplyRecipient(
            PlainText.OneLine(to.Address),
            to.Name,
            string.IsNullOrWhiteSpace(messageId) ? null : PlainText.OneLine(messageId),
            receivedAt);
    }

    /// <summary>RFC 3834 <c>Auto-Submitted</c> other than "no", or a delivery report (RFC 3464 multipart/report).</summary>
    internal static bool IsAutomatic(MimeMessage message)
    {
        var autoSubmitted = message.Headers[HeaderId.AutoSubmitted];
        return (!string.IsNullOrWhiteSpace(autoSubmitted) && !autoSubmitted.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
            || message.Body is MultipartReport
            || message.Body?.ContentType.IsMimeType("multipart", "report") == true;
    }
}
