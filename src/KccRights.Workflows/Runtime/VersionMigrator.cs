using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Workflows.Runtime;

public sealed record VersionMigrationResult(string DefinitionId, string FromVersion, string ToVersion, IReadOnlyDictionary<string, int> MovedByState, bool DryRun)
{
    public int Moved => MovedByState.Values.Sum();
}

/// <summary>
/// <c>kccrights workflows migrate</c>: moves running instances from one stored version to another with an explicit
/// state mapping, in one transaction, and records the migration (issue 3, item 4: never automatic).
/// </summary>
public sealed partial class VersionMigrator(NpgsqlDataSource dataSource, WorkflowEngine engine, TimeProvider time, ILogger<VersionMigrator> logger)
{
    public async Task<VersionMigrationResult> MigrateAsync(
        string definitionId,
        string fromVersion,
        string toVersion,
        IReadOnlyDictionary<string, string> stateMap,
        string actor,
        bool dryRun,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateMap);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var from = await ResolveAsync(transaction, definitionId, fromVersion, cancellationToken);
        var to = await ResolveAsync(transaction, definitionId, toVersion, cancellationToken);
        if (from == to)
        {
            throw new WorkflowException("The two versions are the same.");
        }

        var moved = await engine.MigrateInstancesAsync(transaction, definitionId, from, to, stateMap, actor, cancellationToken);
        var result = new VersionMigrationResult(definitionId, from, to, moved, dryRun);
        if (dryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
            return result;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO workflow_migrations (definition_id, from_version, to_version, state_map, instances, actor, at)
            VALUES (@definitionId, @from, @to, @map::jsonb, @instances, @actor, @now)
            """,
            new { definitionId, from, to, map = JsonSerializer.Serialize(stateMap), instances = result.Moved, actor, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        Log.Migrated(logger, definitionId, from, to, result.Moved);
        return result;
    }

    /// <summary>A stored version by its full hash or a unique prefix of at least 8 characters.</summary>
    private static async Task<string> ResolveAsync(NpgsqlTransaction transaction, string definitionId, string version, CancellationToken cancellationToken)
    {
        if (version.Length < 8)
        {
            throw new WorkflowException($"Version '{version}' is too short: give at least 8 characters of the hash.");
        }

        var matches = (await transaction.Connection!.QueryAsync<string>(new CommandDefinition(
            "SELECT version FROM workflow_definitions WHERE definition_id = @definitionId AND starts_with(version, @version)",
            new { definitionId, version = version.ToLowerInvariant() },
            transaction,
            cancellationToken: cancellationToken))).AsList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new WorkflowException($"No stored version of '{definitionId}' starts with '{version}' (see kccrights workflows versions)."),
            _ => throw new WorkflowException($"Version prefix '{version}' matches {matches.Count} versions of '{definitionId}'; give more characters."),
        };
    }

    /// <summary>Stored versions of every definition, newest first, with their running instance counts.</summary>
    public async Task<IReadOnlyList<StoredVersion>> VersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StoredVersion>(new CommandDefinition(
            """
            SELECT d.definition_id, d.version, d.stored_at,
                   (SELECT count(*) FROM workflow_instances i WHERE i.definition_id = d.definition_id AND i.definition_version = d.version AND i.status = 'running')::int AS running
            FROM workflow_definitions d ORDER BY d.definition_id, d.stored_at DESC
            """,
            cancellationToken: cancellationToken))).AsList();
    }

    private static partial class Log
    {
        [LoggerMessage(420, LogLevel.Warning, "Workflow {DefinitionId}: moved {Count} running instances from version {From} to {To}")]
        public static partial void Migrated(ILogger logger, string definitionId, string from, string to, int count);
    }
}

public sealed record StoredVersion
{
    public string DefinitionId { get; init; } = "";

    public string Version { get; init; } = "";

    public DateTimeOffset StoredAt { get; init; }

    public int Running { get; init; }
}
