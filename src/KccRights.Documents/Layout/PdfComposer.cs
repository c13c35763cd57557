using PdfSharp.Drawing;
using PdfSharp.Events;
using PdfSharp.Pdf;

namespace KccRights.Documents.Layout;

/// <summary>A table column: header text, share of the content width, bold cells, right alignment.</summary>
public sealed record TableColumn(string Header, double Fraction, bool Bold = false, bool AlignRight = false);

/// <summary>
/// The layout layer over PDFsharp (ADR 0002): flows headings, paragraphs and tables down A4 pages, breaks pages, repeats
/// table headers, and at <see cref="Finish"/> draws the running header and footer (reference, marking, "Page X of Y") on
/// every page once the page count is known. Created with <c>measureOnly</c> it lays out without drawing, which is how a
/// schedule learns the page numbers it prints (the first pass) before the real one.
/// </summary>
public sealed class PdfComposer : IDisposable
{
    private const double CellPadding = 3;
    private static readonly XBrush Ink = XBrushes.Black;
    private static readonly XBrush HeaderFill = new XSolidBrush(XColor.FromArgb(230, 230, 230));
    private static readonly XPen RulePen = new(XColor.FromArgb(150, 150, 150), 0.5);

    private readonly DocumentSettings _settings;
    private readonly PdfDocument? _document;
    private readonly XGraphics _measureContext;
    private readonly TextMeasurer _body;
    private readonly TextMeasurer _bold;
    private readonly TextMeasurer _boxLabel;
    private readonly TextMeasurer _small;
    private readonly TextMeasurer _smallBold;
    private readonly TextMeasurer[] _headings;
    private readonly LineBreaker _breaker;
    private readonly List<PdfPage> _pages = [];
    private readonly List<(string Title, int Parent, int Page, double Top)> _bookmarks = [];
    private readonly Dictionary<string, int> _anchors = new(StringComparer.Ordinal);
    private XGraphics? _graphics;
    private int _pageCount;
    private double _y;
    private bool _finished;

    private readonly LineCache? _cache;

    /// <param name="cache">Shared by a measuring and a drawing composer of the same content, so text is broken once.</param>
    public PdfComposer(DocumentSettings settings, bool measureOnly = false, LineCache? cache = null)
    {
        _cache = cache;
        DocumentFonts.EnsureRegistered();
        _settings = settings;
        _measureContext = XGraphics.CreateMeasureContext(new XSize(settings.PageWidth, settings.PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards, new RenderEvents());
        _body = Measurer(settings.BodySize);
        _bold = Measurer(settings.BodySize, bold: true);
        _boxLabel = Measurer(settings.BodySize * 0.8, bold: true);
        _small = Measurer(8);
        _smallBold = Measurer(8, bold: true);
        _headings =
        [
            Measurer(settings.BodySize * 1.5, bold: true),
            Measurer(settings.BodySize * 1.25, bold: true),
            Measurer(settings.BodySize * 1.05, bold: true),
        ];
        _breaker = new LineBreaker(_body, _bold, _boxLabel);
        if (!measureOnly)
        {
            _document = new PdfDocument();
            _document.Info.Title = settings.Title;
            _document.Info.Author = settings.Author;
            _document.Info.Creator = "KCC Rights";
            _document.Language = settings.Language;
            _document.PageMode = PdfPageMode.UseOutlines;
            // Thousands of pages: fast compression matters more than the last few percent of file size.
            _document.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
            _document.ViewerPreferences.DisplayDocTitle = true;
            if (settings.Timestamp is { } at)
            {
                _document.Info.CreationDate = at.UtcDateTime;
                _document.Info.ModificationDate = at.UtcDateTime;
            }
        }

        NewPage();
    }

    private TextMeasurer Measurer(double size, bool bold = false) =>
        new(_measureContext, DocumentFonts.Create(size, bold), DocumentFonts.CreateAnsi(size, bold));

    /// <summary>The page being filled, from 1.</summary>
    public int PageNumber => _pageCount;

    public int PageCount => _pageCount;

    public double ContentWidth => _settings.PageWidth - _settings.MarginLeft - _settings.MarginRight;

    private double Bottom => _settings.PageHeight - _settings.MarginBottom;

    private double Left => _settings.MarginLeft;

    /// <summary>Page numbers recorded by <see cref="Anchor"/>.</summary>
    public IReadOnlyDictionary<string, int> Anchors => _anchors;

    /// <summary>Lines of text as this layout breaks them at the given width in the body font (golden tests read these).</summary>
    public IReadOnlyList<Line> BreakLines(IReadOnlyList<Inline> inlines, double width) => _breaker.Break(inlines, width);

    /// <summary>Records the current page under a key (an item's place for the schedule).</summary>
    public void Anchor(string key) => _anchors[key] = _pageCount;

    /// <summary>Adds an outline entry pointing at the current position; returns its handle for children (0 = top level).</summary>
    public int Bookmark(string title, int parent = 0)
    {
        _bookmarks.Add((title, parent, _pageCount, _y));
        return _bookmarks.Count;
    }

    public void PageBreak()
    {
        if (_y > _settings.MarginTop)
        {
            NewPage();
        }
    }

    /// <summary>Vertical space. It never starts a page by itself (so a document cannot end on an empty page); what follows does.</summary>
    public void Space(double points) => _y = Math.Min(_y + points, Bottom);

    /// <summary>A heading (level 1 to 3), kept on the same page as at least three lines of what follows.</summary>
    public void Heading(string text, int level = 1)
    {
        var measurer = _headings[Math.Clamp(level, 1, 3) - 1];
        var lines = new LineBreaker(measurer, measurer, _boxLabel).Break([new TextRun(text, Bold: true)], ContentWidth);
        var height = lines.Count * measurer.LineHeight;
        if (_y > _settings.MarginTop)
        {
            _y += level == 1 ? 10 : 6;
        }

        if (_y + height + 3 * _body.LineHeight > Bottom)
        {
            NewPage();
        }

        foreach (var line in lines)
        {
            DrawLine(line, Left, measurer, measurer);
            _y += measurer.LineHeight;
        }

        _y += 3;
    }

    public void Paragraph(string text, bool bold = false) => Paragraph([new TextRun(text, bold)]);

    /// <summary>Wrapped text; lines flow onto the next page as needed. An indent with a bullet draws a list item.</summary>
    public void Paragraph(IReadOnlyList<Inline> inlines, double indent = 0, bool bullet = false, double spaceAfter = 5)
    {
        var lines = Break(inlines, ContentWidth - indent);
        var first = true;
        foreach (var line in lines)
        {
            if (_y + _body.LineHeight > Bottom)
            {
                NewPage();
            }

            if (first && bullet && _graphics is not null)
            {
                _graphics.DrawString("\u2022", _body.AnsiFont, Ink, Left + indent - 9, _y + _body.Ascent, XStringFormats.BaseLineLeft);
            }

            DrawLine(line, Left + indent, _body, _bold);
            _y += _body.LineHeight;
            first = false;
        }

        _y += spaceAfter;
    }

    /// <summary>Two columns, the names bold: an item's fields, a letter's particulars.</summary>
    public void KeyValueTable(IEnumerable<(string Key, IReadOnlyList<Inline> Value)> rows, double keyFraction = 0.3) =>
        Table(
            [new TableColumn("", keyFraction, Bold: true), new TableColumn("", 1 - keyFraction)],
            rows.Select(r => (IReadOnlyList<IReadOnlyList<Inline>>)[Inlines.Of(r.Key), r.Value]),
            showHeader: false);

    /// <summary>
    /// A table whose rows break across pages (a tall row continues on the next page), with the header row repeated at the
    /// top of every page the table reaches.
    /// </summary>
    public void Table(IReadOnlyList<TableColumn> columns, IEnumerable<IReadOnlyList<IReadOnlyList<Inline>>> rows, bool showHeader = true)
    {
        var widths = columns.Select(c => c.Fraction * ContentWidth).ToArray();
        var lh = _body.LineHeight;
        var headerLines = showHeader
            ? columns.Select((c, i) => _breaker.Break([new TextRun(c.Header, Bold: true)], widths[i] - 2 * CellPadding)).ToArray()
            : null;
        var headerHeight = headerLines is null ? 0 : headerLines.Max(l => l.Count) * lh + 2 * CellPadding;

        if (_y + headerHeight + lh + 2 * CellPadding > Bottom)
        {
            NewPage();
        }

        DrawHeader();
        foreach (var row in rows)
        {
            var cells = new List<Line>[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                var content = c < row.Count ? row[c] : [];
                if (columns[c].Bold)
                {
                    content = content.Select(i => i is TextRun t ? t with { Bold = true } : i).ToArray();
                }

                cells[c] = Break(content, widths[c] - 2 * CellPadding);
            }

            var positions = new int[columns.Count];
            var firstSlice = true;
            var freshPage = false;
            while (true)
            {
                var remaining = 0;
                for (var c = 0; c < cells.Length; c++)
                {
                    remaining = Math.Max(remaining, cells[c].Count - positions[c]);
                }

                if (remaining == 0)
                {
                    break;
                }

                var available = (int)Math.Floor((Bottom - _y - 2 * CellPadding + 1e-6) / lh);
                // A row's first slice keeps at least two lines together (or the whole row when shorter). On a page that
                // has nothing but the header yet, at least one line is taken, so no input can loop here.
                if (!freshPage && (available < 1 || (firstSlice && available < Math.Min(remaining, 2))))
                {
                    NewPage();
                    DrawHeader();
                    freshPage = true;
                    continue;
                }

                available = Math.Max(available, 1);
                freshPage = false;

                var take = Math.Min(remaining, available);
                var x = Left;
                for (var c = 0; c < cells.Length; c++)
                {
                    var y = _y + CellPadding;
                    for (var k = positions[c]; k < Math.Min(cells[c].Count, positions[c] + take); k++)
                    {
                        var line = cells[c][k];
                        var offset = columns[c].AlignRight ? widths[c] - 2 * CellPadding - line.Width : 0;
                        DrawLineAt(line, x + CellPadding + offset, y, _body, _bold);
                        y += lh;
                    }

                    positions[c] = Math.Min(cells[c].Count, positions[c] + take);
                    x += widths[c];
                }

                _y += take * lh + 2 * CellPadding;
                _graphics?.DrawLine(RulePen, Left, _y, Left + ContentWidth, _y);
                firstSlice = false;
                if (take < remaining)
                {
                    NewPage();
                    DrawHeader();
                    freshPage = true;
                }
            }
        }

        _y += 6;

        void DrawHeader()
        {
            if (headerLines is null)
            {
                _graphics?.DrawLine(RulePen, Left, _y, Left + ContentWidth, _y);
                return;
            }

            if (_graphics is not null)
            {
                _graphics.DrawRectangle(HeaderFill, Left, _y, ContentWidth, headerHeight);
                var x = Left;
                for (var c = 0; c < columns.Count; c++)
                {
                    var y = _y + CellPadding;
                    foreach (var line in headerLines[c])
                    {
                        var offset = columns[c].AlignRight ? widths[c] - 2 * CellPadding - line.Width : 0;
                        DrawLineAt(line, x + CellPadding + offset, y, _body, _bold);
                        y += lh;
                    }

                    x += widths[c];
                }
            }

            _y += headerHeight;
        }
    }

    /// <summary>
    /// Draws the running header and footer on every page (now that the page count is known), the outline, and returns the
    /// document. The composer is finished afterwards.
    /// </summary>
    public PdfDocument Finish()
    {
        if (_finished)
        {
            throw new InvalidOperationException("The document is already finished.");
        }

        _finished = true;
        _graphics?.Dispose();
        _graphics = null;
        if (_document is null)
        {
            throw new InvalidOperationException("A measuring composer has no document.");
        }

        for (var i = 0; i < _pages.Count; i++)
        {
            using var g = XGraphics.FromPdfPage(_pages[i], XGraphicsPdfPageOptions.Append);
            DrawChrome(g, i + 1, _pages.Count);
        }

        var outlines = new List<PdfOutline>();
        foreach (var (title, parent, page, top) in _bookmarks)
        {
            var collection = parent == 0 ? _document.Outlines : outlines[parent - 1].Outlines;
            var outline = collection.Add(title, _pages[page - 1], opened: parent == 0);
            outline.PageDestinationType = PdfPageDestinationType.Xyz;
            outline.Top = top;
            outline.Left = 0;
            outlines.Add(outline);
        }

        return _document;
    }

    /// <summary>Lays out, finishes and saves to a stream.</summary>
    public void Save(Stream output)
    {
        var document = Finish();
        document.Save(output, closeStream: false);
    }

    public void Dispose()
    {
        _graphics?.Dispose();
        _graphics = null;
        _measureContext.Dispose();
        _document?.Dispose();
    }

    private void DrawChrome(XGraphics g, int page, int pages)
    {
        var s = _settings;
        var font = _small.FontFor(s.Reference);
        var boldSmall = _smallBold.FontFor(s.Marking);
        var headerY = s.MarginTop - 36;
        var footerY = s.PageHeight - s.MarginBottom + 24;
        var right = s.PageWidth - s.MarginRight;
        g.DrawString(s.Marking, boldSmall, Ink, new XRect(0, headerY, s.PageWidth, 12), XStringFormats.TopCenter);
        g.DrawString(s.Reference, font, Ink, new XRect(Left, headerY, ContentWidth, 12), XStringFormats.TopRight);
        g.DrawLine(RulePen, Left, headerY + 14, right, headerY + 14);
        g.DrawLine(RulePen, Left, footerY - 4, right, footerY - 4);
        g.DrawString(s.Reference, font, Ink, new XRect(Left, footerY, ContentWidth, 12), XStringFormats.TopLeft);
        g.DrawString(s.Marking, boldSmall, Ink, new XRect(0, footerY, s.PageWidth, 12), XStringFormats.TopCenter);
        g.DrawString($"Page {page} of {pages}", _small.AnsiFont, Ink, new XRect(Left, footerY, ContentWidth, 12), XStringFormats.TopRight);
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        _graphics = null;
        _pageCount++;
        _y = _settings.MarginTop;
        if (_document is not null)
        {
            var page = _document.AddPage();
            page.Width = XUnit.FromPoint(_settings.PageWidth);
            page.Height = XUnit.FromPoint(_settings.PageHeight);
            _pages.Add(page);
            _graphics = XGraphics.FromPdfPage(page);
        }
    }

    private List<Line> Break(IReadOnlyList<Inline> inlines, double width) =>
        _cache is null ? _breaker.Break(inlines, width) : _cache.GetOrAdd(inlines, width, () => _breaker.Break(inlines, width));

    private void DrawLine(Line line, double x, TextMeasurer regular, TextMeasurer bold) => DrawLineAt(line, x, _y, regular, bold);

    private void DrawLineAt(Line line, double x, double y, TextMeasurer regular, TextMeasurer bold)
    {
        var g = _graphics;
        if (g is null)
        {
            return;
        }

        foreach (var segment in line.Segments)
        {
            switch (segment)
            {
                case TextSegment t:
                    var measurer = t.Bold ? bold : regular;
                    g.DrawString(t.Text, measurer.FontFor(t.Text), Ink, x + t.X, y + measurer.Ascent, XStringFormats.BaseLineLeft);
                    break;
                case BoxSegment b:
                    // An opaque box with its label: the only trace of the redacted text is the exemption code.
                    var boxHeight = regular.Font.Size * 1.2;
                    var top = y + (regular.LineHeight - boxHeight) / 2;
                    g.DrawRectangle(Ink, x + b.X, top, b.Width, boxHeight);
                    g.DrawString(b.Box.Label, _boxLabel.FontFor(b.Box.Label), XBrushes.White,
                        x + b.X + LineBreaker.BoxPadding, top + boxHeight / 2 + _boxLabel.Font.Size * 0.36, XStringFormats.BaseLineLeft);
                    break;
            }
        }
    }
}
