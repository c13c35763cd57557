namespace KccRights.Host.Web.Security;

/// <summary>
/// Security headers on every response. The Content-Security-Policy allows no inline script and nothing from another
/// origin: every asset is served by the service itself.
/// </summary>
internal static class SecurityHeaders
{
    private const string SameOriginFraming = "kcc:frame-same-origin";

    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Lets this response be framed by the site's own pages only (the response PDF's preview, issue 13): X-Frame-Options
    /// SAMEORIGIN and frame-ancestors 'self' instead of DENY and 'none'.
    /// </summary>
    public static void AllowSameOriginFraming(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[SameOriginFraming] = true;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            var framed = context.Items.ContainsKey(SameOriginFraming);
            headers.ContentSecurityPolicy = framed ? ContentSecurityPolicy.Replace("frame-ancestors 'none'", "frame-ancestors 'self'", StringComparison.Ordinal) : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = framed ? "SAMEORIGIN" : "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments("/lib") && !context.Request.Path.StartsWithSegments("/assets"))
            {
                // Case data must not sit in shared caches or the browser's back-forward cache.
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        await next();
    });
}
