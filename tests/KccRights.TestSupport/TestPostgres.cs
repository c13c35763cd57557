using System.Globalization;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.TestSupport;

/// <summary>
/// One real PostgreSQL per test process, started by the suite with the service's own embedded component (never
/// skipped: a missing PostgreSQL fails the tests with the install hint). Each test gets its own migrated database,
/// cloned from a template so migrations run once per process. Tests connect as the service does: as the kccrights_app
/// role (migration 0081), not the superuser; <see cref="OwnerConnectionString"/> gives the owner's for a test's own setup.
/// </summary>
public static class TestPostgres
{
    private const string Template = "kcc_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static EmbeddedPostgres? _server;
    private static string? _root;
    private static int _counter;

    public static async Task<EmbeddedPostgres> ServerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is null)
            {
                DapperSetup.Configure();
                _root = Path.Combine(Path.GetTempPath(), $"kccrights-test-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
                _server = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance);
                await using (var admin = new NpgsqlConnection(_server.ConnectionString("postgres")))
                {
                    await admin.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {Template}", admin);
                    await create.ExecuteNonQueryAsync();
                }

                await DatabaseMigrator.MigrateAsync(_server.ConnectionString(Template), NullLogger.Instance);
                if (!await _server.EnsureAppRoleAsync())
                {
                    throw new InvalidOperationException($"the migrations did not create the {EmbeddedPostgres.AppRole} role");
                }

                NpgsqlConnection.ClearAllPools();
            }

            return _server;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A fresh, migrated, empty database for one test; returns its connection string as the service's role.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await ServerAsync();
        var name = string.Create(CultureInfo.InvariantCulture, $"t{Interlocked.Increment(ref _counter)}_{Guid.NewGuid():N}")[..30];
        await using var admin = new NpgsqlConnection(server.ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {Template}", admin);
        await create.ExecuteNonQueryAsync();
        return server.AppConnectionString(name);
    }

    /// <summary>The owner's (superuser's) connection string for the same database as <paramref name="connectionString"/>.</summary>
    public static string OwnerConnectionString(string connectionString)
    {
        var server = _server ?? throw new InvalidOperationException("no test database was created yet");
        return server.ConnectionString(new NpgsqlConnectionStringBuilder(connectionString).Database!);
    }

    /// <summary>Stops the server and removes its files; call from each test assembly's [SetUpFixture] teardown.</summary>
    public static async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }

        if (_root is not null && Directory.Exists(_root))
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the temp folder is cleaned by the machine.
            }
        }
    }
}
