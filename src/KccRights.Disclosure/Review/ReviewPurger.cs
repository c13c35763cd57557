using Dapper;
using KccRights.Cases.Retention;
using Npgsql;

namespace KccRights.Disclosure.Review;

/// <summary>Retention (UK GDPR Art 5(1)(e)): a purged case's review decisions, redactions, suggestion answers and checks.</summary>
public sealed class ReviewPurger : ICaseDataPurger
{
    public string Name => "review";

    public Task<int> PurgeAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH c AS (DELETE FROM review_checks WHERE case_id = @caseId RETURNING 1),
                 s AS (DELETE FROM review_suggestion_states WHERE case_id = @caseId RETURNING 1),
                 r AS (DELETE FROM review_redactions WHERE case_id = @caseId RETURNING 1),
                 d AS (DELETE FROM review_decisions WHERE case_id = @caseId RETURNING 1)
            SELECT (SELECT count(*) FROM c) + (SELECT count(*) FROM s) + (SELECT count(*) FROM r) + (SELECT count(*) FROM d)
            """,
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
    }
}
