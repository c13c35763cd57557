using KccRights.Cases;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages;

/// <summary>The task queue: my tasks, my team's and the unassigned, oldest statutory due date first.</summary>
public sealed class TasksModel(CaseTimeline timeline, CaseActions actions, CaseQueries queries, KccRights.Infrastructure.Staff.StaffStore staff, DeadlineBadges badges) : StaffPageModel
{
    /// <summary>The tasks' cases (requester, subject, right, stage, officer, dates), by case id.</summary>
    public IReadOnlyDictionary<long, CaseSummary> Cases { get; private set; } = new Dictionary<long, CaseSummary>();

    public PeopleNames Names { get; private set; } = PeopleNames.None;

    [BindProperty(SupportsGet = true)]
    public string View { get; set; } = "team";

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty]
    public long TaskId { get; set; }

    public IReadOnlyList<CaseTask> Tasks { get; private set; } = [];

    public DeadlineBadges Badges => badges;

    public async Task<IActionResult> OnGetAsync()
    {
        if (Actor.Role == "auditor")
        {
            return RedirectToPage("/AccessDenied");
        }

        View = View is "mine" or "unassigned" ? View : "team";
        Tasks = await timeline.OpenTasksAsync(Actor, View, string.IsNullOrWhiteSpace(Type) ? null : Type, 100, HttpContext.RequestAborted);
        Cases = await queries.SummariesAsync(Tasks.Select(t => t.CaseId), HttpContext.RequestAborted);
        Names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostClaimAsync()
    {
        var task = await timeline.TaskAsync(TaskId, HttpContext.RequestAborted);
        if (task is null || task.Status != "open")
        {
            return Redirect("/tasks");
        }

        try
        {
            await actions.ClaimTaskAsync(task, Actor, FormToken, HttpContext.RequestAborted);
        }
        catch (UnauthorizedAccessException)
        {
            return RedirectToPage("/AccessDenied");
        }

        return Redirect("/tasks?view=mine");
    }
}
