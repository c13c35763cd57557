using System.Diagnostics;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary><c>kccrights retention run [--dry-run]</c> as a real process against an external database (issue 13 Build 7).</summary>
public class RetentionCommandTests
{
    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(string connectionString, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Database"] = connectionString,
            ["ConnectionStrings__Migrations"] = TestPostgres.OwnerConnectionString(connectionString),
            ["Storage__DataDirectory"] = Path.Combine(Path.GetTempPath(), "kcc-cmd-" + Guid.NewGuid().ToString("N")[..12]),
            ["Intake__Storage__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        using var process = Process.Start(Kccrights.StartInfo(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task RetentionRun_ListsThenPurgesTheCasesClosedLongerAgoThanThePeriod_ByIdOnly()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        long old;
        long recent;
        await using (var owner = new NpgsqlConnection(TestPostgres.OwnerConnectionString(connectionString)))
        {
            await owner.OpenAsync();
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO cases (reference, right_code, status, closed_at) VALUES
                    ('KCC-SAR-2023-000001', 'access', 'closed', now() - interval '3 years'),
                    ('KCC-SAR-2025-000002', 'access', 'closed', now() - interval '1 year'),
                    ('KCC-SAR-2023-000003', 'access', 'open', NULL)
                RETURNING id
                """,
                owner);
            await using var reader = await insert.ExecuteReaderAsync();
            await reader.ReadAsync();
            old = reader.GetInt64(0);
            await reader.ReadAsync();
            recent = reader.GetInt64(0);
        }

        var dry = await RunAsync(connectionString, "retention", "run", "--dry-run");
        var run = await RunAsync(connectionString, "retention", "run");
        var again = await RunAsync(connectionString, "retention", "run");
        var shorter = await RunAsync(connectionString, "retention", "run", "--dry-run", "--Retention:AfterClosure=6m");
        var bad = await RunAsync(connectionString, "retention", "run", "--Retention:AfterClosure=soon");

        Assert.Multiple(() =>
        {
            Assert.That(dry.ExitCode, Is.Zero, dry.Err);
            Assert.That(dry.Out, Does.StartWith("Would purge 1 cases").And.Contain("(2y after closure): " + old));
            Assert.That(run.ExitCode, Is.Zero, run.Err);
            Assert.That(run.Out, Does.StartWith("Purged 1 cases").And.EndWith(": " + old + Environment.NewLine));
            Assert.That(again.Out, Does.StartWith("Purged 0 cases"), "a second run finds nothing");
            Assert.That(shorter.Out, Does.StartWith("Would purge 1 cases").And.Contain(": " + recent), "--Retention:AfterClosure on the command line");
            Assert.That(bad.ExitCode, Is.Not.Zero);
            Assert.That(bad.Err, Does.Contain("Retention:AfterClosure must be a number of years, months or days"));
        });
    }
}
