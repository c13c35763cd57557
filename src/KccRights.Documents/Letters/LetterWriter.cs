using System.Globalization;
using KccRights.Documents.Layout;

namespace KccRights.Documents.Letters;

/// <summary>Lays out a letter with the shared layout layer, on its own or as the cover of a bundle.</summary>
public static class LetterWriter
{
    /// <summary>The council's return address, printed at the top of every letter.</summary>
    public static readonly IReadOnlyList<string> SenderLines =
    [
        "Kent County Council",
        "Information Resilience and Transparency Team",
        "Sessions House, Maidstone, Kent ME14 1XQ",
        "data.protection@kent.gov.uk",
    ];

    public static string FormatDate(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    public static void Write(PdfComposer composer, Letter letter)
    {
        composer.Paragraph([new TextRun(string.Join("\n", SenderLines))], indent: composer.ContentWidth * 0.45, spaceAfter: 14);
        var address = new List<string> { letter.RecipientName };
        address.AddRange(letter.AddressLines.Where(l => !string.IsNullOrWhiteSpace(l)));
        composer.Paragraph(string.Join("\n", address));
        composer.Space(8);
        composer.KeyValueTable(
        [
            ("Date", Inlines.Of(FormatDate(letter.Date))),
            ("Our reference", Inlines.Of(letter.Reference)),
        ], keyFraction: 0.25);
        if (letter.Subject.Length > 0)
        {
            composer.Heading(letter.Subject, level: 2);
        }

        foreach (var block in LetterBody.Blocks(letter.Body))
        {
            composer.Paragraph([new TextRun(block.Text)], indent: block.ListItem ? 14 : 0, bullet: block.ListItem);
        }
    }

    /// <summary>A letter on its own as a PDF (for post and the case file).</summary>
    public static byte[] Render(Letter letter, DateTimeOffset? timestamp = null)
    {
        using var composer = new PdfComposer(new DocumentSettings
        {
            Reference = letter.Reference,
            Title = $"Letter {letter.Reference}",
            Timestamp = timestamp,
        });
        Write(composer, letter);
        using var output = new MemoryStream();
        composer.Save(output);
        return output.ToArray();
    }
}
