using System.Globalization;
using KccRights.Cases;
using KccRights.Domain.Cases;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Staff;
using KccRights.Workflows.Definitions;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages;

/// <summary>
/// Search (issue 14 item 2): every case, open or closed, by reference, the requester's or subject's name (a misspelt
/// name still finds it), email address or date of birth, with filters for right, stage, officer and the received and
/// due ranges. A plain GET form, so it works without JavaScript and a search can be bookmarked. Staff who may see whole
/// cases may search (a record-owner is refused and the refusal audited, as on the case pages); each search is audited
/// with what kinds of thing were searched for and how many cases it found, never the text, which may be a name.
/// </summary>
public sealed class SearchModel(CaseSearch search, DefinitionRegistry definitions, StaffStore staff, AuditLog audit, DeadlineBadges badges) : StaffPageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Right { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Stage { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Officer { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateParts ReceivedFrom { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public DateParts ReceivedTo { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public DateParts DueFrom { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public DateParts DueTo { get; set; } = new();

    public int PageNumber { get; private set; } = 1;

    /// <summary>Null until a search was made (the first visit shows only the form).</summary>
    public CaseSearchResult? Result { get; private set; }

    public IReadOnlyList<string> Stages { get; private set; } = [];

    public IReadOnlyList<StaffUser> Officers { get; private set; } = [];

    /// <summary>Whether the extra filters were used, so their section starts open.</summary>
    public bool FiltersUsed => !string.IsNullOrEmpty(Officer) || !string.IsNullOrEmpty(Status) || !ReceivedFrom.IsEmpty || !ReceivedTo.IsEmpty || !DueFrom.IsEmpty || !DueTo.IsEmpty;

    public DeadlineBadges Badges => badges;

    public PeopleNames Names { get; private set; } = PeopleNames.None;

    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => e.Field == field).Message;

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "page")] int? page)
    {
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "cases.searched", null, allowed: false, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        PageNumber = Math.Clamp(page ?? 1, 1, 10_000);
        Stages = StagesOf(definitions);
        Names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
        Officers = (await staff.ListAsync(HttpContext.RequestAborted)).Where(s => s.Role is StaffRoles.Officer or StaffRoles.Dpo or StaffRoles.Admin).ToList();
        var searched = Request.Query.ContainsKey("q");
        if (!searched)
        {
            return Page();
        }

        var receivedFrom = Optional(ReceivedFrom, "received-from", "the first received date");
        var receivedTo = Optional(ReceivedTo, "received-to", "the last received date");
        var dueFrom = Optional(DueFrom, "due-from", "the first due date");
        var dueTo = Optional(DueTo, "due-to", "the last due date");
        if (Errors.Count > 0)
        {
            return Page();
        }

        var query = new CaseSearchQuery
        {
            Text = Q,
            Right = Rights.TryParseId(Right, out var right) ? right.Id() : null,
            Stage = string.IsNullOrWhiteSpace(Stage) ? null : Stage,
            Officer = string.IsNullOrWhiteSpace(Officer) ? null : Officer,
            Status = Status is "open" or "closed" ? Status : null,
            ReceivedFrom = receivedFrom,
            ReceivedTo = receivedTo,
            DueFrom = dueFrom,
            DueTo = dueTo,
            Limit = PageSize,
            Offset = (PageNumber - 1) * PageSize,
        };
        Result = await search.SearchAsync(query, HttpContext.RequestAborted);
        await audit.RecordAsync(Actor.Subject, Actor.Role, "cases.searched", null, detail: AuditDetail("web", query, Result), cancellationToken: HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>What the audit keeps of a search: the kinds searched for, the filters, how many found; never the text.</summary>
    internal static object AuditDetail(string via, CaseSearchQuery query, CaseSearchResult result) => new
    {
        via,
        searchedFor = result.Input.Kinds,
        filters = new[]
        {
            query.Right is null ? null : "right", query.Stage is null ? null : "stage", query.Officer is null ? null : "officer",
            query.Status is null ? null : "status", query.ReceivedFrom is null && query.ReceivedTo is null ? null : "received",
            query.DueFrom is null && query.DueTo is null ? null : "due",
        }.OfType<string>(),
        found = result.Total,
    };

    /// <summary>The stages of every current definition, from the definitions (no query).</summary>
    internal static IReadOnlyList<string> StagesOf(DefinitionRegistry definitions) =>
        definitions.Current.SelectMany(d => d.Definition.States).Select(s => s.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>A stage by its label (<see cref="WorkflowLabels"/>): "awaiting-id" reads "Waiting for ID".</summary>
    public static string StageLabel(string? stage) => WorkflowLabels.State(stage);

    /// <summary>Who the case is about: the subject, or the requester when they asked for their own data.</summary>
    public static string About(CaseSummary c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.SubjectName ?? (c.Relationship == "self" ? c.RequesterName ?? "" : "");
    }

    public string PageUrl(int page)
    {
        var parts = new List<string> { "q=" + Uri.EscapeDataString(Q ?? "") };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("right", Right);
        Add("stage", Stage);
        Add("officer", Officer);
        Add("status", Status);
        foreach (var (name, date) in new[] { ("ReceivedFrom", ReceivedFrom), ("ReceivedTo", ReceivedTo), ("DueFrom", DueFrom), ("DueTo", DueTo) })
        {
            Add(name + ".Day", date.Day);
            Add(name + ".Month", date.Month);
            Add(name + ".Year", date.Year);
        }

        parts.Add("page=" + page.ToString(CultureInfo.InvariantCulture));
        return "/search?" + string.Join('&', parts);
    }

    private DateOnly? Optional(DateParts parts, string field, string what)
    {
        if (parts.IsEmpty)
        {
            return null;
        }

        var (date, error) = parts.Parse(what);
        if (error is not null)
        {
            AddError(field + "-day", error);
        }

        return date;
    }
}
