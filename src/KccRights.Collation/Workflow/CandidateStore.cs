using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Collation.Matching;
using KccRights.Collation.Store;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Collation.Workflow;

/// <summary>A candidate record for a case's subject, with the officer's decision on it (null while undecided).</summary>
public sealed record CaseCandidate(
    string System,
    string PersonId,
    int Rank,
    double Score,
    string Band,
    string Display,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Identifiers,
    string? Decision,
    string? DecidedBy);

/// <summary>
/// collation_candidates (migration 0102): what the matcher found for a case's subject, sealed, for the officer to confirm
/// or reject. Only confirmed identities are collated (UK GDPR Art 15: the subject's own data, nobody else's).
/// </summary>
public sealed class CandidateStore(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, CollationStore store)
{
    /// <summary>At most this many candidates are kept per case (all of band match and review come first).</summary>
    public const int MaxCandidates = 200;

    /// <summary>Candidates of band unlikely kept for the officer to see (the best of them).</summary>
    public const int UnlikelyKept = 10;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Detail(string Display, IReadOnlyList<string> Reasons, IReadOnlyList<string> Identifiers);

    /// <summary>Replaces the case's candidates (a re-run of the search updates, never duplicates); returns how many were kept.</summary>
    public async Task<int> ReplaceAsync(NpgsqlTransaction transaction, long caseId, IReadOnlyList<MatchCandidate> candidates, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(candidates);
        var kept = candidates.Where(c => c.Band != PersonMatcher.Unlikely)
            .Concat(candidates.Where(c => c.Band == PersonMatcher.Unlikely).Take(UnlikelyKept))
            .Take(MaxCandidates)
            .ToList();
        var connection = transaction.Connection!;
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM collation_candidates WHERE case_id = @caseId", new { caseId }, transaction, cancellationToken: cancellationToken));
        var rank = 0;
        foreach (var c in kept)
        {
            rank++;
            var detail = JsonSerializer.Serialize(new Detail(c.Display, c.Reasons, c.Identifiers), Json);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO collation_candidates (case_id, system, person_id, rank, score, band, sealed_detail, found_at)
                VALUES (@caseId, @System, @PersonId, @rank, @Score, @Band, @sealedDetail, @at)
                ON CONFLICT (case_id, system, person_id) DO NOTHING
                """,
                new { caseId, c.System, c.PersonId, rank, c.Score, c.Band, sealedDetail = cipher.Seal(detail, Context(caseId, c.System, c.PersonId)), at },
                transaction,
                cancellationToken: cancellationToken));
        }

        return kept.Count;
    }

    /// <summary>The case's candidates, best first, opened, with each one's decision.</summary>
    public async Task<IReadOnlyList<CaseCandidate>> ListAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string System, string PersonId, int Rank, double Score, string Band, byte[] SealedDetail, string? Status, string? DecidedBy)>(new CommandDefinition(
            """
            SELECT c.system, c.person_id, c.rank, c.score, c.band, c.sealed_detail, i.status, i.decided_by
            FROM collation_candidates c
            LEFT JOIN collation_identities i ON i.case_id = c.case_id AND i.system = c.system AND i.person_id = c.person_id
            WHERE c.case_id = @caseId ORDER BY c.rank
            """,
            new { caseId },
            cancellationToken: cancellationToken));
        return rows.Select(r =>
        {
            var detail = JsonSerializer.Deserialize<Detail>(cipher.Open(r.SealedDetail, Context(caseId, r.System, r.PersonId)), Json)!;
            return new CaseCandidate(r.System, r.PersonId, r.Rank, r.Score, r.Band, detail.Display, detail.Reasons, detail.Identifiers, r.Status, r.DecidedBy);
        }).ToList();
    }

    /// <summary>
    /// Records the officer's decision on one of the case's candidates (never on a record the matcher did not offer), while
    /// the identity confirmation is open. Throws <see cref="CollationRefusedException"/> with the reason otherwise.
    /// </summary>
    public async Task DecideAsync(long caseId, string system, string personId, bool confirmed, string actor, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var candidate = (await ListAsync(caseId, cancellationToken)).FirstOrDefault(c => c.System == system && c.PersonId == personId)
            ?? throw new CollationRefusedException("That record is not one of this case's candidates.");
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var open = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM workflow_tasks WHERE case_id = @caseId AND type = @type AND status = 'open')",
                new { caseId, type = CollationTaskTypes.ConfirmIdentities },
                cancellationToken: cancellationToken));
            if (!open)
            {
                throw new CollationRefusedException("Identities can be confirmed or rejected only while the case's identity confirmation task is open.");
            }
        }

        await store.DecideAsync(caseId, system, personId, candidate.Identifiers, confirmed, candidate.Display, actor, at, cancellationToken);
    }

    /// <summary>How many candidates of band match or review are still undecided (they must all be decided before collating).</summary>
    public static async Task<int> UndecidedAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await transaction.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT count(*)::int FROM collation_candidates c
            WHERE c.case_id = @caseId AND c.band IN ('match', 'review')
              AND NOT EXISTS (SELECT 1 FROM collation_identities i WHERE i.case_id = c.case_id AND i.system = c.system AND i.person_id = c.person_id)
            """,
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>How many candidates of band match or review of the case are still undecided (for the page, outside a transaction).</summary>
    public async Task<int> UndecidedAsync(long caseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return await UndecidedAsync(transaction, caseId, cancellationToken);
    }

    private static string Context(long caseId, string system, string personId) =>
        string.Create(CultureInfo.InvariantCulture, $"collation_candidates.sealed_detail:{caseId}:{system}:{personId}");
}

/// <summary>An officer's collation action refused, with the reason in words.</summary>
public sealed class CollationRefusedException(string message) : Exception(message);
