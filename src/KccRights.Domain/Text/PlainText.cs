using System.Buffers;
using System.Text;

namespace KccRights.Domain.Text;

/// <summary>
/// Control characters kept out of stored and displayed text: NUL and the other control characters never reach the
/// database, where PostgreSQL refuses NUL in text (issue 9, Build 2). Used at the web boundary (the Host's input
/// cleaning) and wherever mail-derived text is shown (the triage inbox).
/// </summary>
public static class PlainText
{
    private static readonly SearchValues<char> Unwanted =
        SearchValues.Create(Enumerable.Range(0, 0xa0).Select(i => (char)i).Where(IsUnwanted).ToArray());

    /// <summary>A control character (C0, DEL, C1) other than tab, CR and LF.</summary>
    public static bool IsUnwanted(char c) => char.IsControl(c) && c is not ('\t' or '\r' or '\n');

    public static bool HasUnwanted(string? value) => value is not null && value.AsSpan().IndexOfAny(Unwanted) >= 0;

    /// <summary>The value without control characters other than tab, CR and LF (the same instance when it has none).</summary>
    public static string Clean(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!HasUnwanted(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (!IsUnwanted(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A bidi embedding, override or isolate control: LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.</summary>
    public static bool IsBidiControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>One line of text for display (a sender's name, a subject): every control character, tab and newlines too, becomes a space.</summary>
    public static string OneLine(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c == '\0')
            {
                continue;
            }

            // A bidi embedding, override or isolate (U+202A-202E, U+2066-2069) in mail-derived text would reorder what
            // follows it on the page ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf"): shown as U+FFFD instead, so
            // the officer sees that something was there (Unicode TR9; the display-spoofing class of CVE-2021-42574).
            builder.Append(char.IsControl(c) ? ' ' : IsBidiControl(c) ? '\uFFFD' : c);
        }

        return builder.ToString().Trim();
    }
}
