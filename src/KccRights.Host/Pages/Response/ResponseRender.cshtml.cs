using KccRights.Cases;
using KccRights.Disclosure.Response;
using KccRights.Infrastructure.Audit;
using KccRights.Workflows.Runtime;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Response;

/// <summary>
/// "Render the draft" (issue 13 Build 4): queues a render of the case's response, for an officer (or the DPO) while the
/// case is at the draft-response stage, e.g. after the review changed. Goes back to the task it was asked from.
/// </summary>
public sealed class ResponseRenderModel(CaseQueries queries, ResponseStore store, IJobQueue queue, AuditLog audit) : StaffPageModel
{
    [BindProperty] public long TaskId { get; set; }

    public IActionResult OnGet(string reference) => Redirect($"/cases/{Uri.EscapeDataString(reference)}");

    public async Task<IActionResult> OnPostAsync(string reference)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);
        if (!Actor.MayChangeCases || found is null)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "response.render-requested", found?.Id, allowed: false, detail: new { }, cancellationToken: HttpContext.RequestAborted);
            return found is null ? NotFound() : RedirectToPage("/AccessDenied");
        }

        var back = TaskId > 0 ? $"/tasks/{TaskId}" : $"/cases/{Uri.EscapeDataString(found.Reference)}";
        if (found.WorkflowId != "access" || found.WorkflowState != ResponseSignOff.DraftState)
        {
            return Redirect(back);
        }

        var job = await store.RequestRenderAsync(queue, found.Id, Actor.Subject, HttpContext.RequestAborted);
        await audit.RecordAsync(Actor.Subject, Actor.Role, "response.render-requested", found.Id, detail: new { job }, cancellationToken: HttpContext.RequestAborted);
        return Redirect(back + "#response");
    }
}
