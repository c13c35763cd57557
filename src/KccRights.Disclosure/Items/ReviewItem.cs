namespace KccRights.Disclosure.Items;

/// <summary>
/// A collated item as the review sees it: where it came from, its title, its named values and its free text (a
/// document's extracted text). Redaction offsets count UTF-16 code units into a field's value or into <see cref="Text"/>,
/// as the bundle does (KccRights.Documents.Bundles.BundleRedaction).
/// </summary>
public sealed record ReviewItem(
    long Id,
    string Kind,
    string System,
    string Dataset,
    string RecordId,
    DateOnly? Date,
    string Title,
    IReadOnlyList<KeyValuePair<string, string>> Fields,
    string Text)
{
    /// <summary>Why the item is outside the agreed scope (Art 15(1A)) and so not reviewed, or null.</summary>
    public string? ExcludedReason { get; init; }

    /// <summary>For a document: its file name and media type (the original bytes stay in Collation).</summary>
    public string? FileName { get; init; }

    public string? MediaType { get; init; }
}

/// <summary>The items of a case, opened (implemented by Collation, which owns them).</summary>
public interface IReviewItemSource
{
    Task<IReadOnlyList<ReviewItem>> ItemsAsync(long caseId, CancellationToken cancellationToken);
}
