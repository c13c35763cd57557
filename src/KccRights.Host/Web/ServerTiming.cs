using System.Diagnostics;
using System.Globalization;

namespace KccRights.Host.Web;

/// <summary>
/// <c>Server-Timing: app;dur=12.3</c> on every response: the time the server spent before answering, so load commands
/// measure the server, not the client. Only to signed-in staff and API clients: an anonymous caller learns nothing about
/// the server's work from it (issue 9, Build 7).
/// </summary>
internal static class ServerTiming
{
    public static IApplicationBuilder UseServerTiming(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.OnStarting(() =>
        {
            // Read when the answer starts, after authentication has run (API endpoints authenticate their own scheme).
            if (context.User.Identity?.IsAuthenticated != true)
            {
                return Task.CompletedTask;
            }

            context.Response.Headers["Server-Timing"] = string.Create(
                CultureInfo.InvariantCulture, $"app;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0}");
            return Task.CompletedTask;
        });
        await next();
    });
}
