namespace KccRights.Disclosure.Review;

/// <summary>The review's decision on one item (issue 13 Build 1).</summary>
public enum DisclosureDecision
{
    Disclose,
    Redact,
    Withhold,
}

/// <summary>
/// A span to remove: <paramref name="Field"/> is null for the item's text, else the field's name; offsets in UTF-16 code
/// units. <paramref name="Code"/> is an exemption code of LEGAL-RULES.md section 3 (ExemptionCatalogue).
/// </summary>
public sealed record SpanRedaction(string? Field, int Start, int Length, string Code, string Note);

/// <summary>What was decided for an item, by whom; <see cref="WithheldCode"/> is set only for <see cref="DisclosureDecision.Withhold"/>.</summary>
public sealed record ItemDecision(
    long ItemId,
    DisclosureDecision Decision,
    IReadOnlyList<SpanRedaction> Redactions,
    string? WithheldCode,
    string? Note,
    string DecidedBy,
    DateTimeOffset DecidedAt);

/// <summary>The decisions of a case's review, for the draft response (implemented by the review store).</summary>
public interface IDisclosureDecisions
{
    Task<IReadOnlyList<ItemDecision>> DecisionsAsync(long caseId, CancellationToken cancellationToken);
}
