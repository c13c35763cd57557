using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Staff;
using Npgsql;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights api-token create --user SUBJECT [--label TEXT]</c>: issues a per-user API token for /api. The token is
/// printed once; only its hash is stored.
/// </summary>
internal static class ApiTokenCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--user", "--label"], []);
        if (parsed.Positionals is not ["create"])
        {
            throw new CommandLineException("usage: kccrights api-token create --user SUBJECT [--label TEXT]");
        }

        var subject = parsed.Required("--user");
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        await using var database = await DatabaseBootstrap.StartAsync(DeadlineExtensions.CommandConfiguration(), loggerFactory);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var staff = new StaffStore(dataSource);
        var user = await staff.FindBySubjectAsync(subject) ?? throw new CommandLineException($"no active member of staff '{subject}'");
        Console.Out.WriteLine(await staff.CreateApiTokenAsync(user.Id, parsed.Single("--label") ?? "created with kccrights api-token"));
        return CommandLine.Ok;
    }
}
