using System.Globalization;
using KccRights.Intake.Storage;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging;

namespace KccRights.Intake.Mailbox;

/// <summary>Points where tests stop the reader, as a crash would.</summary>
public sealed class MailboxHooks
{
    /// <summary>Inside the storing transaction, before commit: a crash here must lose nothing.</summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>After the commit, before the message is moved or flagged: a crash here must duplicate nothing.</summary>
    public Func<long, CancellationToken, Task>? AfterCommit { get; set; }

    /// <summary>Before a message (by UID) is fetched: tests make the server "fail to serve" one message here.</summary>
    public Func<uint, CancellationToken, Task>? BeforeFetch { get; set; }
}

/// <summary>
/// Reads the data-protection mailbox with MailKit: IDLE where the server offers it, polling otherwise. Each message's
/// raw bytes are stored and committed first; only then is it moved to the processed folder (or flagged). A crash in
/// between leaves it in the inbox, and reading it again finds it already stored. An outage backs off exponentially
/// and retries for ever, with the state in <see cref="MailboxHealth"/>.
/// </summary>
public sealed partial class MailboxReader(
    MailboxOptions options,
    InboundMessageStore store,
    MailboxHealth health,
    TimeProvider time,
    ILogger<MailboxReader> logger,
    IOAuth2TokenProvider? tokenProvider = null)
{
    // Failed fetches per message (folder/UIDVALIDITY, UID), kept across reconnections: a timeout drops the connection.
    private readonly Dictionary<(string Mailbox, uint Uid), int> _fetchFailures = [];

    public MailboxHooks Hooks { get; } = new();

    /// <summary>Called after each batch is stored and marked (the intake processor runs the new messages).</summary>
    public Func<CancellationToken, Task>? OnStored { get; set; }

    /// <summary>Runs until cancelled: connect, drain the inbox, wait for mail (IDLE or poll), reconnect after failures.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = options.RetryInitial;
        string? outage = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = await ConnectAsync(cancellationToken);
                var inbox = await client.GetFolderAsync(options.InboxFolder, cancellationToken);
                await inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
                while (!cancellationToken.IsCancellationRequested)
                {
                    await DrainAsync(client, inbox, cancellationToken);

                    // Only a whole pass ends an outage and its backoff: connecting to the mailbox while the database is down
                    // used to reset both, and the outage was logged ~290 times in 80 s (issue 9, Build 9).
                    delay = options.RetryInitial;
                    health.Drained();
                    if (outage is not null)
                    {
                        Log.Recovered(logger, outage);
                        outage = null;
                    }

                    await WaitForMailAsync(client, inbox, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            // Any failure (network, server, database) must back off and retry, never end intake.
            catch (Exception ex)
            {
                var wait = Jitter(delay);
                var what = IsDatabase(ex) ? "database" : "mailbox";
                health.Failed(ex, wait, what);
                if (what != outage)
                {
                    // Once per change of state; each retry after that is at debug level.
                    if (what == "database")
                    {
                        Log.DatabaseUnavailable(logger, ErrorName(ex), wait.TotalSeconds);
                    }
                    else
                    {
                        Log.Retrying(logger, ErrorName(ex), wait.TotalSeconds);
                    }

                    outage = what;
                }
                else
                {
                    Log.StillUnavailable(logger, what, ErrorName(ex), wait.TotalSeconds);
                }
                try
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(options.RetryMax.Ticks, delay.Ticks * 2));
            }
        }

        health.Stopped();
    }

    /// <summary>Connects, stores every waiting message, marks them, and disconnects. Returns how many were new.</summary>
    public async Task<int> ReadOnceAsync(CancellationToken cancellationToken = default)
    {
        using var client = await ConnectAsync(cancellationToken);
        var inbox = await client.GetFolderAsync(options.InboxFolder, cancellationToken);
        await inbox.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var stored = await DrainAsync(client, inbox, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
        return stored;
    }

    private async Task<ImapClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new ImapClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host, options.Port, options.SocketOptions, cancellationToken);
            if (tokenProvider is not null)
            {
                var token = await tokenProvider.GetAccessTokenAsync(cancellationToken);
                await client.AuthenticateAsync(new SaslMechanismOAuth2(options.Username, token), cancellationToken);
            }
            else
            {
                await client.AuthenticateAsync(options.Username, options.Password ?? string.Empty, cancellationToken);
            }

            if (!string.IsNullOrWhiteSpace(options.ProcessedFolder))
            {
                await EnsureFolderAsync(client, options.ProcessedFolder, cancellationToken);
            }

            health.Connected();
            Log.Connected(logger, client.Capabilities.HasFlag(ImapCapabilities.Idle));
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task EnsureFolderAsync(ImapClient client, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetFolderAsync(name, cancellationToken);
        }
        catch (FolderNotFoundException)
        {
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            await root.CreateAsync(name, isMessageFolder: true, cancellationToken);
        }
    }

    private async Task<int> DrainAsync(ImapClient client, IMailFolder inbox, CancellationToken cancellationToken)
    {
        // "\Seen" as the keyword: mark handled mail read, for mailboxes that keep neither folders nor custom keywords
        // (the local smtp4dev mailbox of the demo run). Mail someone else reads first would be missed, so not for production.
        var seenOnly = string.IsNullOrWhiteSpace(options.ProcessedFolder) && options.ProcessedKeyword == @"\Seen";
        if (string.IsNullOrWhiteSpace(options.ProcessedFolder) && !seenOnly && !inbox.PermanentFlags.HasFlag(MessageFlags.UserDefined))
        {
            // Without a kept keyword every message would be read again on every pass (harmless, as storing dedupes, but endless).
            throw new InvalidOperationException(
                $"The mailbox does not keep custom keywords such as {options.ProcessedKeyword}: set {MailboxOptions.Section}:ProcessedFolder so handled mail is moved instead.");
        }

        var created = 0;
        var mailboxKey = string.Create(CultureInfo.InvariantCulture, $"{inbox.FullName}/{inbox.UidValidity}");
        var skipped = new HashSet<uint>(await store.UnservableUidsAsync(mailboxKey, cancellationToken));
        while (true)
        {
            var query = seenOnly
                ? SearchQuery.NotSeen
                : string.IsNullOrWhiteSpace(options.ProcessedFolder)
                    ? SearchQuery.Not(SearchQuery.HasKeyword(options.ProcessedKeyword))
                    : SearchQuery.All;
            var uids = (await inbox.SearchAsync(query, cancellationToken)).Where(u => !skipped.Contains(u.Id)).OrderBy(u => u.Id).Take(options.BatchSize).ToList();
            if (uids.Count == 0)
            {
                return created;
            }

            var summaries = await inbox.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.InternalDate, cancellationToken);
            var handled = new List<UniqueId>();
            foreach (var summary in summaries.OrderBy(s => s.UniqueId.Id))
            {
                var raw = await FetchAsync(client, inbox, summary.UniqueId, mailboxKey, skipped, cancellationToken);
                if (raw is null)
                {
                    continue;
                }

                // The instant the message reached the mailbox starts the statutory clock (LEGAL-RULES.md section 1).
                var receivedAt = summary.InternalDate ?? time.GetUtcNow();
                var location = string.Create(CultureInfo.InvariantCulture, $"{mailboxKey}/{summary.UniqueId.Id}");
                StoreResult result;
                try
                {
                    result = await store.StoreAsync(raw, receivedAt, location, Hooks.BeforeCommit, cancellationToken);
                }
                catch (Npgsql.PostgresException ex) when (!ex.IsTransient)
                {
                    // The database refuses this one message (not an outage): counted like a failed fetch, then skipped and
                    // recorded, so it cannot hold up the messages after it (issue 9, items 2 and 9).
                    await NoteFailureAsync(summary.UniqueId, mailboxKey, skipped, ex, stored: false, cancellationToken);
                    continue;
                }

                // Read and stored: its count of failures (fetch or store) starts again.
                _fetchFailures.Remove((mailboxKey, summary.UniqueId.Id));
                handled.Add(summary.UniqueId);
                if (result.Created)
                {
                    created++;
                }

                if (Hooks.AfterCommit is { } afterCommit)
                {
                    await afterCommit(result.Id, cancellationToken);
                }
            }

            if (handled.Count == 0)
            {
                // Nothing in this batch could be fetched yet: search again (each failure counts towards its skip).
                continue;
            }

            uids = handled;

            // Only now, with every message in this batch committed, does the mailbox change.
            if (seenOnly)
            {
                await inbox.AddFlagsAsync(uids, MessageFlags.Seen, silent: true, cancellationToken);
            }
            else if (string.IsNullOrWhiteSpace(options.ProcessedFolder))
            {
                await inbox.AddFlagsAsync(uids, MessageFlags.Seen, new HashSet<string>(StringComparer.Ordinal) { options.ProcessedKeyword }, silent: true, cancellationToken);
            }
            else
            {
                var processed = await client.GetFolderAsync(options.ProcessedFolder, cancellationToken);
                await inbox.MoveToAsync(uids, processed, cancellationToken);
            }

            health.Stored(uids.Count);
            Log.Batch(logger, uids.Count);
            if (OnStored is { } onStored)
            {
                await onStored(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Fetches one message's bytes; null when it failed this time (it is tried again) or has now failed
    /// <see cref="MailboxOptions.MaxFetchAttempts"/> times, when it is recorded for triage with its UID and skipped from
    /// then on, so one message the server cannot serve no longer blocks every later one (issue 9, item 9).
    /// </summary>
    private async Task<byte[]?> FetchAsync(ImapClient client, IMailFolder inbox, UniqueId uid, string mailboxKey, HashSet<uint> skipped, CancellationToken cancellationToken)
    {
        try
        {
            if (Hooks.BeforeFetch is { } beforeFetch)
            {
                await beforeFetch(uid.Id, cancellationToken);
            }

            await using var stream = await inbox.GetStreamAsync(uid, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        // Whatever the server does with one message (timeout, protocol error, dropped connection), the rest go on.
        catch (Exception ex)
        {
            await NoteFailureAsync(uid, mailboxKey, skipped, ex, stored: true, cancellationToken);
            if (!client.IsConnected || !inbox.IsOpen)
            {
                // A timeout drops the connection: reconnect (with backoff) and carry on from the same message.
                throw;
            }

            return null;
        }
    }

    /// <param name="stored">False when the message was fetched but the database refused to store it.</param>
    private async Task NoteFailureAsync(UniqueId uid, string mailboxKey, HashSet<uint> skipped, Exception ex, bool stored, CancellationToken cancellationToken)
    {
        var key = (mailboxKey, uid.Id);
        var failures = _fetchFailures.GetValueOrDefault(key) + 1;
        _fetchFailures[key] = failures;
        health.FetchFailed();
        Log.FetchFailed(logger, uid.Id, failures, options.MaxFetchAttempts, ErrorName(ex));
        if (failures >= options.MaxFetchAttempts)
        {
            await store.RecordUnservableAsync(mailboxKey, uid.Id, failures, ErrorName(ex) + ": " + ex.Message, fetched: !stored, cancellationToken);
            skipped.Add(uid.Id);
            _fetchFailures.Remove(key);
            health.Skipped(uid.Id);
            Log.Skipped(logger, uid.Id, failures);
        }
    }

    private static bool IsDatabase(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is Npgsql.NpgsqlException)
            {
                return true;
            }
        }

        return false;
    }

    private static string ErrorName(Exception ex) => ex.GetType().Name;

    private async Task WaitForMailAsync(ImapClient client, IMailFolder inbox, CancellationToken cancellationToken)
    {
        if (options.UseIdle && client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            health.Checked(MailboxState.Idle);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            done.CancelAfter(options.IdleRestart);
            void OnCountChanged(object? sender, EventArgs e) => done.Cancel();
            inbox.CountChanged += OnCountChanged;
            try
            {
                await client.IdleAsync(done.Token, cancellationToken);
            }
            finally
            {
                inbox.CountChanged -= OnCountChanged;
            }
        }
        else
        {
            health.Checked(MailboxState.Polling);
            await Task.Delay(options.PollInterval, time, cancellationToken);
            await client.NoOpAsync(cancellationToken);
        }
    }

    private static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (0.4 * Random.Shared.NextDouble()))));

    private static partial class Log
    {
        [LoggerMessage(4101, LogLevel.Information, "Connected to the mailbox (IDLE offered: {Idle})")]
        public static partial void Connected(ILogger logger, bool idle);

        [LoggerMessage(4102, LogLevel.Information, "Stored and marked {Count} messages from the mailbox")]
        public static partial void Batch(ILogger logger, int count);

        [LoggerMessage(4103, LogLevel.Warning, "Mailbox unavailable ({Error}); retrying in {Seconds:0.0} s")]
        public static partial void Retrying(ILogger logger, string error, double seconds);

        [LoggerMessage(4104, LogLevel.Warning, "Database unavailable ({Error}): mail stays in the mailbox; retrying in {Seconds:0.0} s with backoff")]
        public static partial void DatabaseUnavailable(ILogger logger, string error, double seconds);

        [LoggerMessage(4105, LogLevel.Debug, "Still unavailable: {What} ({Error}); retrying in {Seconds:0.0} s")]
        public static partial void StillUnavailable(ILogger logger, string what, string error, double seconds);

        [LoggerMessage(4106, LogLevel.Information, "The {What} is available again: intake resumed")]
        public static partial void Recovered(ILogger logger, string what);

        [LoggerMessage(4107, LogLevel.Warning, "Fetching or storing message UID {Uid} failed ({Attempt} of {Max}): {Error}")]
        public static partial void FetchFailed(ILogger logger, uint uid, int attempt, int max, string error);

        [LoggerMessage(4108, LogLevel.Error, "Message UID {Uid} could not be fetched or stored after {Attempts} attempts: skipped, left in the mailbox and recorded for triage")]
        public static partial void Skipped(ILogger logger, uint uid, int attempts);
    }
}
