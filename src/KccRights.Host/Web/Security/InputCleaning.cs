using KccRights.Domain.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Primitives;

namespace KccRights.Host.Web.Security;

/// <summary>
/// Input cleaned at the web boundary (issue 9, Build 2): NUL and the other control characters never reach the database,
/// where PostgreSQL refuses NUL in text (22021) and the request used to end in a 500. Tab, CR and LF are kept (notes and
/// reasons are multi-line text).
/// <list type="bullet">
/// <item>A path or query string carrying one is refused with 400: it names no case, filter or page that exists.</item>
/// <item>A JSON body carrying one is refused with 400 (problem details naming the member), so an API client learns
/// its data was not stored as sent.</item>
/// <item>Form fields are cleaned: the characters are removed (text pasted from another program carries them), and the
/// form is handled as if they had not been typed. A NUL in a form is refused (400) by ASP.NET Core's own form reader
/// before any field can be cleaned; the error page says so.</item>
/// </list>
/// </summary>
public static class InputCleaning
{
    /// <summary>The largest JSON body inspected; a bigger one is left to the endpoint's own limits.</summary>
    public const int MaxJsonBytes = 4 * 1024 * 1024;

    public static IApplicationBuilder UseInputCleaning(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // The error page shown for a refusal runs this again: its body was read (or could not be) the first time.
        if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null)
        {
            await next();
            return;
        }

        var problem = Refusal(context.Request) ?? await CleanBodyAsync(context.Request);
        if (problem is not null)
        {
            await RefuseAsync(context, problem);
            return;
        }

        await next();
    });

    private static string? Refusal(HttpRequest request)
    {
        if (PlainText.HasUnwanted(request.Path.Value))
        {
            return "The address contains a control character.";
        }

        foreach (var (key, values) in request.Query)
        {
            if (PlainText.HasUnwanted(key) || values.Any(PlainText.HasUnwanted))
            {
                return $"The query parameter '{PlainText.OneLine(key)}' contains a control character.";
            }
        }

        return null;
    }

    private static async Task<string?> CleanBodyAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            }
            catch (InvalidDataException)
            {
                // ASP.NET Core's form reader refuses some input outright (a NUL among it): refused here, not a 500 later
                // when the error page's model binding would read the same body again.
                request.Form = FormCollection.Empty;
                return "The form could not be read.";
            }

            if (form.Any(f => PlainText.HasUnwanted(f.Key) || f.Value.Any(PlainText.HasUnwanted)))
            {
                var cleaned = form.ToDictionary(f => PlainText.Clean(f.Key), f => new StringValues(f.Value.Select(v => v is null ? null : PlainText.Clean(v)).ToArray()), StringComparer.OrdinalIgnoreCase);
                request.Form = new FormCollection(cleaned, form.Files);
            }

            return null;
        }

        if (!IsJson(request.ContentType))
        {
            return null;
        }

        if (request.ContentLength > MaxJsonBytes)
        {
            return null; // Refused by the endpoint's own limits; not read into memory here.
        }

        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return buffer.Length > MaxJsonBytes ? null : FindInJson(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>The member holding a control character, or null (also for JSON that does not parse: the endpoint says why).</summary>
    internal static string? FindInJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        if (PlainText.HasUnwanted(property))
                        {
                            return "A member name in the JSON body contains a control character.";
                        }

                        break;
                    case JsonTokenType.String when PlainText.HasUnwanted(reader.GetString()):
                        return $"The JSON member '{PlainText.OneLine(property ?? "(array item)")}' contains a control character.";
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // A string that is not valid UTF-16 once unescaped: the endpoint's parser refuses it.
        }

        return null;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static async Task RefuseAsync(HttpContext context, string detail)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            // RFC 9457 problem details for API clients.
            await Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "The request contains a control character").ExecuteAsync(context);
            return;
        }

        // The pages' own error page (UseStatusCodePagesWithReExecute) answers, without the query string.
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
