using KccRights.Domain.Deadlines;
using KccRights.Infrastructure.Deadlines;
using KccRights.Workflows.Definitions;
using KccRights.Workflows.Runtime;

namespace KccRights.Workflows.Tests.Runtime;

/// <summary>Where a repeating 'after' timer's schedule has got to, for a migration that joins it part-way.</summary>
public class TimerPlannerTests
{
    private static readonly TimerPlanner Planner = new(new DeadlineCalculator(BankHolidayFile.Load()));

    // Entered Wed 1 April 2026 at 10:00 London time (09:00 UTC).
    private static readonly DateTimeOffset Entered = new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero);

    private static TimerDefinition Daily(TimerOffset after, TimerOffset? repeat) => new() { Id = "t", After = after, Repeat = repeat, Time = "10:00" };

    [Test]
    public void NoneDueYet_TheFirst()
    {
        var timer = Daily(new TimerOffset { Days = 1 }, new TimerOffset { Days = 1 });
        Assert.That(Planner.CatchUpOccurrence(timer, Entered, Entered.AddHours(23)), Is.Zero);
    }

    [Test]
    public void CalendarDays_TheLatestAlreadyDue()
    {
        var timer = Daily(new TimerOffset { Days = 1 }, new TimerOffset { Days = 1 });
        Assert.Multiple(() =>
        {
            Assert.That(Planner.CatchUpOccurrence(timer, Entered, Entered.AddDays(1)), Is.Zero, "the first, due exactly now");
            Assert.That(Planner.CatchUpOccurrence(timer, Entered, Entered.AddDays(4).AddHours(-1)), Is.EqualTo(2), "2 and 3 April are due, 4 April not yet");
        });
    }

    [Test]
    public void WorkingDays_SkipTheEasterBankHolidays()
    {
        // Firsts on Thu 2 April; then Tue 7 April (Good Friday, the weekend and Easter Monday skipped), Wed 8 April.
        var timer = Daily(new TimerOffset { WorkingDays = 1 }, new TimerOffset { WorkingDays = 1 });
        var wednesdayNoon = new DateTimeOffset(2026, 4, 8, 11, 0, 0, TimeSpan.Zero);
        Assert.Multiple(() =>
        {
            Assert.That(Planner.CatchUpOccurrence(timer, Entered, new DateTimeOffset(2026, 4, 6, 12, 0, 0, TimeSpan.Zero)), Is.Zero, "Easter Monday: only Thursday's");
            Assert.That(Planner.CatchUpOccurrence(timer, Entered, wednesdayNoon), Is.EqualTo(2));
            Assert.That(Planner.AfterInstant(timer, Entered, 2), Is.EqualTo(new DateTimeOffset(2026, 4, 8, 9, 0, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public void NotRepeating_OnlyTheFirst_AndAZeroRepeatDoesNotLoop()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Planner.CatchUpOccurrence(Daily(new TimerOffset { Days = 1 }, null), Entered, Entered.AddDays(30)), Is.Zero);
            Assert.That(Planner.CatchUpOccurrence(Daily(new TimerOffset { Days = 1 }, new TimerOffset { Days = 0 }), Entered, Entered.AddDays(30)), Is.Zero);
        });
    }

    [Test]
    public void CalendarDays_AcrossTheClockChange_KeepTheLondonTimeOfDayAndDate()
    {
        // Entered at 00:30 on Sun 22 March 2026 (GMT); clocks go forward on 29 March. 30 days later is 00:30 BST on
        // Tue 21 April, 23:30 UTC on the 20th: 30 x 24 hours would give 00:30 UTC, 01:30 BST, and an hour late.
        var entered = new DateTimeOffset(2026, 3, 22, 0, 30, 0, TimeSpan.Zero);
        var timer = new TimerDefinition { Id = "t", After = new TimerOffset { Days = 30 } };
        Assert.Multiple(() =>
        {
            Assert.That(Planner.AfterInstant(timer, entered, 0), Is.EqualTo(new DateTimeOffset(2026, 4, 20, 23, 30, 0, TimeSpan.Zero)));
            Assert.That(LondonTime.DateOf(Planner.AfterInstant(timer, entered, 0)), Is.EqualTo(new DateOnly(2026, 4, 21)));
        });
    }
}
