using KccRights.Cases;
using KccRights.Collation.Workflow;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>
/// One task on its own: what a record-owner sees, the task and its case reference and dates, never the rest of the
/// case. Another team's task is refused, and the refusal audited.
/// </summary>
public sealed class TaskPageModel(CaseTimeline timeline, CaseActions actions, CandidateStore candidates, StaffStore staff, CaseQueries queries, Npgsql.NpgsqlDataSource dataSource, KccRights.Infrastructure.Encryption.IPersonalDataCipher cipher, AuditLog audit) : StaffPageModel
{
    /// <summary>
    /// For a record-owner's task (issue 14 item 4): the person to look for - name, date of birth, identifiers - opened
    /// from the sealed request for this page only; null for other tasks.
    /// </summary>
    public (string? Name, CaseRequestDetails? Details)? Person { get; private set; }

    /// <summary>For a record-owner's task: the officer's latest written answer on the case (their note for the team), with who and when.</summary>
    public (string Label, string Text, string By, DateTimeOffset? At)? OfficerNote { get; private set; }

    public CaseTask Task { get; private set; } = null!;

    public PeopleNames Names { get; private set; } = PeopleNames.None;

    /// <summary>Why the viewer may not complete the task (four eyes), said instead of the form; null when they may.</summary>
    public string? FourEyesRefusal { get; private set; }

    /// <summary>Posted by the form of a task the viewer has not taken: completing it takes it (issue 14 item 4).</summary>
    [BindProperty] public bool Take { get; set; }

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

        if (await Cases.ReviewPage.TaskRefusalAsync(HttpContext.RequestServices, Task, Outcome, HttpContext.RequestAborted) is { } reviewRefusal)
        {
            AddError("task", reviewRefusal);
            return Page();
        }

        try
        {
            await actions.CompleteTaskAsync(Task, Outcome!, data.Value, Actor, Take, FormToken, HttpContext.RequestAborted);
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
        Names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
        FourEyesRefusal = await timeline.FourEyesRefusalAsync(task, Actor.Subject, HttpContext.RequestAborted);
        if (task.Role == "record-owner")
        {
            var summary = await queries.FindAsync(task.Reference, HttpContext.RequestAborted);
            var details = await CaseRequestDetails.ReadAsync(dataSource, cipher, task.CaseId, HttpContext.RequestAborted);
            Person = (summary is null ? null : SearchModel.About(summary) is { Length: > 0 } about ? about : null, details);
            OfficerNote = null;
            var done = (await timeline.TasksAsync(task.CaseId, HttpContext.RequestAborted))
                .Where(t => t.Status == "completed" && t.Role == "officer")
                .OrderByDescending(t => t.CompletedAt);
            foreach (var officerTask in done)
            {
                // The officer's note for the team when they wrote one (teamNote), else their first written answer (findings).
                var fields = TaskForm.Parse(officerTask.Form).Where(f => f.Type == "text").ToList();
                var answers = new TaskCardModel(officerTask, Actor, Names).Answers().Where(a => !string.IsNullOrWhiteSpace(a.Answer)).ToList();
                var teamNote = fields.FirstOrDefault(f => f.Name == "teamNote")?.Label;
                var textFields = fields.Select(f => f.Label).ToHashSet(StringComparer.Ordinal);
                var written = answers.FirstOrDefault(a => a.Question == teamNote);
                if (written.Question is null)
                {
                    written = answers.FirstOrDefault(a => textFields.Contains(a.Question));
                }

                if (written.Question is not null)
                {
                    OfficerNote = (written.Question, written.Answer, Names.Of(officerTask.CompletedBy), officerTask.CompletedAt);
                    break;
                }
            }
        }

        return null;
    }
}
