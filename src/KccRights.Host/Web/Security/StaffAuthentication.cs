using System.Security.Claims;
using System.Text.Encodings.Web;
using KccRights.Host.Cases;
using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace KccRights.Host.Web.Security;

/// <summary>OpenID Connect settings for Microsoft Entra ID (production sign-in).</summary>
public sealed class OidcOptions
{
    public const string Section = "Authentication:Oidc";

    /// <summary>For Entra ID: https://login.microsoftonline.com/{tenant}/v2.0.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

internal static class StaffAuthentication
{
    public const string ApiTokenScheme = "ApiToken";
    public const string CaseWorkers = "CaseWorkers";
    public const string DpoOnly = "Dpo";
    public const string Auditors = "Auditors";
    public const string Admins = "Admins";

    /// <summary>
    /// Cookies for the web app, signed in through Entra ID (OpenID Connect) in production or the demo sign-in page in
    /// Development only; bearer API tokens for /api. A production start without OpenID Connect settings is refused.
    /// </summary>
    public static IServiceCollection AddStaffAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var oidc = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        if (!oidc.IsConfigured && !environment.IsDevelopment())
        {
            throw new OptionsValidationException(OidcOptions.Section, typeof(OidcOptions), [
                "Sign-in is not configured: set Authentication:Oidc:Authority and Authentication:Oidc:ClientId (Entra ID), or run in Development for the demo sign-in."]);
        }

        var authentication = services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = oidc.IsConfigured ? OpenIdConnectDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddCookie(o =>
            {
                o.LoginPath = "/sign-in";
                o.AccessDeniedPath = "/access-denied";
                o.Cookie.Name = "kcc.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenScheme, null);
        if (oidc.IsConfigured)
        {
            authentication.AddOpenIdConnect(o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SaveTokens = false;
                o.Scope.Add("email");

                // Roles come from the service's own staff list, matched on the token's object id, never from the token alone.
                o.Events.OnTokenValidated = async context =>
                {
                    var subject = context.Principal?.FindFirstValue("oid") ?? context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
                    var staff = context.HttpContext.RequestServices.GetRequiredService<StaffStore>();
                    var user = subject is null ? null : await staff.FindBySubjectAsync(subject, context.HttpContext.RequestAborted);
                    if (user is null)
                    {
                        context.Fail("Not a member of staff known to KCC Rights.");
                        return;
                    }

                    context.Principal = Principal(user, CookieAuthenticationDefaults.AuthenticationScheme);
                };
            });
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(CaseWorkers, p => p.RequireRole(StaffRoles.Officer, StaffRoles.Dpo, StaffRoles.Admin))
            .AddPolicy(DpoOnly, p => p.RequireRole(StaffRoles.Dpo, StaffRoles.Admin))
            .AddPolicy(Auditors, p => p.RequireRole(StaffRoles.Auditor, StaffRoles.Dpo, StaffRoles.Admin))
            .AddPolicy(Admins, p => p.RequireRole(StaffRoles.Admin));
        return services;
    }

    public static ClaimsPrincipal Principal(StaffUser user, string scheme)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Subject),
            new(ClaimTypes.Name, user.DisplayName),
            new(ClaimTypes.Role, user.Role),
        };
        if (user.Team is { } team)
        {
            claims.Add(new Claim(StaffClaims.Team, team));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}

/// <summary><c>Authorization: Bearer kcc_...</c>: a per-user API token; only its hash is stored.</summary>
internal sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, StaffStore staff)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var user = await staff.FindByApiTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        return user is null
            ? AuthenticateResult.Fail("Unknown or revoked API token.")
            : AuthenticateResult.Success(new AuthenticationTicket(StaffAuthentication.Principal(user, Scheme.Name), Scheme.Name));
    }
}
