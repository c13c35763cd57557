using KccRights.Cases;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Review;
using KccRights.Disclosure.Suggestions;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// One item of the review (issue 13 Build 1): its fields and text with the redactions marked (each with its code), the
/// suggestions with their reasons (accept or dismiss), and the forms: disclose, withhold with a code and note,
/// find-and-redact in this item, redact a whole field, remove a redaction. With JavaScript, selecting text in the item
/// fills the find-and-redact form (wwwroot/js/review.js); without it, the form is typed.
/// </summary>
public sealed partial class ReviewItemModel(CaseQueries queries, CaseTimeline timeline, AuditLog audit, ReviewItems items, ReviewStore store, IEnumerable<ISuggestionSource> suggestionSources, ILogger<ReviewItemModel> logger) : ReviewPage(queries, timeline, audit)
{
    public ReviewItem Item { get; private set; } = null!;
    public StoredDecision? Decision { get; private set; }
    public IReadOnlyList<StoredRedaction> Redactions { get; private set; } = [];
    public IReadOnlyList<(Suggestion Suggestion, SuggestionState? State)> Suggestions { get; private set; } = [];
    public IReadOnlyList<(string What, string Comment)> Returned { get; private set; } = [];
    public long? Previous { get; private set; }
    public long? Next { get; private set; }

    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? Find { get; set; }
    [BindProperty] public string? Field { get; set; }
    [BindProperty] public long RedactionId { get; set; }
    [BindProperty] public string? SuggestionId { get; set; }

    public async Task<IActionResult> OnGetAsync(string reference, long itemId) =>
        await LoadAsync(reference, itemId) ?? await ShowAsync();

    public Task<IActionResult> OnPostDiscloseAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.decided", "item-decision", async () =>
        {
            await store.DiscloseAsync(Case.Id, [Item], Actor.Subject, HttpContext.RequestAborted);
            return (new { item = Item.Id, decision = "disclose" }, "Disclose in full");
        });

    public Task<IActionResult> OnPostWithholdAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.decided", string.IsNullOrEmpty(Code) ? "withhold-code" : "withhold-note", async () =>
        {
            await store.WithholdAsync(Case.Id, [Item], Code ?? "", Note ?? "", Actor.Subject, HttpContext.RequestAborted);
            return (new { item = Item.Id, decision = "withhold", code = Code }, $"Withheld ({Code})");
        });

    public Task<IActionResult> OnPostFindAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.redacted", string.IsNullOrWhiteSpace(Find) ? "find" : string.IsNullOrEmpty(Code) ? "find-code" : "find-note", async () =>
        {
            var count = await store.FindAndRedactAsync(Case.Id, [Item], Find ?? "", Code ?? "", Note ?? "", Actor.Subject, HttpContext.RequestAborted);
            if (count == 0)
            {
                throw new ReviewRefusedException("That text is not in this item, or is already redacted.");
            }

            return (new { item = Item.Id, code = Code, spans = count }, $"{count} {(count == 1 ? "occurrence" : "occurrences")} redacted ({Code})");
        });

    public Task<IActionResult> OnPostFieldAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.redacted", string.IsNullOrEmpty(Field) ? "field" : string.IsNullOrEmpty(Code) ? "field-code" : "field-note", async () =>
        {
            var field = Item.Fields.FirstOrDefault(f => f.Key == Field);
            if (field.Key is null || field.Value.Length == 0)
            {
                throw new ReviewRefusedException("Choose a field of this item that has a value.");
            }

            await store.RedactAsync(Case.Id, Item, [new NewSpan(field.Key, 0, field.Value.Length, WholeField: true)], Code ?? "", Note ?? "", Actor.Subject, null, HttpContext.RequestAborted);
            return (new { item = Item.Id, code = Code, wholeField = true }, $"The field \u201c{field.Key}\u201d redacted ({Code})");
        });

    public Task<IActionResult> OnPostRemoveAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.redaction-removed", "redactions", async () =>
        {
            if (Redactions.All(r => r.Id != RedactionId) || !await store.RemoveRedactionAsync(Case.Id, RedactionId, HttpContext.RequestAborted))
            {
                throw new ReviewRefusedException("That redaction is no longer on this item.");
            }

            return (new { item = Item.Id, redaction = RedactionId }, "Redaction removed");
        });

    public Task<IActionResult> OnPostAcceptAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.suggestion-accepted", "suggestions", async () =>
        {
            var suggestion = Suggestions.Select(s => s.Suggestion).FirstOrDefault(s => s.Id == SuggestionId) ?? throw new ReviewRefusedException("That suggestion is no longer made for this item.");
            var redacted = await store.AcceptSuggestionAsync(Case.Id, Item, suggestion, Actor.Subject, HttpContext.RequestAborted);
            return (new { item = Item.Id, suggestion = suggestion.Id, kind = suggestion.Kind, redacted }, "Suggestion accepted" + (redacted ? $": redacted ({suggestion.Code ?? "TP"})" : ""));
        });

    public Task<IActionResult> OnPostDismissAsync(string reference, long itemId) =>
        ChangeAsync(reference, itemId, "review.suggestion-dismissed", "suggestions", async () =>
        {
            var suggestion = Suggestions.Select(s => s.Suggestion).FirstOrDefault(s => s.Id == SuggestionId) ?? throw new ReviewRefusedException("That suggestion is no longer made for this item.");
            await store.SetSuggestionStateAsync(Case.Id, suggestion.Id, Item.Id, accepted: false, Actor.Subject, HttpContext.RequestAborted);
            return (new { item = Item.Id, suggestion = suggestion.Id, kind = suggestion.Kind }, "Suggestion dismissed");
        });

    private async Task<IActionResult> ChangeAsync(string reference, long itemId, string action, string errorField, Func<Task<(object Detail, string Done)>> change)
    {
        if (await LoadAsync(reference, itemId) is { } refused)
        {
            return refused;
        }

        await LoadStateAsync();
        if (!MayEdit)
        {
            await AuditRefusedAsync(action, new { item = itemId });
            AddError(errorField, "The review is not open on this case, so nothing can be changed.");
            return await ShowAsync(loaded: true);
        }

        try
        {
            var (detail, done) = await change();
            await AuditAsync(action, detail);
            LogChanged(logger, Case.Id, itemId, action);
            Done = done;
        }
        catch (ReviewRefusedException ex)
        {
            AddError(errorField, ex.Message);
            return await ShowAsync(loaded: true);
        }

        return Redirect($"/cases/{Case.Reference}/review/{itemId}");
    }

    private async Task<IActionResult?> LoadAsync(string reference, long itemId)
    {
        if (await LoadCaseAsync(reference, "review-item", new { item = itemId }) is { } refused)
        {
            return refused;
        }

        var set = await items.GetAsync(Case.Id, HttpContext.RequestAborted);
        if (!set.ById.TryGetValue(itemId, out var item))
        {
            return NotFound();
        }

        Item = item;
        var index = set.All.ToList().FindIndex(i => i.Id == itemId);
        Previous = index > 0 ? set.All[index - 1].Id : null;
        Next = index < set.All.Count - 1 ? set.All[index + 1].Id : null;
        return null;
    }

    private async Task LoadStateAsync()
    {
        Decision = await store.DecisionAsync(Case.Id, Item.Id, HttpContext.RequestAborted);
        Redactions = await store.RedactionsAsync(Case.Id, Item.Id, HttpContext.RequestAborted);
        var states = (await store.SuggestionStatesAsync(Case.Id, Item.Id, HttpContext.RequestAborted)).ToDictionary(s => s.SuggestionId, StringComparer.Ordinal);
        var suggestions = new List<(Suggestion, SuggestionState?)>();
        foreach (var source in suggestionSources)
        {
            foreach (var s in await source.SuggestAsync(Case.Id, HttpContext.RequestAborted))
            {
                if (s.ItemId == Item.Id)
                {
                    suggestions.Add((s, states.GetValueOrDefault(s.Id)));
                }
            }
        }

        Suggestions = suggestions;
        var returned = new List<(string, string)>();
        foreach (var check in (await store.ChecksAsync(Case.Id, HttpContext.RequestAborted)).Where(c => !c.Accepted && c.Comment is not null))
        {
            if (check.Kind == ReviewStore.CheckWithheld && check.TargetId == Item.Id)
            {
                returned.Add(("Withholding this item", check.Comment!));
            }
            else if (check.Kind == ReviewStore.CheckRedaction && Redactions.FirstOrDefault(r => r.Id == check.TargetId) is { } r)
            {
                returned.Add(($"Redaction ({r.Code}) of \u201c{Excerpt(r)}\u201d", check.Comment!));
            }
        }

        Returned = returned;
    }

    private async Task<IActionResult> ShowAsync(bool loaded = false)
    {
        if (!loaded)
        {
            await LoadStateAsync();
        }

        return Page();
    }

    /// <summary>The redacted text itself (shown to the reviewer and checker only, never logged).</summary>
    public string Excerpt(StoredRedaction redaction)
    {
        ArgumentNullException.ThrowIfNull(redaction);
        var value = redaction.Field is null ? Item.Text : Item.Fields.FirstOrDefault(f => f.Key == redaction.Field).Value ?? "";
        return redaction.Start + redaction.Length <= value.Length ? value.Substring(redaction.Start, redaction.Length) : "";
    }

    [LoggerMessage(EventId = 1307, Level = LogLevel.Information, Message = "Review of case {CaseId}: item {ItemId} changed ({Action})")]
    private static partial void LogChanged(ILogger logger, long caseId, long itemId, string action);
}
