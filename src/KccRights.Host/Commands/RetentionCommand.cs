using System.Globalization;
using KccRights.Cases.Retention;
using KccRights.Host.Composition;
using KccRights.Infrastructure.Database;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights retention run [--dry-run]</c>: purges now every case closed longer ago than <c>Retention:AfterClosure</c>
/// (default two years), as <c>serve</c>'s sweep does; with <c>--dry-run</c> only lists them. Prints ids only.
/// </summary>
internal static class RetentionCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, [], ["--dry-run"]);
        if (parsed.Positionals is not ["run"])
        {
            throw new CommandLineException("usage: kccrights retention run [--dry-run]");
        }

        var configuration = KccRightsWiring.CommandConfiguration(parsed.Settings);
        using var loggerFactory = CommandLogging.Create();
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        var services = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddLogging()
            .AddKccRights(configuration, database.ConnectionString);
        await using var provider = services.BuildServiceProvider();
        var retention = provider.GetRequiredService<CaseRetention>();
        var run = await retention.RunAsync(parsed.Flag("--dry-run"));
        var cutoff = run.Cutoff.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var ids = run.Purged.Count == 0 ? "" : ": " + string.Join(' ', run.Purged.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        Console.Out.WriteLine(run.DryRun
            ? string.Create(CultureInfo.InvariantCulture, $"Would purge {run.Purged.Count} cases closed before {cutoff} ({retention.Options.AfterClosure} after closure){ids}")
            : string.Create(CultureInfo.InvariantCulture, $"Purged {run.Purged.Count} cases closed before {cutoff} ({retention.Options.AfterClosure} after closure){ids}"));
        return CommandLine.Ok;
    }
}
