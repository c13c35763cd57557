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
                // Issue 9, item 9: intake's failures are counted from the database, truthfully and across restarts: messages
                // waiting, those failing and being retried, the open triage items, and those given up on or skipped.
                await using var command = dataSource.CreateCommand(
                    """
                    SELECT (SELECT count(*) FROM inbound_messages WHERE status = 'received'),
                           (SELECT count(*) FROM inbound_messages WHERE status = 'received' AND last_error IS NOT NULL),
                           (SELECT count(*) FROM intake_triage WHERE status = 'open'),
                           (SELECT count(*) FROM intake_triage WHERE reason_kind = 'processing-failed'),
                           (SELECT count(*) FROM intake_triage WHERE reason_kind = 'imap-unservable')
                    """);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var intake = new
                {
                    waiting = reader.GetInt64(0),
                    retrying = reader.GetInt64(1),
                    triageOpen = reader.GetInt64(2),
                    failedAfterRetries = reader.GetInt64(3),
                    skippedUnservable = reader.GetInt64(4),
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
