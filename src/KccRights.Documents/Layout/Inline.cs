namespace KccRights.Documents.Layout;

/// <summary>A piece of running text: plain text or a redaction box. Paragraphs and table cells are lists of these.</summary>
public abstract record Inline;

/// <summary>Text drawn as it is ('\n' is a hard line break).</summary>
public sealed record TextRun(string Text, bool Bold = false) : Inline;

/// <summary>
/// Where text was redacted: drawn as an opaque box labelled <c>[Redacted: CODE]</c>. It carries the exemption code only;
/// the redacted characters never reach the layout, so they cannot reach the PDF.
/// </summary>
public sealed record RedactionBox(string Code) : Inline
{
    public string Label => $"[Redacted: {Code}]";
}

/// <summary>Helpers for building inline lists.</summary>
public static class Inlines
{
    public static IReadOnlyList<Inline> Of(string text, bool bold = false) => [new TextRun(text, bold)];
}
