using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>Sends each role to where its work is.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect(User.IsInRole(StaffRoles.Auditor) ? "/audit" : User.IsInRole(StaffRoles.RecordOwner) ? "/tasks?view=team" : "/cases");
}
