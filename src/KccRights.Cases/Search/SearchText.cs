using System.Globalization;
using System.Text;

namespace KccRights.Cases;

/// <summary>
/// How names, email addresses and dates are normalised for the case search (issue 14 item 2, ADR 0007), the same way
/// when a case is indexed and when a search is hashed: name words without accents, case or punctuation; their trigrams;
/// a Soundex-style phonetic code; and the edit distance that checks a candidate once its sealed names are opened.
/// </summary>
public static class SearchText
{
    /// <summary>Forms of address that are not part of a name.</summary>
    private static readonly HashSet<string> Titles = new(StringComparer.Ordinal) { "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "rev", "master" };

    /// <summary>
    /// The words of a name, normalised: compatibility-decomposed with accents dropped (Zoë, Zoe), lower case, apostrophes
    /// removed (O'Brien, obrien), split at anything else that is not a letter (Smith-Jones: smith, jones); titles left
    /// out. Single letters (initials) are kept: they are checked against the opened names, never indexed.
    /// </summary>
    public static IReadOnlyList<string> NameWords(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return [];
        }

        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in name.Normalize(NormalizationForm.FormKD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark || ch is '\'' or '\u2019' or '\u2018' or '\u02bc' or '`')
            {
                continue;
            }

            if (char.IsLetter(ch))
            {
                current.Append(Fold(char.ToLowerInvariant(ch)));
                continue;
            }

            Flush();
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                var word = current.ToString();
                if (!Titles.Contains(word))
                {
                    words.Add(word);
                }

                current.Clear();
            }
        }
    }

    /// <summary>Letters that compatibility decomposition leaves whole, written as English speakers type them.</summary>
    private static string Fold(char ch) => ch switch
    {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' or 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        _ => ch.ToString(),
    };

    /// <summary>The words long enough to index and to look up (initials are not).</summary>
    public static bool Indexable(string word) => word.Length >= 2;

    /// <summary>The word's trigrams, padded with a space at each end: "jon" gives " jo", "jon", "on ".</summary>
    public static IEnumerable<string> Trigrams(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var padded = " " + word + " ";
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            yield return padded.Substring(i, 3);
        }
    }

    /// <summary>
    /// American Soundex (letter and three digits) with the first letter spelt as it sounds, so that names differing only
    /// in how their first sound is written share a code: c, k and q are k; ph is f; the silent k of kn, w of wr, g of gn
    /// and p of ps are dropped. "Smith" and "Smyth" are S530, "Catherine" and "Kathryn" K365.
    /// </summary>
    public static string Phonetic(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var letters = new string(word.Where(c => c is >= 'a' and <= 'z').ToArray());
        if (letters.Length == 0)
        {
            return "";
        }

        if (letters.StartsWith("ph", StringComparison.Ordinal))
        {
            letters = "f" + letters[2..];
        }
        else if (letters.Length > 2 && (letters.StartsWith("kn", StringComparison.Ordinal) || letters.StartsWith("wr", StringComparison.Ordinal)
            || letters.StartsWith("gn", StringComparison.Ordinal) || letters.StartsWith("ps", StringComparison.Ordinal)))
        {
            letters = letters[1..];
        }

        var first = letters[0] is 'c' or 'q' ? 'k' : letters[0];
        var code = new StringBuilder().Append(char.ToUpperInvariant(first));
        var previous = Digit(letters[0]);
        for (var i = 1; i < letters.Length && code.Length < 4; i++)
        {
            var digit = Digit(letters[i]);
            if (digit != '0' && digit != previous)
            {
                code.Append(digit);
            }

            // h and w do not separate two letters of the same code; vowels do.
            if (letters[i] is not ('h' or 'w'))
            {
                previous = digit;
            }
        }

        return code.ToString().PadRight(4, '0');
    }

    private static char Digit(char c) => c switch
    {
        'b' or 'f' or 'p' or 'v' => '1',
        'c' or 'g' or 'j' or 'k' or 'q' or 's' or 'x' or 'z' => '2',
        'd' or 't' => '3',
        'l' => '4',
        'm' or 'n' => '5',
        'r' => '6',
        _ => '0',
    };

    /// <summary>An email address as compared: trimmed, without angle brackets or a mailto:, lower case.</summary>
    public static string? Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var value = email.Trim().Trim('<', '>', '.', ',', ';').ToLowerInvariant();
        if (value.StartsWith("mailto:", StringComparison.Ordinal))
        {
            value = value[7..];
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < value.Length - 1 ? value : null;
    }

    /// <summary>The optimal-string-alignment edit distance (Levenshtein with adjacent swaps), "jon" to "john" is 1.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// How far a searched word may be from a name word and still find it: one edit for up to five letters, two for up
    /// to nine, three beyond; or, when both sound alike (same phonetic code), under half the longer word. "Jon" finds
    /// "John" (one edit) but not "Jane" (two edits, although both are J500); "Kathryn" finds "Catherine".
    /// Returns the distance when close enough, otherwise null. An initial (one letter) matches a word it starts.
    /// </summary>
    public static int? Closeness(string searched, string name)
    {
        ArgumentNullException.ThrowIfNull(searched);
        ArgumentNullException.ThrowIfNull(name);
        if (searched.Length == 1)
        {
            return name.StartsWith(searched, StringComparison.Ordinal) ? 0 : null;
        }

        var distance = Distance(searched, name);
        var longer = Math.Max(searched.Length, name.Length);
        var allowed = longer <= 5 ? 1 : longer <= 9 ? 2 : 3;
        if (distance <= allowed)
        {
            return distance;
        }

        return distance <= (longer - 1) / 2 && Phonetic(searched) == Phonetic(name) ? distance : null;
    }
}
