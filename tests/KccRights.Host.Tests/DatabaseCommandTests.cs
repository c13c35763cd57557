using System.Diagnostics;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary>
/// <c>kccrights audit verify</c> and <c>kccrights keys rotate</c> as real processes against an external database, with
/// the service's role in ConnectionStrings:Database and the owner in ConnectionStrings:Migrations (issue 9 item 8).
/// </summary>
public class DatabaseCommandTests
{
    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(string connectionString, params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Database"] = connectionString,
            ["ConnectionStrings__Migrations"] = TestPostgres.OwnerConnectionString(connectionString),
            ["Storage__DataDirectory"] = Path.Combine(Path.GetTempPath(), "kcc-cmd-" + Guid.NewGuid().ToString("N")[..12]),
        };
        using var process = Process.Start(Kccrights.StartInfo(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task ExecuteAsOwnerAsync(string connectionString, string sql)
    {
        await using var owner = new NpgsqlConnection(TestPostgres.OwnerConnectionString(connectionString));
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand(sql, owner);
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task AuditVerify_OnAnIntactTrail_SaysSo_AndOnATamperedOne_NamesTheFirstBrokenEventAndFails()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await ExecuteAsOwnerAsync(connectionString, "INSERT INTO audit_events (actor, actor_role, action) VALUES ('a', 'officer', 'case.view'), ('b', 'dpo', 'case.export')");

        var intact = await RunAsync(connectionString, "audit", "verify");
        await ExecuteAsOwnerAsync(connectionString, "SET session_replication_role = replica; UPDATE audit_events SET actor = 'someone else' WHERE seq = 1");
        var broken = await RunAsync(connectionString, "audit", "verify");

        Assert.Multiple(() =>
        {
            Assert.That(intact.ExitCode, Is.Zero, intact.Err);
            Assert.That(intact.Out, Does.Contain("Audit trail intact: 2 events"));
            Assert.That(broken.ExitCode, Is.EqualTo(1));
            Assert.That(broken.Err, Does.Contain("audit trail broken at event 1"));
        });
    }

    [Test]
    public async Task KeysRotate_WithNothingStored_ReportsNothingToDo()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();

        var (exitCode, stdout, stderr) = await RunAsync(connectionString, "keys", "rotate");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("0 messages re-encrypted"));
        });
    }
}
