using KccRights.Host.Api;
using KccRights.Cases;
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
        services.AddRazorPages(o => o.Conventions.AllowAnonymousToPage("/Error"));
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
        app.UseInputCleaning();
        app.MapRazorPages();
        app.MapCaseApi();
        app.MapOpenApi("/api/openapi.json").AllowAnonymous();
        return app;
    }
}
