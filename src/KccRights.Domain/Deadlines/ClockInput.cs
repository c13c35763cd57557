namespace KccRights.Domain.Deadlines;

/// <summary>An inclusive range of days on which the statutory clock did not run. <see cref="To"/> is null while open.</summary>
public readonly record struct ClockPause(DateOnly From, DateOnly? To)
{
    public bool IsOpen => To is null;
}

/// <summary>Everything the statutory dates of one request depend on.</summary>
public sealed record ClockInput
{
    public required DateOnly ReceivedOn { get; init; }

    /// <summary>The day information reasonably requested to confirm identity arrived (UK GDPR Art 12(6)).</summary>
    public DateOnly? IdReceivedOn { get; init; }

    /// <summary>The day a fee was paid, where one is charged for a manifestly unfounded or excessive request (Art 12(5)).</summary>
    public DateOnly? FeePaidOn { get; init; }

    /// <summary>Clarification pauses (Art 12A(5)).</summary>
    public IReadOnlyList<ClockPause> Pauses { get; init; } = [];
}

/// <summary>The statutory dates of one request.</summary>
public sealed record Deadline(
    DateOnly Received,
    DateOnly ClockStart,
    int PausedDays,
    bool IsPaused,
    DateOnly Due,
    DateOnly ExtensionNoticeBy,
    DateOnly ExtendedDue);

/// <summary>Input that cannot give a lawful date: a pause that ends before it starts, ID received before the request.</summary>
public sealed class InvalidClockException : Exception
{
    public InvalidClockException()
    {
    }

    public InvalidClockException(string message)
        : base(message)
    {
    }

    public InvalidClockException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
