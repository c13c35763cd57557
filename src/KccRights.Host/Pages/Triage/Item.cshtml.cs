using KccRights.Cases;
using KccRights.Correspondence.Triage;
using KccRights.Domain.Cases;
using KccRights.Intake.Triage;
using KccRights.Infrastructure.Audit;
using KccRights.Intake.Classification;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Triage;

/// <summary>
/// One triage item and what an officer may do with it: open a case of a chosen right, attach it to an existing case, or
/// record that it is not a request (issue 9, Build 2). Each is a POST with its own one-time token, audited, and closes
/// the item. The auditor sees the item without the actions; a record-owner is refused, and the refusal audited.
/// Issue 14 item 1: the page says why the message is here in words, finds the case to attach it to with the case search
/// (a GET of this page with <c>q</c>, audited as a search, never with its text), and replies to the sender from a
/// template through Correspondence's outbox (audited; the item stays open).
/// </summary>
public sealed class ItemModel(TriageInbox inbox, CaseSearch search, AuditLog audit) : StaffPageModel
{
    /// <summary>The most cases a search on this page lists: the closest first; the search page has the rest.</summary>
    public const int SearchLimit = 10;

    public TriageItem Item { get; private set; } = null!;

    public TriageSender? Sender { get; private set; }

    /// <summary>The message's HTML, sanitised as on the case's email view (no script, forms or remote images).</summary>
    public IHtmlContent? Html { get; private set; }

    public string? Text { get; private set; }

    [BindProperty] public string? RightId { get; set; }
    [BindProperty] public string? Relationship { get; set; }
    [BindProperty] public string? CaseReference { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? Template { get; set; }

    /// <summary>The text searched for a case to attach the message to (a GET parameter, so the search works without JavaScript).</summary>
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Q { get; set; }

    /// <summary>Null until the officer searched.</summary>
    public CaseSearchResult? SearchResult { get; private set; }

    public IReadOnlyList<TriageReplyRecord> Replies { get; private set; } = [];

    /// <summary>Each reply as it would be sent to this sender, by template name; empty when the message cannot be answered.</summary>
    public IReadOnlyDictionary<string, (string Subject, string Body)> Previews { get; private set; } = new Dictionary<string, (string Subject, string Body)>();

    [TempData]
    public string? Done { get; set; }

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (await LoadAsync(id, "triage.item-viewed") is { } refused)
        {
            return refused;
        }

        if (Request.Query.ContainsKey("q") && Actor.MayChangeCases && Item.Status == "open")
        {
            if (string.IsNullOrWhiteSpace(Q))
            {
                AddError("q", "Enter a reference, name, email address or date of birth to search for");
                return Page();
            }

            var query = new CaseSearchQuery { Text = Q, Limit = SearchLimit };
            SearchResult = await search.SearchAsync(query, HttpContext.RequestAborted);

            // As on the search page: the kinds searched for and how many found, never the text (it may be a name).
            await audit.RecordAsync(Actor.Subject, Actor.Role, "cases.searched", null, detail: SearchModel.AuditDetail("triage", query, SearchResult), cancellationToken: HttpContext.RequestAborted);
        }

        return Page();
    }

    public Task<IActionResult> OnPostReplyAsync(long id) => ActAsync(id, async () =>
    {
        if (await inbox.ReplyAsync(id, Template, Actor, FormToken, HttpContext.RequestAborted))
        {
            Done = "Reply queued: " + (TriageReplies.Find(Template)?.Label ?? "");
        }

        return $"/triage/{id}";
    });

    public Task<IActionResult> OnPostOpenCaseAsync(long id) => ActAsync(id, async () =>
    {
        if (!Rights.TryParseId(RightId, out var right))
        {
            throw new TriageRefusedException("right", "Choose the right being asked for");
        }

        var reference = await inbox.OpenCaseAsync(id, right, Relationship ?? "", Actor, FormToken, HttpContext.RequestAborted);
        if (reference is null)
        {
            return "/triage";
        }

        Done = $"Case {reference} opened from the message";
        return $"/cases/{reference}";
    });

    public Task<IActionResult> OnPostAttachAsync(long id) => ActAsync(id, async () =>
    {
        if (await inbox.AttachAsync(id, CaseReference, Actor, FormToken, HttpContext.RequestAborted))
        {
            Done = "The message is attached to " + CaseReference!.Trim().ToUpperInvariant();
        }

        return "/triage";
    });

    public Task<IActionResult> OnPostNotARequestAsync(long id) => ActAsync(id, async () =>
    {
        if (await inbox.NotARequestAsync(id, Reason, Actor, FormToken, HttpContext.RequestAborted))
        {
            Done = "Recorded as not a request";
        }

        return "/triage";
    });

    private async Task<IActionResult> ActAsync(long id, Func<Task<string>> act)
    {
        if (await LoadAsync(id, null) is { } refused)
        {
            return refused;
        }

        try
        {
            return Redirect(await act());
        }
        catch (TriageRefusedException ex)
        {
            AddError(ex.Field, ex.Message);
        }
        catch (UnauthorizedAccessException)
        {
            return RedirectToPage("/AccessDenied");
        }

        await LoadAsync(id, null);
        return Page();
    }

    /// <param name="viewAction">The audit action of a view; null for an action, which audits itself.</param>
    private async Task<IActionResult?> LoadAsync(long id, string? viewAction)
    {
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, viewAction ?? "triage.acted", null, allowed: false, detail: new { triage = id }, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        var item = await inbox.FindAsync(id, HttpContext.RequestAborted);
        if (item is null)
        {
            return NotFound();
        }

        Item = item;
        Sender = await inbox.SenderAsync(item, HttpContext.RequestAborted);
        if (await inbox.LoadMessageAsync(item, HttpContext.RequestAborted) is { } message)
        {
            Html = message.HtmlBody is { } html ? new HtmlString(HtmlText.Sanitise(html)) : null;
            Text = Html is null ? message.TextBody : null;
        }

        Replies = await inbox.RepliesAsync(id, HttpContext.RequestAborted);
        var previews = new Dictionary<string, (string Subject, string Body)>(StringComparer.Ordinal);
        foreach (var template in TriageReplies.Templates)
        {
            if (await inbox.PreviewReplyAsync(item, Sender, template.Name) is { } preview)
            {
                previews[template.Name] = preview;
            }
        }

        Previews = previews;
        if (viewAction is not null)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, viewAction, item.CaseId, detail: new { triage = id, message = item.InboundMessageId }, cancellationToken: HttpContext.RequestAborted);
        }

        return null;
    }
}
