using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>The demo sign-in: Development only. In any other environment the page does not exist (404) and Entra ID signs people in.</summary>
[AllowAnonymous]
public sealed class SignInModel(StaffStore staff, IHostEnvironment environment, TimeProvider time) : PageModel
{
    public IReadOnlyList<StaffUser> Users { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Subject { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        Users = await staff.ListAsync(HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        var user = Subject is null ? null : await staff.FindBySubjectAsync(Subject, HttpContext.RequestAborted);
        if (user is null)
        {
            Users = await staff.ListAsync(HttpContext.RequestAborted);
            return Page();
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, StaffAuthentication.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, time));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
