using KccRights.Domain.Deadlines;

namespace KccRights.Cases;

/// <summary>
/// A stored statutory clock with its extension and pauses, as the case page shows it: the one read model of a case's
/// dates (<see cref="CaseDates"/>) and the detail behind it.
/// </summary>
public sealed record ClockState : CaseDates
{
    public string? ExtensionReason { get; init; }
    public string? ExtendedBy { get; init; }
    public DateTimeOffset? ExtendedAt { get; init; }
    public DateTimeOffset? ExtensionNotifiedAt { get; init; }
    public int Version { get; init; }
    public IReadOnlyList<StoredPause> Pauses { get; init; } = [];
}

public sealed record StoredPause
{
    public long Id { get; init; }
    public DateOnly StartsOn { get; init; }
    public DateOnly? EndsOn { get; init; }
    public string Reason { get; init; } = "";
    public string RecordedBy { get; init; } = "";
    public DateTimeOffset RecordedAt { get; init; }
    public string? EndedBy { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}

/// <summary>One row of a deadline query: which case, and its dates.</summary>
public sealed record DueClock : CaseDates
{
    public string Reference { get; init; } = "";
}

public sealed record ClockHistoryEntry
{
    public long Id { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
    public string ChangedBy { get; init; } = "";
    public string Change { get; init; } = "";
    public string Detail { get; init; } = "{}";
    public DateOnly ClockStart { get; init; }
    public int PausedDays { get; init; }
    public DateOnly DueOn { get; init; }
    public DateOnly EffectiveDueOn { get; init; }
}

public sealed record RecalculationResult(int OpenCases, int Changed, TimeSpan Elapsed);

/// <summary>A clock change that the law or the case's state does not allow; the message is for the officer.</summary>
public sealed class ClockChangeRefusedException : Exception
{
    /// <summary>
    /// True when the refusal is about the case's present state - closed, already paused or extended, a workflow stage
    /// that takes no such step - which another change could alter, rather than about the request itself: the API
    /// answers it 409 Conflict, and the rest 422.
    /// </summary>
    public bool IsConflict { get; init; }

    /// <summary>A refusal because of the case's present state (<see cref="IsConflict"/>).</summary>
    public static ClockChangeRefusedException Conflict(string message) => new(message) { IsConflict = true };

    public ClockChangeRefusedException()
    {
    }

    public ClockChangeRefusedException(string message)
        : base(message)
    {
    }

    public ClockChangeRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
