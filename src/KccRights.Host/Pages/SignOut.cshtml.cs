using System.Security.Claims;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>
/// Signing out is a POST with an anti-forgery token like every other form. It changes the user's security stamp, so the
/// old cookie is refused even if it was copied and is replayed (issue 9, Build 3); this ends the user's other sessions too.
/// </summary>
public sealed class SignOutModel(StaffStore staff, OidcOptions oidc) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.FindFirstValue(ClaimTypes.NameIdentifier) is { } subject)
        {
            await staff.RotateSecurityStampAsync(subject, HttpContext.RequestAborted);
        }

        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);

        // With Entra ID the demo sign-in page does not exist: say so plainly, rather than start a new sign-in at once.
        return Redirect(oidc.IsConfigured ? "/signed-out" : "/sign-in");
    }
}
