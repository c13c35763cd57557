using Npgsql;

namespace KccRights.Intake.Mailbox;

/// <summary>
/// Intake's failures counted from the database, truthfully and across restarts (issue 9, item 9): messages waiting,
/// those failing and being retried, the open triage items, and those given up on or skipped. Counts only: no personal data.
/// </summary>
public sealed record IntakeCounts(long Waiting, long Retrying, long TriageOpen, long FailedAfterRetries, long SkippedUnservable)
{
    public static async Task<IntakeCounts> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
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
        return new IntakeCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }
}
