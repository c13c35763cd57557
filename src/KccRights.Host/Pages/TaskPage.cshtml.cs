using KccRights.Cases;
using KccRights.Collation.Workflow;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>
/// One task on its own: what a record-owner sees, the task and its case reference and dates, never the rest of the
/// case. Another team's task is refused, and the refusal audited.
/// </summary>
public sealed class TaskPageModel(CaseTimeline timeline, CaseActions actions, CandidateStore candidates, AuditLog audit) : StaffPageModel
{
    public CaseTask Task { get; private set; } = null!;

    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public Dictionary<string, string?> Fields { get; set; } = [];
    [BindProperty] public long TaskId { get; set; }
    [BindProperty] public string? Team { get; set; }

    [TempData]
    public string? Done { get; set; }

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ?? Page();

    public async Task<IActionResult> OnPostClaimTaskAsync(long id)
    {
        if (await LoadAsync(id) is { } refused)
        {
            return refused;
        }

        try
        {
            await actions.ClaimTaskAsync(Task, Actor, FormToken, HttpContext.RequestAborted);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Refused(ex);
        }

        Done = "The task is yours";
        return Redirect($"/tasks/{id}");
    }

    public async Task<IActionResult> OnPostCompleteTaskAsync(long id)
    {
        if (await LoadAsync(id) is { } refused)
        {
            return refused;
        }

        var (data, errors) = TaskSubmission.Build(Task, Fields, Outcome);
        foreach (var (field, message) in errors)
        {
            AddError(field, message);
        }

        if (data is null)
        {
            return Page();
        }

        if (await CollationTaskRefusal(Task, Outcome, candidates, HttpContext.RequestAborted) is { } refusal)
        {
            AddError(refusal.Field, refusal.Message);
            return Page();
        }

        try
        {
            await actions.CompleteTaskAsync(Task, Outcome!, data.Value, Actor, FormToken, HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is ClockChangeRefusedException or CaseInputException)
        {
            AddError("task", ex.Message);
            return Page();
        }
        catch (UnauthorizedAccessException ex)
        {
            return Refused(ex);
        }

        Done = $"{Task.Title}: done";
        return Redirect("/tasks?view=mine");
    }

    /// <summary>
    /// Collation's tasks are not completed by the generic form alone: a manual search records its uploads (or "nothing
    /// held") through its own page, in the task's transaction; the identity confirmation waits until every candidate of
    /// band match or review is decided (said in words, rather than as the workflow's refusal of the transition).
    /// </summary>
    public static async Task<(string Field, string Message)?> CollationTaskRefusal(CaseTask task, string? outcome, CandidateStore candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(candidates);
        if (task.Type == CollationTaskTypes.ManualSearch)
        {
            return ($"task-{task.Id}-files", "Upload what the system holds, or choose that nothing is held.");
        }

        if (task.Type == CollationTaskTypes.ConfirmIdentities && outcome == "confirmed"
            && await candidates.UndecidedAsync(task.CaseId, cancellationToken) is var undecided and > 0)
        {
            return ("candidates", $"Confirm or reject every candidate of band match or review first: {undecided} undecided");
        }

        return null;
    }

    /// <summary>
    /// Someone who may see the task but not do it (an auditor, another team): 403 with the reason on the task's page,
    /// not a 500 (issue 9 item 11). The refusal is audited by <see cref="CaseActions"/>.
    /// </summary>
    private PageResult Refused(UnauthorizedAccessException ex)
    {
        AddError("task", ex.Message);
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(long id)
    {
        var task = await timeline.TaskAsync(id, HttpContext.RequestAborted);
        if (task is null)
        {
            return NotFound();
        }

        if (!CaseActions.MayWorkOn(task, Actor) && !Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "task.viewed", task.CaseId, allowed: false, detail: new { task = id }, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        await audit.RecordAsync(Actor.Subject, Actor.Role, "task.viewed", task.CaseId, detail: new { task = id }, cancellationToken: HttpContext.RequestAborted);
        Task = task;
        return null;
    }
}
