using KccRights.TestSupport;

namespace KccRights.Web.Tests;

/// <summary>One running service (real process, own PostgreSQL) for the browser tests of this assembly.</summary>
[SetUpFixture]
public class ServiceSetUp
{
    private static string _dataDirectory = "";

    public static ServiceProcess Service { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-web-" + Guid.NewGuid().ToString("N")[..12]);
        // The default settings: sessions are checked against the staff table on every request, so the session tests see a
        // deactivation, a downgrade or a replayed signed-out cookie refused at once (issue 9, Build 3).
        Service = await ServiceProcess.StartAsync(_dataDirectory);
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        await Service.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
