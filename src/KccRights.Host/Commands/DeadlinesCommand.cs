using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Cases;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using KccRights.Infrastructure.Deadlines;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights deadlines recalculate</c>: after the bank-holiday file changes (government can add a one-off holiday),
/// recalculates every open case's statutory dates with the new data.
/// </summary>
internal static class DeadlinesCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--actor"], []);
        if (parsed.Positionals is not ["recalculate"])
        {
            throw new CommandLineException("usage: kccrights deadlines recalculate [--actor NAME]");
        }

        var configuration = KccRightsWiring.CommandConfiguration(parsed.Settings);
        using var loggerFactory = CommandLogging.Create();
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        var services = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddLogging()
            .AddKccRights(configuration, database.ConnectionString);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ClockStore>();
        var progress = new Progress<int>(n => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recalculated {n} open cases")));
        var result = await store.RecalculateOpenAsync(parsed.Single("--actor") ?? "kccrights deadlines recalculate", progress);
        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Recalculated {result.OpenCases} open cases: {result.Changed} changed, in {result.Elapsed.TotalSeconds:0.00} s."));
        return CommandLine.Ok;
    }
}
