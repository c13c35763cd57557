using System.Globalization;
using System.Text.RegularExpressions;

namespace KccRights.Cases;

/// <summary>
/// What an officer typed into the search box, taken apart (issue 14 item 2): a case reference (whole or its
/// right-year-number part), email addresses, dates of birth (2012-03-09, 9/3/2012, 9 March 2012) and, from what is left,
/// name words. Every part given must match; an empty search lists by the filters alone.
/// </summary>
public sealed partial record SearchInput
{
    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>A LIKE pattern on cases.reference, or null.</summary>
    public string? ReferencePattern { get; init; }

    public IReadOnlyList<string> Emails { get; init; } = [];

    public IReadOnlyList<DateOnly> BirthDates { get; init; } = [];

    /// <summary>Normalised name words, initials included (they are checked, not looked up).</summary>
    public IReadOnlyList<string> NameWords { get; init; } = [];

    /// <summary>The name words the index can look up (two letters or more).</summary>
    public IReadOnlyList<string> IndexedNameWords => NameWords.Where(SearchText.Indexable).ToList();

    /// <summary>Whether any part needs the blind index (names, emails, dates).</summary>
    public bool UsesIndex => IndexedNameWords.Count > 0 || Emails.Count > 0 || BirthDates.Count > 0;

    public bool IsEmpty => ReferencePattern is null && !UsesIndex;

    /// <summary>What kinds of thing were searched for, for the audit: never the text itself, which may hold a name.</summary>
    public IReadOnlyList<string> Kinds =>
        new[]
        {
            ReferencePattern is null ? null : "reference",
            IndexedNameWords.Count > 0 ? "name" : null,
            Emails.Count > 0 ? "email" : null,
            BirthDates.Count > 0 ? "date-of-birth" : null,
        }.OfType<string>().ToList();

    public static SearchInput Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new SearchInput();
        }

        var rest = text.Length > 300 ? text[..300] : text;
        var emails = new List<string>();
        rest = EmailPattern().Replace(rest, m =>
        {
            if (SearchText.Email(m.Value) is { } email)
            {
                emails.Add(email);
            }

            return " ";
        });

        var dates = new List<DateOnly>();
        rest = IsoDatePattern().Replace(rest, m => Date(m.Value, "yyyy-MM-dd", dates));
        rest = NumericDatePattern().Replace(rest, m => Date(m.Value.Replace('.', '/').Replace('-', '/'), "d/M/yyyy", dates));
        rest = WordDatePattern().Replace(rest, m => Date(OrdinalSuffix().Replace(m.Value, "$1").Replace(".", "", StringComparison.Ordinal), "d MMMM yyyy", dates, "d MMM yyyy"));

        string? reference = null;
        rest = ReferencePatternRegex().Replace(rest, m =>
        {
            var code = m.Groups["code"].Value.ToUpperInvariant();
            var year = m.Groups["year"].Value;
            var number = m.Groups["number"].Success ? m.Groups["number"].Value.PadLeft(6, '0') : null;
            reference ??= number is null
                ? (code.Length > 0 ? $"%-{code}-{year}-%" : $"%-{year}-%")
                : (code.Length > 0 ? $"%-{code}-{year}-{number}" : $"%-{year}-{number}");
            return " ";
        });

        return new SearchInput
        {
            ReferencePattern = reference,
            Emails = emails.Distinct(StringComparer.Ordinal).ToList(),
            BirthDates = dates.Distinct().ToList(),
            NameWords = SearchText.NameWords(rest).Distinct(StringComparer.Ordinal).Take(8).ToList(),
        };
    }

    private static string Date(string value, string format, List<DateOnly> dates, string? alternative = null)
    {
        var collapsed = string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (DateOnly.TryParseExact(collapsed, format, EnGb, DateTimeStyles.None, out var date)
            || (alternative is not null && DateOnly.TryParseExact(collapsed, alternative, EnGb, DateTimeStyles.None, out date)))
        {
            dates.Add(date);
            return " ";
        }

        // Not a date after all (31/02/2012): left out rather than searched as a name.
        return " ";
    }

    [GeneratedRegex(@"[^\s@<>,;]+@[^\s@<>,;]+")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDatePattern();

    [GeneratedRegex(@"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b")]
    private static partial Regex NumericDatePattern();

    [GeneratedRegex(@"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}\b", RegexOptions.IgnoreCase)]
    private static partial Regex WordDatePattern();

    [GeneratedRegex(@"\b(\d{1,2})(?:st|nd|rd|th)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrdinalSuffix();

    /// <summary>KCC-SAR-2026-000123, SAR-2026-123, SAR-2026, 2026-000123.</summary>
    [GeneratedRegex(@"\b(?:KCC-)?(?:(?<code>[A-Za-z]{2,4})-)?(?<year>(?:19|20)\d{2})(?:-(?<number>\d{1,6}))?\b(?<=-\d+|[A-Za-z]-\d{4})", RegexOptions.IgnoreCase)]
    private static partial Regex ReferencePatternRegex();
}
