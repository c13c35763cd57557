using KccRights.Host.Composition;
using KccRights.Infrastructure.Configuration;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;
using KccRights.Workflows.Validation;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Host.Extensions;

internal static partial class WorkflowExtensions
{
    /// <summary>What runs the workflows in <c>serve</c>: storing the definitions' versions at start, then the job workers.</summary>
    public static IServiceCollection AddWorkflowHosting(this IServiceCollection services)
    {
        // Registered before the workers so versions are stored before any job runs.
        services.AddHostedService<WorkflowStartupService>();
        services.AddWorkflowWorkers();
        return services;
    }

    /// <summary>
    /// Validates every options class registered to be validated on start, then resolves the definitions (each checked
    /// against the schema and the registered handlers, task types and conditions). Prints every error, one line each,
    /// and returns false when the service must not start.
    /// </summary>
    public static bool CheckDefinitions(IServiceProvider services, TextWriter errors)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            _ = services.GetRequiredService<WorkflowRuntimeOptions>();
            _ = services.GetRequiredService<DefinitionRegistry>();
            return true;
        }
        catch (InvalidWorkflowDefinitionsException ex)
        {
            foreach (var error in ex.Errors)
            {
                errors.WriteLine($"kccrights: {error}");
            }

            errors.WriteLine($"kccrights: refusing to start: {ex.Errors.Count} workflow definition error(s)");
            return false;
        }
        catch (Exception ex) when (ValidatedOptions.Failures(ex) is { Count: > 0 } failures)
        {
            Commands.CommandLine.ConfigurationFailed(failures, errors);
            return false;
        }
    }

    /// <summary>
    /// Services for commands that only read definitions: the database is never opened. The whole service is wired (each
    /// module registers the activities, conditions and task types the definitions are checked against); no stored mail
    /// is read, so a throwaway key stands in when none is configured, and no key file is written.
    /// </summary>
    public static ServiceProvider OfflineServices(IConfiguration configuration)
    {
        var offline = string.IsNullOrWhiteSpace(configuration["Intake:Storage:EncryptionKey"])
            ? new ConfigurationBuilder()
                .AddConfiguration(configuration)
                .AddInMemoryCollection([KccRightsWiring.ThrowawayEncryptionKey()])
                .Build()
            : configuration;
        return new ServiceCollection()
            .AddLogging()
            .AddKccRights(offline, "Host=127.0.0.1;Database=unused-by-this-command")
            .BuildServiceProvider();
    }

    public static IConfiguration WithDirectory(IConfiguration configuration, string? directory) =>
        directory is null
            ? configuration
            : new ConfigurationBuilder()
                .AddConfiguration(configuration)
                .AddInMemoryCollection([new KeyValuePair<string, string?>($"{WorkflowRuntimeOptions.Section}:{nameof(WorkflowRuntimeOptions.Directory)}", Path.GetFullPath(directory))])
                .Build();

    /// <summary>Stores the current version of every definition when the service starts (issue 3, item 4).</summary>
    private sealed partial class WorkflowStartupService(DefinitionRegistry definitions, NpgsqlDataSource dataSource, TimeProvider time, ILogger<WorkflowStartupService> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await definitions.StoreVersionsAsync(dataSource, time, cancellationToken);
            foreach (var loaded in definitions.Current)
            {
                Log.Version(logger, loaded.Definition.Id, loaded.Version[..12]);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static partial class Log
        {
            [LoggerMessage(110, LogLevel.Information, "Workflow {DefinitionId} at version {Version}")]
            public static partial void Version(ILogger logger, string definitionId, string version);
        }
    }
}
