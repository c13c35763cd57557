using System.Globalization;
using System.Text;
using KccRights.Domain.Cases;
using KccRights.Cases;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Cases;

/// <summary>The queue: my cases, the team's, and the unassigned, oldest statutory due date first.</summary>
[Authorize(Policy = StaffAuthentication.CaseWorkers)]
public sealed class IndexModel(CaseQueries queries, CaseActions actions, DeadlineBadges badges, KccRights.Infrastructure.Staff.StaffStore staff, KccRights.Infrastructure.Audit.AuditLog audit) : StaffPageModel
{
    public PeopleNames Names { get; private set; } = PeopleNames.None;

    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string View { get; set; } = "team";

    [BindProperty(SupportsGet = true)]
    public string? Right { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Overdue { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Paused { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Stage { get; set; }

    public IReadOnlyList<string> Stages { get; private set; } = [];

    /// <summary>
    /// From the query's <c>page</c>, read in <see cref="OnGetAsync"/>: bound as a property it met Razor Pages' own "page"
    /// route value first, failed to convert, and stayed 1 (issue 9 item 7: page 2 and 3 showed page 1's rows).
    /// </summary>
    public int PageNumber { get; private set; } = 1;

    [BindProperty]
    public string? Reference { get; set; }

    public IReadOnlyList<CaseSummary> Cases { get; private set; } = [];

    public int Total { get; private set; }

    public string ExportUrl => "/cases" + Query(1) + "&handler=Export";

    public string PageUrl(int page) => "/cases" + Query(page);

    public async Task OnGetAsync([FromQuery(Name = "page")] int? page)
    {
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        (Cases, Total) = await queries.OpenCasesAsync(Filter(PageSize, (PageNumber - 1) * PageSize), HttpContext.RequestAborted);
        Stages = await queries.OpenStagesAsync(HttpContext.RequestAborted);
        Names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
    }

    public async Task<IActionResult> OnPostClaimAsync()
    {
        var summary = Reference is null ? null : await queries.FindAsync(Reference, HttpContext.RequestAborted);
        if (summary is null)
        {
            return NotFound();
        }

        try
        {
            await actions.AssignAsync(summary.Id, Actor.Subject, Actor, FormToken, HttpContext.RequestAborted);
        }
        catch (ClockChangeRefusedException)
        {
            // Closed in the meantime: the queue shows the current state.
        }

        return Redirect("/cases?view=mine");
    }

    /// <summary>The queue as CSV, with the same filters, for reporting. Holds no requester details.</summary>
    public async Task<IActionResult> OnGetExportAsync()
    {
        var (cases, _) = await queries.OpenCasesAsync(Filter(100_000, 0), HttpContext.RequestAborted);
        await audit.RecordAsync(Actor.Subject, Actor.Role, "cases.exported", null, detail: new { count = cases.Count }, cancellationToken: HttpContext.RequestAborted);
        // Officers by name, as on the pages (issue 14 item 3); "Unassigned" rather than an empty cell.
        var names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
        var csv = new StringBuilder("reference,right,received,due,paused,extended,overdue,officer\n");
        foreach (var c in cases)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{c.Reference},{c.RightName},{c.ReceivedOn:yyyy-MM-dd},{c.EffectiveDueOn:yyyy-MM-dd},{c.IsPaused},{c.Extended},{!c.IsPaused && c.EffectiveDueOn < badges.Today},{Csv(c.AssignedTo is null ? "Unassigned" : names.Of(c.AssignedTo))}\n");
        }

        return File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", "cases.csv");
    }

    private CaseFilter Filter(int limit, int offset) => new()
    {
        Right = Rights.TryParseId(Right, out var right) ? right.Id() : null,
        AssignedTo = View == "mine" ? Actor.Subject : null,
        Unassigned = View == "unassigned",
        OverdueOnly = Overdue,
        PausedOnly = Paused,
        Stage = string.IsNullOrWhiteSpace(Stage) ? null : Stage,
        Today = badges.Today,
        Limit = limit,
        Offset = offset,
    };

    private string Query(int page) =>
        $"?view={Uri.EscapeDataString(View)}&right={Uri.EscapeDataString(Right ?? "")}&overdue={(Overdue ? "true" : "false")}&paused={(Paused ? "true" : "false")}&stage={Uri.EscapeDataString(Stage ?? "")}&page={page}";

    // Values starting with = + - @, tab or carriage return are neutralised so a spreadsheet does not run them as
    // formulas (OWASP CSV injection; issue 9 item 11: a leading tab was let through).
    internal static string Csv(string? value) =>
        value is null ? "" : "\"" + (value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
