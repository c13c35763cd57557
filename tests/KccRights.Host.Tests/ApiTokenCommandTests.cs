using System.Diagnostics;
using System.Text.RegularExpressions;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Host.Tests;

/// <summary>
/// <c>kccrights api-token create|list|revoke</c>, run as a real process against a migrated test database
/// (issue 9 item 11, Build 7: tokens expire and can be listed and revoked from the command line).
/// </summary>
public partial class ApiTokenCommandTests
{
    private string _connectionString = "";

    [SetUp]
    public async Task SetUp()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO staff_users (subject, display_name, email, role) VALUES ('token-officer', 'Token Officer', 'token-officer@example.kent.gov.uk', 'officer')", connection);
        await insert.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task Create_ExpiresAfter90DaysByDefault_OrAfterDays()
    {
        var (exitCode, token, error) = await RunAsync("api-token", "create", "--user", "token-officer");
        var (shortExit, shortToken, shortError) = await RunAsync("api-token", "create", "--user", "token-officer", "--days", "7");

        Assert.Multiple(async () =>
        {
            Assert.That(exitCode, Is.Zero, error);
            Assert.That(shortExit, Is.Zero, shortError);
            Assert.That(await DaysLeftAsync(token.Trim()), Is.EqualTo(90).Within(0.01));
            Assert.That(await DaysLeftAsync(shortToken.Trim()), Is.EqualTo(7).Within(0.01));
            Assert.That(error, Does.Contain("expires in 90 days"));
        });
    }

    [TestCase("0")]
    [TestCase("367")]
    [TestCase("ten")]
    public async Task Create_WithBadDays_IsRefused(string days)
    {
        var (exitCode, output, error) = await RunAsync("api-token", "create", "--user", "token-officer", "--days", days);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Is.Empty, "no token is issued");
            Assert.That(error, Does.Contain("--days must be a whole number of days from 1 to 366"));
        });
    }

    [Test]
    public async Task List_ShowsEachTokenWithoutIt_AndRevoke_StopsOne()
    {
        var (_, first, _) = await RunAsync("api-token", "create", "--user", "token-officer", "--label", "nightly export");
        var (_, second, _) = await RunAsync("api-token", "create", "--user", "token-officer", "--label", "dashboard");
        var firstId = await IdAsync(first.Trim());

        var (listExit, before, listError) = await RunAsync("api-token", "list");
        var (revokeExit, revoked, revokeError) = await RunAsync("api-token", "revoke", firstId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (againExit, _, againError) = await RunAsync("api-token", "revoke", firstId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (_, after, _) = await RunAsync("api-token", "list");

        Assert.Multiple(async () =>
        {
            Assert.That(listExit, Is.Zero, listError);
            Assert.That(before, Does.Contain("token-officer").And.Contain("nightly export").And.Contain("dashboard"));
            Assert.That(before, Does.Not.Contain(first.Trim()).And.Not.Contain(second.Trim()), "the list never shows a token");
            Assert.That(RowFor(before, "nightly export"), Does.Contain(" active "));
            Assert.That(revokeExit, Is.Zero, revokeError);
            Assert.That(revoked, Does.Contain($"API token {firstId} is revoked"));
            Assert.That(againExit, Is.Not.Zero, "a token is revoked once");
            Assert.That(againError, Does.Contain("already revoked"));
            Assert.That(RowFor(after, "nightly export"), Does.Contain(" revoked "));
            Assert.That(RowFor(after, "dashboard"), Does.Contain(" active "));
            Assert.That(await ScalarAsync<bool>("SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = @id", firstId), Is.True);
        });
    }

    [Test]
    public async Task List_MarksAnExpiredToken()
    {
        var (_, token, _) = await RunAsync("api-token", "create", "--user", "token-officer", "--label", "old one");
        await ScalarAsync<int>("UPDATE api_tokens SET expires_at = now() - interval '1 day' WHERE id = @id RETURNING 1", await IdAsync(token.Trim()));

        var (_, list, _) = await RunAsync("api-token", "list");

        Assert.That(RowFor(list, "old one"), Does.Contain(" expired "));
    }

    [TestCase("revoke")]
    [TestCase("revoke", "abc")]
    [TestCase("delete", "1")]
    public async Task BadUsage_IsRefusedWithTheUsage(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(["api-token", .. args]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(error, Does.Contain("usage: kccrights api-token create --user SUBJECT [--label TEXT] [--days N] | list | revoke ID"));
        });
    }

    private static string RowFor(string list, string label) =>
        list.Split('\n').SingleOrDefault(l => l.TrimEnd().EndsWith(label, StringComparison.Ordinal)) ?? $"(no row for {label} in: {list})";

    private async Task<double> DaysLeftAsync(string token) =>
        await ScalarAsync<double>("SELECT extract(epoch FROM expires_at - now()) / 86400 FROM api_tokens WHERE id = @id", await IdAsync(token));

    private async Task<long> IdAsync(string token)
    {
        Assert.That(TokenPattern().IsMatch(token), Is.True, $"a token was printed: '{token}'");
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM api_tokens WHERE token_hash = sha256(convert_to(@token, 'UTF8'))", connection);
        command.Parameters.AddWithValue("token", token);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<T> ScalarAsync<T>(string sql, long id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        var value = await command.ExecuteScalarAsync();
        return value is decimal d && typeof(T) == typeof(double) ? (T)(object)(double)d : (T)value!;
    }

    private async Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Kccrights.StartInfo(args, new Dictionary<string, string> { ["ConnectionStrings__Database"] = _connectionString }))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("^kcc_[A-Za-z0-9_-]{43}$")]
    private static partial Regex TokenPattern();
}
