using KccRights.Documents.Layout;

namespace KccRights.Documents.Tests;

public class LayoutTests
{
    private const string Fixed =
        "Kent County Council holds information about you in several systems. This paragraph is a fixed text whose line "
        + "breaks are recorded below: if the font, its size, the margins or the breaking rule change, the lines change and "
        + "this test says so. Supercalifragilisticexpialidocious words still break only at spaces.";

    private static DocumentSettings Settings(string reference = "SAR-2026-00042") => new()
    {
        Reference = reference,
        Title = $"Layout test {reference}",
        Timestamp = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero),
    };

    private static byte[] Render(Action<PdfComposer> build, DocumentSettings? settings = null)
    {
        using var composer = new PdfComposer(settings ?? Settings());
        build(composer);
        using var stream = new MemoryStream();
        composer.Save(stream);
        return stream.ToArray();
    }

    [Test]
    public void FixedText_BreaksIntoTheRecordedLines()
    {
        using var composer = new PdfComposer(Settings(), measureOnly: true);

        var lines = composer.BreakLines(Inlines.Of(Fixed), composer.ContentWidth).Select(l => l.Text).ToArray();

        Assert.That(lines, Is.EqualTo(new[]
        {
            "Kent County Council holds information about you in several systems. This paragraph is a fixed",
            "text whose line breaks are recorded below: if the font, its size, the margins or the breaking rule",
            "change, the lines change and this test says so. Supercalifragilisticexpialidocious words still",
            "break only at spaces.",
        }));
    }

    [Test]
    public void FixedText_InThePdf_HasTheSameLinesAsTheLayout()
    {
        var pdf = Render(c => c.Paragraph(Fixed));

        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var page = document.GetPage(1);
        var lines = page.GetWords().GroupBy(w => Math.Round(w.BoundingBox.Bottom)).OrderByDescending(g => g.Key)
            .Select(g => string.Join(" ", g.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text))).ToList();
        Assert.That(lines.Skip(1).Take(4), Is.EqualTo(new[]
        {
            "Kent County Council holds information about you in several systems. This paragraph is a fixed",
            "text whose line breaks are recorded below: if the font, its size, the margins or the breaking rule",
            "change, the lines change and this test says so. Supercalifragilisticexpialidocious words still",
            "break only at spaces.",
        }));
    }

    [Test]
    public void WordLongerThanTheLine_IsCutBetweenCharacters_AndNothingIsLost()
    {
        using var composer = new PdfComposer(Settings(), measureOnly: true);
        var word = string.Concat(Enumerable.Repeat("abcdefghij", 40));

        var lines = composer.BreakLines(Inlines.Of("start " + word + " end"), composer.ContentWidth);

        Assert.That(lines.Count, Is.GreaterThan(2));
        Assert.That(string.Concat(lines.Select(l => l.Text)).Replace(" ", "", StringComparison.Ordinal), Is.EqualTo("start" + word + "end"));
        Assert.That(lines.Max(l => l.Width), Is.LessThanOrEqualTo(composer.ContentWidth + 0.01));
    }

    [Test]
    public void HardLineBreaks_AreKept_AndEmptyTextIsOneEmptyLine()
    {
        using var composer = new PdfComposer(Settings(), measureOnly: true);

        Assert.That(composer.BreakLines(Inlines.Of("one\ntwo\n\nfour"), 400).Select(l => l.Text), Is.EqualTo(new[] { "one", "two", "", "four" }));
        Assert.That(composer.BreakLines(Inlines.Of(""), 400).Select(l => l.Text), Is.EqualTo(new[] { "" }));
    }

    [Test]
    public void RedactionBox_IsAtomic_AndKeepsTheSpacesAroundIt()
    {
        using var composer = new PdfComposer(Settings(), measureOnly: true);

        var lines = composer.BreakLines([new TextRun("Seen by "), new RedactionBox("TP"), new TextRun(" on Monday.")], 400);

        Assert.That(lines.Select(l => l.Text), Is.EqualTo(new[] { "Seen by [Redacted: TP] on Monday." }));
    }

    [Test]
    public void ManyParagraphs_GiveTheRecordedPageCount_AndPageXOfYOnEveryPage()
    {
        var pdf = Render(c =>
        {
            c.Heading("Golden page count");
            for (var i = 1; i <= 120; i++)
            {
                c.Paragraph($"{i}. {Fixed}");
            }
        });

        var pages = PdfInspection.PageTexts(pdf);
        Assert.That(pages, Has.Length.EqualTo(10));
        for (var i = 0; i < pages.Length; i++)
        {
            Assert.That(pages[i], Does.Contain($"Page {i + 1} of {pages.Length}"));
            Assert.That(pages[i], Does.Contain("OFFICIAL-SENSITIVE"));
            Assert.That(pages[i], Does.Contain("SAR-2026-00042"));
        }
    }

    [Test]
    public void Table_BreaksAcrossPages_RepeatingTheHeaderRow()
    {
        var rows = Enumerable.Range(1, 150).Select(i => (IReadOnlyList<IReadOnlyList<Inline>>)
            [Inlines.Of($"Row {i}"), Inlines.Of($"Value number {i} of the long table")]).ToList();

        var pdf = Render(c => c.Table([new TableColumn("Name column", 0.3), new TableColumn("Value column", 0.7)], rows));

        var pages = PdfInspection.PageTexts(pdf);
        Assert.That(pages.Length, Is.EqualTo(5));
        Assert.That(pages, Has.All.Contains("Name column Value column"));
        Assert.That(pages[^1], Does.Contain("Row 150"));
        Assert.That(string.Join(" ", pages), Does.Contain("Row 1 Value number 1 of the long table"));
    }

    [Test]
    public void TallTableRow_ContinuesOnTheNextPage()
    {
        var tall = string.Join("\n", Enumerable.Range(1, 90).Select(i => $"line {i}"));

        var pdf = Render(c => c.KeyValueTable([("Notes", Inlines.Of(tall))]));

        var pages = PdfInspection.PageTexts(pdf);
        Assert.That(pages.Length, Is.EqualTo(2));
        Assert.That(pages[1], Does.Contain("line 90"));
    }

    [Test]
    public void SpaceAtTheBottomOfAPage_DoesNotLeaveAnEmptyLastPage()
    {
        var pdf = Render(c =>
        {
            while (c.PageCount == 1)
            {
                c.Paragraph("filler line");
            }

            c.Paragraph("last words");
            for (var i = 0; i < 200; i++)
            {
                c.Space(6);
            }
        });

        var pages = PdfInspection.PageTexts(pdf);
        Assert.That(pages, Has.Length.EqualTo(2));
        Assert.That(pages[1], Does.Contain("last words").And.Contain("Page 2 of 2"));
    }

    [Test]
    public void TableWithAHeaderTallerThanThePage_StillEnds()
    {
        var header = string.Join("\n", Enumerable.Range(1, 70).Select(i => $"h{i}"));

        var pdf = Render(c => c.Table([new TableColumn(header, 0.5), new TableColumn("B", 0.5)], [[Inlines.Of("cell a"), Inlines.Of("cell b")]]));

        Assert.That(PdfInspection.AllText(pdf), Does.Contain("cell a"));
    }

    [Test]
    public void Document_HasTitleAuthorLanguageAndOutline()
    {
        var pdf = Render(c =>
        {
            var system = c.Bookmark("Education");
            c.Heading("Education");
            c.Bookmark("Attendance 2025", system);
            c.Paragraph("text");
            c.PageBreak();
            c.Bookmark("Exclusion 2026", system);
            c.Paragraph("more");
        });

        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        Assert.That(document.Information.Title, Is.EqualTo("Layout test SAR-2026-00042"));
        Assert.That(document.Information.Author, Is.EqualTo("Kent County Council"));
        Assert.That(document.TryGetBookmarks(out var bookmarks), Is.True);
        var root = bookmarks!.Roots.Single();
        Assert.That(root.Title, Is.EqualTo("Education"));
        Assert.That(root.Children.Select(b => b.Title), Is.EqualTo(new[] { "Attendance 2025", "Exclusion 2026" }));
        Assert.That(((UglyToad.PdfPig.Outline.DocumentBookmarkNode)root.Children[1]).PageNumber, Is.EqualTo(2));
        Assert.That(System.Text.Encoding.Latin1.GetString(pdf), Does.Contain("/Lang(en-GB)").Or.Contain("/Lang (en-GB)"));
    }

    [Test]
    public void NonLatinText_IsEmbeddedAndExtractable()
    {
        const string text = "Ελληνικά κείμενα, Кириллица, Cymraeg: ŵ ŷ, Polski: zażółć gęślą jaźń";

        var pdf = Render(c => c.Paragraph(text));

        Assert.That(PdfInspection.AllText(pdf), Does.Contain(text));
    }
}
