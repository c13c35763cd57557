using KccRights.Cases;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// The case page's "Records found" section on its own (no layout), for the page's script to refresh the progress while
/// collation runs. The same authorization and audit as the case page: a role that may not see whole cases is refused
/// (and the refusal audited), and every view is audited.
/// </summary>
public sealed class CollationModel(CaseQueries queries, CaseTimeline timeline, CandidateStore candidates, CollationStore store, SourceConnectors connectors, NpgsqlDataSource dataSource, AuditLog audit) : StaffPageModel
{
    public CollationSection Section { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string reference)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", found?.Id, allowed: false, detail: new { part = "collation" }, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        if (found is null)
        {
            return NotFound();
        }

        var tasks = await timeline.TasksAsync(found.Id, HttpContext.RequestAborted);
        if (await CollationSection.LoadAsync(found, tasks, Actor, candidates, store, connectors, dataSource, HttpContext.RequestAborted) is not { } section)
        {
            return NotFound();
        }

        await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", found.Id, detail: new { part = "collation" }, cancellationToken: HttpContext.RequestAborted);
        Section = section;
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
