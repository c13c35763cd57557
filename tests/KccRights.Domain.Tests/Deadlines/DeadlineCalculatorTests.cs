using KccRights.Domain.Deadlines;
using static KccRights.Domain.Tests.Deadlines.Calendars;

namespace KccRights.Domain.Tests.Deadlines;

/// <summary>Every worked example of LEGAL-RULES.md section 1, and the rules behind them.</summary>
public class DeadlineCalculatorTests
{
    private readonly DeadlineCalculator _calculator = new(Bundled);

    [TestCase("2025-09-03", "2025-10-03", TestName = "Due_OnOrdinaryDay_IsCorrespondingDate")]
    [TestCase("2025-05-05", "2025-06-05", TestName = "Due_WhenReceivedOnBankHoliday_CountsDayOfReceipt")]
    [TestCase("2025-01-31", "2025-02-28", TestName = "Due_WhenCorrespondingDateIsMissing_UsesLastDayOfMonth")]
    [TestCase("2025-11-25", "2025-12-29", TestName = "Due_WhenChristmasAndWeekendFollow_RollsToNextWorkingDay")]
    [TestCase("2026-01-31", "2026-03-02", TestName = "Due_WhenLastDayOfShortMonthIsSaturday_RollsToMonday")]
    [TestCase("2026-03-03", "2026-04-07", TestName = "Due_WhenEasterFalls_RollsPastGoodFridayAndEasterMonday")]
    [TestCase("2028-01-31", "2028-02-29", TestName = "Due_InLeapYear_UsesTwentyNinthFebruary")]
    public void Due_MatchesWorkedExample(string received, string expectedDue)
    {
        var deadline = _calculator.Calculate(new ClockInput { ReceivedOn = D(received) });

        Assert.Multiple(() =>
        {
            Assert.That(deadline.Due, Is.EqualTo(D(expectedDue)));
            Assert.That(deadline.ClockStart, Is.EqualTo(D(received)));
            Assert.That(deadline.PausedDays, Is.Zero);
            Assert.That(deadline.ExtensionNoticeBy, Is.EqualTo(deadline.Due));
        });
    }

    [Test]
    public void Due_WhenClarificationPausesTenDays_AddsThemThenRolls()
    {
        // Received Mon 2 March 2026; clarification asked 4 March, answered 13 March: 10 days do not count (Art 12A(5)).
        var deadline = _calculator.Calculate(new ClockInput
        {
            ReceivedOn = D("2026-03-02"),
            Pauses = [new ClockPause(D("2026-03-04"), D("2026-03-13"))],
        });

        Assert.Multiple(() =>
        {
            Assert.That(deadline.PausedDays, Is.EqualTo(10));
            Assert.That(deadline.Due, Is.EqualTo(D("2026-04-13")));
        });
    }

    [Test]
    public void ExtendedDue_IsThreeMonthsFromClockStartThenRolled()
    {
        var deadline = _calculator.Calculate(new ClockInput { ReceivedOn = D("2026-07-31") });

        Assert.That(deadline.ExtendedDue, Is.EqualTo(D("2026-11-02")));
    }

    [Test]
    public void ExtendedDue_IncludesPausedDays()
    {
        var deadline = _calculator.Calculate(new ClockInput
        {
            ReceivedOn = D("2026-03-02"),
            Pauses = [new ClockPause(D("2026-03-04"), D("2026-03-13"))],
        });

        // 2 June + 10 days = 12 June 2026, a Friday.
        Assert.That(deadline.ExtendedDue, Is.EqualTo(D("2026-06-12")));
    }

    [Test]
    public void ClockStart_WhenIdArrivesLater_RestartsTheMonthFromThatDay()
    {
        var deadline = _calculator.Calculate(new ClockInput { ReceivedOn = D("2025-09-03"), IdReceivedOn = D("2025-09-10") });

        Assert.Multiple(() =>
        {
            Assert.That(deadline.ClockStart, Is.EqualTo(D("2025-09-10")));
            Assert.That(deadline.Due, Is.EqualTo(D("2025-10-10")));
            Assert.That(deadline.Received, Is.EqualTo(D("2025-09-03")));
        });
    }

    [Test]
    public void ClockStart_IsTheLatestOfReceiptIdAndFee()
    {
        var deadline = _calculator.Calculate(new ClockInput
        {
            ReceivedOn = D("2025-09-03"),
            IdReceivedOn = D("2025-09-10"),
            FeePaidOn = D("2025-09-15"),
        });

        Assert.That(deadline.ClockStart, Is.EqualTo(D("2025-09-15")));
    }

    [Test]
    public void Pause_BeforeARestartedClock_DoesNotCountTwice()
    {
        // Clarification 4..8 Sept, then ID on 10 Sept restarts the month: the earlier pause is inside the restart.
        var deadline = _calculator.Calculate(new ClockInput
        {
            ReceivedOn = D("2025-09-03"),
            IdReceivedOn = D("2025-09-10"),
            Pauses = [new ClockPause(D("2025-09-04"), D("2025-09-08"))],
        });

        Assert.Multiple(() =>
        {
            Assert.That(deadline.PausedDays, Is.Zero);
            Assert.That(deadline.Due, Is.EqualTo(D("2025-10-10")));
        });
    }

    [Test]
    public void Pauses_WhenOverlapping_CountEachDayOnce()
    {
        var deadline = _calculator.Calculate(new ClockInput
        {
            ReceivedOn = D("2026-03-02"),
            Pauses = [new ClockPause(D("2026-03-04"), D("2026-03-10")), new ClockPause(D("2026-03-08"), D("2026-03-13"))],
        });

        Assert.That(deadline.PausedDays, Is.EqualTo(10));
    }

    [Test]
    public void Pause_WhenStillOpen_CountsItsFirstDayAndReportsPaused()
    {
        var deadline = _calculator.Calculate(new ClockInput
        {
            ReceivedOn = D("2026-03-02"),
            Pauses = [new ClockPause(D("2026-03-04"), null)],
        });

        Assert.Multiple(() =>
        {
            Assert.That(deadline.IsPaused, Is.True);
            Assert.That(deadline.PausedDays, Is.EqualTo(1));
        });
    }

    [Test]
    public void Pause_EndingBeforeItStarts_IsRefused()
    {
        var input = new ClockInput { ReceivedOn = D("2026-03-02"), Pauses = [new ClockPause(D("2026-03-13"), D("2026-03-04"))] };

        Assert.That(() => _calculator.Calculate(input), Throws.TypeOf<InvalidClockException>().With.Message.Contains("before it starts"));
    }

    [Test]
    public void Pause_StartingBeforeReceipt_IsRefused()
    {
        var input = new ClockInput { ReceivedOn = D("2026-03-02"), Pauses = [new ClockPause(D("2026-03-01"), D("2026-03-04"))] };

        Assert.That(() => _calculator.Calculate(input), Throws.TypeOf<InvalidClockException>());
    }

    [Test]
    public void IdReceived_BeforeTheRequest_IsRefused()
    {
        var input = new ClockInput { ReceivedOn = D("2026-03-02"), IdReceivedOn = D("2026-03-01") };

        Assert.That(() => _calculator.Calculate(input), Throws.TypeOf<InvalidClockException>());
    }

    [Test]
    public void Calculate_WhenDatesRunPastTheHolidayData_IsAnErrorNotAGuess()
    {
        // Received in December 2028: the due date falls in 2029, which the bundled data does not cover.
        Assert.That(
            () => _calculator.Calculate(new ClockInput { ReceivedOn = D("2028-12-15") }),
            Throws.TypeOf<DateOutsideCalendarException>().With.Message.Contains("2018 to 2028"));
    }

    [Test]
    public void Calculate_WhenReceivedBeforeTheHolidayData_IsAnError()
    {
        Assert.That(() => _calculator.Calculate(new ClockInput { ReceivedOn = D("2017-12-01") }), Throws.TypeOf<DateOutsideCalendarException>());
    }

    [TestCase("2026-03-31T23:30:00Z", "2026-04-01", TestName = "LondonDate_InSummerTime_IsNextDayAfter2330Utc")]
    [TestCase("2026-01-31T23:30:00Z", "2026-01-31", TestName = "LondonDate_InWinter_IsTheUtcDate")]
    [TestCase("2026-03-29T00:59:59Z", "2026-03-29", TestName = "LondonDate_JustBeforeClocksGoForward_IsSameDay")]
    [TestCase("2026-10-24T23:00:00Z", "2026-10-25", TestName = "LondonDate_OnNightClocksGoBack_IsBritishSummerTime")]
    public void LondonDate_OfInstant(string instant, string expected)
    {
        var date = LondonTime.DateOf(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture));

        Assert.That(date, Is.EqualTo(D(expected)));
    }
}
