namespace KccRights.Intake.Mailbox;

public enum MailboxState
{
    Starting,
    Connected,
    Idle,
    Polling,
    Retrying,
    Stopped,
}

/// <summary>A point-in-time view of the mailbox reader, for the host's health page. No personal data.</summary>
public sealed record MailboxHealthSnapshot(
    MailboxState State,
    bool Healthy,
    DateTimeOffset? LastConnectedAt,
    DateTimeOffset? LastCheckedAt,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    long MessagesStored);

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

    internal void Connected() => Update(s => s with { State = MailboxState.Connected, Healthy = true, LastConnectedAt = time.GetUtcNow(), LastCheckedAt = time.GetUtcNow(), ConsecutiveFailures = 0, NextAttemptAt = null });

    internal void Checked(MailboxState state) => Update(s => s with { State = state, Healthy = true, LastCheckedAt = time.GetUtcNow() });

    internal void Stored(int count) => Update(s => s with { MessagesStored = s.MessagesStored + count });

    internal void Failed(Exception error, TimeSpan retryIn) => Update(s => s with
    {
        State = MailboxState.Retrying,
        Healthy = false,
        ConsecutiveFailures = s.ConsecutiveFailures + 1,
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
