namespace KccRights.Disclosure.Suggestions;

/// <summary>What a suggestion asks of the reviewer.</summary>
public enum SuggestionAction
{
    /// <summary>Third-party data or an identifier: redact unless there is a reason to disclose (DPA 2018 Sch 2 para 16).</summary>
    Redact,

    /// <summary>A professional acting in their role: normally disclosed (DPA 2018 Sch 2 para 17 reasoning).</summary>
    NormallyDisclose,

    /// <summary>A prompt to consider an exemption for the whole item (serious harm by system, adoption, SEN).</summary>
    Consider,
}

/// <summary>
/// A suggestion on one item, with its reason in words. <see cref="Field"/> is null for the item's text; a span's
/// offsets are UTF-16 code units; a prompt (<see cref="SuggestionAction.Consider"/>) has Start = Length = 0.
/// <see cref="Id"/> is stable across runs for the same item, place and kind, so an accept or dismiss can be stored
/// against it. <see cref="Code"/> is the exemption code to use when accepted (ExemptionCatalogue), or null.
/// </summary>
public sealed record Suggestion(
    string Id,
    long ItemId,
    string? Field,
    int Start,
    int Length,
    string Kind,
    string Reason,
    SuggestionAction Action,
    string? Code);

/// <summary>The suggestions for a case's review (implemented by the suggestion engine).</summary>
public interface ISuggestionSource
{
    Task<IReadOnlyList<Suggestion>> SuggestAsync(long caseId, CancellationToken cancellationToken);
}
