using Dapper;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Cases;

/// <summary>
/// Re-seals case_requests' sealed details and parties under the current key (<c>kccrights keys rotate</c>, issue 9
/// Build 6): the Cases module owns the table, so key rotation asks it. Each batch in a short transaction; running it
/// again after an interruption carries on.
/// </summary>
public static class CaseRequestSealing
{
    private const int Batch = 100;

    /// <summary>Returns how many details and parties values were re-sealed.</summary>
    public static async Task<(int Details, int Parties)> ResealAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(cipher);
        var details = await ResealColumnAsync(dataSource, cipher, "sealed_details", (caseId, value) => CaseRequestDetails.Open(cipher, caseId, value).Seal(cipher, caseId), cancellationToken);
        var parties = await ResealColumnAsync(dataSource, cipher, "sealed_parties", (caseId, value) => CaseRequestParties.Open(cipher, caseId, value).Seal(cipher, caseId), cancellationToken);
        return (details, parties);
    }

    /// <summary>Re-seals under the current key every value of a sealed case_requests column made with an earlier one.</summary>
    private static async Task<int> ResealColumnAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, string column, Func<long, byte[], byte[]> reseal, CancellationToken cancellationToken)
    {
        var count = 0;
        var lastCaseId = 0L;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<SealedRow>(new CommandDefinition(
                $"SELECT case_id, {column} AS sealed_value FROM case_requests WHERE {column} IS NOT NULL AND case_id > @lastCaseId ORDER BY case_id LIMIT @Batch FOR UPDATE",
                new { lastCaseId, Batch },
                transaction,
                cancellationToken: cancellationToken))).AsList();
            if (rows.Count == 0)
            {
                return count;
            }

            foreach (var row in rows.Where(r => !cipher.IsCurrent(SealedData.KeyIdOfSealed(r.SealedValue))))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE case_requests SET {column} = @sealed WHERE case_id = @CaseId",
                    new { @sealed = reseal(row.CaseId, row.SealedValue), row.CaseId },
                    transaction,
                    cancellationToken: cancellationToken));
                count++;
            }

            await transaction.CommitAsync(cancellationToken);
            lastCaseId = rows[^1].CaseId;
        }
    }

    private sealed record SealedRow
    {
        public long CaseId { get; init; }
        public byte[] SealedValue { get; init; } = [];
    }
}
