namespace KccRights.Infrastructure.Deadlines;

/// <summary>A stored statutory clock, as the case page and queues see it.</summary>
public sealed record ClockState
{
    public long CaseId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateOnly ReceivedOn { get; init; }
    public DateOnly? IdReceivedOn { get; init; }
    public DateOnly? FeePaidOn { get; init; }
    public DateOnly ClockStart { get; init; }
    public int PausedDays { get; init; }
    public bool IsPaused { get; init; }
    public DateOnly DueOn { get; init; }
    public DateOnly NoticeBy { get; init; }
    public DateOnly ExtendedDueOn { get; init; }
    public bool Extended { get; init; }
    public string? ExtensionReason { get; init; }
    public string? ExtendedBy { get; init; }
    public DateTimeOffset? ExtendedAt { get; init; }
    public DateTimeOffset? ExtensionNotifiedAt { get; init; }
    public DateOnly EffectiveDueOn { get; init; }
    public bool IsOpen { get; init; }
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

/// <summary>One row of a deadline query: which case, and when it is due.</summary>
public sealed record DueClock
{
    public long CaseId { get; init; }
    public string Reference { get; init; } = "";
    public DateOnly EffectiveDueOn { get; init; }
    public bool IsPaused { get; init; }
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
