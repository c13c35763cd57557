using System.Globalization;
using KccRights.Cases;
using KccRights.Disclosure.Response;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Audit;
using Microsoft.AspNetCore.Mvc;

namespace KccRights.Host.Pages.Response;

/// <summary>
/// One rendered version of a case's response PDF (issue 13 Builds 4 and 5), for the preview in the draft and sign-off
/// pages (inline, framed only by this site) or as a download (<c>?download=1</c>). Never cached, never sniffed; every
/// view audited, and refused (and the refusal audited) to a role that may not see whole cases.
/// </summary>
public sealed class ResponsePdfModel(CaseQueries queries, ResponseStore store, AuditLog audit) : StaffPageModel
{
    public async Task<IActionResult> OnGetAsync(string reference, int version, bool download = false)
    {
        var found = await queries.FindAsync(reference, HttpContext.RequestAborted);
        if (!Actor.MaySeeWholeCases)
        {
            await audit.RecordAsync(Actor.Subject, Actor.Role, "response.viewed", found?.Id, allowed: false, detail: new { version }, cancellationToken: HttpContext.RequestAborted);
            return RedirectToPage("/AccessDenied");
        }

        if (found is null || await store.VersionAsync(found.Id, version, HttpContext.RequestAborted) is not { } document)
        {
            return NotFound();
        }

        await audit.RecordAsync(Actor.Subject, Actor.Role, download ? "response.downloaded" : "response.viewed", found.Id, detail: new { version, sha256 = document.Sha256 }, cancellationToken: HttpContext.RequestAborted);
        var name = string.Create(CultureInfo.InvariantCulture, $"{found.Reference}-response-v{version}.pdf");
        Response.Headers.CacheControl = "no-store";
        Response.Headers.XContentTypeOptions = "nosniff";
        Response.Headers.ContentDisposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue(download ? "attachment" : "inline") { FileName = name }.ToString();
        if (!download)
        {
            // The preview is framed by the draft and sign-off pages of this site only (frame-ancestors 'self').
            SecurityHeaders.AllowSameOriginFraming(HttpContext);
        }

        return File(document.Pdf, "application/pdf");
    }
}
