using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using KccRights.Cases;
using KccRights.Disclosure.Review;
using KccRights.Documents.Bundles;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Cases;

/// <summary>
/// Common to the review pages (issue 13 Builds 1 and 3): only officers and the DPO see them (a record-owner, an auditor
/// or an administrator is refused and the refusal audited, as on the case page); every view is audited with ids only.
/// Changes are taken only while the case's review task is open (the check's answers while its check task is open).
/// </summary>
public abstract class ReviewPage(CaseQueries queries, CaseTimeline timeline, AuditLog audit) : StaffPageModel
{
    public CaseSummary Case { get; private set; } = null!;

    public IReadOnlyList<CaseTask> Tasks { get; private set; } = [];

    /// <summary>The open disclosure-review task, or null (the review may then be read, not changed).</summary>
    public CaseTask? ReviewTask => Tasks.FirstOrDefault(t => t.Status == "open" && t.Type == ReviewGate.ReviewTask);

    /// <summary>The open redaction-check task, or null.</summary>
    public CaseTask? CheckTask => Tasks.FirstOrDefault(t => t.Status == "open" && t.Type == ReviewGate.CheckTask);

    public bool MayEdit => ReviewTask is not null;

    /// <summary>People by name, not by staff id (issue 14 item 3), for who decided, redacted and checked.</summary>
    public PeopleNames Names { get; private set; } = PeopleNames.None;

    public static IReadOnlyList<Exemption> Codes => ExemptionCatalogue.All;

    [TempData]
    public string? Done { get; set; }

    protected static bool MayReview(Actor actor) => actor.Role is StaffRoles.Officer or StaffRoles.Dpo;

    /// <summary>Finds the case and checks the viewer; null when they may go on, else the result to return.</summary>
    protected async Task<IActionResult?> LoadCaseAsync(string reference, string part, object? detail = null)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);
        if (!MayReview(Actor))
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", found?.Id, allowed: false, detail: new { part, detail }, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        if (found is null)
        {
            return NotFound();
        }

        Case = found;
        Tasks = await timeline.TasksAsync(found.Id, HttpContext.RequestAborted);
        Names = await PeopleNames.LoadAsync(HttpContext.RequestServices.GetRequiredService<KccRights.Infrastructure.Staff.StaffStore>(), HttpContext.RequestAborted);
        if (HttpMethods.IsGet(Request.Method))
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "case.viewed", found.Id, detail: new { part, detail }, cancellationToken: HttpContext.RequestAborted);
        }

        Response.Headers.CacheControl = "no-store";
        return null;
    }

    /// <summary>Records a change to the review (ids and codes only, never the text or notes).</summary>
    protected Task AuditAsync(string action, object detail) =>
        audit.RecordAsync(Actor.Subject, Actor.Role, action, Case.Id, detail: detail, cancellationToken: HttpContext.RequestAborted);

    protected Task AuditRefusedAsync(string action, object detail) =>
        audit.RecordAsync(Actor.Subject, Actor.Role, action, Case.Id, allowed: false, detail: detail, cancellationToken: HttpContext.RequestAborted);

    /// <summary>
    /// The task pages ask this before completing the review or the check, so the refusal is said in words (the
    /// workflow's conditions review-complete and redactions-accepted refuse the same transitions).
    /// </summary>
    public static Task<string?> TaskRefusalAsync(IServiceProvider services, CaseTask task, string? outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(task);
        return task.Type is ReviewGate.ReviewTask or ReviewGate.CheckTask
            ? services.GetRequiredService<ReviewGate>().RefusalAsync(task.Type, task.CaseId, outcome, cancellationToken)
            : Task.FromResult<string?>(null);
    }

    /// <summary>A value with its redactions marked (each with its code, and said for screen readers).</summary>
    public static IHtmlContent Marked(string value, IEnumerable<StoredRedaction> redactions)
    {
        ArgumentNullException.ThrowIfNull(value);
        var html = new StringBuilder();
        var at = 0;
        foreach (var r in redactions.OrderBy(r => r.Start))
        {
            if (r.Start < at || r.Start + r.Length > value.Length)
            {
                continue;
            }

            html.Append(WebUtility.HtmlEncode(value[at..r.Start]));
            html.Append("<mark class=\"kcc-redaction\" data-redaction=\"").Append(r.Id).Append("\" data-code=\"").Append(WebUtility.HtmlEncode(r.Code)).Append("\">")
                .Append("<span class=\"govuk-visually-hidden\">redacted (").Append(WebUtility.HtmlEncode(r.Code)).Append("): </span>")
                .Append(WebUtility.HtmlEncode(value.Substring(r.Start, r.Length)))
                .Append("</mark><strong class=\"kcc-redaction-code\" aria-hidden=\"true\">[").Append(WebUtility.HtmlEncode(r.Code)).Append("]</strong>");
            at = r.Start + r.Length;
        }

        html.Append(WebUtility.HtmlEncode(value[at..]));
        return new HtmlString(html.ToString());
    }

    public static string DecisionLabel(DisclosureDecision? decision) => decision switch
    {
        DisclosureDecision.Disclose => "Disclose",
        DisclosureDecision.Redact => "Redact",
        DisclosureDecision.Withhold => "Withhold",
        _ => "Not reviewed",
    };

    public static string DecisionTag(DisclosureDecision? decision) => decision switch
    {
        DisclosureDecision.Disclose => "govuk-tag--green",
        DisclosureDecision.Redact => "govuk-tag--yellow",
        DisclosureDecision.Withhold => "govuk-tag--red",
        _ => "govuk-tag--grey",
    };

    /// <summary>Where a redaction is: the item's text or a field, by name.</summary>
    public static string Where(string? field, bool wholeField) => field is null ? "Text" : wholeField ? $"Field \u201c{field}\u201d (whole)" : $"Field \u201c{field}\u201d";
}
