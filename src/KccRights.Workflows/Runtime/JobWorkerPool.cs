using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>Wakes idle workers: a notification arrived, or something else (a lease sweep) found work.</summary>
public sealed class JobSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse. Take it before looking for work, so a pulse in between is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>
/// The workers of one process (<c>kccrights serve</c>): N loops that claim and run jobs, one LISTEN connection that wakes
/// them as soon as a job is enqueued anywhere, and a sweep of lapsed leases. No leader: every process runs the same
/// loops against the same tables, and SKIP LOCKED plus leases keep them apart. Polling (at most the poll interval, or
/// until the next timer is due) is the fallback when notifications are lost.
/// </summary>
public sealed partial class JobWorkerPool(
    NpgsqlDataSource dataSource,
    JobStore store,
    JobRunner runner,
    JobSignal signal,
    WorkflowRuntimeOptions options,
    ILogger<JobWorkerPool> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Workers == 0)
        {
            return;
        }

        var node = options.NodeName ?? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");
        Log.Starting(logger, options.Workers, node);
        var loops = new List<Task> { ListenAsync(stoppingToken), SweepAsync(stoppingToken) };
        for (var i = 0; i < options.Workers; i++)
        {
            loops.Add(WorkAsync(string.Create(CultureInfo.InvariantCulture, $"{node}:{i}"), stoppingToken));
        }

        await Task.WhenAll(loops);
    }

    private static readonly TimeSpan LockedRetry = TimeSpan.FromMilliseconds(25);

    private async Task WorkAsync(string owner, CancellationToken stoppingToken)
    {
        await Task.Yield();
        ClaimedJob? claimed = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var wake = signal.Next;
                    var looked = store.Time.GetUtcNow();
                    if ((claimed ?? await store.ClaimAsync(owner, stoppingToken)) is { } job)
                    {
                        // A job that succeeds claims this worker's next one in its own commit.
                        claimed = null;
                        (_, claimed) = await runner.ExecuteAsync(job, owner, stoppingToken);
                        continue;
                    }

                    // Idle: sleep until the next timer is due, a notification arrives, or the poll interval passes.
                    var delay = options.PollInterval;
                    if (await store.NextRunAtAsync(stoppingToken) is { } next)
                    {
                        var until = next - store.Time.GetUtcNow();
                        if (until <= TimeSpan.Zero && next > looked)
                        {
                            continue; // It fell due after the claim looked: claim it now.
                        }

                        // Due when the claim looked, yet not claimed: another transaction holds the row (a version
                        // migration cancelling it, say). Look again shortly rather than spin until that transaction ends.
                        delay = until <= TimeSpan.Zero ? LockedRetry : until < delay ? until : delay;
                    }

                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var sleep = Task.Delay(delay, store.Time, timeout.Token);
                    await Task.WhenAny(wake, sleep);
                    await timeout.CancelAsync();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    Log.WorkerError(logger, owner, ex.GetType().Name);
                    await Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
        }
        finally
        {
            if (claimed is not null)
            {
                // Stopping with a job claimed but not started: give it back now rather than make it wait out its lease.
                await ReleaseAsync(claimed);
            }
        }
    }

    private async Task ReleaseAsync(ClaimedJob job)
    {
        try
        {
            await store.ReleaseAsync(job, CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The lease lapses and the sweep takes it back.
            Log.WorkerError(logger, job.LeaseOwner, ex.GetType().Name);
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Pulse();
                try
                {
                    await using (var listen = new NpgsqlCommand($"LISTEN {StepBatch.Channel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken);
                    }

                    // Anything enqueued while nobody listened is found now.
                    signal.Pulse();
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await connection.WaitAsync(stoppingToken);
                    }
                }
                finally
                {
                    await UnlistenAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                Log.ListenerError(logger, ex.GetType().Name);
                await Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    // Pooled connections are not reset when they go back (ConnectionTuning): the listener's must not go on listening.
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            // A broken connection is not pooled again. One that is still open but could not UNLISTEN must not be
            // either: clearing the pool closes it when it goes back, rather than leave it listening.
            NpgsqlConnection.ClearPool(connection);
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Max(options.Lease.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await store.ReclaimExpiredAsync(stoppingToken) is var reclaimed and > 0)
                {
                    Log.Reclaimed(logger, reclaimed);
                    signal.Pulse();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                Log.WorkerError(logger, "sweep", ex.GetType().Name);
            }

            await Delay(interval, stoppingToken);
        }
    }

    private async Task Delay(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, store.Time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(410, LogLevel.Information, "Starting {Workers} job workers on {Node}")]
        public static partial void Starting(ILogger logger, int workers, string node);

        [LoggerMessage(411, LogLevel.Warning, "Job worker {Owner}: {ErrorType}; retrying in a second")]
        public static partial void WorkerError(ILogger logger, string owner, string errorType);

        [LoggerMessage(412, LogLevel.Warning, "Job listener: {ErrorType}; reconnecting in a second (workers poll meanwhile)")]
        public static partial void ListenerError(ILogger logger, string errorType);

        [LoggerMessage(413, LogLevel.Information, "Took back {Count} jobs whose lease lapsed")]
        public static partial void Reclaimed(ILogger logger, int count);
    }
}
