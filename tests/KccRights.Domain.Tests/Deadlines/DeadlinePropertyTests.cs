using KccRights.Domain.Deadlines;
using static KccRights.Domain.Tests.Deadlines.Calendars;

namespace KccRights.Domain.Tests.Deadlines;

/// <summary>Properties checked for every received date from 2025 to 2028, not only the worked examples.</summary>
public class DeadlinePropertyTests
{
    private static readonly DeadlineCalculator Calculator = new(BundledPlus2029);

    private static IEnumerable<DateOnly> EveryDay2025To2028()
    {
        for (var d = D("2025-01-01"); d <= D("2028-12-31"); d = d.AddDays(1))
        {
            yield return d;
        }
    }

    [Test]
    public void Due_ForEveryReceivedDate_IsAWorkingDayAtLeast28DaysAfterClockStart()
    {
        var failures = new List<string>();
        foreach (var received in EveryDay2025To2028())
        {
            var deadline = Calculator.Calculate(new ClockInput { ReceivedOn = received });
            if (!BundledPlus2029.IsWorkingDay(deadline.Due))
            {
                failures.Add($"{received}: due {deadline.Due} is not a working day");
            }

            if (deadline.Due.DayNumber - deadline.ClockStart.DayNumber < 28)
            {
                failures.Add($"{received}: due {deadline.Due} is under 28 days after {deadline.ClockStart}");
            }

            if (!BundledPlus2029.IsWorkingDay(deadline.ExtendedDue) || deadline.ExtendedDue < deadline.Due)
            {
                failures.Add($"{received}: extended due {deadline.ExtendedDue} is not a working day on or after {deadline.Due}");
            }

            // Rolling only ever moves forward, and never past a working day: the day before due is the corresponding
            // date itself or a non-working day.
            var corresponding = received.AddMonths(1);
            if (deadline.Due < corresponding || (deadline.Due > corresponding && BundledPlus2029.IsWorkingDay(deadline.Due.AddDays(-1)) && deadline.Due.AddDays(-1) >= corresponding))
            {
                failures.Add($"{received}: due {deadline.Due} is not the first working day on or after {corresponding}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Pauses_ForEveryReceivedDate_NeverBringADateForward()
    {
        var failures = new List<string>();
        var lengths = new[] { 1, 3, 10, 45 };
        foreach (var received in EveryDay2025To2028())
        {
            var plain = Calculator.Calculate(new ClockInput { ReceivedOn = received });
            var previous = plain;
            foreach (var length in lengths)
            {
                var from = received.AddDays(2);
                var paused = Calculator.Calculate(new ClockInput
                {
                    ReceivedOn = received,
                    Pauses = [new ClockPause(from, from.AddDays(length - 1))],
                });
                if (paused.Due < previous.Due || paused.ExtendedDue < previous.ExtendedDue || paused.PausedDays != length)
                {
                    failures.Add($"{received}: a {length}-day pause gave due {paused.Due} (was {previous.Due})");
                }

                if (paused.ExtendedDue < paused.Due)
                {
                    failures.Add($"{received}: extended due {paused.ExtendedDue} is before due {paused.Due}");
                }

                previous = paused;
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void LaterClockStart_ForEveryReceivedDate_NeverBringsDueForward()
    {
        var failures = new List<string>();
        foreach (var received in EveryDay2025To2028())
        {
            var plain = Calculator.Calculate(new ClockInput { ReceivedOn = received });
            var restarted = Calculator.Calculate(new ClockInput { ReceivedOn = received, IdReceivedOn = received.AddDays(7) });
            if (restarted.Due < plain.Due || restarted.ClockStart != received.AddDays(7))
            {
                failures.Add($"{received}: ID a week later gave due {restarted.Due} (was {plain.Due})");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void BundledData_CoversEveryDueDateForRequestsReceivedUpToLateNovember2028()
    {
        // The shipped file must let the service calculate today's requests; beyond it the engine refuses to guess.
        var calculator = new DeadlineCalculator(Bundled);
        var last = D("2028-09-29");
        for (var d = D("2018-01-01"); d <= last; d = d.AddDays(1))
        {
            Assert.That(() => calculator.Calculate(new ClockInput { ReceivedOn = d }), Throws.Nothing, d.ToString());
        }
    }
}
