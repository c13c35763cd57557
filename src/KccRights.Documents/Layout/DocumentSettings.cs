namespace KccRights.Documents.Layout;

/// <summary>What every page of a document carries and what its properties say.</summary>
public sealed record DocumentSettings
{
    /// <summary>The case reference, printed in the running header and footer of every page.</summary>
    public required string Reference { get; init; }

    /// <summary>Document title (PDF Info and the viewer's title bar). Must not carry personal data beyond the reference.</summary>
    public required string Title { get; init; }

    public string Author { get; init; } = "Kent County Council";

    public string Language { get; init; } = "en-GB";

    /// <summary>The Government Security Classification marking printed at the top and bottom of every page.</summary>
    public string Marking { get; init; } = "OFFICIAL-SENSITIVE";

    /// <summary>A4 in points.</summary>
    public double PageWidth { get; init; } = 595.28;

    public double PageHeight { get; init; } = 841.89;

    public double MarginLeft { get; init; } = 56.7;

    public double MarginRight { get; init; } = 56.7;

    public double MarginTop { get; init; } = 72;

    public double MarginBottom { get; init; } = 72;

    public double BodySize { get; init; } = 10;

    /// <summary>Fixed document dates (creation and modification), so the same input gives the same file; null = now.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}
