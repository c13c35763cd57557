using KccRights.Domain.Deadlines;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

// The runtime runs a workflow for a case but owns no case table. What it needs of the case (its dates for timers and
// conditions, clock changes named in definitions, the case's officer and the case row's lock) it asks through these
// interfaces, which the module that owns cases implements and registers (KccRights.Cases).

/// <summary>The case's statutory clock, as the runtime's timers, conditions and clock changes see it.</summary>
public interface ICaseClock
{
    /// <summary>The case's stored dates, read inside the step's transaction (null when the case has no clock).</summary>
    Task<CaseDates?> DatesAsync(NpgsqlTransaction transaction, long caseId, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a definition's clock change (pause, resume, restart, extend, close) on <paramref name="effectiveOn"/>, inside the
    /// step's transaction. The caller has checked that the change is not already in effect.
    /// </summary>
    Task ChangeAsync(NpgsqlTransaction transaction, long caseId, ClockAction action, DateOnly effectiveOn, string reason, string actor, CancellationToken cancellationToken);
}

/// <summary>The case row, as far as the runtime's steps and officers' task actions touch it.</summary>
public interface ICaseRows
{
    /// <summary>
    /// SQL locking the case row of the task given as <c>@taskId</c> (FOR UPDATE), ending in ';' and a newline: taken
    /// first when a task action will update the case, in the one lock order (case, instance, tasks and jobs, clock).
    /// </summary>
    string LockCaseOfTaskSql { get; }

    /// <summary>
    /// SQL with positional parameters ($1 the case id, $2 the officer's id or null) that makes an officer the case's
    /// officer; the runtime sends it in the step's batch (no extra round trip).
    /// </summary>
    string OfficerAssignedSql { get; }
}

public static class CaseDatesExtensions
{
    /// <summary>The stored date a timer is relative to.</summary>
    public static DateOnly Get(this CaseDates dates, CaseDate which)
    {
        ArgumentNullException.ThrowIfNull(dates);
        return which switch
        {
            CaseDate.Received => dates.ReceivedOn,
            CaseDate.ClockStart => dates.ClockStart,
            CaseDate.Due => dates.DueOn,
            CaseDate.NoticeBy => dates.NoticeBy,
            CaseDate.ExtendedDue => dates.ExtendedDueOn,
            _ => dates.EffectiveDueOn,
        };
    }
}
