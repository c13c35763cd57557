using Dapper;
using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>The stored statutory dates of a case (its case_clocks row), read inside a step's transaction.</summary>
public sealed record CaseDates
{
    public DateOnly ReceivedOn { get; init; }

    public DateOnly? IdReceivedOn { get; init; }

    public DateOnly ClockStart { get; init; }

    public DateOnly DueOn { get; init; }

    public DateOnly NoticeBy { get; init; }

    public DateOnly ExtendedDueOn { get; init; }

    public DateOnly EffectiveDueOn { get; init; }

    public bool Extended { get; init; }

    public bool IsPaused { get; init; }

    public bool IsOpen { get; init; }

    public DateOnly Get(CaseDate which) => which switch
    {
        CaseDate.Received => ReceivedOn,
        CaseDate.ClockStart => ClockStart,
        CaseDate.Due => DueOn,
        CaseDate.NoticeBy => NoticeBy,
        CaseDate.ExtendedDue => ExtendedDueOn,
        _ => EffectiveDueOn,
    };

    public static async Task<CaseDates?> LoadAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return await transaction.Connection!.QuerySingleOrDefaultAsync<CaseDates>(new CommandDefinition(
            """
            SELECT received_on, id_received_on, clock_start, due_on, notice_by, extended_due_on, effective_due_on, extended, is_paused, is_open
            FROM case_clocks WHERE case_id = @caseId
            """,
            new { caseId },
            transaction,
            cancellationToken: cancellationToken));
    }
}

/// <summary>Instants for London calendar dates and times of day (statutory dates are Europe/London dates).</summary>
public static class LondonClock
{
    public static readonly TimeOnly DefaultTime = new(8, 0);

    public static DateTimeOffset At(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        var zone = LondonTime.TimeZone;

        // The spring-forward hour does not exist: take the same wall time an hour later.
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static TimeOnly TimeOfDay(DateTimeOffset instant) =>
        TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, LondonTime.TimeZone).DateTime);
}
