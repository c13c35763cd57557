namespace KccRights.Domain.Deadlines;

/// <summary>
/// The statutory time limit for a rights request (UK GDPR Arts 12(3), 12(5), 12(6), 12A(5); LEGAL-RULES.md section 1).
/// Pure: the same input and calendar always give the same dates.
/// </summary>
public sealed class DeadlineCalculator(BankHolidayCalendar calendar)
{
    public BankHolidayCalendar Calendar { get; } = calendar ?? throw new ArgumentNullException(nameof(calendar));

    public Deadline Calculate(ClockInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Calendar.EnsureCovered(input.ReceivedOn);

        if (input.IdReceivedOn is { } id && id < input.ReceivedOn)
        {
            throw new InvalidClockException($"ID received on {id:yyyy-MM-dd} is before the request was received on {input.ReceivedOn:yyyy-MM-dd}.");
        }

        if (input.FeePaidOn is { } fee && fee < input.ReceivedOn)
        {
            throw new InvalidClockException($"Fee paid on {fee:yyyy-MM-dd} is before the request was received on {input.ReceivedOn:yyyy-MM-dd}.");
        }

        // Art 12(6) and 12(5): the clock starts at the latest of receipt, ID received and fee paid; a late start restarts
        // the whole month from that day.
        var clockStart = Max(input.ReceivedOn, Max(input.IdReceivedOn, input.FeePaidOn));
        Calendar.EnsureCovered(clockStart);

        var (pausedDays, isPaused) = CountPausedDays(input, clockStart);

        // Art 12(3): one month; the day of receipt is day 1, so the limit is the corresponding date in the next month, or
        // that month's last day where it has no such date (DateOnly.AddMonths clamps exactly so). Art 12A(5): the paused
        // days are added to the corresponding date before rolling to a working day.
        var due = NextWorkingDayOnOrAfter(clockStart.AddMonths(1).AddDays(pausedDays));

        // Art 12(3): extension by two further months, three months from the clock start by the same rule.
        var extendedDue = NextWorkingDayOnOrAfter(clockStart.AddMonths(3).AddDays(pausedDays));

        // Art 12(3): the requester must be told of an extension, with reasons, within the first month.
        return new Deadline(input.ReceivedOn, clockStart, pausedDays, isPaused, due, due, extendedDue);
    }

    /// <summary>The day itself when it is a working day, else the next working day.</summary>
    public DateOnly NextWorkingDayOnOrAfter(DateOnly date)
    {
        while (!Calendar.IsWorkingDay(date))
        {
            date = date.AddDays(1);
        }

        return date;
    }

    /// <summary>
    /// Moves <paramref name="days"/> working days from <paramref name="date"/> (backwards when negative): 5 working days
    /// before a due date is <c>AddWorkingDays(due, -5)</c>. The starting day itself is never counted.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly date, int days)
    {
        Calendar.EnsureCovered(date);
        var step = days >= 0 ? 1 : -1;
        var remaining = Math.Abs(days);
        while (remaining > 0)
        {
            date = date.AddDays(step);
            if (Calendar.IsWorkingDay(date))
            {
                remaining--;
            }
        }

        return date;
    }

    /// <summary>
    /// Working days after <paramref name="from"/> up to and including <paramref name="to"/>; negative when
    /// <paramref name="to"/> is earlier (an overdue case shows how many working days it is late).
    /// </summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            return -WorkingDaysBetween(to, from);
        }

        Calendar.EnsureCovered(from);
        Calendar.EnsureCovered(to);
        var count = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1))
        {
            if (Calendar.IsWorkingDay(d))
            {
                count++;
            }
        }

        return count;
    }

    private static (int Days, bool IsPaused) CountPausedDays(ClockInput input, DateOnly clockStart)
    {
        var days = new HashSet<DateOnly>();
        var isPaused = false;
        foreach (var pause in input.Pauses)
        {
            if (pause.To is { } to && to < pause.From)
            {
                throw new InvalidClockException($"A pause ends on {to:yyyy-MM-dd}, before it starts on {pause.From:yyyy-MM-dd}.");
            }

            if (pause.From < input.ReceivedOn)
            {
                throw new InvalidClockException($"A pause starts on {pause.From:yyyy-MM-dd}, before the request was received on {input.ReceivedOn:yyyy-MM-dd}.");
            }

            // An open pause counts its first day only: the dates shown are the earliest they can be until the answer
            // arrives, when the pause is closed and the dates move on.
            isPaused |= pause.IsOpen;
            var end = pause.To ?? pause.From;

            // Days before a restarted clock are already inside the restart: they do not count twice. Overlapping
            // pauses count each day once.
            for (var d = Max(pause.From, clockStart); d <= end; d = d.AddDays(1))
            {
                days.Add(d);
            }
        }

        return (days.Count, isPaused);
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Max(DateOnly? a, DateOnly? b) => (a, b) switch
    {
        (null, null) => DateOnly.MinValue,
        ({ } x, null) => x,
        (null, { } y) => y,
        ({ } x, { } y) => Max(x, y),
    };
}
