using System.Text.Json.Serialization;

namespace KccRights.Domain.Register;

/// <summary>
/// The council's register of processing (UK GDPR Art 30), built from the pupil privacy notice: what data it holds, why,
/// on which lawful basis (Art 6(1)(c) legal obligation, Art 6(1)(e) public task) and special-category condition (Art 9(2)),
/// where it comes from, who receives it and how long it is kept, and which source dataset of which system is used for
/// what. The Art 15(1) information of a response is generated from it; connectors map their datasets onto it.
/// </summary>
public sealed record RegisterOfProcessing
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    public required Controller Controller { get; init; }

    /// <summary>The document the register was built from (the privacy notice and its date).</summary>
    public required string BasedOn { get; init; }

    public required IReadOnlyList<DataCategory> Categories { get; init; }

    public required IReadOnlyList<LegalProvision> LawfulBases { get; init; }

    public required IReadOnlyList<LegalProvision> SpecialCategoryConditions { get; init; }

    public required IReadOnlyList<Purpose> Purposes { get; init; }

    public required IReadOnlyList<Described> Sources { get; init; }

    public required IReadOnlyList<Described> Recipients { get; init; }

    public required IReadOnlyList<RetentionRule> Retention { get; init; }

    public required AutomatedDecisionMaking AutomatedDecisionMaking { get; init; }

    public required IReadOnlyList<SourceSystem> Systems { get; init; }

    /// <summary>The dataset with these ids, or null.</summary>
    public Dataset? FindDataset(string system, string dataset) =>
        Systems.FirstOrDefault(s => s.Id == system)?.Datasets.FirstOrDefault(d => d.Id == dataset);
}

public sealed record Controller
{
    public required string Name { get; init; }

    public required string DataProtectionOfficer { get; init; }

    public required string Contact { get; init; }
}

public sealed record DataCategory
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Special category data (Art 9(1)): needs an Art 9(2) condition besides the lawful basis.</summary>
    public required bool Special { get; init; }
}

/// <summary>An Art 6(1) lawful basis or an Art 9(2) condition.</summary>
public sealed record LegalProvision
{
    public required string Id { get; init; }

    public required string Article { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }
}

public sealed record Purpose
{
    public required string Id { get; init; }

    public required string Description { get; init; }

    /// <summary>Ids of <see cref="RegisterOfProcessing.LawfulBases"/>: at least one (Art 6(1)).</summary>
    public required IReadOnlyList<string> LawfulBases { get; init; }

    /// <summary>Ids of <see cref="RegisterOfProcessing.SpecialCategoryConditions"/> relied on when special category data is used.</summary>
    public required IReadOnlyList<string> SpecialCategoryConditions { get; init; }
}

/// <summary>A source or a recipient: an id and the words the notice uses.</summary>
public sealed record Described
{
    public required string Id { get; init; }

    public required string Description { get; init; }
}

public sealed record RetentionRule
{
    public required string Id { get; init; }

    public required string Description { get; init; }

    /// <summary>Kept until the subject's birthday of this age (the notice: the 25th), then made inaccessible or destroyed.</summary>
    public int? UntilAge { get; init; }
}

public sealed record AutomatedDecisionMaking
{
    public required bool Used { get; init; }

    public required string Description { get; init; }
}

public sealed record SourceSystem
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<Dataset> Datasets { get; init; }
}

/// <summary>A source system's dataset mapped onto the register: what it holds, why, from whom, to whom, for how long.</summary>
public sealed record Dataset
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<string> Categories { get; init; }

    public required IReadOnlyList<string> Purposes { get; init; }

    public required IReadOnlyList<string> Sources { get; init; }

    public required IReadOnlyList<string> Recipients { get; init; }

    public required string Retention { get; init; }
}
