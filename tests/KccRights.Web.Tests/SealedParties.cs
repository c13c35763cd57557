using KccRights.Cases;
using KccRights.Intake.Storage;
using KccRights.TestSupport;
using Npgsql;

namespace KccRights.Web.Tests;

/// <summary>
/// The requester and subject of every case, opened from case_requests.sealed_parties with the service's own
/// (development) key: they are not in plain text in the database (issue 9 Build 6), so tests cannot find them by SQL.
/// </summary>
internal static class SealedParties
{
    public static Task<IReadOnlyList<(string Reference, CaseRequestParties Parties)>> AllAsync(ServiceProcess service) =>
        AllAsync(service, service.DatabaseConnectionString());

    /// <summary>As above, for a service running on a database of the test's own (ConnectionStrings__Database).</summary>
    public static async Task<IReadOnlyList<(string Reference, CaseRequestParties Parties)>> AllAsync(ServiceProcess service, string connectionString)
    {
        var cipher = MessageCipher.FromOptions(new MessageStorageOptions(), service.DataDirectory);
        var all = new List<(string, CaseRequestParties)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT c.id, c.reference, r.sealed_parties FROM cases c JOIN case_requests r ON r.case_id = c.id ORDER BY c.id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var sealedParties = reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2);
            all.Add((reader.GetString(1), CaseRequestParties.Open(cipher, reader.GetInt64(0), sealedParties)));
        }

        return all;
    }

    /// <summary>How many case_requests rows hold a name, address, agent's reference or reasons in their plain columns.</summary>
    public static async Task<long> PlainValuesAsync(ServiceProcess service)
    {
        await using var connection = new NpgsqlConnection(service.DatabaseConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM case_requests WHERE requester_name IS NOT NULL OR requester_email IS NOT NULL OR subject_name IS NOT NULL OR agent_reference IS NOT NULL OR reasons <> '[]'",
            connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How many cases have a requester of this name.</summary>
    public static async Task<long> CountRequesterAsync(ServiceProcess service, Func<string, bool> name) =>
        (await AllAsync(service)).Count(c => c.Parties.RequesterName is { } n && name(n));
}
