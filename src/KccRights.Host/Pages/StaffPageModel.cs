using KccRights.Cases;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>Common to the staff pages: who is acting, and the one-time token that makes double submission harmless.</summary>
public abstract class StaffPageModel : PageModel
{
    /// <summary>A fresh token rendered into each state-changing form; the first submission claims it.</summary>
    [BindProperty]
    public Guid FormToken { get; set; }

    /// <summary>
    /// A new token on every read, so each form on a page has its own (issue 9 item 10: five forms sharing one token
    /// meant that after a note, "Withdraw" found its token used and did nothing).
    /// </summary>
    public Guid NewFormToken => Guid.NewGuid();

    public Actor Actor => Actor.From(User);

    /// <summary>Errors for the GOV.UK error summary: field id and message.</summary>
    public List<(string Field, string Message)> Errors { get; } = [];

    /// <summary>
    /// A staff form posted without its one-time token is refused (400, "the form could not be accepted"): it would
    /// otherwise bind the all-zero token, which the first such post claims for everyone, and every later one would
    /// silently do nothing yet report success (issue 9 item 10).
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (HttpMethods.IsPost(context.HttpContext.Request.Method) && FormToken == Guid.Empty)
        {
            context.Result = new BadRequestResult();
        }
    }

    protected void AddError(string field, string message)
    {
        Errors.Add((field, message));
        ModelState.AddModelError(field, message);
    }
}
