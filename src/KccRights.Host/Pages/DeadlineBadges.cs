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

    /// <summary>
    /// The queues' "working days left" cell: the number in words and a colour band (kcc-days: green, orange within
    /// <see cref="DueSoonWorkingDays"/>, red overdue, grey paused). A closed case has no countdown.
    /// </summary>
    public (string Text, string CssClass) DaysLeft(CaseDates dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        if (!dates.IsOpen)
        {
            return ("Closed", "kcc-days--paused");
        }

        if (dates.IsPaused)
        {
            return ("Paused", "kcc-days--paused");
        }

        var left = WorkingDaysLeft(dates);
        return left switch
        {
            null => ("Beyond the bank-holiday data", "kcc-days--paused"),
            < 0 => ($"{-left} overdue", "kcc-days--overdue"),
            _ when dates.IsOverdue(Today) => ("Overdue", "kcc-days--overdue"),
            <= DueSoonWorkingDays => (left.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "kcc-days--soon"),
            _ => (left.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), ""),
        };
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
