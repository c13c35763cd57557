using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using KccRights.TestSupport;

namespace KccRights.Host.Tests;

/// <summary>
/// <c>kccrights demo-data</c> and <c>kccrights match</c> as real processes (issue 11): the demo systems are created as the
/// owner, the truth file is written, and a planted subject is found through every system including the youth-justice API
/// that <c>match</c> serves itself when no service is running.
/// </summary>
public class CollationCommandTests
{
    [Test]
    public async Task DemoData_ThenMatch_FindsAPlantedSubjectInEachOfItsSystems_AndNotTheDayMonthSwappedNearMiss()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kcc-collation-cmd-" + Guid.NewGuid().ToString("N")[..12]);
        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Database"] = connectionString,
            ["ConnectionStrings__Migrations"] = TestPostgres.OwnerConnectionString(connectionString),
            ["Storage__DataDirectory"] = dataDirectory,
            ["SourceSystems__DemoServer__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SourceSystems__Systems__3__BaseUrl"] = $"http://127.0.0.1:{port}/",
        };
        var truthFile = Path.Combine(dataDirectory, "truth.json");
        try
        {
            Directory.CreateDirectory(dataDirectory);
            var demo = await RunAsync(environment, "demo-data", "--scale", "small", "--seed", "3", "--truth", truthFile);
            Assert.That(demo.ExitCode, Is.Zero, demo.Err);
            Assert.That(demo.Out, Does.Contain("youth-justice API served 4 planted records"));
            using var truth = JsonDocument.Parse(await File.ReadAllTextAsync(truthFile));
            var jade = truth.RootElement.GetProperty("people").GetProperty("P03");

            var match = await RunAsync(environment, "match", "--given", "Jade", "--family", "Parker", "--dob", "2004-11-09", "--postcode", "DA1 2AA", "--upn", "Z886410408051");
            Assert.That(match.ExitCode, Is.Zero, match.Err);
            Assert.That(match.Err, Is.Empty);
            using var result = JsonDocument.Parse(match.Out.Trim());
            var matched = result.RootElement.GetProperty("candidates").EnumerateArray()
                .Where(c => c.GetProperty("band").GetString() == "match")
                .Select(c => (c.GetProperty("system").GetString()!, c.GetProperty("personId").GetString()!))
                .ToList();
            Assert.That(matched, Is.EquivalentTo(new[] { "education", "social-care", "youth-justice" }.Select(s => (s, jade.GetProperty(s)[0].GetString()!))));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var process = Process.Start(Kccrights.StartInfo(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
