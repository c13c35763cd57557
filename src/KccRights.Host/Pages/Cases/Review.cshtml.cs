using KccRights.Cases;
using KccRights.Disclosure.Items;
using KccRights.Disclosure.Review;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// The review of a case's items (issue 13 Build 1): progress, the items fifty to a page filtered by system and decision
/// (items outside the agreed scope shown as excluded, not counted), the checker's returned comments, and the bulk
/// actions: a decision for every item of a dataset, and find-and-redact across the whole case.
/// </summary>
public sealed class ReviewModel(CaseQueries queries, CaseTimeline timeline, AuditLog audit, ReviewItems items, ReviewStore store) : ReviewPage(queries, timeline, audit)
{
    public const int PageSize = 50;

    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;
    [FromQuery(Name = "system")] public string? SystemFilter { get; set; }
    [FromQuery(Name = "decision")] public string? DecisionFilter { get; set; }

    public IReadOnlyList<ReviewItem> PageItems { get; private set; } = [];
    public IReadOnlyDictionary<long, DisclosureDecision> Decided { get; private set; } = new Dictionary<long, DisclosureDecision>();
    public IReadOnlyDictionary<long, int> RedactionCounts { get; private set; } = new Dictionary<long, int>();
    public IReadOnlyList<string> Systems { get; private set; } = [];
    public IReadOnlyList<(string System, string Dataset, int Count)> Datasets { get; private set; } = [];
    public int InScope { get; private set; }
    public int Reviewed { get; private set; }
    public int Excluded { get; private set; }
    public int Matching { get; private set; }
    public int Pages { get; private set; }
    public TimeSpan OpenedIn { get; private set; }

    /// <summary>What the checker returned, with the comment, for the reviewer (issue 13 Build 3).</summary>
    public IReadOnlyList<(long ItemId, string What, string Comment)> Returned { get; private set; } = [];

    [BindProperty] public string? Dataset { get; set; }
    [BindProperty] public string? BulkDecision { get; set; }
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? Find { get; set; }

    /// <summary>The dataset's decision replaces earlier ones too (by default only the items not yet decided get it).</summary>
    [BindProperty] public bool ReplaceDecided { get; set; }

    public static readonly (string Value, string Label)[] DecisionFilters =
    [
        ("", "All decisions"), ("none", "Not reviewed"), ("disclose", "Disclose"), ("redact", "Redact"), ("withhold", "Withhold"), ("excluded", "Outside the scope"),
    ];

    public async Task<IActionResult> OnGetAsync(string reference) =>
        await LoadCaseAsync(reference, "review") ?? await ShowAsync();

    public async Task<IActionResult> OnPostDatasetAsync(string reference)
    {
        if (await LoadCaseAsync(reference, "review") is { } refused)
        {
            return refused;
        }

        if (!MayEdit)
        {
            await AuditRefusedAsync("review.decided", new { bulk = "dataset" });
            AddError("dataset", "The review is not open on this case, so nothing can be changed.");
            return await ShowAsync();
        }

        var set = await items.GetAsync(Case.Id, HttpContext.RequestAborted);
        var parts = (Dataset ?? "").Split('/', 2);
        var chosen = parts.Length == 2 ? set.InScope.Where(i => i.System == parts[0] && i.Dataset == parts[1]).ToList() : [];
        if (chosen.Count == 0)
        {
            AddError("dataset", "Choose a dataset of this case.");
            return await ShowAsync();
        }

        if (!ReplaceDecided)
        {
            var decided = await store.DecidedAsync(Case.Id, HttpContext.RequestAborted);
            chosen = chosen.Where(i => !decided.ContainsKey(i.Id)).ToList();
            if (chosen.Count == 0)
            {
                AddError("dataset", "Every item of that dataset is already decided: choose to replace the earlier decisions to change them all.");
                return await ShowAsync();
            }
        }

        try
        {
            var count = BulkDecision switch
            {
                "disclose" => await store.DiscloseAsync(Case.Id, chosen, Actor.Subject, HttpContext.RequestAborted),
                "withhold" => await store.WithholdAsync(Case.Id, chosen, Code ?? "", Note ?? "", Actor.Subject, HttpContext.RequestAborted),
                _ => throw new ReviewRefusedException("Choose disclose or withhold for the dataset."),
            };
            await AuditAsync("review.decided", new { bulk = "dataset", system = parts[0], dataset = parts[1], decision = BulkDecision, code = BulkDecision == "withhold" ? Code : null, items = count });
            Done = $"{count} {(count == 1 ? "item" : "items")} of {parts[0]} / {parts[1]}: {(BulkDecision == "disclose" ? "disclose" : "withhold")}";
        }
        catch (ReviewRefusedException ex)
        {
            AddError(BulkDecision is "disclose" or "withhold" ? (string.IsNullOrEmpty(Code) ? "bulk-code" : "bulk-note") : "bulk-decision", ex.Message);
            return await ShowAsync();
        }

        return Redirect($"/cases/{Case.Reference}/review");
    }

    public async Task<IActionResult> OnPostFindAsync(string reference)
    {
        if (await LoadCaseAsync(reference, "review") is { } refused)
        {
            return refused;
        }

        if (!MayEdit)
        {
            await AuditRefusedAsync("review.redacted", new { bulk = "case" });
            AddError("find", "The review is not open on this case, so nothing can be changed.");
            return await ShowAsync();
        }

        var set = await items.GetAsync(Case.Id, HttpContext.RequestAborted);
        try
        {
            var count = await store.FindAndRedactAsync(Case.Id, set.InScope, Find ?? "", Code ?? "", Note ?? "", Actor.Subject, HttpContext.RequestAborted);
            await AuditAsync("review.redacted", new { bulk = "case", code = Code, spans = count });
            Done = count == 0 ? "Nothing new to redact: the text was not found outside the existing redactions" : $"{count} {(count == 1 ? "occurrence" : "occurrences")} redacted across the case";
        }
        catch (ReviewRefusedException ex)
        {
            AddError(string.IsNullOrWhiteSpace(Find) ? "find" : string.IsNullOrEmpty(Code) ? "find-code" : "find-note", ex.Message);
            return await ShowAsync();
        }

        return Redirect($"/cases/{Case.Reference}/review");
    }

    private async Task<IActionResult> ShowAsync()
    {
        var set = await items.GetAsync(Case.Id, HttpContext.RequestAborted);
        OpenedIn = set.OpenedIn;
        Decided = await store.DecidedAsync(Case.Id, HttpContext.RequestAborted);
        RedactionCounts = await store.RedactionCountsAsync(Case.Id, HttpContext.RequestAborted);
        Systems = set.All.Select(i => i.System).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Datasets = set.InScope.GroupBy(i => (i.System, i.Dataset)).Select(g => (g.Key.System, g.Key.Dataset, g.Count())).ToList();
        InScope = set.InScope.Count();
        Reviewed = set.InScope.Count(i => Decided.ContainsKey(i.Id));
        Excluded = set.All.Count - InScope;
        IEnumerable<ReviewItem> filtered = set.All;
        if (!string.IsNullOrEmpty(SystemFilter))
        {
            filtered = filtered.Where(i => i.System == SystemFilter);
        }

        filtered = DecisionFilter switch
        {
            "none" => filtered.Where(i => i.ExcludedReason is null && !Decided.ContainsKey(i.Id)),
            "disclose" => filtered.Where(i => Decided.GetValueOrDefault(i.Id, (DisclosureDecision)(-1)) == DisclosureDecision.Disclose),
            "redact" => filtered.Where(i => Decided.GetValueOrDefault(i.Id, (DisclosureDecision)(-1)) == DisclosureDecision.Redact),
            "withhold" => filtered.Where(i => Decided.GetValueOrDefault(i.Id, (DisclosureDecision)(-1)) == DisclosureDecision.Withhold),
            "excluded" => filtered.Where(i => i.ExcludedReason is not null),
            _ => filtered,
        };
        var list = filtered.ToList();
        Matching = list.Count;
        Pages = Math.Max(1, (Matching + PageSize - 1) / PageSize);
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        PageItems = list.Skip((PageNumber - 1) * PageSize).Take(PageSize).ToList();

        var checks = (await store.ChecksAsync(Case.Id, HttpContext.RequestAborted)).Where(c => !c.Accepted && c.Comment is not null).ToList();
        if (checks.Count > 0)
        {
            var redactions = (await store.RedactionsAsync(Case.Id, null, HttpContext.RequestAborted)).ToDictionary(r => r.Id);
            Returned = checks
                .Select(c => c.Kind == ReviewStore.CheckWithheld
                    ? (c.TargetId, "Withheld item", c.Comment!)
                    : redactions.TryGetValue(c.TargetId, out var r) ? (r.ItemId, $"Redaction ({r.Code}) in {Where(r.Field, r.WholeField).ToLowerInvariant()}", c.Comment!) : (0L, "", ""))
                .Where(x => x.Item1 != 0)
                .ToList();
        }

        return Page();
    }

    /// <summary>The list's address with the current filters and another page.</summary>
    public string PageUrl(int page)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(SystemFilter))
        {
            query.Add("system=" + Uri.EscapeDataString(SystemFilter));
        }

        if (!string.IsNullOrEmpty(DecisionFilter))
        {
            query.Add("decision=" + Uri.EscapeDataString(DecisionFilter));
        }

        query.Add("page=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return $"/cases/{Case.Reference}/review?{string.Join("&", query)}";
    }
}
