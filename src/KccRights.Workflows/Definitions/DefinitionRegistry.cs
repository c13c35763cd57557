using System.Collections.Concurrent;
using Dapper;
using KccRights.Workflows.Validation;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Workflows.Definitions;

/// <summary>
/// The definitions this process runs: the current version of each (from the files, validated at start) and any older
/// version a running instance still uses (read from workflow_definitions once, then cached).
/// </summary>
public sealed class DefinitionRegistry
{
    private readonly Dictionary<string, LoadedDefinition> _current;
    private readonly ConcurrentDictionary<(string Id, string Version), WorkflowDefinition> _versions = new();

    public DefinitionRegistry(IEnumerable<LoadedDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        _current = definitions.ToDictionary(d => d.Definition.Id, StringComparer.Ordinal);
        foreach (var d in _current.Values)
        {
            _versions[(d.Definition.Id, d.Version)] = d.Definition;
        }
    }

    public IReadOnlyCollection<LoadedDefinition> Current => _current.Values;

    /// <summary>Loads and validates a directory; throws <see cref="InvalidWorkflowDefinitionsException"/> naming every error.</summary>
    public static DefinitionRegistry Load(string directory, WorkflowCatalog catalog)
    {
        var set = DefinitionLoader.LoadDirectory(directory, catalog);
        return set.IsValid ? new DefinitionRegistry(set.Definitions) : throw new InvalidWorkflowDefinitionsException(set.Errors);
    }

    public LoadedDefinition CurrentOf(string definitionId) =>
        _current.TryGetValue(definitionId, out var loaded) ? loaded : throw new WorkflowException($"There is no workflow definition '{definitionId}'.");

    /// <summary>The definition of a stored version (the one a running instance is on).</summary>
    public async ValueTask<WorkflowDefinition> GetAsync(NpgsqlTransaction transaction, string definitionId, string version, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue((definitionId, version), out var definition))
        {
            return definition;
        }

        ArgumentNullException.ThrowIfNull(transaction);
        var content = await transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT content FROM workflow_definitions WHERE definition_id = @definitionId AND version = @version",
            new { definitionId, version },
            transaction,
            cancellationToken: cancellationToken))
            ?? throw new WorkflowException($"Version {version} of workflow '{definitionId}' is not stored.");
        definition = DefinitionLoader.ParseStored(content);
        _versions[(definitionId, version)] = definition;
        return definition;
    }

    /// <summary>As above, outside any transaction (a page showing a case's workflow).</summary>
    public async ValueTask<WorkflowDefinition> GetAsync(NpgsqlDataSource dataSource, string definitionId, string version, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue((definitionId, version), out var definition))
        {
            return definition;
        }

        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return await GetAsync(transaction, definitionId, version, cancellationToken);
    }

    /// <summary>Stores the current version of every definition (service start); versions already stored are kept as they are.</summary>
    public async Task StoreVersionsAsync(NpgsqlDataSource dataSource, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(time);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var loaded in _current.Values)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO workflow_definitions (definition_id, version, content, stored_at) VALUES (@id, @version, @content, @now)
                ON CONFLICT (definition_id, version) DO NOTHING
                """,
                new { id = loaded.Definition.Id, version = loaded.Version, content = loaded.Content, now = time.GetUtcNow() },
                cancellationToken: cancellationToken));
        }
    }
}
