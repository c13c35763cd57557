using KccRights.Domain.Deadlines;
using static KccRights.Domain.Tests.Deadlines.Calendars;

namespace KccRights.Domain.Tests.Deadlines;

public class BankHolidayCalendarTests
{
    [Test]
    public void BundledFile_HasEveryHolidayListedInTheLegalRules()
    {
        string[] expected =
        [
            "2018-01-01", "2018-03-30", "2018-04-02", "2018-05-07", "2018-05-28", "2018-08-27", "2018-12-25", "2018-12-26",
            "2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26",
            "2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28",
            "2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28",
            "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27",
            "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26",
            "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
            "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
            "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
            "2028-01-03", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-29", "2028-08-28", "2028-12-25", "2028-12-26",
        ];

        Assert.That(Bundled.Holidays.Order().Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));
    }

    [Test]
    public void Parse_WhenJsonIsBroken_SaysSo()
    {
        Assert.That(() => BankHolidayCalendar.Parse("{not json"), Throws.TypeOf<BankHolidayDataException>().With.Message.Contains("not valid JSON"));
    }

    [Test]
    public void Parse_WhenDivisionIsMissing_SaysWhichPath()
    {
        Assert.That(() => BankHolidayCalendar.Parse("""{"scotland":{"events":[]}}"""), Throws.TypeOf<BankHolidayDataException>().With.Message.Contains("england-and-wales.events"));
    }

    [Test]
    public void Parse_WhenADateIsBad_NamesItsIndex()
    {
        const string json = """{"england-and-wales":{"events":[{"date":"2026-01-01"},{"date":"2026-13-01"}]}}""";

        Assert.That(() => BankHolidayCalendar.Parse(json), Throws.TypeOf<BankHolidayDataException>().With.Message.Contains("events[1].date"));
    }

    [Test]
    public void Parse_WhenAYearInTheMiddleIsMissing_IsRefused()
    {
        const string json = """{"england-and-wales":{"events":[{"date":"2025-01-01"},{"date":"2027-01-01"}]}}""";

        Assert.That(() => BankHolidayCalendar.Parse(json), Throws.TypeOf<BankHolidayDataException>().With.Message.Contains("2026"));
    }

    [Test]
    public void Fingerprint_ChangesWhenAOneOffHolidayIsAdded()
    {
        var extra = new BankHolidayCalendar(Bundled.Holidays.Append(D("2027-06-07")));

        Assert.That(extra.Fingerprint, Is.Not.EqualTo(Bundled.Fingerprint));
    }

    [Test]
    public void IsWorkingDay_OutsideTheData_Throws()
    {
        Assert.That(() => Bundled.IsWorkingDay(D("2029-01-02")), Throws.TypeOf<DateOutsideCalendarException>());
    }
}
