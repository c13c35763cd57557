using KccRights.Host.Cases;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace KccRights.Host.Pages;

/// <summary>Common to the staff pages: who is acting, and the one-time token that makes double submission harmless.</summary>
public abstract class StaffPageModel : PageModel
{
    /// <summary>A fresh token rendered into each state-changing form; the first submission claims it.</summary>
    [BindProperty]
    public Guid FormToken { get; set; }

    public Guid NewFormToken { get; } = Guid.NewGuid();

    public Actor Actor => Actor.From(User);

    /// <summary>Errors for the GOV.UK error summary: field id and message.</summary>
    public List<(string Field, string Message)> Errors { get; } = [];

    protected void AddError(string field, string message)
    {
        Errors.Add((field, message));
        ModelState.AddModelError(field, message);
    }
}
