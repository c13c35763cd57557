using System.Diagnostics;
using System.Globalization;

namespace KccRights.Host.Web;

/// <summary>
/// <c>Server-Timing: app;dur=12.3</c> on every response: the time the server spent before answering, so load commands
/// measure the server, not the client.
/// </summary>
internal static class ServerTiming
{
    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            context.Response.Headers["Server-Timing"] = string.Create(
                CultureInfo.InvariantCulture, $"app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}");
            return Task.CompletedTask;
        });
        await next();
    });
}
