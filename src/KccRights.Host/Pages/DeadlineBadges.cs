using KccRights.Domain.Deadlines;

namespace KccRights.Host.Pages;

/// <summary>How close a case is to its statutory date, for badges in the queue and on the case page.</summary>
public sealed class DeadlineBadges(DeadlineCalculator calculator, TimeProvider time)
{
    public DateOnly Today => LondonTime.Today(time);

    /// <summary>Working days from today to the due date; negative when overdue; null beyond the bank-holiday data.</summary>
    public int? WorkingDaysLeft(DateOnly due)
    {
        try
        {
            return calculator.WorkingDaysBetween(Today, due);
        }
        catch (BankHolidayDataException)
        {
            return null;
        }
    }

    public IEnumerable<(string Text, string CssClass)> For(DateOnly due, bool paused, bool extended)
    {
        if (paused)
        {
            yield return ("Paused", "govuk-tag--grey");
        }
        else if (due < Today)
        {
            yield return ("Overdue", "govuk-tag--red");
        }
        else if (WorkingDaysLeft(due) is { } left && left <= 5)
        {
            yield return ("Due within 5 working days", "govuk-tag--orange");
        }

        if (extended)
        {
            yield return ("Extended", "govuk-tag--blue");
        }
    }
}
