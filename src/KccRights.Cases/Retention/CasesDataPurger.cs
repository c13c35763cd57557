using Dapper;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Cases.Retention;

/// <summary>
/// The Cases module's part of a purge: the request (sealed requester, subject and details, the intake reasons), the
/// clock with its pauses and history (free-text reasons, who extended), notes, links from the case, the search's blind
/// index, and the API's idempotency record (a hash of the request body). The case row itself is kept, blanked by
/// <see cref="CaseRetention"/>.
/// </summary>
public sealed class CasesDataPurger : ICaseDataPurger
{
    public string Name => "cases";

    public async Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var removed = 0;
        string[] statements =
        [
            "DELETE FROM api_idempotency_keys WHERE case_reference = (SELECT reference FROM cases WHERE id = @caseId)",
            "DELETE FROM case_search_tokens WHERE case_id = @caseId",
            "DELETE FROM case_notes WHERE case_id = @caseId",
            "DELETE FROM case_links WHERE case_id = @caseId",
            "DELETE FROM case_requests WHERE case_id = @caseId",
            "DELETE FROM case_clock_history WHERE case_id = @caseId",
            "DELETE FROM case_clock_pauses WHERE case_id = @caseId",
            "DELETE FROM case_clocks WHERE case_id = @caseId",
        ];
        foreach (var sql in statements)
        {
            removed += await connection.ExecuteAsync(new CommandDefinition(sql, new { caseId }, transaction, cancellationToken: cancellationToken));
        }

        return removed;
    }
}

/// <summary>
/// The workflow runtime's part of a purge (instances' data, tasks' answers, jobs' payloads, incidents, the log). The
/// runtime is a library that references no product module, so it cannot implement this contract; Cases, which
/// references the runtime, adapts the runtime's own <see cref="CaseDataRemoval"/> (the SQL stays in the owning module).
/// </summary>
public sealed class WorkflowsDataPurger : ICaseDataPurger
{
    public string Name => "workflows";

    public Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken) =>
        CaseDataRemoval.PurgeAsync(transaction, caseId, cancellationToken);
}
