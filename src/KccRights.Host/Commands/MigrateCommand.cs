using KccRights.Host.Composition;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;

namespace KccRights.Host.Commands;

/// <summary><c>kccrights migrate</c>: apply the migrations (starting the embedded PostgreSQL if no database is configured).</summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, [], []);
        if (parsed.Positionals.Count > 0)
        {
            throw new CommandLineException($"unexpected argument '{parsed.Positionals[0]}'");
        }

        using var loggerFactory = CommandLogging.Create();
        await using var database = await DatabaseBootstrap.StartAsync(KccRightsWiring.CommandConfiguration(parsed.Settings), loggerFactory);
        Console.Out.WriteLine("Database is up to date.");
        return CommandLine.Ok;
    }
}
