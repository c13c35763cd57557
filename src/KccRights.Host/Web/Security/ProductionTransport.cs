using System.ComponentModel.DataAnnotations;
using System.Net;
using KccRights.Infrastructure.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;

namespace KccRights.Host.Web.Security;

/// <summary>
/// The reverse proxy in front of the service (TLS ends there): only these may set X-Forwarded-For/-Proto. Validated on
/// start: every entry must parse.
/// </summary>
public sealed class TransportOptions : IValidatableObject
{
    public const string Section = "Web";

    /// <summary>IP addresses of trusted reverse proxies, e.g. <c>10.0.0.5</c>.</summary>
    public IReadOnlyList<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted reverse proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public IReadOnlyList<string> KnownNetworks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p.Trim(), out _)))
        {
            yield return new ValidationResult($"{Section}:{nameof(KnownProxies)}: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n.Trim(), out _)))
        {
            yield return new ValidationResult($"{Section}:{nameof(KnownNetworks)}: '{network}' is not a network in CIDR notation (10.0.0.0/24).", [nameof(KnownNetworks)]);
        }
    }
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

        // Validated now and on start, so every entry below parses.
        var transport = builder.Services.AddValidatedOptions<TransportOptions>(configuration, TransportOptions.Section);
        var proxies = transport.KnownProxies.Select(p => IPAddress.Parse(p.Trim())).ToList();
        var networks = transport.KnownNetworks.Select(n => System.Net.IPNetwork.Parse(n.Trim())).ToList();
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
