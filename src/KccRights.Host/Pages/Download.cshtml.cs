using KccRights.Disclosure;
using KccRights.Disclosure.Dispatch;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace KccRights.Host.Pages;

/// <summary>
/// The public page of a download link (issue 13 Build 6): no staff sign-in; the requester enters the one-time code sent
/// in a separate email and gets the response PDF. Rate-limited per client address; wrong codes lock the link
/// (<see cref="DownloadLinks"/>, which audits every attempt); an expired, used or locked link is refused in words.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(DisclosureExtensions.DownloadRateLimit)]
public sealed class DownloadModel(DownloadLinks links) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    [BindProperty]
    public string? Code { get; set; }

    public DownloadLinkStatus Status { get; private set; } = new(DownloadLinkState.Unknown, null, 0);

    public List<(string Field, string Message)> Errors { get; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Status = await links.StatusAsync(Token, HttpContext.RequestAborted);
        return Refused();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Code))
        {
            Status = await links.StatusAsync(Token, HttpContext.RequestAborted);
            if (Status.State == DownloadLinkState.Ready)
            {
                Errors.Add(("code", "Enter the security code from our email"));
            }

            return Refused();
        }

        var attempt = await links.DownloadAsync(Token, Code, HttpContext.RequestAborted);
        Status = attempt.Status;
        if (attempt.Pdf is { } pdf)
        {
            Response.Headers.CacheControl = "no-store";
            return File(pdf, "application/pdf", attempt.FileName);
        }

        if (attempt.WrongCode && Status.State == DownloadLinkState.Ready)
        {
            Errors.Add(("code", $"The security code is not right. You can try {Status.AttemptsLeft} more {(Status.AttemptsLeft == 1 ? "time" : "times")} before the link stops working"));
        }

        return Refused();
    }

    // An unusable link is answered 404 (unknown) or 410 (expired, used, locked): the page says why in words.
    private PageResult Refused()
    {
        Response.Headers.CacheControl = "no-store";
        Response.StatusCode = Status.State switch
        {
            DownloadLinkState.Ready => Errors.Count > 0 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK,
            DownloadLinkState.Unknown => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status410Gone,
        };
        return Page();
    }
}
