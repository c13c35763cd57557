namespace KccRights.Domain.Deadlines;

/// <summary>
/// DPA 2018 s.164A (inserted by the Data (Use and Access) Act 2025, from 19 June 2026): a complaint is acknowledged
/// within 30 days of receipt. A complaint has no Art 12 month; the reply is due "without undue delay".
/// </summary>
public static class ComplaintDates
{
    /// <summary>
    /// The last day to acknowledge a complaint received on <paramref name="receivedOn"/>: the 30 days begin the day after
    /// receipt, and a period ending on a weekend or bank holiday runs to the next working day (ICO guidance on s.164A).
    /// </summary>
    public static DateOnly AcknowledgeBy(DateOnly receivedOn, DeadlineCalculator calculator)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        return calculator.NextWorkingDayOnOrAfter(receivedOn.AddDays(30));
    }
}
