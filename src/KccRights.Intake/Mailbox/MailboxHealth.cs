using System.Text.Json;
using System.Text.Json.Serialization;

namespace KccRights.Intake.Mailbox;

/// <summary>What the reader is doing; written as a word (<c>"idle"</c>, <c>"polling"</c>, <c>"retrying"</c>) on /health.</summary>
[JsonConverter(typeof(MailboxStateJsonConverter))]
public enum MailboxState
{
    Starting,
    Connected,
    Idle,
    Polling,
    Retrying,
    Stopped,
}

/// <summary>Writes <see cref="MailboxState"/> as a lower-case word, never its number (issue 14 item 6).</summary>
public sealed class MailboxStateJsonConverter() : JsonStringEnumConverter<MailboxState>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false);

/// <summary>
/// A point-in-time view of the mailbox reader, for the host's health page. No personal data. Failures are counted
/// truthfully (issue 9, item 9): <see cref="ConsecutiveFailures"/> returns to zero only once messages are read again,
/// not on a mere reconnection; <see cref="TotalFailures"/>, <see cref="FetchFailures"/> and <see cref="MessagesSkipped"/>
/// only grow; <see cref="Outage"/> names what is down ("mailbox" or "database").
/// </summary>
public sealed record MailboxHealthSnapshot(
    MailboxState State,
    bool Healthy,
    DateTimeOffset? LastConnectedAt,
    DateTimeOffset? LastCheckedAt,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    long MessagesStored)
{
    public string? Outage { get; init; }

    public long TotalFailures { get; init; }

    /// <summary>Failed attempts to fetch one message from the server.</summary>
    public long FetchFailures { get; init; }

    /// <summary>Messages the server could not serve, skipped and recorded for triage with their UID.</summary>
    public long MessagesSkipped { get; init; }

    public uint? LastSkippedUid { get; init; }
}

/// <summary>What the mailbox reader is doing, updated as it goes; read by the host's health endpoint.</summary>
public sealed class MailboxHealth(TimeProvider time)
{
    private readonly object _lock = new();
    private MailboxHealthSnapshot _snapshot = new(MailboxState.Starting, false, null, null, 0, null, null, 0);

    public MailboxHealthSnapshot Current
    {
        get
        {
            lock (_lock)
            {
                return _snapshot;
            }
        }
    }

    internal void Connected() => Update(s => s with { State = MailboxState.Connected, LastConnectedAt = time.GetUtcNow(), LastCheckedAt = time.GetUtcNow(), NextAttemptAt = null });

    /// <summary>The inbox was read to the end: whatever was down is up.</summary>
    internal void Drained() => Update(s => s with { Healthy = true, ConsecutiveFailures = 0, Outage = null, NextAttemptAt = null, LastCheckedAt = time.GetUtcNow() });

    internal void Checked(MailboxState state) => Update(s => s with { State = state, Healthy = true, LastCheckedAt = time.GetUtcNow() });

    internal void Stored(int count) => Update(s => s with { MessagesStored = s.MessagesStored + count, Healthy = true, ConsecutiveFailures = 0, Outage = null });

    internal void FetchFailed() => Update(s => s with { FetchFailures = s.FetchFailures + 1 });

    internal void Skipped(uint uid) => Update(s => s with { MessagesSkipped = s.MessagesSkipped + 1, LastSkippedUid = uid });

    internal void Failed(Exception error, TimeSpan retryIn, string outage) => Update(s => s with
    {
        State = MailboxState.Retrying,
        Healthy = false,
        Outage = outage,
        ConsecutiveFailures = s.ConsecutiveFailures + 1,
        TotalFailures = s.TotalFailures + 1,
        LastError = $"{error.GetType().Name}: {error.Message}",
        NextAttemptAt = time.GetUtcNow() + retryIn,
    });

    internal void Stopped() => Update(s => s with { State = MailboxState.Stopped, Healthy = false });

    private void Update(Func<MailboxHealthSnapshot, MailboxHealthSnapshot> change)
    {
        lock (_lock)
        {
            _snapshot = change(_snapshot);
        }
    }
}
