using KccRights.Domain.Cases;
using KccRights.Domain.Deadlines;
using KccRights.Host.Cases;
using KccRights.Host.Pages;
using KccRights.Host.Web.Security;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Cases;
using KccRights.Infrastructure.Deadlines;
using Microsoft.AspNetCore.Authorization;

namespace KccRights.Host.Api;

public sealed record NewCaseBody(string Right, string Channel, DateOnly ReceivedOn, string? RequesterName, string? RequesterEmail, string? Relationship, string? SubjectName, string? Summary);

public sealed record PauseBody(DateOnly From, string Reason);

public sealed record ResumeBody(DateOnly On);

public sealed record ExtendBody(string Reason);

public sealed record AssignBody(string? Officer);

public sealed record ApiError(string Error);

/// <summary>
/// The case operations as JSON under /api, for automation, with per-user bearer tokens (no cookies, so no cross-site
/// request forgery). Errors are JSON with one message; nothing is half-written.
/// </summary>
internal static class CaseApi
{
    public static void MapCaseApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme })
            .WithTags("cases");

        var read = new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme, Roles = "officer,dpo,admin,auditor" };
        var write = new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme, Policy = StaffAuthentication.CaseWorkers };

        api.MapGet("/cases", async (CaseQueries queries, DeadlineBadges badges, string? right, bool? overdue, bool? paused, int? limit, int? offset, CancellationToken ct) =>
        {
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
        }).RequireAuthorization(read).WithName("ListOpenCases");

        api.MapGet("/cases/{reference}", async (string reference, HttpContext http, CaseQueries queries, ClockStore clocks, AuditLog audit, CancellationToken ct) =>
        {
            var found = await queries.FindAsync(reference, ct);
            if (found is null)
            {
                return Results.NotFound(new ApiError($"No case {reference}."));
            }

            var actor = Actor.From(http.User);
            await audit.RecordAsync(actor.Subject, actor.Role, "case.viewed", found.Id, detail: new { via = "api" }, cancellationToken: ct);
            var clock = await clocks.GetAsync(found.Id, ct);
            return Results.Ok(new { @case = Shape(found), clock });
        }).RequireAuthorization(read).WithName("GetCase");

        api.MapPost("/cases", async (NewCaseBody body, HttpContext http, CaseActions actions, CancellationToken ct) =>
        {
            if (!Rights.TryParseId(body.Right, out var right))
            {
                return Results.BadRequest(new ApiError($"Unknown right '{body.Right}'."));
            }

            if (body.Relationship is not ("self" or "child" or "client" or "other"))
            {
                return Results.BadRequest(new ApiError("relationship must be self, child, client or other."));
            }

            if (body.Channel is not ("letter" or "phone" or "in-person" or "email"))
            {
                return Results.BadRequest(new ApiError("channel must be letter, phone, in-person or email."));
            }

            return await Guarded(async () =>
            {
                var reference = await actions.OpenByHandAsync(
                    new NewCaseRequest
                    {
                        Right = right,
                        Channel = body.Channel,
                        ReceivedOn = body.ReceivedOn,
                        RequesterName = body.RequesterName,
                        RequesterEmail = body.RequesterEmail,
                        Relationship = body.Relationship,
                        SubjectName = body.SubjectName,
                        Summary = body.Summary,
                    },
                    Actor.From(http.User),
                    null,
                    ct);
                return Results.Created($"/api/cases/{reference}", new { reference = reference!.ToString() });
            });
        }).RequireAuthorization(write).WithName("OpenCase");

        MapCaseAction<PauseBody>(api, write, "pause", (a, id, b, actor, ct) => a.PauseAsync(id, b.From, b.Reason, actor, null, ct));
        MapCaseAction<ResumeBody>(api, write, "resume", (a, id, b, actor, ct) => a.ResumeAsync(id, b.On, actor, null, ct));
        MapCaseAction<ExtendBody>(api, write, "extend", (a, id, b, actor, ct) => a.ExtendAsync(id, b.Reason, actor, null, ct));
        MapCaseAction<AssignBody>(api, write, "assign", (a, id, b, actor, ct) => a.AssignAsync(id, b.Officer, actor, null, ct));
        MapCaseAction<object>(api, write, "withdraw", (a, id, _, actor, ct) => a.CloseAsWithdrawnAsync(id, actor, null, ct));

        api.MapGet("/backlog", async (CaseQueries queries, DeadlineBadges badges, CancellationToken ct) =>
        {
            var today = badges.Today;
            var (open, overdue, dueThisWeek, paused) = await queries.BacklogTotalsAsync(today, today.AddDays(7), ct);
            return Results.Ok(new
            {
                open,
                overdue,
                dueWithin7Days = dueThisWeek,
                paused,
                ageBands = await queries.AgeBandsAsync(today, ct),
                workload = await queries.WorkloadAsync(today, ct),
            });
        }).RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = StaffAuthentication.ApiTokenScheme, Policy = StaffAuthentication.DpoOnly }).WithName("Backlog");
    }

    private static void MapCaseAction<TBody>(RouteGroupBuilder api, AuthorizeAttribute write, string name, Func<CaseActions, long, TBody, Actor, CancellationToken, Task> act)
        where TBody : class =>
        api.MapPost($"/cases/{{reference}}/{name}", async (string reference, TBody body, HttpContext http, CaseQueries queries, CaseActions actions, CancellationToken ct) =>
        {
            var found = await queries.FindAsync(reference, ct);
            return found is null
                ? Results.NotFound(new ApiError($"No case {reference}."))
                : await Guarded(async () =>
                {
                    await act(actions, found.Id, body, Actor.From(http.User), ct);
                    return Results.NoContent();
                });
        }).RequireAuthorization(write).WithName($"Case{char.ToUpperInvariant(name[0])}{name[1..]}");

    private static async Task<IResult> Guarded(Func<Task<IResult>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (ex is ClockChangeRefusedException or BankHolidayDataException)
        {
            return Results.UnprocessableEntity(new ApiError(ex.Message));
        }
        catch (UnauthorizedAccessException ex)
        {
            return Results.Json(new ApiError(ex.Message), statusCode: StatusCodes.Status403Forbidden);
        }
    }

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
