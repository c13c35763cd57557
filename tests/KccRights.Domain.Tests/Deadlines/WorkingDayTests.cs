using KccRights.Domain.Deadlines;
using static KccRights.Domain.Tests.Deadlines.Calendars;

namespace KccRights.Domain.Tests.Deadlines;

public class WorkingDayTests
{
    private readonly DeadlineCalculator _calculator = new(Bundled);

    [Test]
    public void FiveWorkingDaysBefore_SkipsWeekendAndEaster()
    {
        // Due Tue 7 April 2026: back over Easter Monday, the weekend and Good Friday to Friday 27 March.
        Assert.That(_calculator.AddWorkingDays(D("2026-04-07"), -5), Is.EqualTo(D("2026-03-27")));
    }

    [Test]
    public void AddWorkingDays_Forward_SkipsChristmas()
    {
        Assert.That(_calculator.AddWorkingDays(D("2026-12-24"), 1), Is.EqualTo(D("2026-12-29")));
    }

    [Test]
    public void AddWorkingDays_Zero_IsTheSameDay()
    {
        Assert.That(_calculator.AddWorkingDays(D("2026-12-26"), 0), Is.EqualTo(D("2026-12-26")));
    }

    [Test]
    public void WorkingDaysBetween_CountsDaysAfterStartUpToEnd()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_calculator.WorkingDaysBetween(D("2026-03-27"), D("2026-04-07")), Is.EqualTo(5));
            Assert.That(_calculator.WorkingDaysBetween(D("2026-04-07"), D("2026-03-27")), Is.EqualTo(-5));
            Assert.That(_calculator.WorkingDaysBetween(D("2026-04-07"), D("2026-04-07")), Is.Zero);
        });
    }

    [Test]
    public void AddWorkingDays_ThenBetween_RoundTripsForEveryDayOf2026()
    {
        for (var d = D("2026-01-05"); d <= D("2026-12-01"); d = d.AddDays(1))
        {
            var later = _calculator.AddWorkingDays(d, 5);
            Assert.That(_calculator.WorkingDaysBetween(d, later), Is.EqualTo(5), d.ToString());
        }
    }
}
