using KccRights.Collation.Connectors;
using KccRights.Collation.Demo;
using KccRights.Collation.Jobs;
using KccRights.Collation.Matching;
using KccRights.Collation.Store;
using KccRights.Collation.Workflow;
using KccRights.Infrastructure.Database;
using KccRights.Workflows.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KccRights.Collation;

/// <summary>
/// Wires collation into a host: the source systems (from <c>source-systems.json</c> beside the executable, or the file
/// named by <c>SourceSystems:File</c>, overridable key by key from any later configuration source), validated at start;
/// the connectors, the matcher, the store, the job handlers and the task types; and, when <c>SourceSystems:DemoServer:Enabled</c>,
/// the demo youth-justice API. Needs an NpgsqlDataSource (AddKccCore), an IPersonalDataCipher (intake) and the runtime's IJobQueue.
/// </summary>
public static partial class CollationExtensions
{
    public const string FileSetting = "SourceSystems:File";

    public static IHostApplicationBuilder AddKccCollation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSourceSystemsFile(builder.Configuration);
        builder.Services.AddCollation(builder.Configuration);
        builder.Services.AddCollationHosting();
        return builder;
    }

    /// <summary>
    /// The module's services, handlers and task types, bound from <paramref name="configuration"/> with the
    /// source-systems file beneath it (for the host's one wiring, the commands and the test harnesses alike).
    /// </summary>
    public static IServiceCollection AddCollation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var withFile = CommandConfiguration(configuration);
        services.AddOptions<SourceSystemsOptions>().Bind(withFile.GetSection(SourceSystemsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SourceSystemsOptions>, SourceSystemsValidator>();
        services.AddSingleton(_ => new SourceSecrets(withFile, DataDirectory(withFile)));
        services.AddSingleton(sp => new SourceConnectors(
            sp.GetRequiredService<IOptions<SourceSystemsOptions>>().Value,
            withFile,
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<SourceSecrets>(),
            DataDirectory(withFile)));
        services.AddSingleton<PersonMatcher>();
        services.AddSingleton<CollationStore>();
        services.AddSingleton<KccRights.Cases.Retention.ICaseDataPurger, CollationDataPurger>();
        services.AddSingleton<CandidateStore>();
        services.AddSingleton<KccRights.Disclosure.Items.IReviewItemSource, CollationReviewItems>();
        services.AddSingleton<KccRights.Disclosure.Suggestions.IKnownPeopleSource, KnownPeople>();
        services.AddOptions<ManualSearchOptions>().Bind(configuration.GetSection(ManualSearchOptions.Section)).Validate(
            o => o.DueWorkingDaysBeforeDeadline is >= 0 and <= 60 && o.ChaseEveryWorkingDays is >= 1 and <= 30 && o.MaxChasers is >= 0 and <= 100 && o.MaxUploadBytes is > 0 and <= 500L * 1024 * 1024 && o.MaxFiles is >= 1 and <= 500,
            $"{ManualSearchOptions.Section}: DueWorkingDaysBeforeDeadline 0-60, ChaseEveryWorkingDays 1-30, MaxChasers 0-100, MaxUploadBytes 1 byte to 500 MB, MaxFiles 1-500").ValidateOnStart();
        services.AddSingleton<ManualSearches>();
        services.AddSingleton<IWorkflowCondition, IdentitiesDecidedCondition>();
        services.AddSingleton<IJobHandler, FindCandidatesHandler>();
        services.AddSingleton<IJobHandler, CollateRecordsHandler>();
        services.AddSingleton<IJobHandler, CollateSystemHandler>();
        services.AddSingleton<IJobHandler, ManualSearchChaserHandler>();
        foreach (var type in CollationTaskTypes.All)
        {
            services.AddSingleton(type);
        }
        return services;
    }

    /// <summary>What only <c>serve</c> runs: the demo youth-justice API (when enabled) and the document index warm-up.</summary>
    public static IServiceCollection AddCollationHosting(this IServiceCollection services)
    {
        services.AddHostedService<DemoServerService>();
        services.AddHostedService<DocumentIndexWarmup>();
        return services;
    }

    /// <summary>Puts the source-systems file first (lowest precedence), so appsettings and the environment override it.</summary>
    public static void AddSourceSystemsFile(IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var file = configuration[FileSetting] ?? Path.Combine(AppContext.BaseDirectory, "source-systems.json");
        var source = new JsonConfigurationSource { Path = Path.GetFullPath(file), Optional = configuration[FileSetting] is null, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
    }

    /// <summary>The configuration for a command: source-systems.json, appsettings.json, the environment.</summary>
    public static IConfigurationRoot CommandConfiguration(IConfiguration baseConfiguration)
    {
        var manager = new ConfigurationManager();
        manager.AddConfiguration(baseConfiguration);
        AddSourceSystemsFile(manager);
        return manager;
    }

    public static string DataDirectory(IConfiguration configuration) =>
        (configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()).DataDirectory;

    private sealed class SourceSystemsValidator : IValidateOptions<SourceSystemsOptions>
    {
        public ValidateOptionsResult Validate(string? name, SourceSystemsOptions options) =>
            options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }

    /// <summary>Builds the document folders' identifier index in the background at start, so the first collation is not slowed by it.</summary>
    private sealed partial class DocumentIndexWarmup(SourceConnectors connectors, ILogger<DocumentIndexWarmup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var folder in connectors.All.OfType<FolderConnector>())
            {
                _ = Task.Run(
                    () =>
                    {
                        try
                        {
                            Log.Indexed(logger, folder.System.Id, folder.Index().Count);
                        }
                        catch (Exception ex) when (ex is SourceSystemException or IOException or UnauthorizedAccessException)
                        {
                            Log.NotIndexed(logger, folder.System.Id, ex.Message);
                        }
                    },
                    CancellationToken.None);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static partial class Log
        {
            [LoggerMessage(1122, LogLevel.Information, "Source system {System}: {Files} documents indexed")]
            public static partial void Indexed(ILogger logger, string system, int files);

            [LoggerMessage(1123, LogLevel.Warning, "Source system {System}: documents not indexed: {Reason}")]
            public static partial void NotIndexed(ILogger logger, string system, string reason);
        }
    }

    /// <summary>Serves the demo youth-justice API while the service runs (demo only; another instance may already serve it).</summary>
    private sealed partial class DemoServerService(IOptions<SourceSystemsOptions> options, SourceSecrets secrets, NpgsqlDataSource dataSource, ILogger<DemoServerService> logger) : IHostedService, IAsyncDisposable
    {
        private YouthJusticeDemoServer? _server;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var demo = options.Value.DemoServer;
            if (!demo.Enabled)
            {
                return;
            }

            try
            {
                _server = await YouthJusticeDemoServer.StartAsync(dataSource, secrets.EnsureDemo(demo.TokenName), demo.Port, cancellationToken);
                Log.Serving(logger, _server.BaseAddress.ToString());
            }
            catch (IOException)
            {
                Log.PortTaken(logger, demo.Port);
            }
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
                _server = null;
            }
        }

        private static partial class Log
        {
            [LoggerMessage(1120, LogLevel.Information, "Demo youth-justice API serving at {Address}")]
            public static partial void Serving(ILogger logger, string address);

            [LoggerMessage(1121, LogLevel.Warning, "Demo youth-justice API not started: port {Port} is taken (another kccrights instance serves it)")]
            public static partial void PortTaken(ILogger logger, int port);
        }
    }
}
