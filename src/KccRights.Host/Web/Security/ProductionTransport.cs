using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;

namespace KccRights.Host.Web.Security;

/// <summary>The reverse proxy in front of the service (TLS ends there): only these may set X-Forwarded-For/-Proto.</summary>
public sealed class TransportOptions
{
    public const string Section = "Web";

    /// <summary>IP addresses of trusted reverse proxies, e.g. <c>10.0.0.5</c>.</summary>
    public IReadOnlyList<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted reverse proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public IReadOnlyList<string> KnownNetworks { get; set; } = [];
}

/// <summary>
/// Issue 9 (Build 7), production transport: forwarded headers believed only from the configured proxies, HSTS outside
/// Development, Secure anti-forgery cookies (the session cookie is set in <see cref="StaffAuthentication"/>), host names
/// from <c>AllowedHosts</c> (never <c>*</c> outside Development), no <c>Server</c> banner, and an OpenAPI document that
/// names no server (so it never echoes a request's Host header; its paths are relative to where it is served).
/// </summary>
internal static class ProductionTransport
{
    public static WebApplicationBuilder AddProductionTransport(this WebApplicationBuilder builder)
    {
        var environment = builder.Environment;
        var configuration = builder.Configuration;
        builder.WebHost.ConfigureKestrel(o => o.AddServerHeader = false);

        var transport = configuration.GetSection(TransportOptions.Section).Get<TransportOptions>() ?? new TransportOptions();
        var proxies = transport.KnownProxies.Select(p => IPAddress.TryParse(p.Trim(), out var address)
            ? address
            : throw Invalid(TransportOptions.Section, $"Web:KnownProxies: '{p}' is not an IP address.")).ToList();
        var networks = transport.KnownNetworks.Select(n => System.Net.IPNetwork.TryParse(n.Trim(), out var network)
            ? network
            : throw Invalid(TransportOptions.Section, $"Web:KnownNetworks: '{n}' is not a network in CIDR notation (10.0.0.0/24).")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // X-Forwarded-Host is not taken: the host is checked against AllowedHosts as the client sent it to the proxy.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                o.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });

        if (!environment.IsDevelopment())
        {
            var hosts = (configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (hosts.Length == 0 || hosts.Contains("*"))
            {
                throw Invalid("AllowedHosts", "AllowedHosts must name the service's host names (separated by ';'), not '*', outside Development.");
            }
        }

        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = false;
        });
        builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always);
        builder.Services.Configure<OpenApiOptions>("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>First in the pipeline: the client's address and scheme as the trusted proxy saw them, then HSTS.</summary>
    public static WebApplication UseProductionTransport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        return app;
    }

    private static OptionsValidationException Invalid(string section, string message) => new(section, typeof(TransportOptions), [message]);
}
