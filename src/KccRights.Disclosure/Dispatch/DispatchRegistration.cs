using System.Threading.RateLimiting;
using KccRights.Cases.Retention;
using KccRights.Disclosure.Dispatch;
using KccRights.Workflows.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KccRights.Disclosure;

public static partial class DisclosureExtensions
{
    /// <summary>The rate limiter policy of the public download page: requests per client address per minute.</summary>
    public const string DownloadRateLimit = "disclosure-download";

    /// <summary>Dispatch (issue 13 Build 6): the <c>dispatch-response</c> activity, the download links, their purge.</summary>
    static partial void AddDispatch(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DispatchOptions>()
            .Bind(configuration.GetSection(DispatchOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DispatchOptions>>().Value);
        services.AddSingleton<IJobHandler, DispatchResponseHandler>();
        services.AddSingleton<DownloadLinks>();
        services.AddSingleton<ICaseDataPurger, DispatchPurger>();

        // Per client address, a fixed window: with the lock after a few wrong codes, guessing a code is not practical.
        var perMinute = configuration.GetSection(DispatchOptions.Section).Get<DispatchOptions>()?.DownloadRequestsPerMinute ?? new DispatchOptions().DownloadRequestsPerMinute;
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(DownloadRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
    }
}
