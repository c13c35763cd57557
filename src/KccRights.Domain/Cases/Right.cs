namespace KccRights.Domain.Cases;

/// <summary>The rights a member of the public can exercise, each with its article and reference code.</summary>
public enum Right
{
    Access,
    Rectification,
    Erasure,
    Restriction,
    Portability,
    Objection,
    AutomatedDecision,
    Complaint,
}

public static class Rights
{
    private static readonly (Right Right, string Id, string Code, string Provision)[] Table =
    [
        (Right.Access, "access", "SAR", "UK GDPR Art 15"),
        (Right.Rectification, "rectification", "REC", "UK GDPR Art 16"),
        (Right.Erasure, "erasure", "ERA", "UK GDPR Art 17"),
        (Right.Restriction, "restriction", "RES", "UK GDPR Art 18"),
        (Right.Portability, "portability", "POR", "UK GDPR Art 20"),
        (Right.Objection, "objection", "OBJ", "UK GDPR Art 21"),
        (Right.AutomatedDecision, "automated-decision", "ADM", "UK GDPR Art 22"),
        (Right.Complaint, "complaint", "CMP", "DPA 2018 s.164A"),
    ];

    public static IReadOnlyList<Right> All { get; } = Table.Select(t => t.Right).ToArray();

    /// <summary>The kebab-case id used in workflow files, JSON and URLs.</summary>
    public static string Id(this Right right) => Row(right).Id;

    /// <summary>The three-letter code in case references.</summary>
    public static string Code(this Right right) => Row(right).Code;

    public static string Provision(this Right right) => Row(right).Provision;

    public static bool TryParseId(string? id, out Right right)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                right = row.Right;
                return true;
            }
        }

        right = default;
        return false;
    }

    public static bool TryParseCode(string? code, out Right right)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Code, code, StringComparison.Ordinal))
            {
                right = row.Right;
                return true;
            }
        }

        right = default;
        return false;
    }

    private static (Right Right, string Id, string Code, string Provision) Row(Right right) =>
        Table.First(t => t.Right == right);
}
