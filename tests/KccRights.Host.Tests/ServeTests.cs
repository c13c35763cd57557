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
    public async Task Serve_WithAnUnreadableBankHolidayFile_RefusesToStartWithAClearMessage()
    {
        var info = Kccrights.StartInfo(["serve", "--urls", $"http://127.0.0.1:{FreePort()}"], new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = _dataDirectory,
            ["Deadlines__BankHolidaysFile"] = Path.Combine(_dataDirectory, "missing.json"),
        });
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Multiple(async () =>
        {
            Assert.That(process.ExitCode, Is.Not.Zero);
            Assert.That(await error + await output, Does.Contain("Cannot read the bank-holiday file"));
        });
    }

    /// <summary>Starts serve, waits for /health, counts cases through the database it started, then stops it with SIGTERM.</summary>
    private async Task<long> RunServeAsync(bool demo)
    {
        var port = FreePort();
        string[] args = demo ? ["serve", "--demo", "--urls", $"http://127.0.0.1:{port}"] : ["serve", "--urls", $"http://127.0.0.1:{port}"];
        var info = Kccrights.StartInfo(args, new Dictionary<string, string> { ["Storage__DataDirectory"] = _dataDirectory });
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddMinutes(2);
            HttpResponseMessage? health = null;
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
                    if (health.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(250);
            }

            Assert.That(health?.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => $"no healthy /health; output: {output.Result}{error.Result}");
            Assert.That(await health!.Content.ReadAsStringAsync(), Does.Contain("\"database\":\"ok\""));

            // Demo data is seeded by a hosted service before the server listens.
            var pid = await File.ReadAllLinesAsync(Path.Combine(_dataDirectory, "postgres", "pgdata", "postmaster.pid"));
            var password = (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "postgres", "superuser.secret"))).Trim();
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={pid[3]};Username=postgres;Password={password};Database=kccrights;Pooling=false");
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM cases", connection);
            return (long)(await count.ExecuteScalarAsync())!;
        }
        finally
        {
            if (!process.HasExited)
            {
                using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                await kill.WaitForExitAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await process.WaitForExitAsync(timeout.Token);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
