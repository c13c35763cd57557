using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace KccRights.Host.Web;

/// <summary>
/// Errors under /api as RFC 9457 problem details (application/problem+json), never the HTML error page and never a 500
/// for bad input (issue 9 item 11): unreadable JSON, a wrong type or a query value that does not parse are 400 with
/// what was wrong; a bare status (401, 403, 404, 405, 413) gets a problem body with a detail in words, and 401 says
/// <c>WWW-Authenticate: Bearer</c>; an exception no handler expected is a 500 problem, logged with the method and path
/// (issue 14 item 8: every status, 409 and 422 from <see cref="KccRights.Host.Api.CaseApi"/> included, is
/// <c>application/problem+json</c>). Pages keep their HTML error pages.
/// </summary>
internal static partial class ApiProblems
{
    /// <summary>The most any request body may be (forms and JSON alike): a case's longest text is 10,000 characters.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IServiceCollection AddApiProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();

        // Binding failures throw (with their reason) in every environment, so the layer below can say what was wrong.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    /// <summary>After the app-wide error handling, so that an /api error is answered here and never reaches it.</summary>
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder app) =>
        app.UseWhen(IsApi, api => api.Use(HandleAsync));

    /// <summary>For the pages: a body over the limit is 413 (not 500) on the HTML error page.</summary>
    public static int PageStatusFor(Exception exception) =>
        exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    private static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteAsync(context, ex.StatusCode, Describe(ex));
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Log.Failed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiProblems)), ex, context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "The request failed. Nothing was half-saved: try again later.");
            return;
        }

        // A status with no body (from authentication, authorization or routing): the same problem shape. The app-wide
        // sign-in rule meets requests that matched no API operation first, and its cookie challenge redirects to the
        // sign-in page: under /api that is a 404 (no such path), the routing's own 405 or 415, or else a 401.
        var response = context.Response;
        if (!response.HasStarted && response.StatusCode is >= 300 and < 400 && response.Headers.Location.ToString().Contains("/sign-in", StringComparison.Ordinal))
        {
            response.Headers.Location = default;
            response.StatusCode = context.GetEndpoint() switch
            {
                null => StatusCodes.Status404NotFound,
                { DisplayName: { } name } when name.StartsWith("405 ", StringComparison.Ordinal) => StatusCodes.Status405MethodNotAllowed,
                { DisplayName: { } name } when name.StartsWith("415 ", StringComparison.Ordinal) => StatusCodes.Status415UnsupportedMediaType,
                _ => StatusCodes.Status401Unauthorized,
            };
        }

        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
        {
            await WriteAsync(context, response.StatusCode, null);
        }
    }

    private static string Describe(BadHttpRequestException ex) => ex switch
    {
        { StatusCode: StatusCodes.Status413PayloadTooLarge } => $"The request body is larger than {MaxRequestBodyBytes / 1024:N0} KB.",
        { InnerException: JsonException { Path: { Length: > 1 } path } } => $"The JSON body could not be read at {path}: check its type and format.",
        { InnerException: JsonException } => "The JSON body could not be read: check it is well-formed.",
        _ when BindFailure().Match(ex.Message) is { Success: true } bind => $"{bind.Groups["name"].Value} must be {Expected(bind.Groups["type"].Value)}.",
        _ when ex.Message.Contains("body was provided", StringComparison.Ordinal) || ex.Message.Contains("not provided from body", StringComparison.Ordinal) => "The request needs a JSON body.",
        _ => ex.Message,
    };

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("int", StringComparison.OrdinalIgnoreCase) => "a whole number",
        _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => "true or false",
        _ when type.Contains("Date", StringComparison.Ordinal) => "a date (yyyy-MM-dd)",
        _ => "a valid value",
    };

    // ASP.NET Core's wording for a route or query value that does not convert: Failed to bind parameter "int? limit" from "abc".
    [GeneratedRegex("""^Failed to bind parameter "(?<type>.*) (?<name>\w+)" from""")]
    private static partial Regex BindFailure();

    private static async Task WriteAsync(HttpContext context, int status, string? detail)
    {
        var response = context.Response;
        if (status == StatusCodes.Status401Unauthorized)
        {
            // RFC 9110 §11.6.1: a 401 names the scheme to use (issue 9 item 11).
            // The token handler may have set it already, with error="invalid_token" for a refused token: keep that.
            if (string.IsNullOrEmpty(response.Headers.WWWAuthenticate))
            {
                response.Headers.WWWAuthenticate = "Bearer";
            }

            detail ??= "Send an API token: Authorization: Bearer <token>.";
        }

        // Every problem says in words what went wrong (a bare status from routing or authorization has no detail of its own).
        detail ??= status switch
        {
            StatusCodes.Status403Forbidden => "Your role may not use this operation.",
            StatusCodes.Status404NotFound => "Nothing is at this address.",
            StatusCodes.Status405MethodNotAllowed => "This address does not take that method.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON (Content-Type: application/json).",
            _ => null,
        };

        // The app-wide status page is not wanted once the problem is written.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        await Results.Problem(detail: detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status)).ExecuteAsync(context);
    }

    private static partial class Log
    {
        [LoggerMessage(640, LogLevel.Error, "API request {Method} {Path} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string method, string path);
    }
}
