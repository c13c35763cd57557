namespace KccRights.Domain.Deadlines;

/// <summary>
/// Statutory dates are calendar dates in Europe/London: a request that reached the mailbox at 23:30 UTC on 31 March in
/// summer time was received on 1 April (LEGAL-RULES.md section 1).
/// </summary>
public static class LondonTime
{
    private static readonly Lazy<TimeZoneInfo> Zone = new(() => TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));

    public static TimeZoneInfo TimeZone => Zone.Value;

    public static DateOnly DateOf(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone.Value).DateTime);

    public static DateOnly Today(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return DateOf(time.GetUtcNow());
    }
}
