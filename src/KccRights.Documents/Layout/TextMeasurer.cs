using System.Text;
using PdfSharp.Drawing;

namespace KccRights.Documents.Layout;

/// <summary>
/// Widths of text in one font, from a per-code-point cache. PDFsharp draws glyph by glyph without kerning, so the width of
/// a string is the sum of its characters' widths; caching them makes line breaking of thousands of pages cheap.
/// </summary>
internal sealed class TextMeasurer
{
    private readonly XGraphics _context;
    private readonly Dictionary<int, double> _widths = [];

    public TextMeasurer(XGraphics context, XFont font, XFont ansiFont)
    {
        _context = context;
        Font = font;
        AnsiFont = ansiFont;
        // Where the baseline sits below the top of a line box (text is drawn at its baseline: cheaper than top alignment).
        var family = font.FontFamily;
        Ascent = font.Size * family.GetCellAscent(font.Style) / family.GetEmHeight(font.Style);
        // Line height: DejaVu's ascent + descent is about 1.16 em; 1.3 em leaves comfortable leading.
        LineHeight = Math.Round(font.Size * 1.3, 2);
        Space = Measure(" ");
    }

    public XFont Font { get; }

    public XFont AnsiFont { get; }

    public double Ascent { get; }

    /// <summary>The font to draw this text with: WinAnsi when it can, Unicode otherwise.</summary>
    public XFont FontFor(string text) => DocumentFonts.IsAnsi(text) ? AnsiFont : Font;
    public double LineHeight { get; }
    public double Space { get; }

    public double Measure(string text) => Measure(text.AsSpan());

    public double Measure(ReadOnlySpan<char> text)
    {
        double width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Width(rune);
        }

        return width;
    }

    public double Width(Rune rune)
    {
        if (!_widths.TryGetValue(rune.Value, out var w))
        {
            w = _context.MeasureString(rune.ToString(), Font).Width;
            _widths[rune.Value] = w;
        }

        return w;
    }
}
