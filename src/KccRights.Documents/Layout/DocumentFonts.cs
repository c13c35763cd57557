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
