using KccRights.Infrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Infrastructure.Tests.Postgres;

/// <summary>The embedded PostgreSQL the service starts when no connection string is configured: real initdb and pg_ctl.</summary>
public class EmbeddedPostgresTests
{
    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Path.Combine(Path.GetTempPath(), "kcc-embedded-" + Guid.NewGuid().ToString("N")[..12]);

    [TearDown]
    public void RemoveRoot()
    {
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public async Task Start_OnAnEmptyDirectory_CreatesAClusterAndTheServiceDatabase()
    {
        await using var server = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance);
        await using var connection = new NpgsqlConnection(server.ConnectionString());
        await connection.OpenAsync();

        Assert.Multiple(() =>
        {
            Assert.That(connection.Database, Is.EqualTo(EmbeddedPostgres.DatabaseName));
            Assert.That(server.Port, Is.GreaterThan(0));
            Assert.That(File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")), Is.True);
        });
    }

    [Test]
    public async Task Start_AfterAStop_ReusesTheData()
    {
        await using (var first = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance))
        {
            await using var connection = new NpgsqlConnection(first.ConnectionString());
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)", connection);
            await create.ExecuteNonQueryAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using var second = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance);
        await using var again = new NpgsqlConnection(second.ConnectionString());
        await again.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT v FROM kept", again);

        Assert.That(await read.ExecuteScalarAsync(), Is.EqualTo(42));
    }

    [Test]
    public async Task Start_WhileAnotherProcessRunsIt_SharesTheServerAndLeavesItRunning()
    {
        await using var owner = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance);
        await using (var guest = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance))
        {
            Assert.That(guest.Port, Is.EqualTo(owner.Port));
        }

        // The guest did not start the server, so disposing it must not stop it.
        await using var connection = new NpgsqlConnection(owner.ConnectionString());
        Assert.That(async () => await connection.OpenAsync(), Throws.Nothing);
    }

    [Test]
    public void Start_WithAWrongSuperuserPassword_IsRefusedByTheServer()
    {
        // The private cluster takes passwords on TCP (scram-sha-256), not trust: other local users cannot walk in.
        Assert.That(async () =>
        {
            await using var server = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance);
            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString()) { Password = "wrong" };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
        }, Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.InvalidPassword));
    }

    [Test]
    public async Task Start_WhenTheServerWasLeftByAProcessThatDied_AdoptsItAndStopsItAtShutdown()
    {
        // Issue 9 Build 9: the owner is gone (as after kill -9), so the server is found and stopped with the next owner.
        await using var first = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance);
        using (var gone = System.Diagnostics.Process.Start("true"))
        {
            await gone!.WaitForExitAsync();
            await File.WriteAllTextAsync(Path.Combine(_root, "owner.pid"), $"{gone.Id} 0");
        }

        var pidFile = Path.Combine(first.DataDirectory, "postmaster.pid");
        await using (var second = await EmbeddedPostgres.StartAsync(_root, NullLogger.Instance))
        {
            Assert.That(second.Port, Is.EqualTo(first.Port), "the running server was reused, not a second one started");
        }

        Assert.That(File.Exists(pidFile), Is.False, "the adopting process stopped the server at its shutdown");
    }

    [Test]
    public void Locate_WhenNoBinariesAnywhere_SaysWhatToInstall()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;

        Assert.That(
            () => PostgresBinaries.Locate([empty]),
            Throws.TypeOf<EmbeddedPostgresException>().With.Message.Contains("apt-get install postgresql"));
    }
}
