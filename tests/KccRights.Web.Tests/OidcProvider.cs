using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace KccRights.Web.Tests;

/// <summary>
/// An OpenID Connect provider on loopback, in the test process: OpenIddict's server in degraded mode (no database; the
/// one client is checked here). It signs in whoever the test names next, straight away (no login page): the identity
/// token carries that person's <c>oid</c>, and, when asked, an audience other than the service's client id.
/// Authorization code flow with PKCE (S256) required.
/// </summary>
internal sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "kcc-rights";

    private readonly WebApplication _app;

    private OidcProvider(WebApplication app, Uri authority)
    {
        _app = app;
        Authority = authority;
    }

    /// <summary>The issuer, as the service is configured with it: http://127.0.0.1:PORT/.</summary>
    public Uri Authority { get; }

    /// <summary>The service's callback; any other redirect_uri is refused.</summary>
    public string? RedirectUri { get; set; }

    /// <summary>The <c>oid</c> of the next person to sign in.</summary>
    public string NextOid { get; set; } = "";

    /// <summary>When set, the next identity token is for this audience instead of the service.</summary>
    public string? NextAudience { get; set; }

    /// <summary>Every authorization request, as received: the test checks the client sent a nonce and a PKCE challenge.</summary>
    public ConcurrentQueue<OpenIddictRequest> AuthorizationRequests { get; } = new();

    public static async Task<OidcProvider> StartAsync()
    {
        var port = FreePort();
        var authority = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(authority.ToString());
        builder.Logging.ClearProviders();
        OidcProvider? provider = null;
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetIssuer(authority);
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            o.DisableAccessTokenEncryption();
            o.EnableDegradedMode();
            o.DisableTokenStorage();
            o.DisableAuthorizationStorage();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();

            // Degraded mode: the one client and its one redirect URI are checked here.
            o.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }
                else if (context.RedirectUri != provider!.RedirectUri)
                {
                    context.Reject(Errors.InvalidRequest, "Unknown redirect_uri.");
                }

                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }

                return default;
            }));

            // A token issued for another application, presented to this one.
            o.AddEventHandler<OpenIddictServerEvents.ProcessSignInContext>(b => b
                .UseInlineHandler(context =>
                {
                    if (provider!.NextAudience is { } audience && context.IdentityTokenPrincipal is { } principal)
                    {
                        principal.SetAudiences(audience);
                    }

                    return default;
                })
                .SetOrder(OpenIddictServerHandlers.PrepareIdentityTokenPrincipal.Descriptor.Order + 1));
        });

        var app = builder.Build();
        provider = new OidcProvider(app, authority);
        app.UseAuthentication();
        app.MapMethods("/connect/authorize", ["GET", "POST"], (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            provider.AuthorizationRequests.Enqueue(request);
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            // Entra ID's "sub" differs per application; "oid" is the person's object id, which the service matches on.
            identity.SetClaim(Claims.Subject, "pairwise-" + provider.NextOid);
            identity.SetClaim("oid", provider.NextOid);
            identity.SetClaim(Claims.Name, "Signed In Person");
            identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            var principal = new ClaimsPrincipal(identity);
            principal.SetScopes(request.GetScopes());
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
