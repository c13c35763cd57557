using System.Globalization;

namespace KccRights.Host.Pages;

/// <summary>The three fields of a GOV.UK date input, bound from a form.</summary>
public sealed class DateParts
{
    public string? Day { get; set; }
    public string? Month { get; set; }
    public string? Year { get; set; }

    public bool IsEmpty => string.IsNullOrWhiteSpace(Day) && string.IsNullOrWhiteSpace(Month) && string.IsNullOrWhiteSpace(Year);

    /// <summary>The date, or null with the GOV.UK-style message saying what is wrong.</summary>
    public (DateOnly? Date, string? Error) Parse(string what)
    {
        if (IsEmpty)
        {
            return (null, $"Enter {what}");
        }

        if (!int.TryParse(Day, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            || !int.TryParse(Month, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || !int.TryParse(Year, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || y < 1900 || y > 2100 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return (null, $"{char.ToUpperInvariant(what[0])}{what[1..]} must be a real date");
        }

        return (new DateOnly(y, m, d), null);
    }

    public static DateParts From(DateOnly date) => new()
    {
        Day = date.Day.ToString(CultureInfo.InvariantCulture),
        Month = date.Month.ToString(CultureInfo.InvariantCulture),
        Year = date.Year.ToString(CultureInfo.InvariantCulture),
    };
}

public sealed record DateInputModel(string Id, string Name, string Legend, string Example, DateParts? Value, string? Error)
{
    public string? Day => Value?.Day;
    public string? Month => Value?.Month;
    public string? Year => Value?.Year;
}
