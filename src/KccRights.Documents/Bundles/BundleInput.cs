using System.ComponentModel;

namespace KccRights.Documents.Bundles;

/// <summary>
/// The JSON description of a response bundle (<c>kccrights bundle --input</c>, issue 12): who asked, about whom, and the
/// items found, each with its redactions or its withholding. bundle.schema.json is generated from these types.
/// </summary>
[Description("A subject access response to render: the requester, the data subject, the dates and the items found.")]
public sealed record BundleInput
{
    [Description("The case reference, printed on every page.")]
    public required string Reference { get; init; }

    public required BundleRequester Requester { get; init; }

    public required BundleSubject Subject { get; init; }

    [Description("The date the request was received (YYYY-MM-DD).")]
    public required DateOnly Received { get; init; }

    [Description("The date the response is due (YYYY-MM-DD).")]
    public required DateOnly Due { get; init; }

    [Description("The date printed on the cover letter (YYYY-MM-DD); the day of rendering when absent.")]
    public DateOnly? Issued { get; init; }

    [Description("The items found in the council's systems, disclosed (with any redactions) or withheld.")]
    public required IReadOnlyList<BundleItem> Items { get; init; }
}

[Description("Who the response is sent to.")]
public sealed record BundleRequester
{
    public required string Name { get; init; }

    [Description("Postal address lines, in order.")]
    public required IReadOnlyList<string> Address { get; init; }

    public string? Email { get; init; }
}

[Description("Whose personal data this is (the requester, or the child or person they act for).")]
public sealed record BundleSubject
{
    public required string Name { get; init; }

    public DateOnly? DateOfBirth { get; init; }
}

[Description("One record found in a source system.")]
public sealed record BundleItem
{
    [Description("Unique within the bundle; the redaction log names items by it.")]
    public required string Id { get; init; }

    [Description("A system id of the register of processing (e.g. education).")]
    public required string System { get; init; }

    [Description("A dataset id of that system in the register of processing (e.g. attendance).")]
    public required string Dataset { get; init; }

    [Description("The record's date (YYYY-MM-DD).")]
    public required DateOnly Date { get; init; }

    public required string Title { get; init; }

    [Description("Named values of the record, in the order they are shown.")]
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    [Description("The record's free text; '\\n' breaks a line.")]
    public string Text { get; init; } = "";

    [Description("Parts of a field's value or of the text to remove; they must not overlap.")]
    public IReadOnlyList<BundleRedaction> Redactions { get; init; } = [];

    [Description("Null when the item is disclosed; otherwise the exemption it is withheld under (not shown to the requester).")]
    public BundleWithheld? Withheld { get; init; }
}

[Description("A span to redact: offsets in UTF-16 code units (as C# strings count them) into a field's value or the text.")]
public sealed record BundleRedaction
{
    [Description("The field whose value is redacted, or null for the item's text.")]
    public required string? Field { get; init; }

    public required int Start { get; init; }

    public required int Length { get; init; }

    [Description("The exemption code (LEGAL-RULES.md section 3), printed in the box: [Redacted: CODE].")]
    public required string Code { get; init; }

    [Description("The reviewer's reason, for the internal redaction log only.")]
    public string? Note { get; init; }
}

[Description("Why an item is withheld whole.")]
public sealed record BundleWithheld
{
    public required string Code { get; init; }

    public string? Note { get; init; }
}
