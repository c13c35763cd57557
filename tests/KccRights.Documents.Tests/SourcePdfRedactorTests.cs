using System.Diagnostics;
using KccRights.Documents.Layout;
using KccRights.Documents.Redaction;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;
using SkiaSharp;

namespace KccRights.Documents.Tests;

public class SourcePdfRedactorTests
{
    private const string Secret = "Bartholomew Quince";

    /// <summary>A three-page source PDF written with WinAnsi encoding, so its content streams hold the text literally.</summary>
    private static byte[] Source()
    {
        DocumentFonts.EnsureRegistered();
        using var document = new PdfDocument();
        var font = new XFont(DocumentFonts.Family, 12, XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.WinAnsi));
        string[][] pages =
        [
            ["Page one is about the school run.", "Nothing here needs removing."],
            ["Page two: the neighbour " + Secret + " called.", "He said " + Secret + " would visit again.", "The rest of page two stays readable in pixels."],
            ["Page three closes the note.", "Signed by the worker."],
        ];
        foreach (var lines in pages)
        {
            var page = document.AddPage();
            using var g = XGraphics.FromPdfPage(page);
            for (var i = 0; i < lines.Length; i++)
            {
                g.DrawString(lines[i], font, XBrushes.Black, 72, 100 + i * 20);
            }
        }

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static List<byte[]> ContentStreams(byte[] pdf, int pageIndex)
    {
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        var page = document.Pages[pageIndex];
        return page.Contents.Elements.Items
            .Select(i => i is PdfReference r ? r.Value : i)
            .OfType<PdfDictionary>()
            .Select(d => d.Stream.UnfilteredValue)
            .ToList();
    }

    private static bool ContainsSequence(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Test]
    public void RedactedPage_KeepsNoOriginalContentStream_NorTheText_AndOtherPagesAreCopiedAsTheyAre()
    {
        var source = Source();
        // The check can fail: the source holds the secret literally in an inflated content stream.
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(source), Secret), Is.True);
        Assert.That(PdfInspection.AllText(source), Does.Contain(Secret));

        var result = SourcePdfRedactor.Redact(source, [new PdfTextRedaction(2, Secret, "TP")]);

        Assert.That(result.RasterisedPages, Is.EqualTo(new[] { 2 }));
        Assert.That(result.Boxes, Is.EqualTo(4), "two occurrences of two words");
        var pages = PdfInspection.PageTexts(result.Pdf);
        Assert.That(pages, Has.Length.EqualTo(3));
        Assert.That(pages[0], Is.EqualTo("Page one is about the school run. Nothing here needs removing."));
        Assert.That(pages[2], Is.EqualTo("Page three closes the note. Signed by the worker."));
        Assert.That(pages[1], Is.Empty, "a redacted page is an image: no text layer survives");
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(result.Pdf), "Bartholomew"), Is.False);
        Assert.That(PdfInspection.ContainsAnyEncoding(PdfInspection.RawAndInflated(result.Pdf), "neighbour"), Is.False);

        var outputStreams = PdfInspection.InflatedStreams(result.Pdf);
        foreach (var original in ContentStreams(source, 1))
        {
            Assert.That(outputStreams.Any(s => ContainsSequence(s, original)), Is.False, "an original content stream of the redacted page survived");
        }

        foreach (var original in ContentStreams(source, 0).Concat(ContentStreams(source, 2)))
        {
            Assert.That(outputStreams.Any(s => ContainsSequence(s, original)), Is.True, "an unredacted page was not copied as it was");
        }
    }

    [Test]
    public void RedactedPage_HasOpaqueBoxesInItsPixels_WhereTheWordsWere()
    {
        var source = Source();
        using var pig = UglyToad.PdfPig.PdfDocument.Open(source);
        var word = pig.GetPage(2).GetWords().First(w => w.Text == "Quince");
        var readable = pig.GetPage(2).GetWords().First(w => w.Text == "readable");

        var result = SourcePdfRedactor.Redact(source, [new PdfTextRedaction(2, Secret, "TP")]);

        var dir = Directory.CreateTempSubdirectory("kcc-redact-test-");
        try
        {
            var path = Path.Combine(dir.FullName, "out.pdf");
            File.WriteAllBytes(path, result.Pdf);
            using (var process = Process.Start("pdftoppm", ["-r", "72", "-f", "2", "-l", "2", "-png", "-singlefile", path, Path.Combine(dir.FullName, "p")])!)
            {
                process.WaitForExit();
                Assert.That(process.ExitCode, Is.EqualTo(0));
            }

            using var bitmap = SKBitmap.Decode(Path.Combine(dir.FullName, "p.png"));
            var height = pig.GetPage(2).Height;
            int Dark(UglyToad.PdfPig.Core.PdfRectangle box)
            {
                var dark = 0;
                for (var x = (int)box.Left + 1; x < (int)box.Right; x++)
                {
                    for (var y = (int)(height - box.Top) + 1; y < (int)(height - box.Bottom); y++)
                    {
                        dark += bitmap.GetPixel(x, y).Red < 60 ? 1 : 0;
                    }
                }

                return dark;
            }

            var area = (int)(word.BoundingBox.Width - 1) * (int)(word.BoundingBox.Height - 1);
            Assert.That(Dark(word.BoundingBox), Is.GreaterThan(area * 0.9), "the redacted word is covered");
            Assert.That(Dark(readable.BoundingBox), Is.LessThan((int)(readable.BoundingBox.Width * readable.BoundingBox.Height) * 0.6), "other words are not blacked out");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void TextNotOnThePage_IsAnError_NotASilentMiss()
    {
        var ex = Assert.Throws<RedactionNotFoundException>(() => SourcePdfRedactor.Redact(Source(), [new PdfTextRedaction(1, Secret, "TP")]));

        Assert.That(ex!.Message, Does.Contain("page 1"));
        Assert.That(() => SourcePdfRedactor.Redact(Source(), [new PdfTextRedaction(9, "x", "TP")]), Throws.TypeOf<RedactionNotFoundException>());
    }
}
