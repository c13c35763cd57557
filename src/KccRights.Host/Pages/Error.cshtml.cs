using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

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
        if (code == 404)
        {
            Title = "Page not found";
            Message = "Check the address or the case reference.";
        }
        else if (code == 403)
        {
            Title = "You do not have access to this page";
            Message = "Your role does not allow you to see this. The attempt has been recorded.";
        }
        else if (code == 400)
        {
            Title = "The form could not be accepted";
            Message = "It may have expired. Go back, reload the page and try again.";
        }

        Response.StatusCode = code ?? 500;
    }
}
