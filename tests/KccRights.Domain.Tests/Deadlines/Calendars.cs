using KccRights.Domain.Deadlines;

namespace KccRights.Domain.Tests.Deadlines;

internal static class Calendars
{
    /// <summary>The bank-holiday file the service ships.</summary>
    public static BankHolidayCalendar Bundled { get; } =
        BankHolidayCalendar.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "bank-holidays.json")));

    /// <summary>
    /// The bundled file plus a test-only 2029 (its usual holidays), so properties can be checked for every received date
    /// up to the end of 2028 even where the extended date falls in 2029. Never shipped: 2029 is not yet announced.
    /// </summary>
    public static BankHolidayCalendar BundledPlus2029 { get; } = new(Bundled.Holidays.Concat(
    [
        new DateOnly(2029, 1, 1), new DateOnly(2029, 3, 30), new DateOnly(2029, 4, 2), new DateOnly(2029, 5, 7),
        new DateOnly(2029, 5, 28), new DateOnly(2029, 8, 27), new DateOnly(2029, 12, 25), new DateOnly(2029, 12, 26),
    ]));

    public static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
