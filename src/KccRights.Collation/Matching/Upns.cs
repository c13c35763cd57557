using System.Globalization;

namespace KccRights.Collation;

/// <summary>
/// Unique Pupil Numbers (DfE): 13 characters, a check letter then 12 characters (LA code, establishment, year, serial;
/// the last may be a letter in a temporary UPN). The check letter: characters 2 to 13 weighted 2 to 13 (a letter counts
/// as its index in the alphabet below), the sum modulo 23 indexing "ABCDEFGHJKLMNPQRTUVWXYZ" (no I, O or S).
/// </summary>
public static class Upns
{
    private const string Letters = "ABCDEFGHJKLMNPQRTUVWXYZ";

    /// <summary>The check letter for the 12 characters after it, or null when they are not digits (or a final letter).</summary>
    public static char? CheckLetter(ReadOnlySpan<char> twelve)
    {
        if (twelve.Length != 12)
        {
            return null;
        }

        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            var c = twelve[i];
            int value;
            if (char.IsAsciiDigit(c))
            {
                value = c - '0';
            }
            else if (i == 11 && Letters.IndexOf(c) is var index and >= 0)
            {
                value = index;
            }
            else
            {
                return null;
            }

            sum += value * (i + 2);
        }

        return Letters[sum % 23];
    }

    /// <summary>Whether <paramref name="upn"/> is 13 characters with the right check letter (spaces and case ignored).</summary>
    public static bool IsValid(string? upn)
    {
        var n = Normalise(upn);
        return n is { Length: 13 } && CheckLetter(n.AsSpan(1)) == n[0];
    }

    public static string? Normalise(string? upn) =>
        string.IsNullOrWhiteSpace(upn) ? null : upn.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>A valid UPN for an LA code and a 9-digit serial (establishment, year and serial together).</summary>
    public static string Make(int laCode, int serial)
    {
        var twelve = string.Create(CultureInfo.InvariantCulture, $"{laCode:D3}{serial % 1_000_000_000:D9}");
        return CheckLetter(twelve) + twelve;
    }
}
