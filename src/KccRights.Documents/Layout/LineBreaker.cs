using System.Text;

namespace KccRights.Documents.Layout;

/// <summary>One laid-out line: segments at x offsets from the line start.</summary>
public sealed record Line(IReadOnlyList<LineSegment> Segments, double Width)
{
    /// <summary>The line as a reader sees it (redaction boxes as their labels): what golden tests compare.</summary>
    public string Text => string.Concat(Segments.Select(s => s switch
    {
        TextSegment t => t.Text,
        BoxSegment b => b.Box.Label,
        _ => "",
    }));
}

public abstract record LineSegment(double X, double Width);

public sealed record TextSegment(double X, double Width, string Text, bool Bold) : LineSegment(X, Width);

public sealed record BoxSegment(double X, double Width, RedactionBox Box) : LineSegment(X, Width);

/// <summary>
/// Greedy line breaking at spaces, without hyphenation. A word wider than the line is cut between characters (never inside
/// a surrogate pair); '\n' forces a break; a redaction box is atomic and glued to any text it touches without a space.
/// </summary>
internal sealed class LineBreaker(TextMeasurer regular, TextMeasurer bold, TextMeasurer boxLabel)
{
    /// <summary>Padding either side of a redaction box's label.</summary>
    public const double BoxPadding = 2.5;

    public double BoxWidth(RedactionBox box) => boxLabel.Measure(box.Label) + 2 * BoxPadding;

    public List<Line> Break(IReadOnlyList<Inline> inlines, double maxWidth)
    {
        var lines = new List<Line>();
        var current = new LineBuilder();
        var word = new List<Piece>();
        var pendingSpace = false;

        void FlushWord()
        {
            if (word.Count == 0)
            {
                return;
            }

            var width = word.Sum(p => p.Width);
            var spaceWidth = pendingSpace && !current.IsEmpty ? SpaceWidth(word[0].Bold) : 0;
            if (!current.IsEmpty && current.Width + spaceWidth + width > maxWidth)
            {
                lines.Add(current.Build());
                current = new LineBuilder();
                spaceWidth = 0;
            }

            if (current.IsEmpty && width > maxWidth)
            {
                // A word longer than the line: cut it between characters, filling each line.
                foreach (var piece in word)
                {
                    var rest = piece;
                    while (rest is not null)
                    {
                        var room = maxWidth - current.Width;
                        var (head, tail) = Split(rest, room, current.IsEmpty);
                        if (head is not null)
                        {
                            current.Add(head, 0);
                        }

                        if (tail is not null)
                        {
                            lines.Add(current.Build());
                            current = new LineBuilder();
                        }

                        rest = tail;
                    }
                }
            }
            else
            {
                for (var i = 0; i < word.Count; i++)
                {
                    current.Add(word[i], i == 0 ? spaceWidth : 0);
                }
            }

            word.Clear();
            pendingSpace = false;
        }

        foreach (var inline in inlines)
        {
            switch (inline)
            {
                case RedactionBox box:
                    word.Add(new Piece(null, box, false, BoxWidth(box)));
                    break;
                case TextRun run:
                    var text = run.Text;
                    var start = 0;
                    for (var i = 0; i <= text.Length; i++)
                    {
                        var end = i == text.Length;
                        var c = end ? '\0' : text[i];
                        var isSpace = c is ' ' or '\t' or '\r' || (c != '\n' && !end && char.IsWhiteSpace(c) && c != '\u00A0');
                        if (end || isSpace || c == '\n')
                        {
                            if (i > start)
                            {
                                var fragment = text[start..i];
                                word.Add(new Piece(fragment, null, run.Bold, Measurer(run.Bold).Measure(fragment)));
                            }

                            if (!end)
                            {
                                if (word.Count > 0)
                                {
                                    FlushWord();
                                }

                                if (c == '\n')
                                {
                                    lines.Add(current.Build());
                                    current = new LineBuilder();
                                    pendingSpace = false;
                                }
                                else
                                {
                                    pendingSpace = true;
                                }
                            }

                            start = i + 1;
                        }
                    }

                    break;
            }
        }

        FlushWord();
        if (!current.IsEmpty || lines.Count == 0)
        {
            lines.Add(current.Build());
        }

        return lines;
    }

    private TextMeasurer Measurer(bool isBold) => isBold ? bold : regular;

    private double SpaceWidth(bool isBold) => Measurer(isBold).Space;

    private (Piece? Head, Piece? Tail) Split(Piece piece, double room, bool lineEmpty)
    {
        if (piece.Width <= room + 1e-9)
        {
            return (piece, null);
        }

        if (piece.Text is null)
        {
            // A box never splits: on an empty line it overflows (a label is far narrower than any line).
            return lineEmpty ? (piece, null) : (null, piece);
        }

        var measurer = Measurer(piece.Bold);
        double width = 0;
        var cut = 0;
        foreach (var rune in piece.Text.EnumerateRunes())
        {
            var w = measurer.Width(rune);
            if (width + w > room && (cut > 0 || !lineEmpty))
            {
                break;
            }

            width += w;
            cut += rune.Utf16SequenceLength;
        }

        if (cut == 0)
        {
            return (null, piece);
        }

        var head = piece.Text[..cut];
        var tail = piece.Text[cut..];
        return (new Piece(head, null, piece.Bold, width), tail.Length == 0 ? null : new Piece(tail, null, piece.Bold, measurer.Measure(tail)));
    }

    private sealed record Piece(string? Text, RedactionBox? Box, bool Bold, double Width);

    private sealed class LineBuilder
    {
        private readonly List<LineSegment> _segments = [];
        private readonly StringBuilder _text = new();
        private double _textX;
        private double _textWidth;
        private bool _textBold;

        public double Width { get; private set; }
        public bool IsEmpty => Width == 0 && _segments.Count == 0 && _text.Length == 0;

        public void Add(Piece piece, double spaceBefore)
        {
            if (piece.Box is not null)
            {
                if (spaceBefore > 0 && _text.Length > 0)
                {
                    // The space is drawn as a glyph so that extracted text keeps the word boundary.
                    _text.Append(' ');
                    _textWidth += spaceBefore;
                    Width += spaceBefore;
                    spaceBefore = 0;
                }

                FlushText();
                Width += spaceBefore;
                _segments.Add(new BoxSegment(Width, piece.Width, piece.Box));
                Width += piece.Width;
                return;
            }

            if (_text.Length > 0 && _textBold != piece.Bold)
            {
                FlushText();
            }

            if (_text.Length == 0)
            {
                _textX = Width;
                _textBold = piece.Bold;
                _textWidth = 0;
                if (spaceBefore > 0)
                {
                    // After a box: a drawn space keeps the word boundary in extracted text.
                    _text.Append(' ');
                    _textWidth += spaceBefore;
                    Width += spaceBefore;
                }
            }
            else if (spaceBefore > 0)
            {
                _text.Append(' ');
                _textWidth += spaceBefore;
                Width += spaceBefore;
            }

            _text.Append(piece.Text);
            _textWidth += piece.Width;
            Width += piece.Width;
        }

        public Line Build()
        {
            FlushText();
            return new Line(_segments.ToArray(), Width);
        }

        private void FlushText()
        {
            if (_text.Length > 0)
            {
                _segments.Add(new TextSegment(_textX, _textWidth, _text.ToString(), _textBold));
                _text.Clear();
            }
        }
    }
}
