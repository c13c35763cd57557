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
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);

                // The mailbox being down does not make the service unhealthy (staff keep working); it is shown.
                object mailboxState = string.IsNullOrWhiteSpace(mailboxOptions.Host) ? "not configured" : mailbox.Current;
                return Results.Ok(new { status = "ok", database = "ok", mailbox = mailboxState });
            }
            catch (NpgsqlException)
            {
                return Results.Json(new { status = "unhealthy", database = "unreachable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
}
