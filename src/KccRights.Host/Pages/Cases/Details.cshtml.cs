using System.Text.Json;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Collation.Connectors;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Deadlines;
using KccRights.Infrastructure.Encryption;
using KccRights.Infrastructure.Staff;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// The case page: summary, the statutory clock, the timeline and the officer's actions. Every view is audited; a role
/// that may not see whole cases is refused, and the refusal is audited too.
/// </summary>
public sealed partial class DetailsModel(CaseQueries queries, ClockStore clocks, CaseActions actions, CaseTimeline timeline, DefinitionRegistry definitions, NpgsqlDataSource dataSource, StaffStore staff, AuditLog audit, DeadlineBadges badges, CandidateStore candidates, CollationStore collation, SourceConnectors connectors, IPersonalDataCipher cipher, TimeProvider time, ILogger<DetailsModel> logger) : StaffPageModel
{
    /// <summary>People by name: the officer, task holders, the timeline's actors (issue 14 item 3).</summary>
    public PeopleNames Names { get; private set; } = PeopleNames.None;

    /// <summary>For each open task the viewer may not complete (four eyes), why, in words.</summary>
    public IReadOnlyDictionary<long, string> FourEyes { get; private set; } = new Dictionary<long, string>();

    /// <summary>The subject's details intake extracted from the request (sealed at rest, opened for this page only).</summary>
    public CaseRequestDetails? RequestDetails { get; private set; }

    /// <summary>Posted by the form of a task the viewer has not taken: completing it takes it (issue 14 item 4).</summary>
    [BindProperty] public bool Take { get; set; }

    /// <summary>The "Records found" section (access cases from the identity search on), or null.</summary>
    public CollationSection? Collation { get; private set; }

    [BindProperty] public string? CandidateSystem { get; set; }
    [BindProperty] public string? CandidatePerson { get; set; }
    [BindProperty] public string? Decision { get; set; }

    public CaseSummary Case { get; private set; } = null!;

    public ClockState Clock { get; private set; } = null!;

    public IReadOnlyList<ClockHistoryEntry> History { get; private set; } = [];

    public IReadOnlyList<CaseNote> Notes { get; private set; } = [];

    public DeadlineBadges Badges => badges;

    public IReadOnlyList<CaseTask> Tasks { get; private set; } = [];

    public IReadOnlyList<TimelineEntry> WorkflowLog { get; private set; } = [];

    public IReadOnlyList<CaseMessage> Messages { get; private set; } = [];

    public IReadOnlyList<LinkedCase> Linked { get; private set; } = [];

    /// <summary>The case's workflow as a Mermaid state diagram (text; the current state is named above it).</summary>
    public string? Diagram { get; private set; }

    /// <summary>The same workflow drawn as SVG on the server, the case's stage marked; its transitions table goes beside it.</summary>
    public string? DiagramSvg { get; private set; }

    public WorkflowDefinition? WorkflowDefinition { get; private set; }

    public static readonly string[] Teams = ["Early Help", "Children's Social Work", "SEND", "Youth Justice", "Admissions", "Schools Support"];

    [BindProperty] public long TaskId { get; set; }
    [BindProperty] public string? Officer { get; set; }

    public IReadOnlyList<StaffUser> Officers { get; private set; } = [];
    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public string? Team { get; set; }
    [BindProperty] public Dictionary<string, string?> Fields { get; set; } = [];

    [TempData]
    public string? Done { get; set; }

    [BindProperty] public DateParts PauseFrom { get; set; } = new();
    [BindProperty] public string? PauseReason { get; set; }
    [BindProperty] public DateParts AnswerOn { get; set; } = new();
    [BindProperty] public string? ExtensionReason { get; set; }
    [BindProperty] public string? NoteBody { get; set; }

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;

    public async Task<IActionResult> OnGetAsync(string reference)
    {
        if (await LoadAsync(reference) is { } refused)
        {
            return refused;
        }

        await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", Case.Id, cancellationToken: HttpContext.RequestAborted);
        PauseFrom = DateParts.From(badges.Today);
        AnswerOn = DateParts.From(badges.Today);
        return Page();
    }

    /// <summary>Assigns or reassigns the case to an officer (the DPO balancing the workload, for example); its open officer tasks move with it.</summary>
    public async Task<IActionResult> OnPostAssignAsync(string reference)
    {
        StaffUser? officer = null;
        if (string.IsNullOrWhiteSpace(Officer))
        {
            AddError("officer", "Choose an officer");
        }
        else if (CaseInput.TooLong(Officer, CaseInput.MaxSubject, "The officer") is not null)
        {
            AddError("officer", "Choose an officer from the list");
        }
        else
        {
            officer = await staff.FindBySubjectAsync(Officer, HttpContext.RequestAborted);
        }

        return await ActAsync(reference, $"Assigned to {officer?.DisplayName ?? "the officer chosen"}", () => actions.AssignAsync(Case.Id, Officer, Actor, FormToken, HttpContext.RequestAborted), "officer");
    }

    public Task<IActionResult> OnPostClaimAsync(string reference) =>
        ActAsync(reference, "You have claimed this case", () => actions.AssignAsync(Case.Id, Actor.Subject, Actor, FormToken, HttpContext.RequestAborted));

    /// <summary>UK GDPR Art 12A(5): asking for clarification pauses the clock.</summary>
    public Task<IActionResult> OnPostPauseAsync(string reference)
    {
        var (from, error) = PauseFrom.Parse("the date clarification was asked for");
        if (error is not null)
        {
            AddError("pause-from", error);
        }

        if (string.IsNullOrWhiteSpace(PauseReason))
        {
            AddError("pause-reason", "Enter what was asked");
        }
        else if (CaseInput.TooLong(PauseReason, CaseInput.MaxReason, "What was asked") is { } tooLong)
        {
            AddError("pause-reason", tooLong);
        }

        return ActAsync(reference, "The clock is paused while the council waits for clarification", () => actions.PauseAsync(Case.Id, from!.Value, PauseReason!.Trim(), Actor, FormToken, HttpContext.RequestAborted), "pause-from");
    }

    public Task<IActionResult> OnPostResumeAsync(string reference)
    {
        var (on, error) = AnswerOn.Parse("the date the answer arrived");
        if (error is not null)
        {
            AddError("answer-on", error);
        }

        return ActAsync(reference, "The answer is recorded and the clock runs again", () => actions.ResumeAsync(Case.Id, on!.Value, Actor, FormToken, HttpContext.RequestAborted), "answer-on");
    }

    /// <summary>UK GDPR Art 12(3): extension with reasons, before the first month ends.</summary>
    public Task<IActionResult> OnPostExtendAsync(string reference)
    {
        if (string.IsNullOrWhiteSpace(ExtensionReason))
        {
            AddError("extension-reason", "Enter why the request is complex or numerous");
        }
        else if (CaseInput.TooLong(ExtensionReason, CaseInput.MaxReason, "The reason") is { } tooLong)
        {
            AddError("extension-reason", tooLong);
        }

        return ActAsync(reference, "The case is extended", () => actions.ExtendAsync(Case.Id, ExtensionReason!.Trim(), Actor, FormToken, HttpContext.RequestAborted), "extension-reason");
    }

    /// <summary>Completes a workflow task (for example the identity check) with its form and one of its outcomes.</summary>
    public Task<IActionResult> OnPostCompleteTaskAsync(string reference) => TaskActAsync(reference, async task =>
    {
        var (data, errors) = TaskSubmission.Build(task, Fields, Outcome);
        foreach (var (field, message) in errors)
        {
            AddError(field, message);
        }

        if (data is null)
        {
            return false;
        }

        // Art 15: collation takes only confirmed identities, so every candidate that may be the subject's is decided
        // first; said here in words rather than as the workflow's generic refusal of the transition.
        if (await TaskPageModel.CollationTaskRefusal(task, Outcome, candidates, HttpContext.RequestAborted) is { } refusal)
        {
            AddError(refusal.Field, refusal.Message);
            return false;
        }

        if (await ReviewPage.TaskRefusalAsync(HttpContext.RequestServices, task, Outcome, HttpContext.RequestAborted) is { } reviewRefusal)
        {
            AddError("task", reviewRefusal);
            return false;
        }

        await actions.CompleteTaskAsync(task, Outcome!, data.Value, Actor, Take, FormToken, HttpContext.RequestAborted);
        Done = $"{task.Title}: done";
        return true;
    });

    /// <summary>UK GDPR Art 12(3): ask for the two-month extension; the DPO signs it off in the workflow.</summary>
    public Task<IActionResult> OnPostRequestExtensionAsync(string reference)
    {
        if (string.IsNullOrWhiteSpace(ExtensionReason))
        {
            AddError("extension-reason", "Enter why the request is complex or numerous");
        }
        else if (CaseInput.TooLong(ExtensionReason, CaseInput.MaxReason, "The reason") is { } tooLong)
        {
            AddError("extension-reason", tooLong);
        }

        return ActAsync(reference, "Extension requested: the DPO signs it off", () => RaiseOrRefuseAsync("extension-requested", new { reason = ExtensionReason!.Trim() }), "extension-reason");
    }

    /// <summary>UK GDPR Art 12A(5): the clarification answer arrived (by phone or letter); the workflow resumes the clock.</summary>
    public Task<IActionResult> OnPostClarificationReceivedAsync(string reference) =>
        ActAsync(reference, "The answer is recorded and the clock runs again", () => RaiseOrRefuseAsync("clarification-received", null));

    public Task<IActionResult> OnPostWithdrawnAsync(string reference) =>
        ActAsync(reference, "The case is closed as withdrawn", () => RaiseOrRefuseAsync("withdrawn", null));

    private async Task RaiseOrRefuseAsync(string eventName, object? data)
    {
        if (!await actions.RaiseAsync(Case.Id, eventName, data, Actor, FormToken, HttpContext.RequestAborted))
        {
            throw new ClockChangeRefusedException($"The case's workflow does not take that at its current stage ({Case.WorkflowState}).");
        }
    }

    /// <summary>
    /// Confirms or rejects one candidate record while the identity confirmation is open (Art 15: only the subject's own
    /// records are collated). Audited with the system and the record's id only, never the name shown.
    /// </summary>
    public async Task<IActionResult> OnPostDecideAsync(string reference)
    {
        if (await LoadAsync(reference) is { } refused)
        {
            return refused;
        }

        var confirmed = Decision == "confirm";
        if (!Actor.MayChangeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "collation.identity-decided", Case.Id, allowed: false, detail: new { system = CandidateSystem, person = CandidatePerson }, cancellationToken: HttpContext.RequestAborted);
            AddError("candidates", "Your role cannot change cases.");
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        if (string.IsNullOrEmpty(CandidateSystem) || string.IsNullOrEmpty(CandidatePerson) || Decision is not ("confirm" or "reject")
            || CandidateSystem.Length > 100 || CandidatePerson.Length > 200)
        {
            AddError("candidates", "Choose Confirm or Reject for one of the candidates.");
            return Page();
        }

        try
        {
            await candidates.DecideAsync(Case.Id, CandidateSystem, CandidatePerson, confirmed, Actor.Subject, time.GetUtcNow(), HttpContext.RequestAborted);
        }
        catch (CollationRefusedException ex)
        {
            AddError("candidates", ex.Message);
            return Page();
        }

        await audit.RecordAsync(Actor.Subject, Actor.Role, confirmed ? "collation.identity-confirmed" : "collation.identity-rejected", Case.Id, detail: new { system = CandidateSystem, person = CandidatePerson }, cancellationToken: HttpContext.RequestAborted);
        Done = confirmed ? "Record confirmed as the subject's" : "Record rejected: it is not collated";
        return Redirect($"/cases/{Case.Reference}#records-found");
    }

    public Task<IActionResult> OnPostClaimTaskAsync(string reference) => TaskActAsync(reference, async task =>
    {
        await actions.ClaimTaskAsync(task, Actor, FormToken, HttpContext.RequestAborted);
        Done = $"You have the task: {task.Title}";
        return true;
    });

    public Task<IActionResult> OnPostSendTaskToTeamAsync(string reference) => TaskActAsync(reference, async task =>
    {
        if (Team is null || !Teams.Contains(Team))
        {
            AddError($"task-{task.Id}-team", "Choose the team that holds the records");
            return false;
        }

        await actions.SendTaskToTeamAsync(task, Team, Actor, FormToken, HttpContext.RequestAborted);
        Done = $"Sent to {Team}";
        return true;
    });

    private async Task<IActionResult> TaskActAsync(string reference, Func<CaseTask, Task<bool>> act)
    {
        if (await LoadAsync(reference) is { } refused)
        {
            return refused;
        }

        var task = Tasks.FirstOrDefault(t => t.Id == TaskId && t.Status == "open");
        if (task is null)
        {
            AddError("tasks", "That task is no longer open: the page shows the case as it is now.");
            return Page();
        }

        try
        {
            if (await act(task))
            {
                return Redirect($"/cases/{Case.Reference}");
            }
        }
        catch (Exception ex) when (ex is ClockChangeRefusedException or CaseInputException)
        {
            AddError("tasks", ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            // Someone who may see the case but not do this: 403 with the reason, on the case page (issue 9 item 11).
            AddError("tasks", ex.Message);
            Response.StatusCode = StatusCodes.Status403Forbidden;
        }

        await LoadAsync(reference);
        return Page();
    }

    public Task<IActionResult> OnPostWithdrawAsync(string reference) =>
        ActAsync(reference, "The case is closed as withdrawn", () => actions.CloseAsWithdrawnAsync(Case.Id, Actor, FormToken, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostNoteAsync(string reference)
    {
        if (string.IsNullOrWhiteSpace(NoteBody))
        {
            AddError("note-body", "Enter the note");
        }
        else if (CaseInput.TooLong(NoteBody, CaseInput.MaxNote, "The note") is { } tooLong)
        {
            AddError("note-body", tooLong);
        }

        return ActAsync(reference, "Note added", () => actions.AddNoteAsync(Case.Id, NoteBody!.Trim(), Actor, FormToken, HttpContext.RequestAborted), "note-body");
    }

    private async Task<IActionResult> ActAsync(string reference, string done, Func<Task> action, string errorField = "actions")
    {
        if (await LoadAsync(reference) is { } refused)
        {
            return refused;
        }

        if (Errors.Count == 0)
        {
            try
            {
                await action();
                Done = done;
                return Redirect($"/cases/{Case.Reference}");
            }
            catch (Exception ex) when (ex is ClockChangeRefusedException or BankHolidayDataException or CaseInputException)
            {
                AddError(errorField, ex.Message);
            }
            catch (UnauthorizedAccessException ex)
            {
                AddError(errorField, ex.Message);
                Response.StatusCode = StatusCodes.Status403Forbidden;
            }

            await LoadAsync(reference);
        }

        return Page();
    }

    private async Task<IActionResult?> LoadAsync(string reference)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);

        // A role that may not see whole cases gets the same answer whether the reference exists or not, so it cannot
        // find out which do (issue 9 Build 8: it was 302 against 404).
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", found?.Id, allowed: false, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        if (found is null)
        {
            return NotFound();
        }

        Case = found;
        Clock = (await clocks.GetAsync(found.Id, HttpContext.RequestAborted))!;
        History = await clocks.HistoryAsync(found.Id, HttpContext.RequestAborted);
        Notes = await queries.NotesAsync(found.Id, HttpContext.RequestAborted);
        Tasks = await timeline.TasksAsync(found.Id, HttpContext.RequestAborted);
        Officers = (await staff.ListAsync(HttpContext.RequestAborted)).Where(u => CaseInput.CaseHolderRoles.Contains(u.Role)).ToList();
        WorkflowLog = await timeline.WorkflowLogAsync(found.Id, HttpContext.RequestAborted);
        Messages = await timeline.MessagesAsync(found.Id, HttpContext.RequestAborted);
        Linked = await timeline.LinkedCasesAsync(found.Id, HttpContext.RequestAborted);
        Names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
        var fourEyes = new Dictionary<long, string>();
        foreach (var task in Tasks.Where(t => t.Status == "open" && t.NotBySameActorAs is not null))
        {
            if (await timeline.FourEyesRefusalAsync(task, Actor.Subject, HttpContext.RequestAborted) is { } why)
            {
                fourEyes[task.Id] = why;
            }
        }

        FourEyes = fourEyes;
        RequestDetails = await CaseRequestDetails.ReadAsync(dataSource, cipher, found.Id, HttpContext.RequestAborted);
        Collation = await CollationSection.LoadAsync(found, Tasks, Actor, candidates, collation, connectors, dataSource, HttpContext.RequestAborted);
        // The version the case runs on: after a definition changes, a case not moved to the new version keeps the old one.
        // The diagram is a help, not the case: if that version cannot be read, the page shows the case without it.
        WorkflowDefinition = null;
        if (found is { WorkflowId: { } id, WorkflowVersion: { } version })
        {
            try
            {
                WorkflowDefinition = await definitions.GetAsync(dataSource, id, version, HttpContext.RequestAborted);
            }
            catch (Exception ex) when (ex is WorkflowException or System.Text.Json.JsonException)
            {
                Log.DiagramUnavailable(logger, found.Id, id);
            }
        }

        Diagram = WorkflowDefinition is null ? null : MermaidDiagram.Render(WorkflowDefinition);
        DiagramSvg = WorkflowDefinition is null ? null : StateDiagramSvg.Render(WorkflowDefinition, found.WorkflowState);
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(620, LogLevel.Warning, "Case {CaseId}: the {DefinitionId} workflow version it runs on could not be read; the page is shown without its diagram")]
        public static partial void DiagramUnavailable(ILogger logger, long caseId, string definitionId);
    }
}
