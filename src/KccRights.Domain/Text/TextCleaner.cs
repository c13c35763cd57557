using System.Text;

namespace KccRights.Domain.Text;

/// <summary>
/// Cleans text at the intake boundary (issue 9, item 2), and names before they reach a letter: NUL and the other
/// control characters are replaced by a space before anything is stored (PostgreSQL refuses NUL in text, error 22021,
/// and in jsonb), and unpaired surrogates, which cannot be written as UTF-8, by U+FFFD. Bodies keep tab, CR and LF;
/// one-line values (header fields, display names, file names) keep none, and their runs of spaces are folded.
/// </summary>
public static class TextCleaner
{
    /// <summary>A body: control characters other than tab, CR and LF become spaces.</summary>
    public static string Body(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return NeedsCleaning(text, keepLineBreaks: true) ? Clean(text, keepLineBreaks: true) : text;
    }

    /// <summary>A one-line value: every control character becomes a space, runs of spaces fold, ends trimmed; null stays null.</summary>
    public static string? Line(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var cleaned = NeedsCleaning(text, keepLineBreaks: false) ? Clean(text, keepLineBreaks: false) : text;
        return cleaned.Contains("  ", StringComparison.Ordinal)
            ? string.Join(' ', cleaned.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            : cleaned.Trim();
    }

    /// <summary>True when the text holds a character <see cref="Body"/> would replace.</summary>
    public static bool HasControlCharacters(string? text) => text is not null && NeedsCleaning(text, keepLineBreaks: true);

    private static bool IsControl(char c, bool keepLineBreaks) =>
        (c < 0x20 && !(keepLineBreaks && c is '\t' or '\r' or '\n'))
        || c == 0x7f
        || c is >= '\u0080' and <= '\u009f'
        || c is '\u2028' or '\u2029';

    private static bool NeedsCleaning(string text, bool keepLineBreaks)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsControl(c, keepLineBreaks))
            {
                return true;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Clean(string text, bool keepLineBreaks)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsControl(c, keepLineBreaks))
            {
                builder.Append(' ');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
