using KccRights.Domain.Deadlines;

namespace KccRights.Host.Pages;

/// <summary>
/// How close a case is to its statutory date, for badges in the queue and on the case page. Overdue and "due within 5
/// working days" are the read model's own rules (<see cref="CaseDates"/>), not decided here.
/// </summary>
public sealed class DeadlineBadges(DeadlineCalculator calculator, TimeProvider time)
{
    public const int DueSoonWorkingDays = 5;

    public DateOnly Today => LondonTime.Today(time);

    /// <summary>Working days from today to the due date; negative when overdue; null beyond the bank-holiday data.</summary>
    public int? WorkingDaysLeft(CaseDates dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        return dates.WorkingDaysLeft(Today, calculator);
    }

    public bool IsOverdue(CaseDates dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        return dates.IsOverdue(Today);
    }

    public IEnumerable<(string Text, string CssClass)> For(CaseDates dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        if (dates.IsPaused)
        {
            yield return ("Paused", "govuk-tag--grey");
        }
        else if (dates.IsOverdue(Today))
        {
            yield return ("Overdue", "govuk-tag--red");
        }
        else if (IsDueSoon(dates))
        {
            yield return ("Due within 5 working days", "govuk-tag--orange");
        }

        if (dates.Extended)
        {
            yield return ("Extended", "govuk-tag--blue");
        }
    }

    /// <summary>A task's own due date, badged as a running open clock due that day would be.</summary>
    public IEnumerable<(string Text, string CssClass)> For(DateOnly due) =>
        For(new CaseDates { EffectiveDueOn = due, IsOpen = true });

    private bool IsDueSoon(CaseDates dates)
    {
        try
        {
            return dates.IsDueWithin(DueSoonWorkingDays, Today, calculator);
        }
        catch (BankHolidayDataException)
        {
            return false;
        }
    }
}
