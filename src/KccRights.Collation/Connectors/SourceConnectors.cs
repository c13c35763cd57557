using Microsoft.Extensions.Configuration;
using Npgsql;

namespace KccRights.Collation.Connectors;

/// <summary>The connectors for the configured source systems, made once and shared (each holds its pool or client).</summary>
public sealed class SourceConnectors : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, ISourceConnector> _connectors = new(StringComparer.Ordinal);
    private readonly List<NpgsqlDataSource> _owned = [];
    private readonly HttpClient _http;

    public SourceConnectors(SourceSystemsOptions options, IConfiguration configuration, NpgsqlDataSource serviceDatabase, SourceSecrets secrets, string dataDirectory, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        _http = handler is null ? new HttpClient { Timeout = TimeSpan.FromSeconds(30) } : new HttpClient(handler, disposeHandler: false);
        Options = options;
        foreach (var system in options.Systems)
        {
            _connectors[system.Id] = system.Kind switch
            {
                SourceKinds.Postgres => new PostgresConnector(system, DataSourceFor(system, configuration, serviceDatabase)),
                SourceKinds.HttpJson => new HttpJsonConnector(system, _http, secrets),
                SourceKinds.Folder => new FolderConnector(system, dataDirectory),
                _ => throw new InvalidOperationException($"source system {system.Id}: unknown kind {system.Kind}"),
            };
        }
    }

    public SourceSystemsOptions Options { get; }

    public IEnumerable<ISourceConnector> All => Options.Systems.Select(s => _connectors[s.Id]);

    public ISourceConnector Get(string systemId) =>
        _connectors.TryGetValue(systemId, out var connector) ? connector : throw new SourceSystemException($"source system {systemId} is not configured");

    private NpgsqlDataSource DataSourceFor(SourceSystemOptions system, IConfiguration configuration, NpgsqlDataSource serviceDatabase)
    {
        if (string.IsNullOrWhiteSpace(system.ConnectionStringName))
        {
            return serviceDatabase;
        }

        var connectionString = configuration.GetConnectionString(system.ConnectionStringName)
            ?? throw new InvalidOperationException($"source system {system.Id}: ConnectionStrings:{system.ConnectionStringName} is not set");
        var dataSource = NpgsqlDataSource.Create(connectionString);
        _owned.Add(dataSource);
        return dataSource;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned)
        {
            await d.DisposeAsync();
        }

        _http.Dispose();
    }

    /// <summary>For containers disposed synchronously (the commands, the test harnesses): the same, without awaiting.</summary>
    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }

        _http.Dispose();
    }
}
