using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;

namespace KccRights.Workflows.Runtime;

/// <summary>When a timer fires: relative to entering its state (days or working days), or to a stored case date.</summary>
public sealed class TimerPlanner(DeadlineCalculator calculator)
{
    /// <summary>The London time a date-relative timer fires at when its definition names none.</summary>
    public static readonly TimeOnly DefaultTime = new(8, 0);

    /// <summary>The <paramref name="occurrence"/>th firing (0 = first) of an 'after' timer armed at <paramref name="enteredAt"/>.</summary>
    public DateTimeOffset AfterInstant(TimerDefinition timer, DateTimeOffset enteredAt, int occurrence)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var after = timer.After ?? throw new ArgumentException("Not an 'after' timer.", nameof(timer));
        var instant = Add(enteredAt, after, timer.Time);
        for (var i = 0; i < occurrence && timer.Repeat is { } repeat; i++)
        {
            instant = Add(instant, repeat, timer.Time);
        }

        return instant;
    }

    /// <summary>
    /// The occurrence of an 'after' timer to take up when its schedule is joined part-way (a version migration): the
    /// latest one already due at <paramref name="now"/>, or the first when none is due yet. A timer that does not repeat
    /// has only its first. Missed repeats are not fired one by one: a reminder is sent once for the lot.
    /// </summary>
    public int CatchUpOccurrence(TimerDefinition timer, DateTimeOffset enteredAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var after = timer.After ?? throw new ArgumentException("Not an 'after' timer.", nameof(timer));
        if (timer.Repeat is not { } repeat)
        {
            return 0;
        }

        var instant = Add(enteredAt, after, timer.Time);
        var occurrence = 0;
        while (true)
        {
            var next = Add(instant, repeat, timer.Time);
            if (next > now || next <= instant)
            {
                return occurrence;
            }

            instant = next;
            occurrence++;
        }
    }

    /// <summary>The first date an 'at' timer is due: the case date moved by the offset ("5 working days before due" is -5).</summary>
    public DateOnly FirstAtDate(TimerDefinition timer, CaseDates dates)
    {
        ArgumentNullException.ThrowIfNull(timer);
        ArgumentNullException.ThrowIfNull(dates);
        var at = timer.At ?? throw new ArgumentException("Not an 'at' timer.", nameof(timer));
        var date = dates.Get(at.CaseDate);
        if (at.WorkingDays is { } workingDays)
        {
            return calculator.AddWorkingDays(date, workingDays);
        }

        return date.AddDays(at.Days ?? 0);
    }

    /// <summary>The next date of a repeating 'at' timer.</summary>
    public DateOnly NextDate(DateOnly date, TimerOffset repeat)
    {
        ArgumentNullException.ThrowIfNull(repeat);
        return repeat.WorkingDays is { } workingDays ? calculator.AddWorkingDays(date, workingDays) : date.AddDays(repeat.Days ?? 1);
    }

    /// <summary>
    /// The first date on or after <paramref name="today"/> of an 'at' timer, or null when it has passed and does not
    /// repeat (a reminder armed after its day is not sent late; a repeating one joins at today's occurrence).
    /// </summary>
    public DateOnly? CatchUp(TimerDefinition timer, DateOnly first, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var date = first;
        while (date < today)
        {
            if (timer.Repeat is not { } repeat)
            {
                return null;
            }

            date = NextDate(date, repeat);
        }

        return date;
    }

    public static DateTimeOffset AtInstant(TimerDefinition timer, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(timer);
        return LondonTime.At(date, TimeOfDay(timer) ?? DefaultTime);
    }

    private DateTimeOffset Add(DateTimeOffset from, TimerOffset offset, string? time)
    {
        if (offset.WorkingDays is { } workingDays)
        {
            var date = calculator.AddWorkingDays(LondonTime.DateOf(from), workingDays);
            return LondonTime.At(date, ParseTime(time) ?? LondonTime.TimeOfDay(from));
        }

        // Calendar days in London: "30 days after" lands on the same London time of day 30 London dates later, across a
        // change between GMT and BST (adding 30 x 24 hours would land an hour off, and at night a day off).
        return LondonTime.At(LondonTime.DateOf(from).AddDays(offset.Days ?? 0), ParseTime(time) ?? LondonTime.TimeOfDay(from));
    }

    private static TimeOnly? TimeOfDay(TimerDefinition timer) => ParseTime(timer.Time);

    private static TimeOnly? ParseTime(string? time) =>
        time is null ? null : TimeOnly.ParseExact(time, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
