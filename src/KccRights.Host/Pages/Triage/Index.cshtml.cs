using KccRights.Intake.Triage;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Triage;

/// <summary>
/// The triage inbox (issue 9, Build 2): every message intake could not act on by itself. Case workers and the auditor
/// see it (the auditor read-only); a record-owner is refused and the refusal audited, as on the case pages. Each view is
/// audited: the list shows who wrote in and about what.
/// </summary>
public sealed class IndexModel(TriageInbox inbox, AuditLog audit) : StaffPageModel
{
    public const int Limit = 100;

    public IReadOnlyList<(TriageItem Item, TriageSender? Sender)> Items { get; private set; } = [];

    public int OpenCount { get; private set; }

    [TempData]
    public string? Done { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "triage.viewed", null, allowed: false, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        var items = await inbox.OpenAsync(Limit, HttpContext.RequestAborted);
        var rows = new List<(TriageItem, TriageSender?)>(items.Count);
        foreach (var item in items)
        {
            rows.Add((item, await inbox.SenderAsync(item, HttpContext.RequestAborted)));
        }

        Items = rows;
        OpenCount = await inbox.OpenCountAsync(HttpContext.RequestAborted);
        await audit.RecordAsync(Actor.Subject, Actor.Role, "triage.viewed", null, detail: new { items = items.Select(i => i.Id).ToArray() }, cancellationToken: HttpContext.RequestAborted);
        return Page();
    }
}
