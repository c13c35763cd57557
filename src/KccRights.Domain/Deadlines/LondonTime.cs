namespace KccRights.Domain.Deadlines;

/// <summary>
/// Statutory dates are calendar dates in Europe/London: a request that reached the mailbox at 23:30 UTC on 31 March in
/// summer time was received on 1 April (LEGAL-RULES.md section 1). The one London-time helper.
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

    /// <summary>The instant of a London wall-clock time on a London date.</summary>
    public static DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);

        // The spring-forward hour does not exist: take the same wall time an hour later.
        if (Zone.Value.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, Zone.Value.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>The London wall-clock time of an instant.</summary>
    public static TimeOnly TimeOfDay(DateTimeOffset instant) =>
        TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone.Value).DateTime);

    /// <summary>
    /// The instant to record for a request received on a London date given by an officer (a letter, a call): now, when
    /// it is today; otherwise the start of that London day. Either way its London date is the date given, so the clock
    /// counts from the day the officer recorded, never from an invented UTC midnight.
    /// </summary>
    public static DateTimeOffset ReceivedInstant(DateOnly receivedOn, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        return DateOf(now) == receivedOn ? now : At(receivedOn, TimeOnly.MinValue);
    }
}
