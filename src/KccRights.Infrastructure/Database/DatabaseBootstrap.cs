using KccRights.Infrastructure.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KccRights.Infrastructure.Database;

/// <summary>
/// Finds the database: the configured connection string (ConnectionStrings:Database), or else the embedded PostgreSQL
/// in the data directory, started here and stopped when this is disposed. Then applies the migrations.
/// </summary>
public sealed class DatabaseBootstrap : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private DatabaseBootstrap(string connectionString, EmbeddedPostgres? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
    }

    public string ConnectionString { get; }

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
        if (!string.IsNullOrWhiteSpace(configured))
        {
            connectionString = configured;
        }
        else
        {
            var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
            embedded = await EmbeddedPostgres.StartAsync(Path.Combine(storage.DataDirectory, "postgres"), logger, cancellationToken);
            connectionString = embedded.ConnectionString();
        }

        try
        {
            if (migrate)
            {
                await DatabaseMigrator.MigrateAsync(connectionString, logger, cancellationToken);
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

        return new DatabaseBootstrap(connectionString, embedded);
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }
}
