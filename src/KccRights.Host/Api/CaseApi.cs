using System.Security.Cryptography;
using System.Text.Json;
using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Cases;
using KccRights.Host.Pages;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Authorization;

namespace KccRights.Host.Api;

public sealed record NewCaseBody(string? Right, string? Channel, DateOnly? ReceivedOn, string? RequesterName, string? RequesterEmail, string? Relationship, string? SubjectName, string? Summary);

public sealed record PauseBody(DateOnly? From, string? Reason);

public sealed record ResumeBody(DateOnly? On);

public sealed record ExtendBody(string? Reason);

public sealed record AssignBody(string? Officer);

/// <summary>
/// The case operations as JSON under /api, for automation, with per-user bearer tokens (no cookies, so no cross-site
/// request forgery). Errors are RFC 9457 problem details (application/problem+json) with one clear detail, from the
/// handlers here or from <see cref="KccRights.Host.Web.ApiProblems"/> for what fails before them; nothing is half-written.
/// 400 is a value that is missing or wrong; 401 no usable token; 403 a role that may not; 404 no such case; 409 a step
/// the case's present state does not take (closed, already paused, a workflow stage that takes no such step); 422 a
/// request the rules refuse (a received date in the future, a reused Idempotency-Key); 500 a failure. The OpenAPI
/// document lists each operation's problems.
/// </summary>
internal static class CaseApi
{
    public static void MapCaseApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme })
            .WithTags("cases")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        var read = new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme, Roles = "officer,dpo,admin,auditor" };
        var write = new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme, Policy = StaffAuthentication.CaseWorkers };

        api.MapGet("/cases", async (HttpContext http, CaseQueries queries, CaseSearch search, AuditLog audit, DeadlineBadges badges, string? right, bool? overdue, bool? paused, int? limit, int? offset,
            string? q, string? stage, string? officer, string? status, DateOnly? receivedFrom, DateOnly? receivedTo, DateOnly? dueFrom, DateOnly? dueTo, CancellationToken ct) =>
        {
            // Issue 14 item 2: with q (or a filter only the search has) this is the search, over open and closed cases.
            if (q is not null || stage is not null || officer is not null || status is not null || receivedFrom is not null || receivedTo is not null || dueFrom is not null || dueTo is not null)
            {
                string? searchRight = null;
                if (right is not null)
                {
                    if (!Rights.TryParseId(right, out var parsedRight))
                    {
                        return BadRequest("Unknown right: right must be one of " + string.Join(", ", Enum.GetValues<Right>().Select(r => r.Id())) + ".");
                    }

                    searchRight = parsedRight.Id();
                }

                if (status is not (null or "open" or "closed"))
                {
                    return BadRequest("status must be open or closed.");
                }

                if (overdue is not null || paused is not null)
                {
                    return BadRequest("overdue and paused are filters of the open-case list, not of the search (q).");
                }

                var query = new CaseSearchQuery
                {
                    Text = q,
                    Right = searchRight,
                    Stage = stage,
                    Officer = officer,
                    Status = status,
                    ReceivedFrom = receivedFrom,
                    ReceivedTo = receivedTo,
                    DueFrom = dueFrom,
                    DueTo = dueTo,
                    Limit = Math.Clamp(limit ?? 50, 1, 500),
                    Offset = Math.Max(0, offset ?? 0),
                };
                var found = await search.SearchAsync(query, ct);
                var actor = Actor.From(http.User);
                await audit.RecordAsync(actor.Subject, actor.Role, "cases.searched", null, detail: SearchModel.AuditDetail("api", query, found), cancellationToken: ct);
                return Results.Ok(new { total = found.Total, capped = found.Capped, cases = found.Cases.Select(SearchShape) });
            }

            var (cases, total) = await queries.OpenCasesAsync(new CaseFilter
            {
                Right = right,
                OverdueOnly = overdue == true,
                PausedOnly = paused == true,
                Today = badges.Today,
                Limit = Math.Clamp(limit ?? 50, 1, 500),
                Offset = Math.Max(0, offset ?? 0),
            }, ct);
            return Results.Ok(new { total, cases = cases.Select(Shape) });
        }).RequireAuthorization(read).WithName("ListOrSearchCases").Produces(StatusCodes.Status200OK)
            .WithSummary("Open cases, oldest due first; with q (reference, name, email address or date of birth) or a search filter, every case that matches, open or closed, closest first.");

        api.MapGet("/cases/{reference}", async (string reference, HttpContext http, CaseQueries queries, ClockStore clocks, AuditLog audit, CancellationToken ct) =>
        {
            var found = await queries.FindAsync(reference, ct);
            if (found is null)
            {
                return NoCase();
            }

            var actor = Actor.From(http.User);
            await audit.RecordAsync(actor.Subject, actor.Role, "case.viewed", found.Id, detail: new { via = "api" }, cancellationToken: ct);
            var clock = await clocks.GetAsync(found.Id, ct);
            return Results.Ok(new { @case = Shape(found), clock });
        }).RequireAuthorization(read).WithName("GetCase").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/cases", async (NewCaseBody body, HttpContext http, CaseActions actions, CancellationToken ct) =>
        {
            if (!Rights.TryParseId(body.Right, out var right))
            {
                return BadRequest(body.Right is null ? "right is required." : "Unknown right: right must be one of " + string.Join(", ", Enum.GetValues<Right>().Select(r => r.Id())) + ".");
            }

            if (body.Relationship is not ("self" or "child" or "client" or "other"))
            {
                return BadRequest("relationship must be self, child, client or other.");
            }

            if (body.Channel is not ("letter" or "phone" or "in-person" or "email"))
            {
                return BadRequest("channel must be letter, phone, in-person or email.");
            }

            // Missing, it was 0001-01-01 and answered "outside the bank-holiday data" (issue 9 item 11).
            if (body.ReceivedOn is not { } receivedOn)
            {
                return BadRequest("receivedOn is required (a date, yyyy-MM-dd).");
            }

            var request = new NewCaseRequest
            {
                Right = right,
                Channel = body.Channel,
                ReceivedOn = receivedOn,
                RequesterName = body.RequesterName,
                RequesterEmail = body.RequesterEmail,
                Relationship = body.Relationship,
                SubjectName = body.SubjectName,
                Summary = body.Summary,
            };
            var key = http.Request.Headers[IdempotencyKeyHeader];
            if (key.Count > 1 || (key.Count == 1 && !ValidKey(key[0])))
            {
                return BadRequest($"{IdempotencyKeyHeader} must be one value of 1 to 255 visible ASCII characters.");
            }

            return await Guarded(async () =>
            {
                if (key.Count == 1)
                {
                    // The same key and body give the same answer, however many times and however parallel they come.
                    var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body));
                    var (once, _) = await actions.OpenByHandOnceAsync(request, Actor.From(http.User), key[0]!, hash, ct);
                    return Results.Created($"/api/cases/{once}", new { reference = once });
                }

                var reference = await actions.OpenByHandAsync(request, Actor.From(http.User), null, ct);
                return Results.Created($"/api/cases/{reference}", new { reference = reference!.ToString() });
            });
        }).RequireAuthorization(write).WithName("OpenCase").Produces(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        MapCaseAction<PauseBody>(api, write, "pause", (a, id, b, actor, ct) => a.PauseAsync(id, Required(b.From, "from"), Required(b.Reason, "reason"), actor, null, ct));
        MapCaseAction<ResumeBody>(api, write, "resume", (a, id, b, actor, ct) => a.ResumeAsync(id, Required(b.On, "on"), actor, null, ct));
        MapCaseAction<ExtendBody>(api, write, "extend", (a, id, b, actor, ct) => a.ExtendAsync(id, Required(b.Reason, "reason"), actor, null, ct));
        MapCaseAction<AssignBody>(api, write, "assign", (a, id, b, actor, ct) => a.AssignAsync(id, b.Officer, actor, null, ct));
        MapCaseAction<object>(api, write, "withdraw", (a, id, _, actor, ct) => a.CloseAsWithdrawnAsync(id, actor, null, ct));

        api.MapGet("/backlog", async (CaseQueries queries, DeadlineBadges badges, CancellationToken ct) =>
        {
            var today = badges.Today;
            var backlog = await queries.BacklogAsync(today, today.AddDays(7), ct);
            var (open, overdue, dueThisWeek, paused) = backlog.Totals;
            return Results.Ok(new
            {
                open,
                overdue,
                dueWithin7Days = dueThisWeek,
                paused,
                ageBands = backlog.Bands,
                workload = backlog.Workload,
            });
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme, Policy = StaffAuthentication.DpoOnly }).WithName("Backlog").Produces(StatusCodes.Status200OK);
    }

    private static void MapCaseAction<TBody>(RouteGroupBuilder api, AuthorizeAttribute write, string name, Func<CaseActions, long, TBody, Actor, CancellationToken, Task> act)
        where TBody : class =>
        api.MapPost($"/cases/{{reference}}/{name}", async (string reference, TBody body, HttpContext http, CaseQueries queries, CaseActions actions, CancellationToken ct) =>
        {
            var found = await queries.FindAsync(reference, ct);
            return found is null
                ? NoCase()
                : await Guarded(async () =>
                {
                    await act(actions, found.Id, body, Actor.From(http.User), ct);
                    return Results.NoContent();
                });
        }).RequireAuthorization(write).WithName($"Case{char.ToUpperInvariant(name[0])}{name[1..]}")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private static bool ValidKey(string? key) => key is { Length: > 0 and <= 255 } && key.All(c => c is > ' ' and <= '~');

    private static IResult BadRequest(string detail) => Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest);

    private static IResult NoCase() => Results.Problem(detail: "No case has that reference.", statusCode: StatusCodes.Status404NotFound);

    private static T Required<T>(T? value, string name)
        where T : struct => value ?? throw new CaseInputException($"{name} is required.");

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new CaseInputException($"{name} is required.") : value;

    private static async Task<IResult> Guarded(Func<Task<IResult>> work)
    {
        try
        {
            return await work();
        }
        catch (CaseInputException ex)
        {
            return BadRequest(ex.Message);
        }
        catch (ClockChangeRefusedException ex) when (ex.IsConflict)
        {
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (Exception ex) when (ex is ClockChangeRefusedException or BankHolidayDataException or IdempotencyKeyReusedException)
        {
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Results.Problem(detail: ex.Message, statusCode: StatusCodes.Status403Forbidden);
        }
    }

    /// <summary>A search result: the case and who it is from and about (the search is for staff who may see whole cases).</summary>
    private static object SearchShape(CaseSummary c) => new
    {
        reference = c.Reference,
        right = c.RightName,
        status = c.Status,
        from = c.RequesterName,
        about = SearchModel.About(c) is { Length: > 0 } about ? about : null,
        relationship = c.Relationship,
        stage = c.WorkflowState,
        receivedOn = c.ReceivedOn,
        dueOn = c.IsOpen ? c.EffectiveDueOn : (DateOnly?)null,
        assignedTo = c.AssignedTo,
    };

    private static object Shape(CaseSummary c) => new
    {
        reference = c.Reference,
        right = c.RightName,
        status = c.Status,
        channel = c.Channel,
        assignedTo = c.AssignedTo,
        receivedOn = c.ReceivedOn,
        workflow = c.WorkflowId,
        state = c.WorkflowState,
        clockStart = c.ClockStart,
        dueOn = c.EffectiveDueOn,
        paused = c.IsPaused,
        extended = c.Extended,
    };
}
