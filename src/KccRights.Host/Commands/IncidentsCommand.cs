using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using KccRights.Workflows.Runtime;

namespace KccRights.Host.Commands;

/// <summary><c>kccrights incidents list [--all] | retry ID [--actor NAME]</c>: jobs that failed every attempt, and retrying one.</summary>
internal static class IncidentsCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--actor"], ["--all"]);
        long? retry = parsed.Positionals switch
        {
            ["list"] => null,
            ["retry", var id] when long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var incidentId) => incidentId,
            _ => throw new CommandLineException("usage: kccrights incidents list [--all] | retry ID [--actor NAME]"),
        };

        var configuration = KccRightsWiring.CommandConfiguration(parsed.Settings);
        using var loggerFactory = CommandLogging.Create();
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        await using var provider = WorkflowsCommand.OnlineServices(configuration, database.ConnectionString, loggerFactory);
        var store = provider.GetRequiredService<JobStore>();
        if (retry is { } incident)
        {
            var actor = parsed.Single("--actor") ?? $"kccrights incidents retry ({Environment.UserName})";
            switch (await store.RetryIncidentAsync(incident, actor))
            {
                case IncidentRetry.NotOpen:
                    return CommandLine.Fail(string.Create(CultureInfo.InvariantCulture, $"there is no open incident {incident}"), CommandLine.Failed);
                case IncidentRetry.Obsolete:
                    return CommandLine.Fail(string.Create(CultureInfo.InvariantCulture, $"incident {incident} is obsolete: the case has left the stage its job was for, so the job was not run again; the incident is closed"), CommandLine.Failed);
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Incident {incident}: its job is queued again."));
            return CommandLine.Ok;
        }

        var incidents = await store.IncidentsAsync(parsed.Flag("--all"));
        Console.Out.WriteLine("id      job       kind                           case      attempts  opened (UTC)      status   error");
        foreach (var i in incidents)
        {
            var error = i.Error.ReplaceLineEndings(" ");
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{i.Id,-7} {i.JobId,-9} {i.Kind,-30} {(i.CaseId?.ToString(CultureInfo.InvariantCulture) ?? "-"),-9} {i.Attempts,-9} {i.OpenedAt.UtcDateTime:yyyy-MM-dd HH:mm}  {i.Status,-8} {(error.Length > 80 ? error[..80] + "..." : error)}"));
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{incidents.Count} incident(s)."));
        return CommandLine.Ok;
    }
}
