using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Staff;
using Npgsql;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights api-token create --user SUBJECT [--label TEXT] [--days N] | list | revoke ID</c>: per-user API tokens
/// for /api. A token is printed once (only its hash is stored) and expires after 90 days unless <c>--days</c> says
/// otherwise; <c>list</c> shows every token without the token itself, and <c>revoke</c> stops one at once (issue 9, Build 7).
/// </summary>
internal static class ApiTokenCommand
{
    private const string Usage = "usage: kccrights api-token create --user SUBJECT [--label TEXT] [--days N] | list | revoke ID";

    /// <summary>A token lasts at most a year: a longer-lived secret is one nobody remembers to rotate.</summary>
    private const int MaximumDays = 366;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--user", "--label", "--days"], []);
        long? revoke = parsed.Positionals switch
        {
            ["create"] or ["list"] => null,
            ["revoke", var idText] when long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var tokenId) => tokenId,
            _ => throw new CommandLineException(Usage),
        };

        // Checked before the database starts: a mistyped command fails at once.
        var create = parsed.Positionals is ["create"];
        var subject = create ? parsed.Required("--user") : null;
        var days = parsed.Single("--days") is not { } text
            ? (int)StaffStore.DefaultApiTokenLifetime.TotalDays
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaximumDays
                ? n
                : throw new CommandLineException(string.Create(CultureInfo.InvariantCulture, $"--days must be a whole number of days from 1 to {MaximumDays}"));

        using var loggerFactory = CommandLogging.Create(LogLevel.Warning);
        await using var database = await DatabaseBootstrap.StartAsync(KccRightsWiring.CommandConfiguration(parsed.Settings), loggerFactory);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var staff = new StaffStore(dataSource);
        if (subject is not null)
        {
            var user = await staff.FindBySubjectAsync(subject) ?? throw new CommandLineException($"no active member of staff '{subject}'");
            Console.Out.WriteLine(await staff.CreateApiTokenAsync(user.Id, parsed.Single("--label") ?? "created with kccrights api-token", TimeSpan.FromDays(days)));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"The token expires in {days} days. It is shown once: keep it in a secret store."));
            return CommandLine.Ok;
        }

        if (revoke is { } id)
        {
            if (!await staff.RevokeApiTokenAsync(id))
            {
                return CommandLine.Fail(string.Create(CultureInfo.InvariantCulture, $"there is no API token {id} that is not already revoked"), CommandLine.Failed);
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API token {id} is revoked."));
            return CommandLine.Ok;
        }

        var tokens = await staff.ListApiTokensAsync();
        var now = DateTimeOffset.UtcNow;
        Console.Out.WriteLine("id      user                       status    created (UTC)     expires (UTC)     last used (UTC)   label");
        foreach (var t in tokens)
        {
            var status = t.RevokedAt is not null ? "revoked" : t.ExpiresAt <= now ? "expired" : "active";
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{t.Id,-7} {t.Subject,-26} {status,-9} {t.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm}  {t.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm}  {(t.LastUsedAt is { } used ? used.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-"),-16}  {t.Label.ReplaceLineEndings(" ")}"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tokens.Count} token(s)."));
        return CommandLine.Ok;
    }
}
