using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Audit;
using KccRights.Infrastructure.Database;
using Npgsql;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights audit verify</c>: checks the audit trail's hash chain and prints the first broken link; exit 1 when
/// the trail was changed (issue 9 item 8).
/// </summary>
internal static class AuditCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, [], []);
        if (parsed.Positionals is not ["verify"])
        {
            throw new CommandLineException("usage: kccrights audit verify");
        }

        using var loggerFactory = CommandLogging.Create(LogLevel.Warning);
        await using var database = await DatabaseBootstrap.StartAsync(KccRightsWiring.CommandConfiguration(parsed.Settings), loggerFactory);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var report = await AuditChain.VerifyAsync(dataSource);
        if (report.Intact)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Audit trail intact: {report.EventsChecked} events."));
            return CommandLine.Ok;
        }

        return CommandLine.Fail(
            string.Create(CultureInfo.InvariantCulture, $"audit trail broken at event {report.BrokenAtSeq} (id {report.BrokenAtId?.ToString(CultureInfo.InvariantCulture) ?? "-"}): {report.Problem}; {report.EventsChecked} events before it are intact"),
            CommandLine.Failed);
    }
}
