using KccRights.Host.Composition;
using System.Globalization;
using System.Text.Json;
using KccRights.Collation;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Collation.Matching;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using Npgsql;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights match --given G --family F [--previous-family P] [--dob D] [--postcode P] [--upn U]</c>: searches every
/// configured source system and prints one JSON line, <c>{"candidates":[...]}</c>, best first. A system that cannot be
/// searched is named on standard error (never a silent gap).
/// </summary>
internal static class MatchCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--given", "--family", "--previous-family", "--dob", "--postcode", "--upn"], []);
        if (parsed.Positionals.Count > 0)
        {
            throw new CommandLineException($"unexpected argument '{parsed.Positionals[0]}'");
        }

        var dob = parsed.Single("--dob") is { } d
            ? DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : throw new CommandLineException($"--dob '{d}' is not a date (YYYY-MM-DD)")
            : (DateOnly?)null;
        var query = new PersonQuery(parsed.Required("--given"), parsed.Required("--family"), parsed.Single("--previous-family"), dob, parsed.Single("--postcode"), parsed.Single("--upn"));

        using var loggerFactory = CommandLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning);
        var configuration = CollationExtensions.CommandConfiguration(KccRightsWiring.CommandConfiguration(parsed.Settings));
        var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>() ?? new SourceSystemsOptions();
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new CommandLineException(string.Join("; ", errors));
        }

        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory, migrate: false);
        var dataDirectory = CollationExtensions.DataDirectory(configuration);
        var secrets = new SourceSecrets(configuration, dataDirectory);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        // The demo youth-justice API runs inside `serve`; when no service is running, this command serves it itself.
        YouthJusticeDemoServer? demo = null;
        if (options.DemoServer.Enabled && secrets.Find(options.DemoServer.TokenName) is { } token)
        {
            try
            {
                demo = await YouthJusticeDemoServer.StartAsync(database.ConnectionString, token, options.DemoServer.Port);
            }
            catch (IOException)
            {
                // Port taken: a running service already serves it.
            }
        }

        try
        {
            await using var connectors = new SourceConnectors(options, configuration, dataSource, secrets, dataDirectory);
            var result = await new PersonMatcher(connectors).FindAsync(query);
            foreach (var failure in result.Failures)
            {
                Console.Error.WriteLine($"kccrights: {failure}");
            }

            Console.Out.WriteLine(JsonSerializer.Serialize(new { candidates = result.Candidates }));
            return CommandLine.Ok;
        }
        finally
        {
            if (demo is not null)
            {
                await demo.DisposeAsync();
            }
        }
    }
}
