using KccRights.Intake.Mailbox;
using Npgsql;

namespace KccRights.Host.Web;

internal static class HealthEndpoints
{
    /// <summary><c>GET /health</c>: 200 when the database answers, 503 otherwise. Names no personal data.</summary>
    public static void MapHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/health", async (NpgsqlDataSource dataSource, MailboxHealth mailbox, MailboxOptions mailboxOptions, CancellationToken cancellationToken) =>
        {
            try
            {
                // Issue 9, item 9: intake's failures, counted from the database by intake.
                var counts = await IntakeCounts.ReadAsync(dataSource, cancellationToken);
                var intake = new
                {
                    waiting = counts.Waiting,
                    retrying = counts.Retrying,
                    triageOpen = counts.TriageOpen,
                    failedAfterRetries = counts.FailedAfterRetries,
                    skippedUnservable = counts.SkippedUnservable,
                };

                // The mailbox being down does not make the service unhealthy (staff keep working); it is shown.
                object mailboxState = string.IsNullOrWhiteSpace(mailboxOptions.Host) ? "not configured" : mailbox.Current;
                return Results.Ok(new { status = "ok", database = "ok", mailbox = mailboxState, intake });
            }
            catch (NpgsqlException)
            {
                return Results.Json(new { status = "unhealthy", database = "unreachable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
}
