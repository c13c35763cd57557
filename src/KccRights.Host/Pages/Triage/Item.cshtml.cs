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
/// </summary>
public sealed class ItemModel(TriageInbox inbox, AuditLog audit) : StaffPageModel
{
    public TriageItem Item { get; private set; } = null!;

    public TriageSender? Sender { get; private set; }

    /// <summary>The message's HTML, sanitised as on the case's email view (no script, forms or remote images).</summary>
    public IHtmlContent? Html { get; private set; }

    public string? Text { get; private set; }

    [BindProperty] public string? RightId { get; set; }
    [BindProperty] public string? Relationship { get; set; }
    [BindProperty] public string? CaseReference { get; set; }
    [BindProperty] public string? Reason { get; set; }

    [TempData]
    public string? Done { get; set; }

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;

    public async Task<IActionResult> OnGetAsync(long id)
    {
        if (await LoadAsync(id, "triage.item-viewed") is { } refused)
        {
            return refused;
        }

        return Page();
    }

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
        if (viewAction is not null)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, viewAction, item.CaseId, detail: new { triage = id, message = item.InboundMessageId }, cancellationToken: HttpContext.RequestAborted);
        }

        return null;
    }
}
