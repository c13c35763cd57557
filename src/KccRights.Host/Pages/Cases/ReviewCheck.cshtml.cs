using System.Text.Json;
using KccRights.Cases;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Review;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// The four-eyes check (issue 13 Build 3; PRODUCT.md 8): a second officer sees every redaction and withheld item with its
/// code and note, accepts each or returns it with a comment, then marks the review checked (only when all are accepted)
/// or returns it to the reviewer, whose pages show the comments. Whoever completed the review may read this page but
/// not answer on it: the forms are not offered, and a posted answer is refused (FourEyes, as the task itself is).
/// </summary>
public sealed class ReviewCheckModel(CaseQueries queries, CaseTimeline timeline, AuditLog audit, ReviewItems items, ReviewStore store, CaseActions actions) : ReviewPage(queries, timeline, audit)
{
    private readonly CaseTimeline _timeline = timeline;

    public sealed record Entry(string Kind, long TargetId, ReviewItem Item, string Where, string Excerpt, string Code, string Note, string By, CheckAnswer? Answer);

    public IReadOnlyList<Entry> Entries { get; private set; } = [];

    /// <summary>Why the viewer may not check (they prepared the review), in words; null when they may.</summary>
    public string? FourEyesRefusal { get; private set; }

    public bool MayCheck => CheckTask is not null && FourEyesRefusal is null && (CheckTask.Assignee is null || string.Equals(CheckTask.Assignee, Actor.Subject, StringComparison.OrdinalIgnoreCase));

    [BindProperty] public string? Kind { get; set; }
    [BindProperty] public long TargetId { get; set; }
    [BindProperty] public string? Comment { get; set; }
    [BindProperty] public string? Outcome { get; set; }

    public async Task<IActionResult> OnGetAsync(string reference) =>
        await LoadAsync(reference) ?? await ShowAsync();

    public async Task<IActionResult> OnPostAnswerAsync(string reference, bool accept)
    {
        if (await LoadAsync(reference) is { } refused)
        {
            return refused;
        }

        if (await RefuseAsync("review.checked") is { } refusal)
        {
            return refusal;
        }

        try
        {
            await store.CheckAsync(Case.Id, Kind ?? "", TargetId, accept, Comment, Actor.Subject, HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is ReviewRefusedException or ArgumentOutOfRangeException)
        {
            AddError($"comment-{Kind}-{TargetId}", ex is ReviewRefusedException ? ex.Message : "Choose a redaction or withheld item of this case.");
            return await ShowAsync();
        }

        await AuditAsync("review.checked", new { kind = Kind, target = TargetId, accepted = accept });
        Done = accept ? "Accepted" : "Returned with your comment";
        return Redirect($"/cases/{Case.Reference}/review/check#{Kind}-{TargetId}");
    }

    public async Task<IActionResult> OnPostFinishAsync(string reference)
    {
        if (await LoadAsync(reference) is { } refused)
        {
            return refused;
        }

        if (await RefuseAsync("task.completed") is { } refusal)
        {
            return refusal;
        }

        var task = CheckTask!;
        if (Outcome is not ("checked" or "returned"))
        {
            AddError("finish", "Choose checked or return to the reviewer.");
            return await ShowAsync();
        }

        if (await TaskRefusalAsync(HttpContext.RequestServices, task, Outcome, HttpContext.RequestAborted) is { } gate)
        {
            AddError("finish", gate);
            return await ShowAsync();
        }

        if (Outcome == "returned" && (await store.ChecksAsync(Case.Id, HttpContext.RequestAborted)).All(c => c.Accepted))
        {
            AddError("finish", "Return at least one redaction or withheld item with a comment, so the reviewer knows what to change.");
            return await ShowAsync();
        }

        try
        {
            using var empty = JsonDocument.Parse("{}");
            await actions.CompleteTaskAsync(task, Outcome, empty.RootElement, Actor, task.Assignee is null, FormToken, HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is ClockChangeRefusedException or CaseInputException)
        {
            AddError("finish", ex.Message);
            return await ShowAsync();
        }
        catch (UnauthorizedAccessException ex)
        {
            AddError("finish", ex.Message);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return await ShowAsync();
        }

        Done = Outcome == "checked" ? "The redactions are checked" : "The review is returned to the reviewer with your comments";
        return Redirect($"/cases/{Case.Reference}");
    }

    /// <summary>The check may be answered only while its task is open, by someone other than the preparer (four eyes).</summary>
    private async Task<IActionResult?> RefuseAsync(string action)
    {
        if (MayCheck)
        {
            return null;
        }

        await AuditRefusedAsync(action, new { part = "review-check" });
        AddError("check", FourEyesRefusal ?? (CheckTask is null ? "The check is not open on this case." : "Someone else has taken the check: take the task first if you are to do it."));
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return await ShowAsync();
    }

    private async Task<IActionResult?> LoadAsync(string reference)
    {
        if (await LoadCaseAsync(reference, "review-check") is { } refused)
        {
            return refused;
        }

        if (CheckTask is { } task)
        {
            FourEyesRefusal = await _timeline.FourEyesRefusalAsync(task, Actor.Subject, HttpContext.RequestAborted);
        }

        return null;
    }

    private async Task<IActionResult> ShowAsync()
    {
        var set = await items.GetAsync(Case.Id, HttpContext.RequestAborted);
        var answers = (await store.ChecksAsync(Case.Id, HttpContext.RequestAborted)).ToDictionary(a => (a.Kind, a.TargetId));
        var entries = new List<Entry>();
        foreach (var d in (await store.DecisionsAsync(Case.Id, null, HttpContext.RequestAborted)).Where(d => d.Decision == DisclosureDecision.Withhold))
        {
            if (set.ById.TryGetValue(d.ItemId, out var item))
            {
                entries.Add(new Entry(ReviewStore.CheckWithheld, d.ItemId, item, "Whole item", "", d.WithheldCode ?? "", d.Note ?? "", d.DecidedBy, answers.GetValueOrDefault((ReviewStore.CheckWithheld, d.ItemId))));
            }
        }

        foreach (var r in await store.RedactionsAsync(Case.Id, null, HttpContext.RequestAborted))
        {
            if (set.ById.TryGetValue(r.ItemId, out var item))
            {
                var value = r.Field is null ? item.Text : item.Fields.FirstOrDefault(f => f.Key == r.Field).Value ?? "";
                var excerpt = r.Start + r.Length <= value.Length ? value.Substring(r.Start, r.Length) : "";
                entries.Add(new Entry(ReviewStore.CheckRedaction, r.Id, item, Where(r.Field, r.WholeField), excerpt, r.Code, r.Note, r.CreatedBy, answers.GetValueOrDefault((ReviewStore.CheckRedaction, r.Id))));
            }
        }

        Entries = entries.OrderBy(e => e.Item.System, StringComparer.Ordinal).ThenBy(e => e.Item.Id).ThenBy(e => e.Kind == ReviewStore.CheckWithheld ? 0 : 1).ThenBy(e => e.TargetId).ToList();
        return Page();
    }
}
