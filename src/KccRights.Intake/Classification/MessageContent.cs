using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KccRights.Domain.Text;
using MimeKit;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace KccRights.Intake.Classification;

/// <summary>
/// The readable content of a message: its own text (HTML converted), the text it quotes, the text of forwarded
/// messages and of attached PDF letters, the attachment list, and any parse problems met on the way.
/// </summary>
public sealed partial class MessageContent
{
    private const int MaxPdfBytes = 10 * 1024 * 1024;
    private const int MaxPdfPages = 20;

    /// <summary>The message's own words, without quoted replies.</summary>
    public string OwnText { get; private set; } = string.Empty;

    /// <summary>The whole body text, quotes included.</summary>
    public string BodyText { get; private set; } = string.Empty;

    /// <summary>Text of forwarded messages (message/rfc822 parts and inline forwards).</summary>
    public string ForwardedText { get; private set; } = string.Empty;

    /// <summary>Text read from attached PDFs (a request sent as a letter).</summary>
    public string PdfText { get; private set; } = string.Empty;

    private string? _html;
    private string? _safeHtml;

    /// <summary>The HTML body sanitised for display, if there was one (sanitised when first asked for, not on every read).</summary>
    public string? SafeHtml => _html is null ? null : _safeHtml ??= HtmlText.Sanitise(_html);

    public IReadOnlyList<AttachmentInfo> Attachments { get; private set; } = [];

    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>For an inline or attached forward: who first sent it.</summary>
    public MailboxAddress? ForwardedFrom { get; private set; }

    public bool HasDeliveryStatus { get; private set; }

    public IReadOnlyList<string> BouncedMessageIds { get; private set; } = [];

    /// <summary>The Final-Recipient addresses of a delivery report.</summary>
    public IReadOnlyList<string> BouncedRecipients { get; private set; } = [];

    /// <summary>What reading left out to stay within its limits (issue 9, item 1): shown to the officer, never silent.</summary>
    public IReadOnlyList<string> Truncations { get; private set; } = [];

    public static MessageContent Read(MimeMessage message, ReadOnlySpan<byte> raw = default) => Read(message, raw, ContentLimits.Default);

    public static MessageContent Read(MimeMessage message, ReadOnlySpan<byte> raw, ContentLimits limits)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(limits);
        var content = new MessageContent();
        var truncations = new List<string>();
        var problems = new List<string>();
        var attachments = new List<AttachmentInfo>();
        var plain = new StringBuilder();
        var html = new StringBuilder();
        var pdf = new StringBuilder();
        var forwarded = new StringBuilder();
        var bounced = new List<string>();

        if (message.Headers.Contains(HeaderId.Date) && message.Date == DateTimeOffset.MinValue)
        {
            problems.Add("the Date header cannot be read");
        }

        CheckMultipartsClosed(message.Body, raw, problems);
        Visit(message.Body, content, plain, html, pdf, forwarded, attachments, problems, bounced, depth: 0, limits);

        // A huge HTML body (10 MB took 91 s and 700 MB) is parsed only up to the limit: the words a person wrote come first.
        string body;
        if (plain.Length > 0)
        {
            body = plain.ToString(0, Math.Min(plain.Length, limits.MaxTextChars));
        }
        else if (html.Length > 0)
        {
            if (html.Length > limits.MaxHtmlChars)
            {
                truncations.Add(string.Create(CultureInfo.InvariantCulture, $"the HTML body is {html.Length:N0} characters long: only the first {limits.MaxHtmlChars:N0} were read"));
            }

            var markup = html.ToString(0, Math.Min(html.Length, limits.MaxHtmlChars));
            body = HtmlText.ToText(markup);
            content._html = markup;
        }
        else
        {
            body = string.Empty;
        }

        if (plain.Length > limits.MaxTextChars || body.Length > limits.MaxTextChars)
        {
            truncations.Add(string.Create(CultureInfo.InvariantCulture, $"the text is {Math.Max(plain.Length, body.Length):N0} characters long: only the first {limits.MaxTextChars:N0} were read"));
            body = body[..Math.Min(body.Length, limits.MaxTextChars)];
        }

        body = TextCleaner.Body(body.Replace("\r\n", "\n", StringComparison.Ordinal));
        content.BodyText = body;
        var (own, inlineForward) = SplitQuoted(body);
        content.OwnText = own;
        if (inlineForward.Length > 0)
        {
            forwarded.Insert(0, inlineForward + "\n");
            if (content.ForwardedFrom is null && ForwardedFromLine().Match(inlineForward) is { Success: true } from
                && MailboxAddress.TryParse(from.Groups["from"].Value.Trim(), out var address))
            {
                content.ForwardedFrom = address;
            }
        }

        content.ForwardedText = TextCleaner.Body(Capped(forwarded, limits.MaxTextChars, "forwarded text", truncations));
        content.PdfText = TextCleaner.Body(Capped(pdf, limits.MaxTextChars, "PDF text", truncations));
        content.Truncations = truncations;
        content.Attachments = attachments;
        content.Problems = problems;
        content.BouncedMessageIds = bounced;
        return content;
    }

    private static void Visit(
        MimeEntity? entity, MessageContent content, StringBuilder plain, StringBuilder html, StringBuilder pdf, StringBuilder forwarded,
        List<AttachmentInfo> attachments, List<string> problems, List<string> bounced, int depth, ContentLimits limits)
    {
        switch (entity)
        {
            case null:
                return;
            case Multipart multipart:
                if (multipart.ContentType.IsMimeType("multipart", "report")
                    && string.Equals(multipart.ContentType.Parameters["report-type"], "delivery-status", StringComparison.OrdinalIgnoreCase))
                {
                    content.HasDeliveryStatus = true;
                }

                if (multipart.ContentType.IsMimeType("multipart", "alternative"))
                {
                    // Prefer the plain part; fall back to HTML.
                    var text = multipart.OfType<TextPart>().FirstOrDefault(p => p.IsPlain) ?? multipart.OfType<TextPart>().FirstOrDefault(p => p.IsHtml);
                    if (text is not null)
                    {
                        Visit(text, content, plain, html, pdf, forwarded, attachments, problems, bounced, depth, limits);
                    }

                    foreach (var other in multipart.Where(p => p is not TextPart))
                    {
                        Visit(other, content, plain, html, pdf, forwarded, attachments, problems, bounced, depth, limits);
                    }

                    return;
                }

                foreach (var part in multipart)
                {
                    Visit(part, content, plain, html, pdf, forwarded, attachments, problems, bounced, depth, limits);
                }

                return;
            case TextRfc822Headers headers:
                // The headers of the undelivered message in a delivery report: its Message-ID threads the bounce.
                if (headers.Message?.MessageId is { } undelivered)
                {
                    bounced.Add(undelivered);
                }

                return;
            case MessagePart messagePart:
                attachments.Add(new AttachmentInfo(messagePart.ContentDisposition?.FileName ?? "forwarded message.eml", messagePart.ContentType.MimeType, Size(messagePart)));
                if (messagePart.Message is { } inner && depth < 3)
                {
                    content.ForwardedFrom ??= inner.From.Mailboxes.FirstOrDefault();
                    var innerContent = Read(inner, default, limits);
                    forwarded.Append("Subject: ").Append(inner.Subject).Append('\n').Append(innerContent.BodyText).Append('\n').Append(innerContent.PdfText).Append('\n');
                    if (inner.MessageId is { } id)
                    {
                        bounced.Add(id);
                    }
                }

                return;
            case MessageDeliveryStatus status:
                content.HasDeliveryStatus = true;
                foreach (var group in status.StatusGroups)
                {
                    if (group["Final-Recipient"] is { } recipient && recipient.Split(';', 2) is [_, var address])
                    {
                        content.BouncedRecipients = [.. content.BouncedRecipients, address.Trim()];
                    }
                }

                return;
            case TextPart text when !text.IsAttachment && (text.IsPlain || text.IsHtml) && !(entity.ContentType.MediaSubtype.Equals("delivery-status", StringComparison.OrdinalIgnoreCase)):
                var value = SafeText(text, problems);
                if (text.IsHtml)
                {
                    html.Append(value).Append('\n');
                }
                else
                {
                    plain.Append(value).Append('\n');
                }

                return;
            case MimePart part:
                var name = part.FileName ?? part.ContentType.Name ?? "(unnamed)";
                var bytes = Decode(part, name, problems);
                attachments.Add(new AttachmentInfo(name, part.ContentType.MimeType, bytes?.Length ?? 0));
                if (bytes is not null && (part.ContentType.IsMimeType("application", "pdf") || name.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase)))
                {
                    pdf.Append(ReadPdf(bytes, name, problems)).Append('\n');
                }
                else if (bytes is not null && part.ContentType.IsMimeType("message", "delivery-status"))
                {
                    content.HasDeliveryStatus = true;
                }

                return;
            default:
                return;
        }
    }

    private static string Capped(StringBuilder builder, int max, string what, List<string> truncations)
    {
        if (builder.Length <= max)
        {
            return builder.ToString();
        }

        truncations.Add(string.Create(CultureInfo.InvariantCulture, $"the {what} is {builder.Length:N0} characters long: only the first {max:N0} were read"));
        return builder.ToString(0, max);
    }

    private static string SafeText(TextPart part, List<string> problems)
    {
        var charset = part.ContentType.Charset;
        if (charset is not null && !KnownCharset(charset))
        {
            problems.Add($"unknown charset '{charset}': read as UTF-8");
            try
            {
                using var stream = new MemoryStream();
                part.Content?.DecodeTo(stream);
                return Encoding.UTF8.GetString(stream.ToArray());
            }
            catch (Exception ex) when (ex is FormatException or IOException or InvalidOperationException)
            {
                problems.Add("a text part could not be decoded");
                return string.Empty;
            }
        }

        try
        {
            return part.Text ?? string.Empty;
        }
        catch (Exception ex) when (ex is FormatException or IOException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            problems.Add("a text part could not be decoded");
            return string.Empty;
        }
    }

    private static bool KnownCharset(string charset)
    {
        try
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            _ = Encoding.GetEncoding(charset.Trim().Trim('"'));
            return true;
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    private static byte[]? Decode(MimePart part, string name, List<string> problems)
    {
        if (part.Content is null)
        {
            return [];
        }

        try
        {
            if (part.ContentTransferEncoding == ContentEncoding.Base64)
            {
                using var encoded = new MemoryStream();
                part.Content.WriteTo(encoded);
                if (!Base64Body().IsMatch(Encoding.ASCII.GetString(encoded.ToArray())))
                {
                    problems.Add($"attachment '{name}' is not valid base64");
                }
            }

            using var stream = new MemoryStream();
            part.Content.DecodeTo(stream);
            return stream.ToArray();
        }
        catch (Exception ex) when (ex is FormatException or IOException or InvalidOperationException)
        {
            problems.Add($"attachment '{name}' could not be decoded");
            return null;
        }
    }

    private static long Size(MessagePart part)
    {
        using var stream = new MemoryStream();
        part.Message?.WriteTo(stream);
        return stream.Length;
    }

    internal static string ReadPdf(byte[] bytes, string name, List<string> problems)
    {
        if (bytes.Length > MaxPdfBytes)
        {
            problems.Add($"PDF '{name}' is larger than {MaxPdfBytes / 1024 / 1024} MB: not read");
            return string.Empty;
        }

        try
        {
            using var document = PdfPigDocument.Open(bytes);
            var builder = new StringBuilder();
            foreach (var page in document.GetPages().Take(MaxPdfPages))
            {
                builder.Append(ContentOrderTextExtractor.GetText(page)).Append('\n');
            }

            return builder.ToString();
        }
        // A damaged PDF (PdfPig throws many exception types) must never stop intake; it is noted as a problem.
        catch (Exception)
        {
            problems.Add($"PDF '{name}' could not be read");
            return string.Empty;
        }
    }

    private static void CheckMultipartsClosed(MimeEntity? body, ReadOnlySpan<byte> raw, List<string> problems)
    {
        if (raw.IsEmpty || body is not Multipart)
        {
            return;
        }

        foreach (var multipart in body is Multipart root ? Flatten(root) : [])
        {
            // Searched in the bytes: no copy of a message that may be megabytes long.
            if (multipart.Boundary is { Length: > 0 } boundary && raw.IndexOf(Encoding.Latin1.GetBytes("--" + boundary + "--")) < 0)
            {
                problems.Add("a multipart section is not closed (message cut short?)");
                return;
            }
        }
    }

    private static IEnumerable<Multipart> Flatten(Multipart multipart)
    {
        yield return multipart;
        foreach (var child in multipart.OfType<Multipart>())
        {
            foreach (var nested in Flatten(child))
            {
                yield return nested;
            }
        }
    }

    /// <summary>Splits the body into the writer's own words and an inline forwarded message; drops quoted replies.</summary>
    internal static (string Own, string Forwarded) SplitQuoted(string body)
    {
        var lines = body.Split('\n');
        var own = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (ForwardMarker().IsMatch(line))
            {
                return (own.ToString().Trim(), string.Join('\n', lines.Skip(i + 1)).Trim());
            }

            if (ReplyMarker().IsMatch(line) || (line.StartsWith("From:", StringComparison.OrdinalIgnoreCase) && i + 1 < lines.Length && SentLine().IsMatch(string.Join('\n', lines.Skip(i + 1).Take(3)))))
            {
                break;
            }

            if (line.TrimStart().StartsWith('>'))
            {
                continue;
            }

            own.Append(line).Append('\n');
        }

        return (own.ToString().Trim(), string.Empty);
    }

    [GeneratedRegex(@"^\s*(?:-{2,}\s*(?:Forwarded message|Original Message Forwarded|Wiadomość przekazana dalej|Neges wedi'i hanfon ymlaen)\s*-{2,}|Begin forwarded message:|-{5,}\s*Forwarded by)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex ForwardMarker();

    [GeneratedRegex(@"^\s*(?:-{2,}\s*Original Message\s*-{2,}|On .{4,200}wrote:\s*$|_{10,}\s*$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex ReplyMarker();

    [GeneratedRegex(@"^(?:Sent|Date):", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex SentLine();

    [GeneratedRegex(@"^\s*From:\s*(?<from>.+)$", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex ForwardedFromLine();

    [GeneratedRegex(@"^[A-Za-z0-9+/=\s]*$", RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex Base64Body();
}
