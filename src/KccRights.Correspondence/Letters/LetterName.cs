using System.Text;
using System.Text.RegularExpressions;
using KccRights.Domain.Text;

namespace KccRights.Correspondence.Letters;

/// <summary>
/// A person's name as it may appear in a letter (issue 9, Build 8): the sender's display name is theirs to choose, so
/// "Evil Bcc: x@y.z" or "Evil\r\nBcc:" must not reach a letter as written. Control characters, bidirectional and
/// zero-width marks, addresses, links and anything from a header-like "Word:" on are removed; what is left must look
/// like a name (letters, spaces, apostrophes, hyphens, full stops), else null and the letter uses its neutral salutation.
/// </summary>
public static partial class LetterName
{
    private const int MaxLength = 70;

    public static string? Clean(string? name)
    {
        var text = TextCleaner.Line(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Everything from the first header-like label ("Bcc:", "To:", "X-Anything:") is not part of a name.
        if (HeaderLike().Match(text) is { Success: true } header)
        {
            text = text[..header.Index];
        }

        var words = new List<string>();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Contains('@', StringComparison.Ordinal) || word.Contains("://", StringComparison.Ordinal) || word.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var kept = new StringBuilder(word.Length);
            foreach (var c in word)
            {
                if (char.IsLetter(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
                    || c is '\'' or '’' or '-' or '.')
                {
                    kept.Append(c);
                }
            }

            if (kept.ToString().Any(char.IsLetter))
            {
                words.Add(kept.ToString());
            }
        }

        var cleaned = string.Join(' ', words);
        return cleaned.Length is 0 or > MaxLength ? null : cleaned;
    }

    [GeneratedRegex(@"(?:^|\s)[A-Za-z][A-Za-z0-9\-]{0,40}\s*:", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, 1000)]
    private static partial Regex HeaderLike();
}
