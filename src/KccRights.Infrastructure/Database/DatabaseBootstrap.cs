using KccRights.Infrastructure.Configuration;
using KccRights.Infrastructure.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Infrastructure.Database;

/// <summary>
/// Finds the database: the configured connection string (ConnectionStrings:Database), or else the embedded PostgreSQL
/// in the data directory, started here and stopped when this is disposed. Then applies the migrations.
/// Least privilege (issue 9 item 8): migrations run as the owner - the embedded cluster's superuser, or
/// ConnectionStrings:Migrations - and <see cref="ConnectionString"/>, the one the service runs with, is the
/// kccrights_app role's, which may read and write rows but change no schema and no audit event.
/// </summary>
public sealed partial class DatabaseBootstrap : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private DatabaseBootstrap(string connectionString, string migrationConnectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = connectionString;
        MigrationConnectionString = migrationConnectionString;
        _embedded = embedded;
    }

    /// <summary>The connection the service runs with (kccrights_app when it exists).</summary>
    public string ConnectionString { get; }

    /// <summary>The owner's connection, which applied the migrations.</summary>
    public string MigrationConnectionString { get; }

    public bool IsEmbedded => _embedded is not null;

    public static async Task<DatabaseBootstrap> StartAsync(IConfiguration configuration, ILoggerFactory loggerFactory, bool migrate = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        DapperSetup.Configure();
        var logger = loggerFactory.CreateLogger("KccRights.Database");
        var configured = configuration.GetConnectionString("Database");
        EmbeddedPostgres? embedded = null;
        string connectionString;
        string migrationConnectionString;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            connectionString = Checked(configured, "Database");
            var owner = configuration.GetConnectionString("Migrations");
            if (string.IsNullOrWhiteSpace(owner))
            {
                migrationConnectionString = configured;
                if (migrate)
                {
                    Log.NoMigrationConnection(logger);
                }
            }
            else
            {
                migrationConnectionString = Checked(owner, "Migrations");
            }
        }
        else
        {
            var storage = configuration.GetValidated<StorageOptions>(StorageOptions.Section);
            embedded = await EmbeddedPostgres.StartAsync(Path.Combine(storage.DataDirectory, "postgres"), logger, cancellationToken);
            connectionString = migrationConnectionString = embedded.ConnectionString();
        }

        try
        {
            if (migrate)
            {
                await DatabaseMigrator.MigrateAsync(migrationConnectionString, logger, cancellationToken);
            }

            if (embedded is not null)
            {
                if (await embedded.EnsureAppRoleAsync(cancellationToken))
                {
                    connectionString = embedded.AppConnectionString();
                }
                else
                {
                    Log.NoAppRole(logger);
                }
            }
        }
        catch
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }

            throw;
        }

        return new DatabaseBootstrap(connectionString, migrationConnectionString, embedded);
    }

    /// <summary>
    /// A configured connection string that does not parse stops the command or service with one line naming the setting
    /// (never its value, which may hold a password), as every other bad setting does.
    /// </summary>
    private static string Checked(string connectionString, string name)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return connectionString;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new OptionsValidationException("ConnectionStrings", typeof(string), [$"ConnectionStrings:{name} is not a PostgreSQL connection string: {ex.Message}"]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "ConnectionStrings:Migrations is not set: migrations run with ConnectionStrings:Database. Set it to an owner connection and give ConnectionStrings:Database the kccrights_app role so the service cannot change the schema or the audit trail")]
        public static partial void NoMigrationConnection(ILogger logger);

        [LoggerMessage(21, LogLevel.Warning, "The kccrights_app role does not exist yet (run kccrights migrate): the service connects as the superuser")]
        public static partial void NoAppRole(ILogger logger);
    }
}
