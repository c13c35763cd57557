using Dapper;
using KccRights.Cases.Retention;
using Npgsql;

namespace KccRights.Collation.Store;

/// <summary>
/// Collation's part of a retention purge (UK GDPR Art 5(1)(e); issue 13 Build 7): the case's collated items (sealed
/// records and documents, manual-search uploads included) with their provenance, the candidates and identities found
/// for the subject, the agreed scope and the progress per system. These tables have no foreign key to cases, so
/// nothing cascades: each is emptied of the case here. Collation stores no files of a case (uploads are items).
/// </summary>
public sealed class CollationDataPurger : ICaseDataPurger
{
    public string Name => "collation";

    public async Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var removed = 0;
        string[] statements =
        [
            "DELETE FROM collation_item_sources WHERE case_id = @caseId OR item_id IN (SELECT id FROM collation_items WHERE case_id = @caseId)",
            "DELETE FROM collation_items WHERE case_id = @caseId",
            "DELETE FROM collation_candidates WHERE case_id = @caseId",
            "DELETE FROM collation_identities WHERE case_id = @caseId",
            "DELETE FROM collation_scopes WHERE case_id = @caseId",
            "DELETE FROM collation_runs WHERE case_id = @caseId",
        ];
        foreach (var sql in statements)
        {
            removed += await connection.ExecuteAsync(new CommandDefinition(sql, new { caseId }, transaction, cancellationToken: cancellationToken));
        }

        return removed;
    }
}
