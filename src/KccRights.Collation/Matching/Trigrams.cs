namespace KccRights.Collation.Matching;

/// <summary>
/// Trigram similarity computed as PostgreSQL's pg_trgm computes it (lower-cased alphanumeric words, each padded with two
/// spaces before and one after; shared trigrams over all distinct trigrams), so a score's reason reads the same as the
/// database's <c>similarity()</c> that found the candidate.
/// </summary>
public static class Trigrams
{
    public static double Similarity(string? a, string? b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
        {
            return 0;
        }

        var x = Of(a);
        var y = Of(b);
        if (x.Count == 0 || y.Count == 0)
        {
            return 0;
        }

        var common = x.Count(y.Contains);
        return (double)common / (x.Count + y.Count - common);
    }

    public static HashSet<string> Of(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in text.ToLowerInvariant().Split(c => !char.IsLetterOrDigit(c)))
        {
            var padded = "  " + word + " ";
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                set.Add(padded.Substring(i, 3));
            }
        }

        return set;
    }

    private static IEnumerable<string> Split(this string text, Func<char, bool> separator)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !separator(text[i]))
            {
                if (start < 0)
                {
                    start = i;
                }
            }
            else if (start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }
}
