using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KccRights.TestSupport;

namespace KccRights.Host.Tests;

/// <summary>
/// Issue 10, item 5: every options class is bound and validated, and <c>kccrights serve</c> with one bad setting refuses
/// to start with exactly one line that names it. Each case runs the real executable against a test database, in
/// Development (so sign-in needs no settings), with the bad value on the command line.
/// </summary>
public class ConfigurationValidationTests
{
    private string _dataDirectory = "";

    [SetUp]
    public void CreateDataDirectory() =>
        _dataDirectory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "kcc-config-" + Guid.NewGuid().ToString("N")[..12])).FullName;

    [TearDown]
    public void RemoveDataDirectory() => Directory.Delete(_dataDirectory, recursive: true);

    [TestCase("Storage:DataDirectory=", "Storage:DataDirectory must name a directory")]
    [TestCase("Deadlines:BankHolidaysFile=/nonexistent/bank-holidays.json", "Deadlines:BankHolidaysFile: Cannot read the bank-holiday file /nonexistent/bank-holidays.json")]
    [TestCase("Workflows:Workers=100", "Workflows:Workers must be between 0 and 64")]
    [TestCase("Workflows:HeartbeatSeconds=20", "Workflows:HeartbeatSeconds (20) must be at most half of Workflows:LeaseSeconds (30)")]
    [TestCase("Intake:Classification:TriageThreshold=1.5", "Intake:Classification:TriageThreshold must be between 0 and 1")]
    [TestCase("Intake:Classification:Budget=00:00:00", "Intake:Classification:Budget must be between 00:00:00.1000000 and 00:10:00")]
    [TestCase("Intake:Mailbox:Port=0", "Intake:Mailbox:Port must be between 1 and 65535")]
    [TestCase("Intake:Mailbox:RetryMax=00:00:01", "Intake:Mailbox:RetryMax must not be shorter than Intake:Mailbox:RetryInitial")]
    [TestCase("Intake:Storage:EncryptionKey=not-a-key", "Intake:Storage:EncryptionKey must be 32 bytes in base64 (an AES-256 key)")]
    [TestCase("Intake:Storage:PreviousKeys:0=c2hvcnQ=", "Intake:Storage:PreviousKeys:0 must be 32 bytes in base64 (an AES-256 key)")]
    [TestCase("Authentication:Session:RevalidateSeconds=61", "Authentication:Session:RevalidateSeconds must be from 0 (every request) to 60")]
    [TestCase("Authentication:Oidc:ClientId=kcc-rights", "Authentication:Oidc:Authority and Authentication:Oidc:ClientId must be set together")]
    [TestCase("Web:KnownProxies:0=proxy.example.org", "Web:KnownProxies: 'proxy.example.org' is not an IP address")]
    [TestCase("Web:KnownNetworks:0=10.0.0.0/33", "Web:KnownNetworks: '10.0.0.0/33' is not a network in CIDR notation (10.0.0.0/24)")]
    public async Task Serve_WithOneBadSetting_RefusesToStartWithOneLineNamingIt(string setting, string expected)
    {
        var environment = await EnvironmentAsync();

        var (exitCode, stderr) = await RunToExitAsync(["serve", "--urls", $"http://127.0.0.1:{FreePort()}", "--" + setting], environment);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("kccrights:", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), stderr);
            Assert.That(lines, Has.Count.EqualTo(1), stderr);
            Assert.That(lines.FirstOrDefault(), Does.StartWith($"kccrights: configuration: {expected}"), stderr);
        });
    }

    /// <summary>
    /// Issue 11 item 2: the register of processing is validated at start. A register that does not hold together, and a
    /// source system collating a dataset the register does not describe, each stop serve with one line naming it.
    /// </summary>
    [TestCase("register", "kccrights: register: ")]
    [TestCase("dataset", "kccrights: register: source system 'education' collates dataset 'pupils-archive', which ")]
    public async Task Serve_WithARegisterProblem_RefusesToStartWithOneLineNamingIt(string breach, string expected)
    {
        var environment = await EnvironmentAsync();
        environment["SourceSystems__DemoServer__Enabled"] = "false";
        string setting;
        if (breach == "register")
        {
            // The shipped register with a dataset mapped to a purpose that does not exist.
            var register = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "register", "register-of-processing.json"));
            var broken = System.Text.Json.Nodes.JsonNode.Parse(register)!;
            broken["systems"]![0]!["datasets"]![0]!["purposes"] = new System.Text.Json.Nodes.JsonArray("no-such-purpose");
            var path = Path.Combine(_dataDirectory, "register.json");
            File.WriteAllText(path, broken.ToJsonString());
            setting = "--Register:File=" + path;
        }
        else
        {
            setting = "--SourceSystems:Systems:0:Datasets:0:Id=pupils-archive";
        }

        var (exitCode, stderr) = await RunToExitAsync(["serve", "--urls", $"http://127.0.0.1:{FreePort()}", setting], environment);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("kccrights:", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), stderr);
            Assert.That(lines, Has.Count.EqualTo(1), stderr);
            Assert.That(lines.FirstOrDefault(), Does.StartWith(expected), stderr);
        });
    }

    /// <summary>A fresh test database and data directory, in Development (so sign-in needs no settings).</summary>
    private async Task<Dictionary<string, string>> EnvironmentAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        return new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Database"] = connectionString,
            ["ConnectionStrings__Migrations"] = TestPostgres.OwnerConnectionString(connectionString),
            ["Storage__DataDirectory"] = _dataDirectory,
        };
    }

    private static async Task<(int ExitCode, string Err)> RunToExitAsync(string[] args, Dictionary<string, string> environment)
    {
        using var process = Process.Start(Kccrights.StartInfo(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // It started instead of refusing: stop it, and let the assertions say so.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _ = await stdout;
        return (process.ExitCode, await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
