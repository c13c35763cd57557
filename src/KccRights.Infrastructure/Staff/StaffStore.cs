using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace KccRights.Infrastructure.Staff;

/// <summary>Staff users and their API tokens.</summary>
public sealed class StaffStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, subject, display_name, email, role, team, active, security_stamp";

    /// <summary>How long a new API token lasts unless its creator asks otherwise (issue 9, Build 7).</summary>
    public static readonly TimeSpan DefaultApiTokenLifetime = TimeSpan.FromDays(90);

    public async Task<StaffUser?> FindBySubjectAsync(string subject, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StaffUser>(new CommandDefinition(
            $"SELECT {Columns} FROM staff_users WHERE subject = @subject AND active", new { subject }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<StaffUser>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<StaffUser>(new CommandDefinition(
            $"SELECT {Columns} FROM staff_users WHERE active ORDER BY role, display_name", cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Every member of staff's display name by subject, deactivated ones too (their past work still shows who did it):
    /// pages show people by name, never by id (issue 14 item 3).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Subject, string DisplayName)>(new CommandDefinition(
            "SELECT subject, display_name FROM staff_users", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Subject, r => r.DisplayName, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Adds or updates a user by subject (the identity provider's stable id).</summary>
    public async Task<StaffUser> UpsertAsync(string subject, string displayName, string email, string role, string? team, CancellationToken cancellationToken = default)
    {
        if (!StaffRoles.All.Contains(role))
        {
            throw new ArgumentException($"Unknown role '{role}'.", nameof(role));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<StaffUser>(new CommandDefinition(
            $"""
            INSERT INTO staff_users (subject, display_name, email, role, team) VALUES (@subject, @displayName, @email, @role, @team)
            ON CONFLICT (subject) DO UPDATE SET display_name = excluded.display_name, email = excluded.email,
                                                role = excluded.role, team = excluded.team, active = true
            RETURNING {Columns}
            """,
            new { subject, displayName, email, role, team },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A new security stamp for a user, so every session cookie issued before now is refused (sign-out; issue 9, Build 3).
    /// Deactivation and changes of role or team change it by trigger (migration 0075).
    /// </summary>
    public async Task RotateSecurityStampAsync(string subject, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE staff_users SET security_stamp = gen_random_uuid() WHERE subject = @subject", new { subject }, cancellationToken: cancellationToken));
    }

    /// <summary>Creates an API token for a user; the token itself is returned once and only its hash is kept.</summary>
    public async Task<string> CreateApiTokenAsync(long userId, string label, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        var token = "kcc_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_tokens (user_id, token_hash, label, expires_at) VALUES (@userId, @hash, @label, now() + @lifetime)",
            new { userId, hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), label, lifetime = lifetime ?? DefaultApiTokenLifetime },
            cancellationToken: cancellationToken));
        return token;
    }

    /// <summary>An active user's unexpired, unrevoked token; null for anything else.</summary>
    public async Task<StaffUser?> FindByApiTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StaffUser>(new CommandDefinition(
            """
            UPDATE api_tokens t SET last_used_at = now()
            FROM staff_users u
            WHERE t.token_hash = @hash AND t.revoked_at IS NULL AND t.expires_at > now() AND u.id = t.user_id AND u.active
            RETURNING u.id, u.subject, u.display_name, u.email, u.role, u.team, u.active, u.security_stamp
            """,
            new { hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)) },
            cancellationToken: cancellationToken));
    }

    /// <summary>Every API token, newest first, with whose it is and whether it still works; never the token itself.</summary>
    public async Task<IReadOnlyList<ApiTokenInfo>> ListApiTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ApiTokenInfo>(new CommandDefinition(
            """
            SELECT t.id, u.subject, t.label, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
            FROM api_tokens t JOIN staff_users u ON u.id = t.user_id
            ORDER BY t.id DESC
            """,
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Revokes a token by id; false when there is no such token or it was already revoked.</summary>
    public async Task<bool> RevokeApiTokenAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET revoked_at = now() WHERE id = @id AND revoked_at IS NULL", new { id }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Records a one-time form token; false when it was already used (a double submission), so the caller does nothing.
    /// </summary>
    public static async Task<bool> ClaimFormTokenAsync(NpgsqlTransaction transaction, Guid token, string subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var inserted = await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO form_submissions (token, user_subject) VALUES (@token, @subject) ON CONFLICT (token) DO NOTHING",
            new { token, subject },
            transaction,
            cancellationToken: cancellationToken));
        return inserted == 1;
    }
}
