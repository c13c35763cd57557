using System.Text.Json;
using Dapper;
using Npgsql;

namespace KccRights.Infrastructure.Audit;

public sealed record AuditEvent
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public string ActorRole { get; init; } = "";
    public string Action { get; init; } = "";
    public long? CaseId { get; init; }
    public string? Reference { get; init; }
    public string Outcome { get; init; } = "";
    public string Detail { get; init; } = "{}";
}

/// <summary>
/// The append-only record of who viewed, downloaded or changed which case, and of every refusal, so the council can
/// show the ICO afterwards what was done, by whom and when (UK GDPR Art 5(2) accountability).
/// The table refuses UPDATE, DELETE and TRUNCATE and each row is hash-chained to the one before (migration 0080,
/// <see cref="AuditChain"/>). The chain's head is locked from an insert until its transaction ends, so inside a
/// transaction record the event last, just before the commit, as every caller does: an event recorded early would hold
/// up every other audited action until the commit, and could deadlock with one holding a row this transaction wants.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task RecordAsync(string actor, string actorRole, string action, long? caseId, bool allowed = true, object? detail = null, NpgsqlTransaction? transaction = null, CancellationToken cancellationToken = default)
    {
        var command = new CommandDefinition(
            """
            INSERT INTO audit_events (at, actor, actor_role, action, case_id, outcome, detail)
            VALUES (@at, @actor, @actorRole, @action, @caseId, @outcome, @detail::jsonb)
            """,
            new { at = time.GetUtcNow(), actor, actorRole, action, caseId, outcome = allowed ? "allowed" : "refused", detail = JsonSerializer.Serialize(detail ?? new { }) },
            transaction,
            cancellationToken: cancellationToken);
        if (transaction is not null)
        {
            await transaction.Connection!.ExecuteAsync(command);
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(command);
    }

    /// <summary>
    /// The same record as a statement for the caller to send in its own batch, e.g. with the COMMIT of the change it
    /// records (<c>IWorkflowEngine.RaiseAndCommitAsync</c>): the record and the change commit together or not at all.
    /// </summary>
    public NpgsqlBatchCommand Command(string actor, string actorRole, string action, long? caseId, bool allowed = true, object? detail = null) =>
        new(
            """
            INSERT INTO audit_events (at, actor, actor_role, action, case_id, outcome, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = time.GetUtcNow().ToUniversalTime() },
                new NpgsqlParameter { Value = actor },
                new NpgsqlParameter { Value = actorRole },
                new NpgsqlParameter { Value = action },
                new NpgsqlParameter { Value = caseId is { } id ? id : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint },
                new NpgsqlParameter { Value = allowed ? "allowed" : "refused" },
                new NpgsqlParameter { Value = JsonSerializer.Serialize(detail ?? new { }) },
            },
        };

    public async Task<IReadOnlyList<AuditEvent>> RecentAsync(long? caseId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<AuditEvent>(new CommandDefinition(
            """
            SELECT a.id, a.at, a.actor, a.actor_role, a.action, a.case_id, c.reference, a.outcome, a.detail::text AS detail
            FROM audit_events a LEFT JOIN cases c ON c.id = a.case_id
            WHERE (@caseId::bigint IS NULL OR a.case_id = @caseId)
            ORDER BY a.id DESC LIMIT @limit
            """,
            new { caseId, limit },
            cancellationToken: cancellationToken))).AsList();
    }
}
