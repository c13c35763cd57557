using KccRights.Domain.Deadlines;
using KccRights.Host.Cases;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Cases;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// The case page: summary, the statutory clock, the timeline and the officer's actions. Every view is audited; a role
/// that may not see whole cases is refused, and the refusal is audited too.
/// </summary>
public sealed class DetailsModel(CaseQueries queries, ClockStore clocks, CaseActions actions, AuditLog audit, DeadlineBadges badges) : StaffPageModel
{
    public CaseSummary Case { get; private set; } = null!;

    public ClockState Clock { get; private set; } = null!;

    public IReadOnlyList<ClockHistoryEntry> History { get; private set; } = [];

    public IReadOnlyList<CaseNote> Notes { get; private set; } = [];

    public DeadlineBadges Badges => badges;

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

        return ActAsync(reference, "The case is extended", () => actions.ExtendAsync(Case.Id, ExtensionReason!.Trim(), Actor, FormToken, HttpContext.RequestAborted), "extension-reason");
    }

    public Task<IActionResult> OnPostWithdrawAsync(string reference) =>
        ActAsync(reference, "The case is closed as withdrawn", () => actions.CloseAsWithdrawnAsync(Case.Id, Actor, FormToken, HttpContext.RequestAborted));

    public Task<IActionResult> OnPostNoteAsync(string reference)
    {
        if (string.IsNullOrWhiteSpace(NoteBody))
        {
            AddError("note-body", "Enter the note");
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
            catch (Exception ex) when (ex is ClockChangeRefusedException or BankHolidayDataException)
            {
                AddError(errorField, ex.Message);
            }
            catch (UnauthorizedAccessException)
            {
                return RedirectToPage("/AccessDenied");
            }

            await LoadAsync(reference);
        }

        return Page();
    }

    private async Task<IActionResult?> LoadAsync(string reference)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);
        if (found is null)
        {
            return NotFound();
        }

        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", found.Id, allowed: false, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        Case = found;
        Clock = (await clocks.GetAsync(found.Id, HttpContext.RequestAborted))!;
        History = await clocks.HistoryAsync(found.Id, HttpContext.RequestAborted);
        Notes = await queries.NotesAsync(found.Id, HttpContext.RequestAborted);
        return null;
    }
}
