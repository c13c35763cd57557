using Dapper;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Postgres;
using KccRights.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Infrastructure.Tests.Database;

/// <summary>
/// The service connects as kccrights_app, which reads and writes rows but changes no schema and no append-only log
/// (issue 9 item 8, Build 6). Every other database test runs as this role too (TestPostgres.CreateDatabaseAsync).
/// </summary>
public class LeastPrivilegeTests
{
    [TestCase("CREATE TABLE intruder (v int)")]
    [TestCase("ALTER TABLE cases ADD COLUMN intruder int")]
    [TestCase("DROP TABLE case_notes")]
    [TestCase("UPDATE workflow_log SET actor = 'someone else'")]
    [TestCase("DELETE FROM workflow_log")]
    [TestCase("UPDATE audit_chain_head SET last_seq = 0")]
    [TestCase("INSERT INTO schemaversions (scriptname, applied) VALUES ('x', now())")]
    [TestCase("DROP TRIGGER audit_events_no_change ON audit_events")]
    public async Task TheServiceRole_MayNotChangeSchemaOrLogs(string sql)
    {
        await using var connection = new NpgsqlConnection(await TestPostgres.CreateDatabaseAsync());
        await connection.OpenAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT current_user"), Is.EqualTo(EmbeddedPostgres.AppRole));
            Assert.That(async () => await connection.ExecuteAsync(sql), Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.InsufficientPrivilege));
        });
    }

    [Test]
    public async Task ATableALaterMigrationCreates_IsGrantedToTheServiceRole()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using (var owner = new NpgsqlConnection(TestPostgres.OwnerConnectionString(connectionString)))
        {
            await owner.ExecuteAsync("CREATE TABLE later_table (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int)");
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync("INSERT INTO later_table (v) VALUES (1); UPDATE later_table SET v = 2; DELETE FROM later_table");
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM later_table"), Is.Zero);
    }

    [Test]
    public async Task Bootstrap_OnTheEmbeddedServer_MigratesAsOwnerAndHandsTheServiceTheAppRole()
    {
        var directory = Path.Combine(Path.GetTempPath(), "kcc-lp-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = directory }).Build();
            await using var database = await DatabaseBootstrap.StartAsync(configuration, NullLoggerFactory.Instance);
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();

            Assert.Multiple(async () =>
            {
                Assert.That(await connection.ExecuteScalarAsync<string>("SELECT current_user"), Is.EqualTo(EmbeddedPostgres.AppRole));
                Assert.That(new NpgsqlConnectionStringBuilder(database.MigrationConnectionString).Username, Is.EqualTo("postgres"));
                Assert.That(await connection.ExecuteScalarAsync<bool>("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"), Is.False);
                Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"), Is.Zero);
            });
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Test]
    public async Task Bootstrap_WithAnExternalServer_MigratesWithTheMigrationsConnection_AndRunsWithTheDatabaseOne()
    {
        // A new, empty database: ConnectionStrings:Migrations (the owner) creates the schema, the service runs as the app role.
        var template = await TestPostgres.CreateDatabaseAsync();
        var name = "x" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(TestPostgres.OwnerConnectionString(template)))
        {
            await admin.ExecuteAsync($"CREATE DATABASE {name}");
        }

        var app = new NpgsqlConnectionStringBuilder(template) { Database = name }.ConnectionString;
        var owner = TestPostgres.OwnerConnectionString(app);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = app,
            ["ConnectionStrings:Migrations"] = owner,
        }).Build();

        await using var database = await DatabaseBootstrap.StartAsync(configuration, NullLoggerFactory.Instance);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(database.MigrationConnectionString, Is.EqualTo(owner));
            Assert.That(await connection.ExecuteScalarAsync<string>("SELECT current_user"), Is.EqualTo(EmbeddedPostgres.AppRole));
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases"), Is.Zero);
            Assert.That(async () => await connection.ExecuteAsync("CREATE TABLE intruder (v int)"), Throws.InstanceOf<PostgresException>());
        });
    }
}
