using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary>
/// <c>kccrights serve</c> as a real process with no configuration: it starts its own PostgreSQL, answers /health on
/// loopback, stops its PostgreSQL on shutdown, and reuses the data on the next start.
/// </summary>
public class ServeTests
{
    private string _dataDirectory = "";

    [SetUp]
    public void SetUp() => _dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-serve-" + Guid.NewGuid().ToString("N")[..12]);

    [TearDown]
    public void TearDown()
    {
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task Serve_WithNoConfiguration_AnswersHealthAndReusesItsDataOnTheNextStart()
    {
        var firstCases = await RunServeAsync(demo: true);
        Assert.That(File.Exists(Path.Combine(_dataDirectory, "postgres", "pgdata", "postmaster.pid")), Is.False, "PostgreSQL was stopped on shutdown");

        var secondCases = await RunServeAsync(demo: true);

        Assert.Multiple(() =>
        {
            Assert.That(firstCases, Is.GreaterThan(0), "demo data seeded");
            Assert.That(secondCases, Is.EqualTo(firstCases), "the second start reused the data and did not seed again");
        });
    }

    [Test]
    public async Task Serve_InProductionWithoutSignInSettings_RefusesToStart()
    {
        var (exitCode, output) = await RunToExitAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(output, Does.Contain("Sign-in is not configured"));
        });
    }

    [Test]
    public async Task Serve_WithAnUnreadableBankHolidayFile_RefusesToStartWithAClearMessage()
    {
        var (exitCode, output) = await RunToExitAsync(new Dictionary<string, string>
        {
            ["Deadlines__BankHolidaysFile"] = Path.Combine(_dataDirectory, "missing.json"),
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero);
            Assert.That(output, Does.Contain("Cannot read the bank-holiday file"));
        });
    }

    /// <summary>Runs serve with the given settings until it exits (it is expected to refuse to start).</summary>
    private async Task<(int ExitCode, string Output)> RunToExitAsync(Dictionary<string, string> environment)
    {
        environment["Storage__DataDirectory"] = _dataDirectory;
        using var process = Process.Start(Kccrights.StartInfo(["serve", "--urls", $"http://127.0.0.1:{FreePort()}"], environment))!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await error + await output);
    }

    /// <summary>Starts serve, waits for /health, counts cases through the database it started, then stops it with SIGTERM.</summary>
    private async Task<long> RunServeAsync(bool demo)
    {
        await using var service = await ServiceProcess.StartAsync(_dataDirectory, demo);
        using var http = new HttpClient();
        var health = await http.GetStringAsync(new Uri(service.BaseUrl, "/health"));
        Assert.That(health, Does.Contain("\"database\":\"ok\""));

        await using var connection = new NpgsqlConnection(service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM cases", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
