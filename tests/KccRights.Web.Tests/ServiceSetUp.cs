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
        // Sessions are checked against the staff table on every request, so a test sees a change at once (issue 9, Build 3).
        Service = await ServiceProcess.StartAsync(_dataDirectory, environment: new Dictionary<string, string> { ["Authentication__Session__RevalidateSeconds"] = "0" });
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
