using KccRights.Host.Web.Security;
using KccRights.Cases;
using Microsoft.AspNetCore.Authorization;

namespace KccRights.Host.Pages;

/// <summary>The DPO's view of the backlog: age bands, oldest first, overdue, due this week, and who holds what.</summary>
[Authorize(Policy = StaffAuthentication.DpoOnly)]
public sealed class BacklogModel(CaseQueries queries, DeadlineBadges badges, KccRights.Infrastructure.Staff.StaffStore staff) : StaffPageModel
{
    public PeopleNames Names { get; private set; } = PeopleNames.None;

    public IReadOnlyList<BacklogBand> Bands { get; private set; } = [];

    public (int Open, int Overdue, int DueThisWeek, int Paused) Totals { get; private set; }

    public IReadOnlyList<WorkloadRow> Workload { get; private set; } = [];

    public IReadOnlyList<CaseSummary> Oldest { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var today = badges.Today;
        var endOfWeek = today.AddDays(DayOfWeek.Sunday - today.DayOfWeek + (today.DayOfWeek == DayOfWeek.Sunday ? 0 : 7));
        var backlog = await queries.BacklogAsync(today, endOfWeek, HttpContext.RequestAborted);
        (Bands, Totals, Workload) = (backlog.Bands, backlog.Totals, backlog.Workload);
        Names = await PeopleNames.LoadAsync(staff, HttpContext.RequestAborted);
        (Oldest, _) = await queries.OpenCasesAsync(new CaseFilter { Today = today, Limit = 20, CountTotal = false }, HttpContext.RequestAborted);
    }
}
