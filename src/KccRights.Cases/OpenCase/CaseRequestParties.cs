using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Cases;

/// <summary>
/// Who a case's request is from and about, sealed into case_requests.sealed_parties (issue 9 Build 6, migration 0083;
/// UK GDPR Art 32(1)(a)): the requester's name and email address, the data subject's name, the agent's reference and
/// the phrases quoted from the request that decided it. Their plain columns stay empty; the data-access layer (the
/// queue, the case page, the letters) opens this value, so nothing filters or sorts on them in SQL.
/// </summary>
public sealed record CaseRequestParties
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string? RequesterName { get; init; }
    public string? RequesterEmail { get; init; }
    public string? SubjectName { get; init; }
    public string? AgentReference { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The associated data: the value belongs to this column of this case's row and no other.</summary>
    public static string Context(long caseId) => string.Create(CultureInfo.InvariantCulture, $"case_requests.sealed_parties:{caseId}");

    public byte[] Seal(IPersonalDataCipher cipher, long caseId)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return cipher.Seal(JsonSerializer.Serialize(this, Json), Context(caseId));
    }

    /// <summary>Opens a case's sealed value; a row without one (no request recorded) has no parties.</summary>
    public static CaseRequestParties Open(IPersonalDataCipher cipher, long caseId, byte[]? sealedParties)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return sealedParties is null
            ? new CaseRequestParties()
            : JsonSerializer.Deserialize<CaseRequestParties>(cipher.Open(sealedParties, Context(caseId)), Json) ?? new CaseRequestParties();
    }

    /// <summary>
    /// Seals the parties of rows stored in plain text before migration 0083 and empties their plain columns; run at every
    /// start (it finds nothing once done) and by <c>kccrights keys rotate</c>. Returns the number of rows sealed.
    /// </summary>
    public static async Task<int> SealPlaintextRowsAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(cipher);
        var sealedCount = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<PlainRow>(new CommandDefinition(
                """
                SELECT case_id, requester_name, requester_email, subject_name, agent_reference,
                       CASE WHEN jsonb_typeof(reasons) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(reasons)) ELSE ARRAY[reasons::text] END AS reasons
                FROM case_requests
                WHERE sealed_parties IS NULL
                  AND (requester_name IS NOT NULL OR requester_email IS NOT NULL OR subject_name IS NOT NULL OR agent_reference IS NOT NULL
                       OR reasons <> '[]'::jsonb)
                ORDER BY case_id LIMIT 200
                FOR UPDATE SKIP LOCKED
                """,
                transaction: transaction,
                cancellationToken: cancellationToken))).AsList();
            if (rows.Count == 0)
            {
                return sealedCount;
            }

            foreach (var row in rows)
            {
                var parties = new CaseRequestParties
                {
                    RequesterName = row.RequesterName,
                    RequesterEmail = row.RequesterEmail,
                    SubjectName = row.SubjectName,
                    AgentReference = row.AgentReference,
                    Reasons = row.Reasons ?? [],
                };
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE case_requests
                    SET sealed_parties = @sealed, requester_name = NULL, requester_email = NULL, subject_name = NULL, agent_reference = NULL,
                        reasons = '[]'
                    WHERE case_id = @CaseId
                    """,
                    new { @sealed = parties.Seal(cipher, row.CaseId), row.CaseId },
                    transaction,
                    cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            sealedCount += rows.Count;
        }
    }

    private sealed record PlainRow
    {
        public long CaseId { get; init; }
        public string? RequesterName { get; init; }
        public string? RequesterEmail { get; init; }
        public string? SubjectName { get; init; }
        public string? AgentReference { get; init; }
        public string[]? Reasons { get; init; }
    }
}
