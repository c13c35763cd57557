namespace KccRights.Documents.Letters;

/// <summary>
/// A letter as a document (issue 12, Build 5): the same wording the workflows email (ID request, clarification, extension
/// notice, refusal, decisions), laid out for post and for the case file.
/// </summary>
public sealed record Letter
{
    public required string Reference { get; init; }

    public required DateOnly Date { get; init; }

    public required string RecipientName { get; init; }

    public IReadOnlyList<string> AddressLines { get; init; } = [];

    public required string Subject { get; init; }

    /// <summary>
    /// The body as a template renders it: paragraphs separated by blank lines; a line broken inside a paragraph is joined
    /// when it is long (the templates wrap at about 120 columns) and kept when short (sign-offs, lists); lines starting
    /// "- " or "* " are list items.
    /// </summary>
    public required string Body { get; init; }

    /// <summary>Splits rendered template text whose first line is "Subject: ..." into subject and body.</summary>
    public static (string Subject, string Body) SplitSubject(string rendered)
    {
        var text = rendered.ReplaceLineEndings("\n");
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var first = newline < 0 ? text : text[..newline];
        return first.StartsWith("Subject:", StringComparison.Ordinal)
            ? (first["Subject:".Length..].Trim(), newline < 0 ? "" : text[(newline + 1)..].TrimStart('\n'))
            : ("", text);
    }
}

/// <summary>A block of a letter body: a paragraph or a list item.</summary>
public sealed record LetterBlock(string Text, bool ListItem);

public static class LetterBody
{
    private const int WrappedLineLength = 70;

    public static IReadOnlyList<LetterBlock> Blocks(string body)
    {
        var blocks = new List<LetterBlock>();
        foreach (var paragraph in body.ReplaceLineEndings("\n").Split("\n\n"))
        {
            var lines = paragraph.Split('\n');
            var current = new System.Text.StringBuilder();
            var listItem = false;
            var previousLength = 0;

            void Flush()
            {
                if (current.Length > 0)
                {
                    blocks.Add(new LetterBlock(current.ToString(), listItem));
                    current.Clear();
                }
            }

            foreach (var raw in lines)
            {
                var line = raw.TrimEnd();
                if (line.Length == 0)
                {
                    continue;
                }

                var trimmed = line.TrimStart();
                var isItem = trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal) || trimmed.StartsWith("\u2022 ", StringComparison.Ordinal);
                if (isItem)
                {
                    Flush();
                    listItem = true;
                    current.Append(trimmed[2..].TrimStart());
                }
                else if (current.Length == 0)
                {
                    listItem = false;
                    current.Append(line);
                }
                else if (previousLength >= WrappedLineLength)
                {
                    current.Append(' ').Append(trimmed);
                }
                else
                {
                    current.Append('\n').Append(line);
                }

                previousLength = line.Length;
            }

            Flush();
        }

        return blocks;
    }
}
