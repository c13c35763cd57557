using System.Globalization;
using System.Text.RegularExpressions;

namespace KccRights.Intake.Classification;

/// <summary>
/// Dates as people write them in the UK: 14/03/1997, 14.03.97, 14-3-1997, 14 March 1997, 14th Mar 1997, 14th of March,
/// 1997, March 14 1997, March 14th, 1997, 1997-03-14; also Welsh and Polish month names. Numbers are read day first
/// (the UK order); a second number above 12 means the writer used month/day and is read that way.
/// </summary>
public static partial class DateOfBirthParser
{
    private static readonly Dictionary<string, int> Months = BuildMonths();

    /// <summary>Every date in the text with its position, in order.</summary>
    public static IEnumerable<(int Index, int Length, DateOnly Date)> FindAll(string text, int referenceYear)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match match in AnyDate().Matches(text))
        {
            if (TryRead(match, referenceYear, out var date))
            {
                yield return (match.Index, match.Length, date);
            }
        }
    }

    /// <summary>Parses one date written on its own (the whole string, trimmed).</summary>
    public static bool TryParse(string text, int referenceYear, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = AnyDate().Match(text.Trim());
        return match.Success && match.Length == text.Trim().Length && TryRead(match, referenceYear, out date);
    }

    /// <summary>
    /// The date of birth: a date shortly after a cue (date of birth, DOB, born, D.O.B., data urodzenia, dyddiad geni),
    /// or a date straight after the subject's name.
    /// </summary>
    public static (DateOnly Date, string Phrase)? FindDateOfBirth(string text, int referenceYear, DateOnly latest, string? subjectName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match cue in Cue().Matches(text))
        {
            var windowStart = cue.Index + cue.Length;
            var window = text.Substring(windowStart, Math.Min(40, text.Length - windowStart));
            foreach (var (index, length, date) in FindAll(window, referenceYear))
            {
                if (index <= 20 && Plausible(date, latest))
                {
                    return (date, text.Substring(cue.Index, windowStart - cue.Index + index + length).ReplaceLineEndings(" "));
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(subjectName))
        {
            var at = text.IndexOf(subjectName, StringComparison.Ordinal);
            while (at >= 0)
            {
                var after = at + subjectName.Length;
                var window = text.Substring(after, Math.Min(30, text.Length - after));
                foreach (var (index, length, date) in FindAll(window, referenceYear))
                {
                    if (index <= 4 && Plausible(date, latest))
                    {
                        return (date, text.Substring(at, subjectName.Length + index + length).ReplaceLineEndings(" "));
                    }
                }

                at = text.IndexOf(subjectName, after, StringComparison.Ordinal);
            }
        }

        return null;
    }

    private static bool Plausible(DateOnly date, DateOnly latest) => date.Year >= 1900 && date <= latest;

    private static bool TryRead(Match match, int referenceYear, out DateOnly date)
    {
        date = default;
        var g = match.Groups;
        int day, month, year;
        if (g["iy"].Success)
        {
            year = Int(g["iy"].Value);
            month = Int(g["im"].Value);
            day = Int(g["id"].Value);
        }
        else if (g["nd"].Success)
        {
            day = Int(g["nd"].Value);
            month = Int(g["nm"].Value);
            year = Year(g["ny"].Value, referenceYear);
            if (month > 12 && day <= 12)
            {
                (day, month) = (month, day);
            }
        }
        else if (g["td"].Success)
        {
            day = Int(g["td"].Value);
            month = Months[g["tm"].Value.ToLowerInvariant().TrimEnd('.')];
            year = Year(g["ty"].Value, referenceYear);
        }
        else
        {
            day = Int(g["ud"].Value);
            month = Months[g["um"].Value.ToLowerInvariant().TrimEnd('.')];
            year = Year(g["uy"].Value, referenceYear);
        }

        if (month is < 1 or > 12 || day < 1 || year is < 1800 or > 2200 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Two-digit years: a year not after the reference year's last two digits is this century.</summary>
    private static int Year(string value, int referenceYear)
    {
        var number = Int(value);
        if (value.Length == 4)
        {
            return number;
        }

        var century = referenceYear / 100 * 100;
        return number <= referenceYear % 100 ? century + number : century - 100 + number;
    }

    private static Dictionary<string, int> BuildMonths()
    {
        var months = new Dictionary<string, int>(StringComparer.Ordinal);
        string[][] names =
        [
            ["january", "jan", "ionawr", "stycznia", "styczeń", "styczen"],
            ["february", "feb", "chwefror", "lutego", "luty"],
            ["march", "mar", "mawrth", "marca", "marzec"],
            ["april", "apr", "ebrill", "kwietnia", "kwiecień", "kwiecien"],
            ["may", "mai", "maja", "maj"],
            ["june", "jun", "mehefin", "czerwca", "czerwiec"],
            ["july", "jul", "gorffennaf", "lipca", "lipiec"],
            ["august", "aug", "awst", "sierpnia", "sierpień", "sierpien"],
            ["september", "sep", "sept", "medi", "września", "wrzesnia", "wrzesień"],
            ["october", "oct", "hydref", "października", "pazdziernika", "październik"],
            ["november", "nov", "tachwedd", "listopada", "listopad"],
            ["december", "dec", "rhagfyr", "grudnia", "grudzień", "grudzien"],
        ];
        for (var i = 0; i < names.Length; i++)
        {
            foreach (var name in names[i])
            {
                months[name] = i + 1;
            }
        }

        return months;
    }

    private const string MonthNames =
        "january|february|march|april|may|june|july|august|september|october|november|december|" +
        "sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec|" +
        "ionawr|chwefror|mawrth|ebrill|mai|mehefin|gorffennaf|awst|medi|hydref|tachwedd|rhagfyr|" +
        "stycznia|styczeń|styczen|lutego|luty|marca|marzec|kwietnia|kwiecień|kwiecien|maja|maj|czerwca|czerwiec|lipca|lipiec|" +
        "sierpnia|sierpień|sierpien|września|wrzesnia|wrzesień|października|pazdziernika|październik|listopada|listopad|grudnia|grudzień|grudzien";

    [GeneratedRegex(
        @"(?<![\w/.\-])(?:" +
        @"(?<iy>(?:18|19|20)\d{2})-(?<im>\d{1,2})-(?<id>\d{1,2})" +
        @"|(?<nd>\d{1,2})(?:st|nd|rd|th)?(?<sep>[/.\-])(?<nm>\d{1,2})\k<sep>(?<ny>\d{4}|\d{2})" +
        @"|(?<td>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-./]+(?<tm>(?:" + MonthNames + @")\.?),?[\s\-./]+(?<ty>\d{4}|\d{2})(?:r\.?)?" +
        @"|(?<um>(?:" + MonthNames + @")\.?)\s+(?<ud>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<uy>\d{4})" +
        @")(?![\w/\-]|\.\d)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex AnyDate();

    [GeneratedRegex(
        @"\b(?:date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|birth\s*date|born(?:\s+on)?|birthday|data\s+urodzenia|urodzon[ya](?:\s+dnia)?|ur\.|dyddiad\s+geni|ganwyd(?:\s+ar)?|date\s+de\s+naissance|n[ée]e?\s+le|fecha\s+de\s+nacimiento)(?!\w)[\s:\-]*(?:is\s+|was\s+|on\s+)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex Cue();
}
