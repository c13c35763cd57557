using KccRights.Cases;
using KccRights.Disclosure.Response;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Response;

/// <summary>What the response section shows: the latest render's progress, the version to read, its redaction log.</summary>
public sealed record ResponseSectionModel(
    string Reference,
    string? State,
    long? TaskId,
    RenderStatus? Status,
    ResponseVersion? Latest,
    ResponseVersion? Current,
    string? NotCurrent,
    IReadOnlyList<IReadOnlyList<string>> Log,
    bool MayRender,
    bool OnTask)
{
    /// <summary>People by name, not by staff id (issue 14 item 3).</summary>
    public PeopleNames Names { get; init; } = PeopleNames.None;

    public static readonly IReadOnlyList<string> LogHeadings = ["Item", "Where", "Start", "Length", "Exemption", "Action", "Note"];
}

/// <summary>
/// The draft response on the case page and on the draft-response and dpo-sign-off tasks (issue 13 Builds 4 and 5): the
/// render's progress (queued, rendering, ready with its pages, failed with the reason), the latest version shown in
/// the page with a download link, whether it is current, its redaction log, and "Render the draft" while drafting.
/// </summary>
public sealed class ResponseSectionViewComponent(ResponseStore store, ResponseDrafts drafts, ResponseSignOff signOff, KccRights.Infrastructure.Staff.StaffStore staff) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(long caseId, string reference, string? workflowState, CaseTask? task, Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var cancellationToken = HttpContext.RequestAborted;
        var state = task is null ? workflowState : await signOff.AccessStateAsync(task.Id, cancellationToken);
        var onTask = task is not null;
        if (onTask && state is not (ResponseSignOff.DraftState or ResponseSignOff.SignOffState))
        {
            return Content("");
        }

        var status = await store.StatusAsync(caseId, cancellationToken);
        var versions = await store.VersionsAsync(caseId, cancellationToken);
        if (!onTask && status is null && versions.Count == 0)
        {
            return Content("");
        }

        var latest = versions.Count > 0 ? versions[0] : null;
        var (current, notCurrent) = latest is null ? (null, null) : await drafts.CurrentAsync(caseId, cancellationToken);
        var log = latest is null ? [] : ParseCsv(await store.RedactionLogAsync(caseId, latest.Version, cancellationToken) ?? "").Skip(1).ToList();
        var mayRender = actor.MayChangeCases && state == ResponseSignOff.DraftState && task is null or { Status: "open" };
        return View(new ResponseSectionModel(reference, state, task?.Id, status, latest, current, notCurrent, log, mayRender, onTask)
        {
            Names = await PeopleNames.LoadAsync(staff, cancellationToken),
        });
    }

    /// <summary>The redaction log's CSV (BundleRenderer.RedactionLog: quoted fields, doubled quotes) as rows of cells.</summary>
    public static List<IReadOnlyList<string>> ParseCsv(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.Length > 0 || row.Count > 0)
        {
            row.Add(cell.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
