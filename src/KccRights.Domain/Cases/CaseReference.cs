using System.Globalization;
using System.Text.RegularExpressions;

namespace KccRights.Domain.Cases;

/// <summary>A case reference such as <c>KCC-SAR-2026-000042</c>: KCC, the right's code, the year, six digits.</summary>
public sealed partial record CaseReference(Right Right, int Year, int Number)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"KCC-{Right.Code()}-{Year:0000}-{Number:000000}");

    public static bool TryParse(string? text, out CaseReference? reference)
    {
        reference = null;
        if (text is null)
        {
            return false;
        }

        var match = Pattern().Match(text);
        if (!match.Success || !Rights.TryParseCode(match.Groups["code"].Value.ToUpperInvariant(), out var right))
        {
            return false;
        }

        reference = new CaseReference(
            right,
            int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>Every reference in free text, such as an email subject, in order of appearance.</summary>
    public static IEnumerable<CaseReference> FindAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match match in Pattern().Matches(text))
        {
            if (TryParse(match.Value, out var reference) && reference is not null)
            {
                yield return reference;
            }
        }
    }

    [GeneratedRegex(@"\bKCC-(?<code>SAR|REC|ERA|RES|POR|OBJ|ADM|CMP)-(?<year>\d{4})-(?<number>\d{6})\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, 1000)]
    private static partial Regex Pattern();
}
