using System.Net;
using System.Net.Sockets;
using KccRights.Host.Extensions;
using KccRights.TestSupport;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary>
/// Issue 9 item 11 (Build 7), the Production app behind a TLS-terminating proxy: HSTS, forwarded headers believed only
/// from the configured proxy, Secure cookies, AllowedHosts enforced and required, no Server banner, no Server-Timing and
/// no Host header echoed into the OpenAPI document.
/// </summary>
public class ProductionTransportTests
{
    private static readonly Dictionary<string, string?> ProductionSettings = new()
    {
        ["Authentication:Oidc:Authority"] = "https://login.example.test/tenant/v2.0",
        ["Authentication:Oidc:ClientId"] = "kcc-rights",
        ["AllowedHosts"] = "rights.example.org",
    };

    [Test]
    public void Production_SessionAndAntiforgeryCookies_AreAlwaysSecure()
    {
        using var app = BuildApp("Production", ProductionSettings);

        Assert.Multiple(() =>
        {
            Assert.That(app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie.SecurePolicy, Is.EqualTo(CookieSecurePolicy.Always));
            Assert.That(app.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.SecurePolicy, Is.EqualTo(CookieSecurePolicy.Always));
        });
    }

    [Test]
    public void Development_Cookies_FollowTheRequest()
    {
        using var app = BuildApp("Development", new Dictionary<string, string?> { ["AllowedHosts"] = "*" });

        Assert.That(app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie.SecurePolicy, Is.EqualTo(CookieSecurePolicy.SameAsRequest));
    }

    [TestCase("*")]
    [TestCase("")]
    [TestCase("rights.example.org;*")]
    public void Production_WithAnyHostAllowed_RefusesToStart(string allowedHosts)
    {
        var settings = new Dictionary<string, string?>(ProductionSettings) { ["AllowedHosts"] = allowedHosts };

        var refused = Assert.Throws<OptionsValidationException>(() => ((IDisposable)BuildApp("Production", settings)).Dispose());

        Assert.That(refused!.Message, Does.Contain("AllowedHosts must name the service's host names"));
    }

    [Test]
    public void Production_WithAProxyThatIsNotAnAddress_RefusesToStart()
    {
        var settings = new Dictionary<string, string?>(ProductionSettings) { ["Web:KnownProxies:0"] = "proxy.example.org" };

        var refused = Assert.Throws<OptionsValidationException>(() => ((IDisposable)BuildApp("Production", settings)).Dispose());

        Assert.That(refused!.Message, Does.Contain("'proxy.example.org' is not an IP address"));
    }

    [Test]
    public async Task Production_BehindItsProxy_SendsHsts_TrustsOnlyThatProxy_AndGivesNothingAway()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-prod-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            await using var service = await ServiceProcess.StartAsync(dataDirectory, demo: false, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Authentication__Oidc__Authority"] = "https://login.example.test/tenant/v2.0",
                ["Authentication__Oidc__ClientId"] = "kcc-rights",
                ["AllowedHosts"] = "rights.example.org;127.0.0.1",
                ["Web__KnownProxies__0"] = "127.0.0.1",
            });

            // The proxy (127.0.0.1) passes on a request that came to it over HTTPS.
            using var viaProxy = await SendAsync(service, "/health", "rights.example.org", forwardedProto: "https", from: IPAddress.Loopback);
            // The same headers from an address that is not the proxy (127.0.0.2, still loopback) are not believed.
            using var notProxy = await SendAsync(service, "/health", "rights.example.org", forwardedProto: "https", from: IPAddress.Parse("127.0.0.2"));
            using var plain = await SendAsync(service, "/health", "rights.example.org", forwardedProto: null, from: IPAddress.Loopback);
            using var otherHost = await SendAsync(service, "/health", "evil.example", forwardedProto: "https", from: IPAddress.Loopback);
            using var openApi = await SendAsync(service, "/api/openapi.json", "rights.example.org", forwardedProto: "https", from: IPAddress.Loopback);
            var document = await openApi.Content.ReadAsStringAsync();

            Assert.Multiple(() =>
            {
                Assert.That(viaProxy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(viaProxy.Headers.TryGetValues("Strict-Transport-Security", out var hsts) ? hsts.Single() : null, Is.EqualTo("max-age=31536000"));
                Assert.That(notProxy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(notProxy.Headers.Contains("Strict-Transport-Security"), Is.False, "X-Forwarded-Proto from an unknown address is ignored");
                Assert.That(plain.Headers.Contains("Strict-Transport-Security"), Is.False, "no HSTS over plain HTTP");
                Assert.That(otherHost.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a host not in AllowedHosts is refused");
                foreach (var response in new[] { viaProxy, notProxy, plain, otherHost, openApi })
                {
                    Assert.That(response.Headers.Server, Is.Empty, "no Server banner");
                    Assert.That(response.Headers.Contains("Server-Timing"), Is.False, "no Server-Timing for an anonymous caller");
                }

                Assert.That(openApi.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(document, Does.Contain("/api/cases").And.Not.Contain("rights.example.org").And.Not.Contain("\"servers\""));
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static WebApplication BuildApp(string environment, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);

        // Only the web app's settings are read here; the database and workers it would need to serve are not added.
        builder.Host.UseDefaultServiceProvider(o => o.ValidateOnBuild = false);
        builder.AddStaffWebApp();
        return builder.Build();
    }

    /// <summary>One request from a chosen loopback address, with a chosen Host header, as a proxy (or not) would send it.</summary>
    private static async Task<HttpResponseMessage> SendAsync(ServiceProcess service, string path, string host, string? forwardedProto, IPAddress from)
    {
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler, disposeHandler: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service.BaseUrl, path));
        request.Headers.Host = host;
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }

        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
