using System.Globalization;
using Dapper;
using KccRights.Domain.Cases;
using Npgsql;

namespace KccRights.Cases;

/// <summary>Opens cases and allocates their references.</summary>
public sealed class CaseStore(NpgsqlDataSource dataSource)
{
    /// <summary>Creates a case row with the next reference for its right and year, inside the caller's transaction.</summary>
    public static async Task<(long Id, CaseReference Reference)> CreateAsync(
        NpgsqlTransaction transaction, Right right, int year, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection!;
        var number = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            INSERT INTO case_reference_counters (code, year, last_value) VALUES (@code, @year, 1)
            ON CONFLICT (code, year) DO UPDATE SET last_value = case_reference_counters.last_value + 1
            RETURNING last_value
            """,
            new { code = right.Code(), year },
            transaction,
            cancellationToken: cancellationToken));
        if (number > 999_999)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Case references for {right.Code()} in {year} are exhausted."));
        }

        var reference = new CaseReference(right, year, number);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO cases (reference, right_code, channel) VALUES (@reference, @right, @channel) RETURNING id",
            new { reference = reference.ToString(), right = right.Id(), channel },
            transaction,
            cancellationToken: cancellationToken));
        return (id, reference);
    }

    public async Task<long?> FindIdAsync(CaseReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM cases WHERE reference = @reference",
            new { reference = reference.ToString() },
            cancellationToken: cancellationToken));
    }
}
