using Npgsql;

namespace KccRights.Infrastructure.Database;

/// <summary>
/// Connection settings the service applies to every connection string. Automatic preparation: the statements of a
/// workflow step (lock, leave, enter, log) and of a job claim run thousands of times, and planning them again each time
/// cost more than executing them; Npgsql keeps prepared statements when a pooled connection is reset.
/// No reset on close: a connection going back to the pool is not sent the session reset (RESET ALL, UNLISTEN *,
/// pg_advisory_unlock_all, DISCARD SEQUENCES/TEMP), which ran as seven extra statements before the next use of every
/// pooled connection. An open transaction is still rolled back. The service keeps no session state on pooled
/// connections: no SET outside a transaction, temporary tables only ON COMMIT DROP, the migration lock released
/// explicitly, and the job listener UNLISTENs before its connection goes back.
/// </summary>
public static class ConnectionTuning
{
    public static string Apply(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 100;
            builder.AutoPrepareMinUsages = 2;
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }
}
