using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace KccRights.Documents.Tests;

/// <summary>Reading produced PDFs back: text per page (PdfPig), and every stream of the file inflated.</summary>
internal static partial class PdfInspection
{
    public static string[] PageTexts(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        // Content order: the order the layout drew (a redaction label stays where its box is), whitespace collapsed.
        return document.GetPages().Select(p => Normalise(ContentOrderTextExtractor.GetText(p))).ToArray();
    }

    /// <summary>All pages' words joined by single spaces: a disclosed string wrapped over lines is still found.</summary>
    public static string AllText(byte[] pdf) => string.Join(" ", PageTexts(pdf));

    public static string Normalise(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>
    /// The file's raw bytes followed by every stream decompressed (FlateDecode inflated; others as they are), as Latin-1
    /// text, so a search finds a string wherever it was written: content streams, fonts' ToUnicode maps, XMP, object streams.
    /// </summary>
    public static string RawAndInflated(byte[] pdf)
    {
        var builder = new StringBuilder(Encoding.Latin1.GetString(pdf));
        foreach (var stream in InflatedStreams(pdf))
        {
            builder.Append('\n').Append(Encoding.Latin1.GetString(stream));
        }

        return builder.ToString();
    }

    public static List<byte[]> InflatedStreams(byte[] pdf)
    {
        var result = new List<byte[]>();
        var text = Encoding.Latin1.GetString(pdf);
        var index = 0;
        while ((index = text.IndexOf("stream", index, StringComparison.Ordinal)) >= 0)
        {
            if (index >= 3 && text.AsSpan(index - 3, 3).SequenceEqual("end"))
            {
                index += 6;
                continue;
            }

            var start = index + 6;
            if (start < text.Length && text[start] == '\r')
            {
                start++;
            }

            if (start < text.Length && text[start] == '\n')
            {
                start++;
            }

            var end = text.IndexOf("endstream", start, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }

            var data = pdf.AsSpan(start, end - start).ToArray();
            result.Add(TryInflate(data) ?? data);
            index = end + 9;
        }

        return result;
    }

    /// <summary>True when the text occurs in the raw or inflated bytes as Latin-1, UTF-8 or UTF-16BE (PDF text strings).</summary>
    public static bool ContainsAnyEncoding(string haystack, string needle)
    {
        var utf8 = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(needle));
        var utf16 = Encoding.Latin1.GetString(Encoding.BigEndianUnicode.GetBytes(needle));
        return haystack.Contains(needle, StringComparison.Ordinal)
            || haystack.Contains(utf8, StringComparison.Ordinal)
            || haystack.Contains(utf16, StringComparison.Ordinal);
    }

    private static byte[]? TryInflate(byte[] data)
    {
        try
        {
            using var input = new MemoryStream(data);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            zlib.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
