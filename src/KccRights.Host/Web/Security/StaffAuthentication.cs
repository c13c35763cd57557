using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Encodings.Web;
using KccRights.Cases;
using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Staff;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace KccRights.Host.Web.Security;

/// <summary>OpenID Connect settings for Microsoft Entra ID (production sign-in). Validated on start.</summary>
public sealed class OidcOptions : IValidatableObject
{
    public const string Section = "Authentication:Oidc";

    /// <summary>For Entra ID: https://login.microsoftonline.com/{tenant}/v2.0.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>
    /// The provider's metadata must come over HTTPS (always true for Entra ID); false only for a provider on loopback
    /// in tests.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Authority)
            && !(Uri.TryCreate(Authority, UriKind.Absolute, out var authority) && (authority.Scheme == Uri.UriSchemeHttps || authority.Scheme == Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult($"{Section}:{nameof(Authority)} must be an absolute URL (for Entra ID, https://login.microsoftonline.com/{{tenant}}/v2.0)", [nameof(Authority)]);
        }

        // Half the settings would silently fall back to no single sign-on.
        if (string.IsNullOrWhiteSpace(Authority) != string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult($"{Section}:{nameof(Authority)} and {Section}:{nameof(ClientId)} must be set together", [nameof(ClientId)]);
        }
    }

    /// <summary>Outside Development, sign-in must be configured: the demo sign-in page exists only in Development.</summary>
    internal sealed class RequiredOutsideDevelopment(IHostEnvironment environment) : IValidateOptions<OidcOptions>
    {
        public ValidateOptionsResult Validate(string? name, OidcOptions options) =>
            options.IsConfigured || environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    "Sign-in is not configured: set Authentication:Oidc:Authority and Authentication:Oidc:ClientId (Entra ID), or run in Development for the demo sign-in.");
    }
}

/// <summary>How sessions follow the staff table (issue 9, Build 3).</summary>
public sealed class SessionOptions
{
    public const string Section = "Authentication:Session";

    /// <summary>
    /// How often a session cookie is checked against <c>staff_users</c> (active, role, team, security stamp), in seconds:
    /// 0 checks on every request. A deactivation, change of role or sign-out takes effect within this time. The default
    /// is 0: a signed-out cookie replayed a second later must already be refused (issue 9, item 3), and the check is one
    /// primary-key read.
    /// </summary>
    [Range(0, 60, ErrorMessage = "{0} must be from 0 (every request) to 60")]
    public int RevalidateSeconds { get; set; }
}

internal static class StaffAuthentication
{
    public const string ApiTokenScheme = "ApiToken";
    public const string CaseWorkers = "CaseWorkers";
    public const string DpoOnly = "Dpo";
    public const string Auditors = "Auditors";
    public const string Admins = "Admins";

    /// <summary>The staff member's security stamp when the cookie was issued (migration 0075).</summary>
    public const string SecurityStampClaim = "kcc:stamp";

    /// <summary>When the cookie's claims were last read from <c>staff_users</c>, in Unix seconds.</summary>
    public const string ValidatedClaim = "kcc:validated";

    /// <summary>
    /// Cookies for the web app, signed in through Entra ID (OpenID Connect) in production or the demo sign-in page in
    /// Development only; bearer API tokens for /api. A production start without OpenID Connect settings is refused.
    /// </summary>
    public static IServiceCollection AddStaffAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Validated now and on start; which schemes to add depends on whether sign-in is configured.
        var oidc = services.AddValidatedOptions(configuration, OidcOptions.Section, new OidcOptions.RequiredOutsideDevelopment(environment));
        services.AddValidatedOptions<SessionOptions>(configuration, SessionOptions.Section);
        services.AddScoped<StaffCookieEvents>();
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
                // Issue 9 (Build 7): Secure always outside Development, where TLS ends at the proxy and the service may see
                // plain HTTP; in Development (plain HTTP on loopback) as the request came.
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;

                // Issue 9 (Build 3): every session follows the staff table; see StaffCookieEvents.
                o.EventsType = typeof(StaffCookieEvents);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenScheme, null);
        if (oidc.IsConfigured)
        {
            authentication.AddOpenIdConnect(o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                o.ResponseType = "code";
                o.UsePkce = true;
                o.SaveTokens = false;
                o.Scope.Add("email");

                // The token's own claim names: mapped, "oid" would become a long URI and the lookup below fall back to
                // "sub", which Entra ID makes different for each application (issue 9, Build 10 found this).
                o.MapInboundClaims = false;

                // A refused sign-in (unknown or deactivated member of staff, a token not for this service) ends on the
                // access page, not an unhandled exception; nothing is signed in.
                o.Events.OnRemoteFailure = context =>
                {
                    context.Response.Redirect("/error/403");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };

                // Roles come from the service's own staff list, matched on the token's object id, never from the token alone.
                o.Events.OnTokenValidated = async context =>
                {
                    var subject = context.Principal?.FindFirstValue("oid") ?? context.Principal?.FindFirstValue("sub");
                    var staff = context.HttpContext.RequestServices.GetRequiredService<StaffStore>();
                    var user = subject is null ? null : await staff.FindBySubjectAsync(subject, context.HttpContext.RequestAborted);
                    if (user is null)
                    {
                        context.Fail("Not a member of staff known to KCC Rights.");
                        return;
                    }

                    context.Principal = Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, context.HttpContext.RequestServices.GetRequiredService<TimeProvider>());
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

    /// <summary>A session's principal: who, their role and team, and the security stamp and time it was read from the table.</summary>
    public static ClaimsPrincipal Principal(StaffUser user, string scheme, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(time);
        var principal = Principal(user, scheme);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(SecurityStampClaim, user.SecurityStamp.ToString("N")));
        identity.AddClaim(new Claim(ValidatedClaim, time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return principal;
    }

    /// <summary>A principal for one request (an API token): who, their role and team.</summary>
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
            ? AuthenticateResult.Fail("Unknown, expired or revoked API token.")
            : AuthenticateResult.Success(new AuthenticationTicket(StaffAuthentication.Principal(user, Scheme.Name), Scheme.Name));
    }

    /// <summary>RFC 6750 section 3: a 401 names the scheme, and says why when a token was given and refused.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await base.HandleChallengeAsync(properties);
    }
}

/// <summary>
/// Issue 9 (Build 3): a session cookie is good only while the staff table agrees. Every request (or once within
/// <see cref="SessionOptions.RevalidateSeconds"/>) the member of staff is read again by subject: a deactivated user or a
/// cookie whose security stamp is older than the table's (role or team changed, signed out elsewhere) is refused and the
/// cookie removed; otherwise role and team are taken from the table, never from the cookie.
/// </summary>
internal sealed partial class StaffCookieEvents(StaffStore staff, SessionOptions options, TimeProvider time, ILogger<StaffCookieEvents> logger)
    : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var principal = context.Principal;
        var subject = principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = principal?.FindFirstValue(StaffAuthentication.SecurityStampClaim);
        if (subject is null || stamp is null)
        {
            // A cookie from before security stamps, or not one of ours.
            await RejectAsync(context, null, "no security stamp");
            return;
        }

        var now = time.GetUtcNow();
        if (options.RevalidateSeconds > 0
            && long.TryParse(principal!.FindFirstValue(StaffAuthentication.ValidatedClaim), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var validated)
            && now.ToUnixTimeSeconds() - validated < options.RevalidateSeconds)
        {
            return;
        }

        var user = await staff.FindBySubjectAsync(subject, context.HttpContext.RequestAborted);
        if (user is null)
        {
            await RejectAsync(context, null, "not an active member of staff");
            return;
        }

        if (!string.Equals(user.SecurityStamp.ToString("N"), stamp, StringComparison.Ordinal))
        {
            await RejectAsync(context, user.Id, "security stamp changed");
            return;
        }

        context.ReplacePrincipal(StaffAuthentication.Principal(user, context.Scheme.Name, time));

        // Re-issue the cookie with the new check time, so the next check is one interval away (not needed when every request checks).
        context.ShouldRenew = options.RevalidateSeconds > 0;
    }

    private async Task RejectAsync(CookieValidatePrincipalContext context, long? userId, string reason)
    {
        LogSessionRefused(logger, userId, reason);
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session refused for staff user {UserId}: {Reason}")]
    private static partial void LogSessionRefused(ILogger logger, long? userId, string reason);
}
