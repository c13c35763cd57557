using Npgsql;

namespace KccRights.Infrastructure.Database;

/// <summary>
/// Connection settings the service applies to every connection string. Automatic preparation: the statements of a
/// workflow step (lock, leave, enter, log) and of a job claim run thousands of times, and planning them again each time
/// cost more than executing them; Npgsql keeps prepared statements when a pooled connection is reset.
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
        }

        return builder.ConnectionString;
    }
}
