using KccRights.Cases;
using KccRights.Infrastructure.Audit;
using KccRights.Intake.Classification;
using KccRights.Intake.Storage;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using MimeKit;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// One email on a case, decrypted from the message store: HTML is sanitised (no script, no remote images) before it is
/// shown. Viewing it and downloading an attachment are audited; a message that is not on this case is not found.
/// </summary>
public sealed class MessageModel(CaseQueries queries, CaseTimeline timeline, InboundMessageStore store, AuditLog audit) : StaffPageModel
{
    public string Reference { get; private set; } = "";
    public string? From { get; private set; }
    public string? Subject { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }
    public IHtmlContent? Html { get; private set; }
    public string? Text { get; private set; }
    public List<(int Index, string Name, string ContentType, long Bytes)> Attachments { get; } = [];

    public async Task<IActionResult> OnGetAsync(string reference, long id)
    {
        var (result, message) = await LoadAsync(reference, id, "message.viewed");
        if (message is null)
        {
            return result!;
        }

        From = message.From.ToString();
        Subject = message.Subject;
        if (message.HtmlBody is { } html)
        {
            // Sanitised: scripts, event handlers and remote images removed; the CSP forbids inline script besides.
            Html = new HtmlString(HtmlText.Sanitise(html));
        }
        else
        {
            Text = message.TextBody;
        }

        var index = 0;
        foreach (var attachment in message.Attachments.OfType<MimePart>())
        {
            Attachments.Add((index++, SafeFileName(attachment.FileName), attachment.ContentType.MimeType, attachment.Content?.Stream?.Length ?? 0));
        }

        return Page();
    }

    public async Task<IActionResult> OnGetAttachmentAsync(string reference, long id, int? index)
    {
        // An index that is missing, negative or not a number (99999999999 failed to bind and became 0) is not found,
        // never attachment 0 (issue 9 Build 8).
        if (index is not (>= 0 and var wanted) || !ModelState.IsValid)
        {
            return NotFound();
        }

        var (result, message) = await LoadAsync(reference, id, "attachment.downloaded", wanted);
        if (message is null)
        {
            return result!;
        }

        var attachment = message.Attachments.OfType<MimePart>().ElementAtOrDefault(wanted);
        if (attachment?.Content is null)
        {
            return NotFound();
        }

        var bytes = new MemoryStream();
        await attachment.Content.DecodeToAsync(bytes, HttpContext.RequestAborted);

        // Always a download, never rendered by the browser; the name reduced to a safe file name, which File() puts into
        // Content-Disposition through ContentDispositionHeaderValue (filename and RFC 5987 filename*).
        return File(bytes.ToArray(), "application/octet-stream", SafeFileName(attachment.FileName));
    }

    /// <summary>
    /// The sender's attachment name reduced to a plain file name: no folders (<c>../../etc/passwd</c> becomes
    /// <c>passwd</c>), no control or path characters, no leading dots, at most 100 characters; "attachment" when nothing
    /// is left (issue 9 Build 8).
    /// </summary>
    internal static string SafeFileName(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var kept = new string(last.Where(c => !char.IsControl(c) && c is not ('"' or ':' or '*' or '?' or '<' or '>' or '|') && !char.IsSurrogate(c)).ToArray()).Trim().TrimStart('.').Trim();
        if (kept.Length > 100)
        {
            var extension = Path.GetExtension(kept);
            kept = extension.Length is > 0 and <= 10 ? kept[..(100 - extension.Length)] + extension : kept[..100];
        }

        return kept.Length == 0 ? "attachment" : kept;
    }

    private async Task<(IActionResult? Result, MimeMessage? Message)> LoadAsync(string reference, long id, string action, int? attachment = null)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);

        // Refused before anything is looked up, so a role that may not see cases cannot tell which exist (issue 9 Build 8).
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, action, found?.Id, allowed: false, detail: new { message = id, attachment }, cancellationToken: HttpContext.RequestAborted);
            return (RedirectToPage("/AccessDenied"), null);
        }

        if (found is null || !await timeline.MessageBelongsToCaseAsync(id, found.Id, HttpContext.RequestAborted))
        {
            return (NotFound(), null);
        }

        var stored = await store.LoadAsync(id, HttpContext.RequestAborted);
        if (stored is null)
        {
            return (NotFound(), null);
        }

        await audit.RecordAsync(Actor.Subject, Actor.Role, action, found.Id, detail: new { message = id, attachment }, cancellationToken: HttpContext.RequestAborted);
        Reference = found.Reference;
        ReceivedAt = stored.ReceivedAt;
        using var raw = new MemoryStream(stored.Raw);
        return (null, await MimeMessage.LoadAsync(raw, HttpContext.RequestAborted));
    }
}
