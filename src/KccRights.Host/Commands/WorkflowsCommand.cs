using KccRights.Host.Composition;
using System.Globalization;
using KccRights.Correspondence;
using KccRights.Host.Extensions;
using KccRights.Infrastructure.Database;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Validation;

namespace KccRights.Host.Commands;

/// <summary>
/// <c>kccrights workflows validate|diagram|schema|versions|migrate</c>: check the definitions (schema and meaning), print
/// one as a Mermaid state diagram, print the generated schema, list stored versions, and move running cases from one
/// version to another with an explicit state mapping.
/// </summary>
internal static class WorkflowsCommand
{
    private const string Usage =
        "usage: kccrights workflows validate [--dir DIR] | diagram ID [--svg] [--dir DIR] | schema | versions | "
        + "migrate ID --from-version HASH --to-version HASH [--map OLD=NEW]... [--actor NAME] [--dry-run]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var parsed = new Arguments(args, ["--dir", "--from-version", "--to-version", "--map", "--actor"], ["--dry-run", "--svg"]);
        var configuration = WorkflowExtensions.WithDirectory(KccRightsWiring.CommandConfiguration(parsed.Settings), parsed.Single("--dir"));
        return parsed.Positionals switch
        {
            ["validate"] => Validate(configuration),
            ["diagram", var id] => Diagram(configuration, id, parsed.Flag("--svg")),
            ["schema"] => Schema(),
            ["versions"] => await VersionsAsync(configuration),
            ["migrate", var id] => await MigrateAsync(configuration, id, parsed),
            _ => throw new CommandLineException(Usage),
        };
    }

    private static int Validate(IConfiguration configuration)
    {
        using var services = WorkflowExtensions.OfflineServices(configuration);
        var set = Load(services);
        foreach (var error in set.Errors)
        {
            Console.Error.WriteLine($"kccrights: {error}");
        }

        if (!set.IsValid)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kccrights: {set.Errors.Count} workflow definition error(s)"));
            return CommandLine.Failed;
        }

        foreach (var loaded in set.Definitions)
        {
            Console.Out.WriteLine($"{loaded.Definition.Id,-20} {loaded.Version[..12]}  {loaded.Definition.States.Count,3} states  {Path.GetFileName(loaded.File)}");
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{set.Definitions.Count} workflow definitions are valid."));
        return CommandLine.Ok;
    }

    private static int Diagram(IConfiguration configuration, string id, bool svg)
    {
        using var services = WorkflowExtensions.OfflineServices(configuration);
        var set = Load(services);
        var loaded = set.Find(id);
        if (loaded is null)
        {
            var problems = set.Errors.Where(e => Path.GetFileNameWithoutExtension(e.File) == id).ToList();
            foreach (var error in problems)
            {
                Console.Error.WriteLine($"kccrights: {error}");
            }

            return problems.Count > 0
                ? CommandLine.Failed
                : CommandLine.Fail($"no workflow definition '{id}'; known: {string.Join(", ", set.Definitions.Select(d => d.Definition.Id))}");
        }

        Console.Out.Write(svg ? StateDiagramSvg.Render(loaded.Definition) : MermaidDiagram.Render(loaded.Definition));
        return CommandLine.Ok;
    }

    private static int Schema()
    {
        Console.Out.Write(WorkflowSchema.Generate());
        return CommandLine.Ok;
    }

    private static async Task<int> VersionsAsync(IConfiguration configuration)
    {
        using var loggerFactory = CommandLogging.Create();
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        await using var provider = OnlineServices(configuration, database.ConnectionString, loggerFactory);
        foreach (var version in await provider.GetRequiredService<VersionMigrator>().VersionsAsync())
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{version.DefinitionId,-20} {version.Version}  stored {version.StoredAt:yyyy-MM-dd HH:mm}  running {version.Running}"));
        }

        return CommandLine.Ok;
    }

    private static async Task<int> MigrateAsync(IConfiguration configuration, string id, Arguments parsed)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parsed.All("--map"))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0 || !map.TryAdd(parts[0], parts[1]))
            {
                throw new CommandLineException($"--map '{pair}' is not OLD=NEW (each old state once)");
            }
        }

        var from = parsed.Required("--from-version");
        var to = parsed.Required("--to-version");
        var actor = parsed.Single("--actor") ?? $"kccrights workflows migrate ({Environment.UserName})";
        using var loggerFactory = CommandLogging.Create();
        await using var database = await DatabaseBootstrap.StartAsync(configuration, loggerFactory);
        await using var provider = OnlineServices(configuration, database.ConnectionString, loggerFactory);
        if (!WorkflowExtensions.CheckDefinitions(provider, Console.Error))
        {
            return CommandLine.Failed;
        }

        await provider.GetRequiredService<DefinitionRegistry>().StoreVersionsAsync(provider.GetRequiredService<Npgsql.NpgsqlDataSource>(), TimeProvider.System);
        VersionMigrationResult result;
        try
        {
            result = await provider.GetRequiredService<VersionMigrator>().MigrateAsync(id, from, to, map, actor, parsed.Flag("--dry-run"));
        }
        catch (WorkflowException ex)
        {
            return CommandLine.Fail(ex.Message, CommandLine.Failed);
        }

        foreach (var (state, count) in result.MovedByState.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var target = map.GetValueOrDefault(state) ?? state;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {state} -> {target}: {count}"));
        }

        Console.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(result.DryRun ? "Dry run: would move" : "Moved")} {result.Moved} running {id} instance(s) from {result.FromVersion[..12]} to {result.ToVersion[..12]}{(result.DryRun ? " (nothing changed)" : "; recorded in workflow_migrations and on each case's log")}."));
        return CommandLine.Ok;
    }

    private static DefinitionSet Load(IServiceProvider services)
    {
        var options = services.GetRequiredService<WorkflowRuntimeOptions>();
        return DefinitionLoader.LoadDirectory(options.Directory ?? DefinitionLoader.DefaultDirectory, services.GetRequiredService<WorkflowCatalog>());
    }

    internal static ServiceProvider OnlineServices(IConfiguration configuration, string connectionString, ILoggerFactory loggerFactory) =>
        new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddLogging()
            .AddKccRights(configuration, connectionString)
            .BuildServiceProvider();
}
