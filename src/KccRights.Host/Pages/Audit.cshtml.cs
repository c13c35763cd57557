using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages;

/// <summary>The audit trail: who viewed, downloaded or changed which case, and every refusal.</summary>
[Authorize(Policy = StaffAuthentication.Auditors)]
public sealed class AuditModel(AuditLog audit) : StaffPageModel
{
    [BindProperty(SupportsGet = true)]
    public long? CaseId { get; set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public async Task OnGetAsync() => Events = await audit.RecentAsync(CaseId, 500, HttpContext.RequestAborted);
}
