using System.Text.RegularExpressions;

namespace KccRights.Disclosure.Suggestions;

/// <summary>
/// The identifier patterns the suggestions look for, with their checks: UK phone numbers, email addresses, NHS numbers
/// (modulus 11), Unique Pupil Numbers (the DfE check letter; the same rule as Collation's, which Disclosure cannot
/// reference) and UK postcodes with the street line before them.
/// </summary>
public static partial class Identifiers
{
    private const string UpnLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";

    /// <summary>Whether ten digits (spaces and dashes ignored) are an NHS number: weights 10 to 2, 11 - (sum mod 11), 11 means 0, 10 is never valid.</summary>
    public static bool IsNhsNumber(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var digits = value.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length != 10 || value.Any(c => !char.IsAsciiDigit(c) && c is not (' ' or '-')))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += digits[i] * (10 - i);
        }

        var check = 11 - (sum % 11);
        if (check == 11)
        {
            check = 0;
        }

        return check != 10 && check == digits[9];
    }

    /// <summary>
    /// Whether a value is a UPN (DfE): 13 characters, a check letter then 12 (the last may be a letter in a temporary UPN);
    /// characters 2 to 13 weighted 2 to 13, the sum modulo 23 indexing "ABCDEFGHJKLMNPQRTUVWXYZ".
    /// </summary>
    public static bool IsUpn(string? value)
    {
        var n = value?.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (n is not { Length: 13 })
        {
            return false;
        }

        var sum = 0;
        for (var i = 1; i < 13; i++)
        {
            var c = n[i];
            int v;
            if (char.IsAsciiDigit(c))
            {
                v = c - '0';
            }
            else if (i == 12 && UpnLetters.IndexOf(c) is var index and >= 0)
            {
                v = index;
            }
            else
            {
                return false;
            }

            sum += v * (i + 1);
        }

        return UpnLetters[sum % 23] == n[0];
    }

    /// <summary>Digits only, for comparing phone numbers and identifiers however they were written.</summary>
    public static string Compact(string value) =>
        new([.. (value ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);

    /// <summary>A UK phone number: 0 or +44 then 9 or 10 more digits, spaces, dashes or brackets between.</summary>
    [GeneratedRegex(@"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?(?:[ -]?\d){6,8}(?![\w])", RegexOptions.CultureInvariant, 1000)]
    public static partial Regex Phone();

    [GeneratedRegex(@"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])", RegexOptions.CultureInvariant, 1000)]
    public static partial Regex Email();

    [GeneratedRegex(@"(?<![\w-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w-])", RegexOptions.CultureInvariant, 1000)]
    public static partial Regex NhsCandidate();

    [GeneratedRegex(@"(?<![\w-])[A-Z]\d{11}[0-9A-Z](?![\w-])", RegexOptions.CultureInvariant, 1000)]
    public static partial Regex UpnCandidate();

    /// <summary>A UK postcode (outward and inward codes).</summary>
    [GeneratedRegex(@"(?<![\w])[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}(?![\w])", RegexOptions.CultureInvariant, 1000)]
    public static partial Regex Postcode();

    /// <summary>A street line: a house number, one to three capitalised words and a street word, optionally the town after a comma.</summary>
    [GeneratedRegex(@"(?<![\w])\d{1,4}[A-Za-z]?,?\s+(?:\p{Lu}[\p{Ll}']+\s+){1,3}(?:Road|Street|Avenue|Lane|Close|Drive|Way|Place|Crescent|Gardens|Court|Terrace|Hill|Grove|Park|Square|Walk|Rise|Mews|Row|Parade|Green|View)\b(?:,\s*\p{Lu}\p{Ll}+(?:\s\p{Lu}\p{Ll}+)?)?", RegexOptions.CultureInvariant, 1000)]
    public static partial Regex StreetLine();

    /// <summary>Phone numbers that are really phone numbers (10 or 11 digits in the national form).</summary>
    public static bool IsPhone(string value)
    {
        var digits = new string([.. value.Where(char.IsAsciiDigit)]);
        if (digits.StartsWith("44", StringComparison.Ordinal) && value.TrimStart().StartsWith('+'))
        {
            digits = "0" + digits[2..].TrimStart('0');
        }

        return digits.StartsWith('0') && digits.Length is 10 or 11 && digits[1] is '1' or '2' or '3' or '7' or '8';
    }
}
