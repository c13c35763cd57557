using System.Text.Json;
using KccRights.Cases;
using KccRights.Collation.Workflow;
using KccRights.Host.Web;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages;

/// <summary>
/// A manual search's result (issue 11 Build 6): the record-owner uploads what the system holds, or says nothing is held.
/// The files are checked (type by their bytes, size) before anything is stored; then the task is completed and the
/// search recorded in one transaction, so a refused upload leaves the task open and nothing stored. The app-wide 1 MB
/// body limit is lifted for this page only (<see cref="BodyLimit"/>, set as endpoint metadata in WebAppExtensions).
/// </summary>
public sealed class ManualSearchModel(CaseTimeline timeline, CaseActions actions, ManualSearches searches, AuditLog audit) : StaffPageModel
{
    /// <summary>The most a manual search's request may carry: every file at its largest, with room for the form, capped at 256 MB.</summary>
    public static long BodyLimit(ManualSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const long cap = 256L * 1024 * 1024;
        var all = options.MaxUploadBytes * options.MaxFiles + 1024 * 1024;
        return Math.Clamp(all, ApiProblems.MaxRequestBodyBytes, cap);
    }

    public CaseTask Task { get; private set; } = null!;

    [BindProperty] public string? Outcome { get; set; }

    /// <summary>Posted by the form of a task not yet taken: completing it takes it (issue 14 item 4).</summary>
    [BindProperty] public bool Take { get; set; }

    [BindProperty] public List<IFormFile> Files { get; set; } = [];

    [TempData]
    public string? Done { get; set; }

    public IActionResult OnGet(long id) => Redirect($"/tasks/{id}");

    public async Task<IActionResult> OnPostAsync(long id)
    {
        var task = await timeline.TaskAsync(id, HttpContext.RequestAborted);
        if (task is null)
        {
            return NotFound();
        }

        Task = task;
        if (!CaseActions.MayWorkOn(task, Actor) && !Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "task.completed", task.CaseId, allowed: false, detail: new { task = id }, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        if (task.Type != CollationTaskTypes.ManualSearch || task.Status != "open")
        {
            AddError("task", "This is not an open manual search: the page shows the task as it is now.");
            return Page();
        }

        var outcome = Outcome;
        if (outcome is not (ManualSearches.Uploaded or ManualSearches.NothingHeld))
        {
            AddError($"task-{id}-files", "Choose the files to upload, or choose that nothing is held.");
            return Page();
        }

        var files = new List<ManualUpload>();
        var tooBig = Files.Where(f => f.Length > searches.Options.MaxUploadBytes).Select(f => $"{ManualSearches.SafeName(f.FileName)} is larger than {searches.Options.MaxUploadBytes / (1024 * 1024)} MB.").ToList();
        if (tooBig.Count == 0)
        {
            foreach (var file in Files.Take(searches.Options.MaxFiles + 1))
            {
                using var buffer = new MemoryStream((int)file.Length);
                await file.CopyToAsync(buffer, HttpContext.RequestAborted);
                files.Add(new ManualUpload(file.FileName, buffer.ToArray()));
            }
        }

        var problems = tooBig.Count > 0 ? tooBig : searches.Check(files);
        if (outcome == ManualSearches.Uploaded && files.Count == 0 && problems.Count == 0)
        {
            problems = ["Choose the files to upload, or choose that nothing is held."];
        }

        foreach (var problem in problems)
        {
            AddError($"task-{id}-files", problem);
        }

        if (Errors.Count > 0)
        {
            return Page();
        }

        try
        {
            // The task first, then the search: recording it may finish collation and raise "collated", which cancels the
            // state's open tasks, so the task must already be completed by then. One transaction: all or nothing.
            await actions.CompleteTaskAsync(
                task,
                outcome,
                JsonSerializer.SerializeToElement(new { files = files.Count }),
                Actor,
                Take,
                FormToken,
                (tx, ct) => searches.RecordAsync(tx, task.CaseId, task.Id, outcome, files, Actor.Subject, ct),
                HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is CollationRefusedException or ClockChangeRefusedException or CaseInputException)
        {
            AddError($"task-{id}-files", ex.Message);
            return Page();
        }
        catch (UnauthorizedAccessException ex)
        {
            AddError("task", ex.Message);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        Done = outcome == ManualSearches.Uploaded
            ? $"{task.Title}: {(files.Count == 1 ? "1 file" : $"{files.Count} files")} uploaded"
            : $"{task.Title}: nothing held";
        return Redirect($"/tasks/{id}");
    }
}
