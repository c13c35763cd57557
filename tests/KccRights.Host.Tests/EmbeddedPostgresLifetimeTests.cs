using System.Diagnostics;
using System.Globalization;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary>
/// Issue 9 Build 9: the embedded PostgreSQL does not outlive its service. After a kill -9 the server is left running
/// (nothing can stop it then); the next start finds it and takes it over, and its shutdown stops it.
/// </summary>
public class EmbeddedPostgresLifetimeTests
{
    private string _dataDirectory = "";

    [SetUp]
    public void SetUp() => _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-orphan-" + Guid.NewGuid().ToString("N")[..12]);

    [TearDown]
    public async Task TearDown()
    {
        NpgsqlConnection.ClearAllPools();
        if (PostmasterPid() is { } pid && IsRunning(pid))
        {
            // A failed test must not leave a server behind either: fast shutdown.
            using var stop = Process.Start("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)]);
            await stop.WaitForExitAsync();
            await WaitUntilAsync(() => !IsRunning(pid), TimeSpan.FromSeconds(30));
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task ServiceKilled_NextStartTakesOverItsPostgres_AndStopsItAtShutdown()
    {
        var first = await ServiceProcess.StartAsync(_dataDirectory, demo: false);
        var orphan = PostmasterPid() ?? throw new AssertionException("no postmaster.pid while the service runs");
        await first.KillAsync();
        await first.DisposeAsync();
        Assert.That(IsRunning(orphan), Is.True, "kill -9 leaves the server running (the situation under test)");

        var second = await ServiceProcess.StartAsync(_dataDirectory, demo: false);
        var adopted = PostmasterPid();
        var output = second.Output;
        await second.DisposeAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(adopted, Is.EqualTo(orphan), "the running server was taken over, not a second one started beside it");
            Assert.That(output, Does.Contain("Took over the embedded PostgreSQL"));
            Assert.That(await WaitUntilAsync(() => !IsRunning(orphan), TimeSpan.FromSeconds(30)), Is.True, "the server stopped with the service that took it over");
            Assert.That(File.Exists(PostmasterPidFile), Is.False);
        });
    }

    [Test]
    public async Task CtrlC_StopsTheServiceAndItsPostgres()
    {
        var service = await ServiceProcess.StartAsync(_dataDirectory, demo: false);
        var postgres = PostmasterPid() ?? throw new AssertionException("no postmaster.pid while the service runs");
        // owner.pid names the service process that started the server.
        var servicePid = int.Parse(File.ReadAllText(Path.Combine(_dataDirectory, "postgres", "owner.pid")).Split(' ')[0], CultureInfo.InvariantCulture);

        using (var interrupt = Process.Start("kill", ["-INT", servicePid.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        var serviceStopped = await WaitUntilAsync(() => !IsRunning(servicePid), TimeSpan.FromSeconds(60));
        await service.DisposeAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(serviceStopped, Is.True, "the service stopped on SIGINT");
            Assert.That(await WaitUntilAsync(() => !IsRunning(postgres), TimeSpan.FromSeconds(30)), Is.True, "its PostgreSQL stopped with it");
            Assert.That(File.Exists(PostmasterPidFile), Is.False);
        });
    }

    private string PostmasterPidFile => Path.Combine(_dataDirectory, "postgres", "pgdata", "postmaster.pid");

    private int? PostmasterPid() =>
        File.Exists(PostmasterPidFile) && int.TryParse(File.ReadLines(PostmasterPidFile).First(), CultureInfo.InvariantCulture, out var pid) ? pid : null;

    private static bool IsRunning(int pid)
    {
        // A zombie (exited, not yet reaped) counts as stopped.
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Split(' ')[2].Equals("Z", StringComparison.Ordinal);
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
