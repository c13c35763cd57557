using System.Diagnostics;
using System.Text.Json.Nodes;
using KccRights.TestSupport;

namespace KccRights.Host.Tests;

/// <summary>
/// Issue 14 item 8: every subcommand takes the README's <c>--Section:Key=value</c> settings (or <c>--Section:Key value</c>),
/// over appsettings.json and the environment as serve does, and still refuses an option it does not know with one line.
/// Each runs the real executable.
/// </summary>
public class CommandSettingsTests
{
    private string _dataDirectory = "";

    [SetUp]
    public void CreateDataDirectory() =>
        _dataDirectory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "kcc-settings-" + Guid.NewGuid().ToString("N")[..12])).FullName;

    [TearDown]
    public void RemoveDataDirectory() => Directory.Delete(_dataDirectory, recursive: true);

    /// <summary>
    /// The environment names a good database; the command line's bad one wins, so each command stops with one line naming
    /// the setting (and not its value, which may hold a password) instead of working on the environment's database.
    /// </summary>
    [TestCase("serve", "--urls", "http://127.0.0.1:1")]
    [TestCase("migrate")]
    [TestCase("deadlines", "recalculate")]
    [TestCase("match", "--given", "Ada", "--family", "Lovelace")]
    [TestCase("api-token", "list")]
    [TestCase("audit", "verify")]
    [TestCase("incidents", "list")]
    [TestCase("keys", "rotate")]
    [TestCase("workflows", "versions")]
    [TestCase("demo-data", "--scale", "small")]
    public async Task DatabaseCommand_WithABadConnectionStringSetting_StopsWithOneLineNamingIt(params string[] command)
    {
        var environment = await DatabaseEnvironmentAsync();

        var (exitCode, _, stderr) = await RunAsync([.. command, "--ConnectionStrings:Database=Host=127.0.0.1;Pasword=secret-value"], environment);

        var lines = KccrightsLines(stderr);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), stderr);
            Assert.That(lines, Has.Count.EqualTo(1), stderr);
            Assert.That(lines.FirstOrDefault(), Does.StartWith("kccrights: configuration: ConnectionStrings:Database is not a PostgreSQL connection string"), stderr);
            Assert.That(stderr, Does.Not.Contain("secret-value"));
        });
    }

    [Test]
    public async Task Migrate_WithTheDatabaseOnlyOnTheCommandLine_MigratesIt_AndStartsNoEmbeddedPostgres()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string> { ["Storage__DataDirectory"] = _dataDirectory, ["ConnectionStrings__Database"] = "" };

        // Both spellings: --Section:Key=value and --Section:Key value.
        var (exitCode, stdout, stderr) = await RunAsync(
            ["migrate", "--ConnectionStrings:Database=" + connectionString, "--ConnectionStrings:Migrations", TestPostgres.OwnerConnectionString(connectionString)],
            environment);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("Database is up to date."));
            Assert.That(stderr, Does.Not.Contain("ConnectionStrings:Migrations is not set"));
            Assert.That(Directory.Exists(Path.Combine(_dataDirectory, "postgres")), Is.False, "no embedded PostgreSQL in the data directory");
        });
    }

    [Test]
    public async Task Deadline_WithABankHolidaysFileSetting_CountsItsHolidays()
    {
        // The shipped file plus a one-off holiday on Monday 2 March 2026, the due date of a request received on 31 January.
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "bank-holidays.json")))!;
        file["england-and-wales"]!["events"]!.AsArray().Add(new JsonObject { ["title"] = "A one-off holiday", ["date"] = "2026-03-02", ["notes"] = "", ["bunting"] = true });
        var path = Path.Combine(_dataDirectory, "bank-holidays.json");
        await File.WriteAllTextAsync(path, file.ToJsonString());

        var shipped = await RunAsync(["deadline", "--received", "2026-01-31"]);
        var configured = await RunAsync(["deadline", "--received", "2026-01-31", "--Deadlines:BankHolidaysFile=" + path]);
        var missing = await RunAsync(["deadline", "--received", "2026-01-31", "--Deadlines:BankHolidaysFile", "/nonexistent/bank-holidays.json"]);

        Assert.Multiple(() =>
        {
            Assert.That(shipped.Out, Does.Contain("\"due\":\"2026-03-02\""), shipped.Err);
            Assert.That(configured.ExitCode, Is.Zero, configured.Err);
            Assert.That(configured.Out, Does.Contain("\"due\":\"2026-03-03\""), "the configured holiday moves the due date");
            Assert.That(missing.ExitCode, Is.EqualTo(1));
            Assert.That(KccrightsLines(missing.Err).SingleOrDefault(), Does.StartWith("kccrights: configuration: Deadlines:BankHolidaysFile: Cannot read the bank-holiday file /nonexistent/bank-holidays.json"), missing.Err);
        });
    }

    [Test]
    public async Task Classify_WithAClassificationSetting_AppliesIt()
    {
        var message = Path.Combine(_dataDirectory, "request.eml");
        await File.WriteAllTextAsync(message, "From: Ada Lovelace <ada@example.org>\r\nTo: data.protection@kent.gov.uk\r\nSubject: Subject access request\r\n\r\nPlease send me a copy of all the personal data you hold about me.\r\n");

        var bad = await RunAsync(["classify", message, "--Intake:Classification:TriageThreshold=1.5"]);

        Assert.Multiple(() =>
        {
            Assert.That(bad.ExitCode, Is.EqualTo(1));
            Assert.That(KccrightsLines(bad.Err), Is.EqualTo(new[] { "kccrights: configuration: Intake:Classification:TriageThreshold must be between 0 and 1" }), bad.Err);
        });
    }

    [TestCase(new[] { "migrate", "--bogus" }, "kccrights: unknown option '--bogus'")]
    [TestCase(new[] { "deadline", "--received", "2026-01-31", "--verbose=yes" }, "kccrights: unknown option '--verbose'")]
    [TestCase(new[] { "classify", "x.eml", "--:Key=value" }, "kccrights: unknown option '--:Key'")]
    [TestCase(new[] { "deadline", "--received", "2026-01-31", "--Deadlines:BankHolidaysFile" }, "kccrights: --Deadlines:BankHolidaysFile needs a value (--Section:Key=value)")]
    public async Task Command_WithAnUnknownOptionOrASettingWithoutAValue_IsRefusedWithOneLine(string[] args, string expected)
    {
        var (exitCode, stdout, stderr) = await RunAsync(args);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr.TrimEnd('\n'), Is.EqualTo(expected));
        });
    }

    /// <summary>A good test database in the environment, as an operator's service would have.</summary>
    private async Task<Dictionary<string, string>> DatabaseEnvironmentAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        return new Dictionary<string, string>
        {
            ["ConnectionStrings__Database"] = connectionString,
            ["ConnectionStrings__Migrations"] = TestPostgres.OwnerConnectionString(connectionString),
            ["Storage__DataDirectory"] = _dataDirectory,
        };
    }

    private static List<string> KccrightsLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("kccrights:", StringComparison.Ordinal)).ToList();

    private static async Task<(int ExitCode, string Out, string Err)> RunAsync(string[] args, Dictionary<string, string>? environment = null)
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
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
