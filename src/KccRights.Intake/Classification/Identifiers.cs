using System.Text.RegularExpressions;

namespace KccRights.Intake.Classification;

/// <summary>
/// The English unique pupil number (DfE): 13 characters, a check letter then 12 characters. The check letter is the sum
/// of characters 2-13, each times its position (2..13), modulo 23, read from ABCDEFGHJKLMNPQRTUVWXYZ. A temporary UPN
/// ends in a letter, valued by its place in the same alphabet.
/// </summary>
public static partial class Upn
{
    private const string Letters = "ABCDEFGHJKLMNPQRTUVWXYZ";

    public static bool IsValid(string? upn)
    {
        if (upn is null || upn.Length != 13 || !Letters.Contains(upn[0], StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 1; i < 12; i++)
        {
            if (!char.IsAsciiDigit(upn[i]))
            {
                return false;
            }
        }

        if (!char.IsAsciiDigit(upn[12]) && !Letters.Contains(upn[12], StringComparison.Ordinal))
        {
            return false;
        }

        return CheckLetter(upn.AsSpan(1)) == upn[0];
    }

    /// <summary>The check letter for the 12 characters after it.</summary>
    public static char CheckLetter(ReadOnlySpan<char> rest)
    {
        if (rest.Length != 12)
        {
            throw new ArgumentException("A UPN has 12 characters after its check letter.", nameof(rest));
        }

        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            var c = rest[i];
            var value = char.IsAsciiDigit(c) ? c - '0' : Letters.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new ArgumentException($"'{c}' cannot appear in a UPN.", nameof(rest));
            }

            sum += value * (i + 2);
        }

        return Letters[sum % 23];
    }

    /// <summary>The first valid UPN in the text, and the phrase it came from.</summary>
    public static string? Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match match in Candidate().Matches(text))
        {
            var value = match.Value.ToUpperInvariant();
            if (IsValid(value))
            {
                return value;
            }
        }

        return null;
    }

    [GeneratedRegex(@"\b[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex Candidate();
}

/// <summary>UK postcodes (the Royal Mail format, as in the gov.uk bulk-data guidance), normalised to upper case with one space.</summary>
public static partial class Postcode
{
    public static IEnumerable<(int Index, int Length, string Value)> FindAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (Match match in Pattern().Matches(text))
        {
            yield return (match.Index, match.Length, Normalise(match.Groups["out"].Value, match.Groups["in"].Value));
        }
    }

    public static bool IsValid(string text) =>
        Pattern().Match(text ?? string.Empty) is { Success: true } m && m.Length == text!.Length;

    private static string Normalise(string outward, string inward) => $"{outward.ToUpperInvariant()} {inward.ToUpperInvariant()}";

    [GeneratedRegex(
        @"\b(?<out>GIR|[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])[ \t]?(?<in>[0-9][ABD-HJLNP-UW-Z]{2})\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexBudget.Milliseconds)]
    private static partial Regex Pattern();
}
