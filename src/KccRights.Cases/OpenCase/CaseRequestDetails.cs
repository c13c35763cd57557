using System.Globalization;
using System.Text.Json;
using Dapper;
using KccRights.Infrastructure.Encryption;
using Npgsql;

namespace KccRights.Cases;

/// <summary>
/// The personal details intake finds about a data subject, sealed into case_requests.sealed_details with the
/// stored-mail keys (issue 9 Build 6, migration 0082): date of birth, previous names, school, UPN, address and
/// postcode. The plain columns of those stay empty.
/// </summary>
public sealed record CaseRequestDetails
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DateOnly? SubjectDob { get; init; }
    public IReadOnlyList<string> PreviousNames { get; init; } = [];
    public string? School { get; init; }
    public string? Upn { get; init; }
    public string? Address { get; init; }
    public string? Postcode { get; init; }

    /// <summary>The associated data: the value belongs to this column of this case's row and no other.</summary>
    public static string Context(long caseId) => string.Create(CultureInfo.InvariantCulture, $"case_requests.sealed_details:{caseId}");

    public byte[] Seal(IPersonalDataCipher cipher, long caseId)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return cipher.Seal(JsonSerializer.Serialize(this, Json), Context(caseId));
    }

    public static CaseRequestDetails Open(IPersonalDataCipher cipher, long caseId, byte[] sealedDetails)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        return JsonSerializer.Deserialize<CaseRequestDetails>(cipher.Open(sealedDetails, Context(caseId)), Json) ?? new CaseRequestDetails();
    }

    /// <summary>Reads and opens one case's details (null when the case has none).</summary>
    public static async Task<CaseRequestDetails?> ReadAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, long caseId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sealedDetails = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "SELECT sealed_details FROM case_requests WHERE case_id = @caseId", new { caseId }, cancellationToken: cancellationToken));
        return sealedDetails is null ? null : Open(cipher, caseId, sealedDetails);
    }

    /// <summary>
    /// Seals the details of rows stored in plain text before migration 0082, and empties their plain columns; run at
    /// every start (it finds nothing once done) and by <c>kccrights keys rotate</c>. Returns the number of rows sealed.
    /// </summary>
    public static async Task<int> SealPlaintextRowsAsync(NpgsqlDataSource dataSource, IPersonalDataCipher cipher, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var sealedCount = 0;
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<PlainRow>(new CommandDefinition(
                """
                SELECT case_id, subject_dob, previous_names, school, upn, address, postcode
                FROM case_requests
                WHERE sealed_details IS NULL
                  AND (subject_dob IS NOT NULL OR cardinality(previous_names) > 0 OR school IS NOT NULL OR upn IS NOT NULL
                       OR address IS NOT NULL OR postcode IS NOT NULL)
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
                var details = new CaseRequestDetails
                {
                    SubjectDob = row.SubjectDob,
                    PreviousNames = row.PreviousNames ?? [],
                    School = row.School,
                    Upn = row.Upn,
                    Address = row.Address,
                    Postcode = row.Postcode,
                };
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE case_requests
                    SET sealed_details = @sealed, subject_dob = NULL, previous_names = '{}', school = NULL, upn = NULL, address = NULL,
                        postcode = NULL
                    WHERE case_id = @CaseId
                    """,
                    new { @sealed = details.Seal(cipher, row.CaseId), row.CaseId },
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
        public DateOnly? SubjectDob { get; init; }
        public string[]? PreviousNames { get; init; }
        public string? School { get; init; }
        public string? Upn { get; init; }
        public string? Address { get; init; }
        public string? Postcode { get; init; }
    }
}
