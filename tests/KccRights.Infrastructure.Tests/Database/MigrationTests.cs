using Dapper;
using KccRights.Infrastructure.Database;
using KccRights.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace KccRights.Infrastructure.Tests.Database;

public class MigrationTests
{
    [Test]
    public async Task Migrate_OnAMigratedDatabase_AppliesNothingTwice()
    {
        var connectionString = TestPostgres.OwnerConnectionString(await TestPostgres.CreateDatabaseAsync());

        var applied = await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance);

        await using var connection = new NpgsqlConnection(connectionString);
        var journal = (await connection.QueryAsync<string>("SELECT scriptname FROM schemaversions ORDER BY schemaversionsid")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.Empty);
            Assert.That(journal, Has.Some.EndsWith("0001_create_cases.sql"));
            Assert.That(journal, Has.Some.EndsWith("0002_create_case_clocks.sql"));
        });
    }

    [Test]
    public async Task Migrate_FromSeveralProcessesAtOnce_IsSerialisedByTheAdvisoryLock()
    {
        var server = await TestPostgres.ServerAsync();
        var name = "m" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server.ConnectionString("postgres")))
        {
            await admin.ExecuteAsync($"CREATE DATABASE {name}");
        }

        var connectionString = server.ConnectionString(name);
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance))));

        Assert.That(runs.Sum(r => r.Count), Is.EqualTo(runs.Max(r => r.Count)), "each script is applied by exactly one of the runs");
    }

    [Test]
    public void MigrationScripts_AreNumberedAndUnique()
    {
        var names = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).ToList();
        var numbers = names.Select(n => n.Split(".Migrations.")[1][..4]).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(numbers, Is.Unique);
            Assert.That(numbers, Has.All.Matches<string>(n => n.All(char.IsAsciiDigit)));
        });
    }
}
