using System.Collections.Frozen;
using System.Text.Json;

namespace KccRights.Domain.Deadlines;

/// <summary>
/// England and Wales bank holidays, read from text in the gov.uk bank-holidays JSON shape
/// (<c>{"england-and-wales":{"division":"england-and-wales","events":[{"title":..,"date":"2026-01-01"}]}}</c>).
/// The calendar covers whole years, from the first year named in the data to the last; asking about a date outside
/// them is an error, never a guess (LEGAL-RULES.md section 1), because one-off holidays are announced, not computed.
/// </summary>
public sealed class BankHolidayCalendar
{
    public const string EnglandAndWales = "england-and-wales";

    private readonly FrozenSet<DateOnly> _holidays;

    public BankHolidayCalendar(IEnumerable<DateOnly> holidays)
    {
        ArgumentNullException.ThrowIfNull(holidays);
        _holidays = holidays.ToFrozenSet();
        if (_holidays.Count == 0)
        {
            throw new BankHolidayDataException("The bank-holiday data names no holidays.");
        }

        FirstYear = _holidays.Min().Year;
        LastYear = _holidays.Max().Year;
        var missing = Enumerable.Range(FirstYear, LastYear - FirstYear + 1)
            .Where(y => !_holidays.Any(h => h.Year == y))
            .ToList();
        if (missing.Count > 0)
        {
            throw new BankHolidayDataException(
                $"The bank-holiday data has no holidays for {string.Join(", ", missing)}: every year between the first and last must be listed.");
        }

        // A short fingerprint so stored clocks can say which data they were calculated with.
        Fingerprint = string.Join(',', _holidays.Order().Select(d => d.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)))
            .GetStableHash();
    }

    public int FirstYear { get; }

    public int LastYear { get; }

    /// <summary>Identifies the holiday set; changes whenever a holiday is added or removed.</summary>
    public string Fingerprint { get; }

    public IReadOnlyCollection<DateOnly> Holidays => _holidays;

    public DateOnly FirstDate => new(FirstYear, 1, 1);

    public DateOnly LastDate => new(LastYear, 12, 31);

    public bool Covers(DateOnly date) => date.Year >= FirstYear && date.Year <= LastYear;

    public bool IsBankHoliday(DateOnly date)
    {
        EnsureCovered(date);
        return _holidays.Contains(date);
    }

    public bool IsWorkingDay(DateOnly date)
    {
        EnsureCovered(date);
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);
    }

    public void EnsureCovered(DateOnly date)
    {
        if (!Covers(date))
        {
            throw new DateOutsideCalendarException(date, FirstYear, LastYear);
        }
    }

    /// <summary>Parses the gov.uk JSON shape, taking the named division (England and Wales by default).</summary>
    public static BankHolidayCalendar Parse(string json, string division = EnglandAndWales)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new BankHolidayDataException($"The bank-holiday data is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty(division, out var divisionElement)
                || !divisionElement.TryGetProperty("events", out var events)
                || events.ValueKind != JsonValueKind.Array)
            {
                throw new BankHolidayDataException($"The bank-holiday data has no '{division}.events' array.");
            }

            var dates = new List<DateOnly>();
            var index = 0;
            foreach (var item in events.EnumerateArray())
            {
                if (!item.TryGetProperty("date", out var dateElement)
                    || dateElement.ValueKind != JsonValueKind.String
                    || !DateOnly.TryParseExact(dateElement.GetString(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
                {
                    throw new BankHolidayDataException($"The bank-holiday data has a bad date at '{division}.events[{index}].date'.");
                }

                dates.Add(date);
                index++;
            }

            return new BankHolidayCalendar(dates);
        }
    }
}

public class BankHolidayDataException : Exception
{
    public BankHolidayDataException()
    {
    }

    public BankHolidayDataException(string message)
        : base(message)
    {
    }

    public BankHolidayDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A date the bank-holiday data does not cover: the answer would be a guess, so there is none.</summary>
public sealed class DateOutsideCalendarException : BankHolidayDataException
{
    public DateOutsideCalendarException(DateOnly date, int firstYear, int lastYear)
        : base($"{date:yyyy-MM-dd} is outside the bank-holiday data, which covers {firstYear} to {lastYear}; install newer bank-holiday data.")
    {
        Date = date;
    }

    public DateOnly Date { get; }
}

internal static class StableHash
{
    // FNV-1a: deterministic across processes, unlike string.GetHashCode.
    public static string GetStableHash(this string text)
    {
        ulong hash = 14695981039346656037;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
