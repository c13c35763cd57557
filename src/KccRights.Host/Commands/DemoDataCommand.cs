using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Collation;
using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using Npgsql;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights demo-data [--scale small|medium|large] [--seed N] [--truth FILE] [--people FILE]</c>: creates the demo
/// source systems (issue 11 Build 1) in the configured database, as the owner, and the demo document folder in the data
/// directory; checks the demo youth-justice API answers; writes the truth file when asked.
/// </summary>
internal static class DemoDataCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--scale", "--seed", "--truth", "--people"], []);
        if (parsed.Positionals.Count > 0)
        {
            throw new CommandLineException($"unexpected argument '{parsed.Positionals[0]}'");
        }

        DemoScale scale;
        try
        {
            scale = DemoScale.Parse(parsed.Single("--scale") ?? "small");
        }
        catch (ArgumentException ex)
        {
            throw new CommandLineException($"--scale: {ex.Message}");
        }

        var seed = parsed.Single("--seed") is { } s
            ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new CommandLineException($"--seed '{s}' is not a whole number")
            : 1;
        var people = PlantedPeople.Load(parsed.Single("--people"));

        using var loggerFactory = CommandLogging.Create();
        var configuration = CollationExtensions.CommandConfiguration(KccRightsWiring.CommandConfiguration(parsed.Settings));
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        var dataDirectory = CollationExtensions.DataDirectory(configuration);
        var generator = new DemoDataGenerator(database.MigrationConnectionString, dataDirectory, scale, seed, loggerFactory.CreateLogger("KccRights.Collation.Demo"));
        var result = await generator.GenerateAsync(people);

        // The demo youth-justice API: its token is made once in the data directory; check it serves the planted people.
        var options = configuration.GetSection(SourceSystemsOptions.Section).Get<SourceSystemsOptions>() ?? new SourceSystemsOptions();
        var secrets = new SourceSecrets(configuration, dataDirectory);
        var token = secrets.EnsureDemo(options.DemoServer.TokenName);
        var youthJustice = 0;
        if (options.Systems.Find(x => x.Kind == SourceKinds.HttpJson) is { } http)
        {
            await using var server = await YouthJusticeDemoServer.StartAsync(database.ConnectionString, token);
            var local = new SourceSystemOptions { Id = http.Id, Kind = http.Kind, BaseUrl = server.BaseAddress.ToString(), TokenName = options.DemoServer.TokenName, PageSize = http.PageSize, Datasets = http.Datasets };
            using var client = new HttpClient();
            var connector = new HttpJsonConnector(local, client, secrets);
            var ids = result.Truth.People.Values.SelectMany(p => p.TryGetValue(http.Id, out var v) ? v : []).Select(id => new ConfirmedIdentity(http.Id, id, [id])).ToList();
            youthJustice = (await connector.FetchAsync(ids, CancellationToken.None)).Count;
        }

        if (parsed.Single("--truth") is { } truthFile)
        {
            await File.WriteAllTextAsync(truthFile, result.Truth.ToJson());
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Demo source systems ({scale.Name}, seed {seed}): {scale.People:N0} people, {result.Rows:N0} rows loaded in {result.LoadElapsed.TotalSeconds:F1} s ({result.RowsPerSecond:N0} rows/s), indexes in {result.IndexElapsed.TotalSeconds:F1} s; documents in {result.DocumentsFolder}; youth-justice API served {youthJustice} planted records."));
        NpgsqlConnection.ClearAllPools();
        return CommandLine.Ok;
    }
}
