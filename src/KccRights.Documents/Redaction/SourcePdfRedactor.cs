using System.Diagnostics;
using System.Text.RegularExpressions;
using KccRights.Documents.Layout;
using PdfSharp.Drawing;
using PdfSharp.Pdf.IO;
using SkiaSharp;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;
using SharpDocument = PdfSharp.Pdf.PdfDocument;

namespace KccRights.Documents.Redaction;

/// <summary>Redact every occurrence of <paramref name="Text"/> (whole words, matched as PdfPig extracts them) on a page (from 1).</summary>
public sealed record PdfTextRedaction(int Page, string Text, string Code);

/// <summary>What redaction did: which pages became images and how many boxes were drawn.</summary>
public sealed record RedactedPdf(byte[] Pdf, IReadOnlyList<int> RasterisedPages, int Boxes);

/// <summary>A redaction that cannot be located in the page: an error, since a redaction that silently misses is a disclosure.</summary>
public sealed class RedactionNotFoundException(string message) : Exception(message);

/// <summary>
/// Redacts source documents that are PDFs so that the redaction cannot be undone (issue 12, Build 3): each page with a
/// redaction is rasterised by poppler's <c>pdftoppm</c>, opaque boxes are drawn into its pixels (SkiaSharp) over the word
/// boxes PdfPig reports for the redacted text, and the page is replaced by that image. No content stream, font or text of a
/// redacted page reaches the output (so nothing on it is selectable or searchable any more); unredacted pages are copied as
/// they are. The output is a new document: the source's metadata, outline and forms are not carried over.
/// </summary>
public static partial class SourcePdfRedactor
{
    /// <summary>Points of margin around each word box, so anti-aliased glyph edges are covered too.</summary>
    private const double Bleed = 1.5;

    public static RedactedPdf Redact(byte[] source, IReadOnlyList<PdfTextRedaction> redactions, int dpi = 150)
    {
        var boxesByPage = Locate(source, redactions);
        using var input = PdfReader.Open(new MemoryStream(source), PdfDocumentOpenMode.Import);
        using var output = new SharpDocument();
        output.Info.Creator = "KCC Rights";
        var work = Directory.CreateTempSubdirectory("kcc-redact-");
        var boxes = 0;
        try
        {
            var sourcePath = Path.Combine(work.FullName, "source.pdf");
            File.WriteAllBytes(sourcePath, source);
            for (var i = 0; i < input.PageCount; i++)
            {
                var number = i + 1;
                if (!boxesByPage.TryGetValue(number, out var pageBoxes))
                {
                    output.AddPage(input.Pages[i]);
                    continue;
                }

                var png = Rasterise(sourcePath, number, dpi, work.FullName);
                var burnt = Burn(png, pageBoxes.Boxes, pageBoxes.Width, pageBoxes.Height);
                boxes += pageBoxes.Boxes.Count;
                var page = output.AddPage();
                page.Width = XUnit.FromPoint(pageBoxes.Width);
                page.Height = XUnit.FromPoint(pageBoxes.Height);
                using var image = XImage.FromStream(new MemoryStream(burnt));
                using var g = XGraphics.FromPdfPage(page);
                g.DrawImage(image, 0, 0, pageBoxes.Width, pageBoxes.Height);
            }

            using var stream = new MemoryStream();
            output.Save(stream, closeStream: false);
            return new RedactedPdf(stream.ToArray(), boxesByPage.Keys.Order().ToList(), boxes);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private sealed record PageBoxes(double Width, double Height, List<(double Left, double Bottom, double Right, double Top, string Code)> Boxes);

    /// <summary>The word boxes (in PDF points, origin bottom-left of the crop box) of every redacted occurrence, per page.</summary>
    private static Dictionary<int, PageBoxes> Locate(byte[] source, IReadOnlyList<PdfTextRedaction> redactions)
    {
        var result = new Dictionary<int, PageBoxes>();
        using var document = PdfPigDocument.Open(source);
        foreach (var group in redactions.GroupBy(r => r.Page))
        {
            if (group.Key < 1 || group.Key > document.NumberOfPages)
            {
                throw new RedactionNotFoundException($"page {group.Key} does not exist (the document has {document.NumberOfPages})");
            }

            var page = document.GetPage(group.Key);
            if (page.Rotation.Value != 0)
            {
                throw new NotSupportedException($"page {group.Key} is rotated; rotated pages are not redacted automatically");
            }

            var crop = page.CropBox.Bounds;
            var words = page.GetWords().ToList();
            var boxes = new List<(double, double, double, double, string)>();
            foreach (var redaction in group)
            {
                var needle = Whitespace().Split(redaction.Text.Trim());
                var found = 0;
                for (var i = 0; i + needle.Length <= words.Count; i++)
                {
                    if (!Matches(words, i, needle))
                    {
                        continue;
                    }

                    found++;
                    for (var k = i; k < i + needle.Length; k++)
                    {
                        var b = words[k].BoundingBox;
                        boxes.Add((b.Left - crop.Left, b.Bottom - crop.Bottom, b.Right - crop.Left, b.Top - crop.Bottom, redaction.Code));
                    }
                }

                if (found == 0)
                {
                    throw new RedactionNotFoundException($"page {group.Key}: the text to redact was not found (redaction {redaction.Code}); nothing was produced");
                }
            }

            result[group.Key] = new PageBoxes(crop.Width, crop.Height, boxes);
        }

        return result;
    }

    private static bool Matches(List<UglyToad.PdfPig.Content.Word> words, int at, string[] needle)
    {
        if (needle.Length == 1)
        {
            return words[at].Text.Contains(needle[0], StringComparison.Ordinal);
        }

        for (var k = 0; k < needle.Length; k++)
        {
            var word = words[at + k].Text;
            var ok = k == 0 ? word.EndsWith(needle[k], StringComparison.Ordinal)
                : k == needle.Length - 1 ? word.StartsWith(needle[k], StringComparison.Ordinal)
                : word == needle[k];
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] Rasterise(string sourcePath, int page, int dpi, string work)
    {
        var prefix = Path.Combine(work, $"page-{page}");
        var info = new ProcessStartInfo("pdftoppm")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", $"{page}", "-l", $"{page}", "-png", "-singlefile", sourcePath, prefix })
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("pdftoppm did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("pdftoppm is not installed (Debian package poppler-utils; scripts/install-prerequisites.sh installs it)", ex);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"pdftoppm took too long on page {page}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"pdftoppm failed on page {page} (exit {process.ExitCode}): {error.Result.Trim()}");
            }
        }

        return File.ReadAllBytes(prefix + ".png");
    }

    /// <summary>Draws the boxes into the page's pixels, labelled with their code where the box is wide enough.</summary>
    private static byte[] Burn(byte[] png, List<(double Left, double Bottom, double Right, double Top, string Code)> boxes, double width, double height)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("pdftoppm produced an image SkiaSharp cannot read");
        var sx = bitmap.Width / width;
        var sy = bitmap.Height / height;
        using var canvas = new SKCanvas(bitmap);
        using var black = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Fill, IsAntialias = false };
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var typeface = SKTypeface.FromData(SKData.CreateCopy(DocumentFonts.FaceBytes("DejaVuSans-Bold")));
        foreach (var (left, bottom, right, top, code) in boxes)
        {
            var rect = new SKRect(
                (float)Math.Floor((left - Bleed) * sx), (float)Math.Floor((height - top - Bleed) * sy),
                (float)Math.Ceiling((right + Bleed) * sx), (float)Math.Ceiling((height - bottom + Bleed) * sy));
            canvas.DrawRect(rect, black);
            using var font = new SKFont(typeface, Math.Max(6f, rect.Height * 0.6f));
            var label = $"[Redacted: {code}]";
            if (font.MeasureText(label) <= rect.Width - 4)
            {
                canvas.DrawText(label, rect.Left + 2, rect.Bottom - rect.Height * 0.25f, SKTextAlign.Left, font, white);
            }
        }

        canvas.Flush();
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
