using KccRights.Host.Api;
using KccRights.Cases;
using KccRights.Collation.Workflow;
using Microsoft.AspNetCore.Mvc;
using KccRights.Host.Pages;
using KccRights.Host.Web;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Staff;

namespace KccRights.Host.Extensions;

/// <summary>The staff web app: Razor Pages with GOV.UK Frontend, sign-in and roles, the API and its OpenAPI document.</summary>
internal static class WebAppExtensions
{
    public static WebApplicationBuilder AddStaffWebApp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddStaffAuthentication(builder.Configuration, builder.Environment);
        builder.AddProductionTransport();
        // A manual search's uploads (issue 11) are the one place a request may be larger than the app-wide 1 MB: the limit
        // is lifted for that page alone, as endpoint metadata, which routing applies before anything reads the body.
        var manualSearch = builder.Configuration.GetSection(ManualSearchOptions.Section).Get<ManualSearchOptions>() ?? new ManualSearchOptions();
        var uploadLimit = ManualSearchModel.BodyLimit(manualSearch);
        services.AddRazorPages(o =>
        {
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AddPageApplicationModelConvention("/ManualSearch", page =>
            {
                page.EndpointMetadata.Add(new RequestSizeLimitAttribute(uploadLimit));
                page.EndpointMetadata.Add(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = uploadLimit });
            });
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "kcc.antiforgery";
            o.HeaderName = "RequestVerificationToken";
        });
        services.AddOpenApi("v1");
        services.AddApiProblems();
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = ApiProblems.MaxRequestBodyBytes);
        services.AddSingleton<DeadlineBadges>();
        return builder;
    }

    public static WebApplication UseStaffWebApp(this WebApplication app)
    {
        app.UseProductionTransport();
        app.UseServerTiming();
        app.UseSecurityHeaders();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = "/error", StatusCodeSelector = ApiProblems.PageStatusFor });
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseApiProblems();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseInputCleaning();
        app.MapRazorPages();
        app.MapCaseApi();
        app.MapOpenApi("/api/openapi.json").AllowAnonymous();
        return app;
    }
}
