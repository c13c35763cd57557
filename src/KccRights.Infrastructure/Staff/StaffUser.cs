namespace KccRights.Infrastructure.Staff;

/// <summary>The roles of people who sign in. A record-owner belongs to a team and sees only that team's work.</summary>
public static class StaffRoles
{
    public const string Officer = "officer";
    public const string RecordOwner = "record-owner";
    public const string Dpo = "dpo";
    public const string Admin = "admin";
    public const string Auditor = "auditor";

    public static IReadOnlyList<string> All { get; } = [Officer, RecordOwner, Dpo, Admin, Auditor];
}

public sealed record StaffUser
{
    public long Id { get; init; }
    public string Subject { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string Email { get; init; } = "";
    public string Role { get; init; } = "";
    public string? Team { get; init; }
    public bool Active { get; init; }

    /// <summary>Changes on deactivation, a change of role or team, and sign-out: a session cookie carrying an older stamp is refused.</summary>
    public Guid SecurityStamp { get; init; }
}

/// <summary>An API token as listed for an administrator: never the token itself, which is shown once and not stored.</summary>
public sealed record ApiTokenInfo
{
    public long Id { get; init; }
    public string Subject { get; init; } = "";
    public string Label { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
}
