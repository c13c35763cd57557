namespace KccRights.Domain.Deadlines;

/// <summary>
/// The one read model of a case's statutory dates (its case_clocks row): what the queues, the case page, the API and
/// the workflow runtime's timers and conditions all read. Overdue and "due within N working days" are decided here and
/// nowhere else (the queues' SQL uses the same rule: Cases' <c>CaseDeadlineSql</c>).
/// </summary>
public record CaseDates
{
    public long CaseId { get; init; }

    /// <summary>The instant the request reached the council (the mailbox, or the officer's record of a letter or call).</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Day 1 of the clock is the London date of <see cref="ReceivedAt"/> (LEGAL-RULES.md section 1).</summary>
    public DateOnly ReceivedOn { get; init; }

    public DateOnly? IdReceivedOn { get; init; }

    public DateOnly? FeePaidOn { get; init; }

    public DateOnly ClockStart { get; init; }

    public int PausedDays { get; init; }

    public bool IsPaused { get; init; }

    /// <summary>One calendar month from the clock start (UK GDPR Art 12(3)), moved for pauses.</summary>
    public DateOnly DueOn { get; init; }

    /// <summary>The last day the requester can be told of an extension (within the first month, Art 12(3)).</summary>
    public DateOnly NoticeBy { get; init; }

    /// <summary>Two further months (Art 12(3)), should the case be extended.</summary>
    public DateOnly ExtendedDueOn { get; init; }

    public bool Extended { get; init; }

    /// <summary>The date the response is due: <see cref="ExtendedDueOn"/> once extended, else <see cref="DueOn"/>.</summary>
    public DateOnly EffectiveDueOn { get; init; }

    public bool IsOpen { get; init; }

    /// <summary>
    /// Overdue: open, not paused, and its due date has passed (a response due today is on time until the day ends). A
    /// paused clock is never overdue: the law stops it (Art 12(6) identity, Art 12A(5) clarification).
    /// </summary>
    public bool IsOverdue(DateOnly today) => IsOpen && !IsPaused && EffectiveDueOn < today;

    /// <summary>
    /// Open, not paused, not overdue, and due within <paramref name="workingDays"/> working days of today (counting the
    /// working days after today up to the due date, so a due date on a weekend counts as the working days before it).
    /// </summary>
    public bool IsDueWithin(int workingDays, DateOnly today, DeadlineCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        return IsOpen && !IsPaused && EffectiveDueOn >= today && EffectiveDueOn <= LastDueDateWithin(workingDays, today, calculator);
    }

    /// <summary>
    /// The last due date that is "due within <paramref name="workingDays"/> working days" of today: the day before the
    /// next working day after that many (so the weekend after the last of them is included). The queues' SQL bound.
    /// </summary>
    public static DateOnly LastDueDateWithin(int workingDays, DateOnly today, DeadlineCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        return calculator.AddWorkingDays(today, workingDays + 1).AddDays(-1);
    }

    /// <summary>Working days from today to the due date; negative when overdue; null beyond the bank-holiday data.</summary>
    public int? WorkingDaysLeft(DateOnly today, DeadlineCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        try
        {
            return calculator.WorkingDaysBetween(today, EffectiveDueOn);
        }
        catch (BankHolidayDataException)
        {
            return null;
        }
    }
}
