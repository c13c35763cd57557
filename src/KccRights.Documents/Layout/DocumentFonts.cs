using System.Reflection;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace KccRights.Documents.Layout;

/// <summary>
/// The fonts every document uses: DejaVu Sans (regular and bold), shipped inside this assembly and resolved by our own
/// <see cref="IFontResolver"/>, so a document lays out and embeds the same glyphs on every machine (ADR 0002). Any family
/// name resolves to DejaVu Sans: there is no fallback to whatever the machine has installed.
/// </summary>
public static class DocumentFonts
{
    public const string Family = "DejaVu Sans";
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Installs the resolver once per process (PDFsharp's font settings are global).</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            if (GlobalFontSettings.FontResolver is not EmbeddedFontResolver)
            {
                GlobalFontSettings.FontResolver = new EmbeddedFontResolver();
            }

            _registered = true;
        }
    }

    /// <summary>A font with Unicode encoding (non-Latin text and a ToUnicode map, so extracted text is right), subset-embedded.</summary>
    public static XFont Create(double size, bool bold = false)
    {
        EnsureRegistered();
        return new XFont(Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
    }

    /// <summary>The TrueType bytes of a shipped face ("DejaVuSans" or "DejaVuSans-Bold"), e.g. for labels drawn into pixels.</summary>
    public static byte[] FaceBytes(string faceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"KccRights.Documents.Fonts.{faceName}.ttf")
            ?? throw new InvalidOperationException($"Font face '{faceName}' is not shipped in KccRights.Documents.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// The same face with WinAnsi encoding: PDFsharp draws it several times faster than Unicode encoding, so text made only of
    /// Windows-1252 characters (most English text) uses it, and anything else the Unicode one. Glyphs and widths are the same.
    /// </summary>
    public static XFont CreateAnsi(double size, bool bold = false)
    {
        EnsureRegistered();
        return new XFont(Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.WinAnsi));
    }

    /// <summary>True when every character has a Windows-1252 code (so the WinAnsi font draws it faithfully).</summary>
    public static bool IsAnsi(string text)
    {
        foreach (var c in text)
        {
            if (c is (>= ' ' and <= '~') or (>= '\u00A0' and <= '\u00FF'))
            {
                continue;
            }

            if (!Windows1252Extras.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // The characters Windows-1252 puts at 0x80-0x9F.
    private const string Windows1252Extras = "\u20AC\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u017D\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u017E\u0178";

    private sealed class EmbeddedFontResolver : IFontResolver
    {
        private const string Regular = "DejaVuSans";
        private const string Bold = "DejaVuSans-Bold";
        private readonly Dictionary<string, byte[]> _faces = new(StringComparer.Ordinal);

        public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
            // Italic is simulated (no oblique face is shipped); documents do not use it.
            new(isBold ? Bold : Regular, false, isItalic);

        public byte[] GetFont(string faceName)
        {
            lock (_faces)
            {
                if (!_faces.TryGetValue(faceName, out var bytes))
                {
                    bytes = FaceBytes(faceName);
                    _faces[faceName] = bytes;
                }

                return bytes;
            }
        }
    }
}
