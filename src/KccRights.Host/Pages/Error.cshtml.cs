using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>
/// The error page, for error statuses only: the route takes 400 to 599 (issue 9 item 11: /error/-5 answered status -5),
/// so any other code is not found. Without a code (after an exception) it keeps the status already chosen.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Sorry, there is a problem with the service";

    public string Message { get; private set; } = "Try again later. Nothing you entered has been half-saved: each change is saved whole or not at all.";

    public void OnGet(int? code) => Describe(code);

    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        var status = code ?? (Response.StatusCode >= 400 ? Response.StatusCode : StatusCodes.Status500InternalServerError);
        if (status == 404)
        {
            Title = "Page not found";
            Message = "Check the address or the case reference.";
        }
        else if (status == 403)
        {
            Title = "You do not have access to this page";
            Message = "Your role does not allow you to see this. The attempt has been recorded.";
        }
        else if (status == 400)
        {
            Title = "The form could not be accepted";
            Message = "It may have expired. Go back, reload the page and try again.";
        }
        else if (status == 413)
        {
            Title = "Too much was sent";
            Message = "What you entered is longer than the service accepts. Go back, shorten it and try again.";
        }

        Response.StatusCode = status;
    }
}
