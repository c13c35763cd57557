using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace KccRights.Workflows.Runtime;

public enum JobRunResult
{
    Succeeded,
    Failed,
    LostLease,
    Released,
}

/// <summary>
/// Runs one claimed job: the handler's writes, the activity outcome's workflow step and the job's completion commit in
/// one transaction, and only if this worker still holds the job (fenced by attempt). A heartbeat renews the lease while
/// the handler runs; a lost lease cancels the handler. The step's writes, the fenced completion, the claim of the
/// worker's next job and COMMIT go to PostgreSQL in one round trip: a completion whose attempt no longer holds the job
/// raises, the transaction aborts and COMMIT is never run, so nothing of a fenced-out attempt is committed.
/// </summary>
public sealed partial class JobRunner(
    NpgsqlDataSource dataSource,
    JobStore store,
    JobHandlerRegistry handlers,
    WorkflowEngine engine,
    ILogger<JobRunner> logger)
{
    public JobStore Store => store;

    /// <summary>Claims and runs due jobs one after another until none is due (tests and commands; workers loop instead).</summary>
    public async Task<int> RunDueAsync(string owner, CancellationToken cancellationToken = default)
    {
        await store.ReclaimExpiredAsync(cancellationToken);
        var count = 0;
        var job = await store.ClaimAsync(owner, cancellationToken);
        while (job is not null)
        {
            var (_, next) = await ExecuteAsync(job, owner, cancellationToken);
            count++;
            job = next ?? await store.ClaimAsync(owner, cancellationToken);
        }

        return count;
    }

    public async Task<JobRunResult> ExecuteAsync(ClaimedJob job, CancellationToken stoppingToken) =>
        (await ExecuteAsync(job, claimNextFor: null, stoppingToken)).Result;

    /// <summary>
    /// Runs the job; when it succeeds and <paramref name="claimNextFor"/> is given, the next due job is claimed for that
    /// owner in the same transaction (one commit for both) and returned, leased, to be run next.
    /// </summary>
    public async Task<(JobRunResult Result, ClaimedJob? Next)> ExecuteAsync(ClaimedJob job, string? claimNextFor, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var handler = handlers.Find(job.Kind);
        if (handler is null)
        {
            Log.NoHandler(logger, job.Id, job.Kind);
            await store.FailAsync(job, $"no handler is registered for job kind '{job.Kind}'", permanent: true, CancellationToken.None);
            return (JobRunResult.Failed, null);
        }

        using var leaseLost = new CancellationTokenSource();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leaseLost.Token);
        var heartbeat = new Heartbeat(stop => HeartbeatAsync(job, leaseLost, stop));
        try
        {
            // An activity whose handler works only in the transaction may take its step optimistically; if the
            // instance changed since this process last wrote it, all is rolled back and the job runs again as usual.
            var optimistic = job.Origin == JobOrigin.Activity && handler is ITransactionalJobHandler;
            try
            {
                return await RunOnceAsync(job, handler, optimistic, claimNextFor, leaseLost, heartbeat.StopAsync, running.Token);
            }
            catch (Exception ex) when (optimistic && RetryPessimistically(ex))
            {
                // Rolled back. The second run renews the lease like the first (a new heartbeat: the first one stopped
                // before the commit that failed).
                engine.Missed(job.InstanceId!.Value);
                await heartbeat.StopAsync();
                heartbeat.Dispose();
                heartbeat = new Heartbeat(stop => HeartbeatAsync(job, leaseLost, stop));
                return await RunOnceAsync(job, handler, optimistic: false, claimNextFor, leaseLost, heartbeat.StopAsync, running.Token);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == JobStore.LostLeaseSqlState)
        {
            // The fenced completion found another attempt holding the job: the transaction aborted, nothing was committed.
            // An optimistic run whose results were lost after its COMMIT ran may have claimed this worker's next job:
            // that one is given back rather than left to wait out its lease.
            Log.LostLease(logger, job.Id, job.Attempts);
            await ReleaseUnstartedAsync(claimNextFor, job.Id);
            return (JobRunResult.LostLease, null);
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            Log.LostLease(logger, job.Id, job.Attempts);
            await ReleaseUnstartedAsync(claimNextFor, job.Id);
            return (JobRunResult.LostLease, null);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the transaction is rolled back and the lease lapses, so another process takes the job over.
            await ReleaseUnstartedAsync(claimNextFor, job.Id);
            return (JobRunResult.Released, null);
        }
        catch (Exception ex)
        {
            await heartbeat.StopAsync();
            Log.Failed(logger, job.Id, job.Kind, job.Attempts, ex.GetType().Name);
            await ReleaseUnstartedAsync(claimNextFor, job.Id);
            var incident = await store.FailAsync(job, $"{ex.GetType().Name}: {ex.Message}", permanent: false, CancellationToken.None);
            if (incident is { } id)
            {
                Log.IncidentOpened(logger, id, job.Id, job.Kind);
            }

            return (JobRunResult.Failed, null);
        }
        finally
        {
            await heartbeat.StopAsync();
            heartbeat.Dispose();
        }
    }

    // A failed or cancelled run may have committed (the error came while reading the results): a next job its chained
    // claim took is given back rather than left to wait out its lease, an attempt it never made counted against it.
    private async Task ReleaseUnstartedAsync(string? owner, long runningJobId)
    {
        if (owner is null)
        {
            return;
        }

        try
        {
            await store.ReleaseUnstartedAsync(owner, runningJobId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The database is away: the lease lapses and the sweep takes the job back.
            Log.ReleaseFailed(logger, owner, ex.GetType().Name);
        }
    }

    // An optimistic run that failed for any reason but a lost lease or cancellation is run again the ordinary way: the
    // instance changed (KC412), or a deadlock or serialisation failure, or a stale row led the step astray.
    private static bool RetryPessimistically(Exception ex) => ex switch
    {
        OperationCanceledException => false,
        PostgresException { SqlState: JobStore.LostLeaseSqlState } => false,
        _ => true,
    };

    private async Task<(JobRunResult Result, ClaimedJob? Next)> RunOnceAsync(
        ClaimedJob job, IJobHandler handler, bool optimistic, string? claimNextFor, CancellationTokenSource leaseLost, Func<Task> stopHeartbeat, CancellationToken running)
    {
        await using var connection = await dataSource.OpenConnectionAsync(running);
        await using var transaction = await connection.BeginTransactionAsync(running);
        var context = new JobContext
        {
            JobId = job.Id,
            Kind = job.Kind,
            Attempt = job.Attempts,
            MaxAttempts = job.MaxAttempts,
            CaseId = job.CaseId,
            InstanceId = job.InstanceId,
            Payload = job.PayloadElement(),
            Transaction = transaction,
            Time = store.Time,
        };
        var outcome = await handler.HandleAsync(context, running);
        var step = new StepBatch(transaction);
        if (job.Origin == JobOrigin.Activity && job.InstanceId is { } instanceId)
        {
            // The activity's outcome moves the instance on, in the same transaction as the work it reports. This job is
            // the activity of the state entry it names (the engine checks the entry before it moves).
            step.LeavingByOwnActivity = job.StateSeq is not null;
            await engine.RaiseOnInstanceAsync(step, instanceId, job.StateSeq, outcome ?? "done", null, string.Create(CultureInfo.InvariantCulture, $"job:{job.Id}"), running, optimistic);
        }

        await stopHeartbeat();
        if (leaseLost.IsCancellationRequested)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            Log.LostLease(logger, job.Id, job.Attempts);
            return (JobRunResult.LostLease, null);
        }

        var next = await CommitAsync(step, job, claimNextFor, running);
        return (JobRunResult.Succeeded, next);
    }

    // One round trip: the step's writes, the fenced completion, the chained claim and COMMIT. PostgreSQL stops at the
    // first error in a batch, so a fenced-out completion leaves the transaction aborted and uncommitted.
    private async Task<ClaimedJob?> CommitAsync(StepBatch step, ClaimedJob job, string? claimNextFor, CancellationToken cancellationToken)
    {
        if (claimNextFor is not null && step.DueJobs == 1)
        {
            // No NOTIFY for a single new job: this worker claims again in this very commit and goes on claiming while
            // anything is due, so the job cannot be left waiting; a NOTIFY would only wake every listener for nothing.
            // Several new jobs still wake idle workers, to run them side by side.
            step.NotifyWorkers = false;
        }

        await using var batch = step.Take();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(JobStore.CompleteSql)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = job.Id },
                new NpgsqlParameter { Value = job.Attempts },
                new NpgsqlParameter { Value = store.Time.GetUtcNow().ToUniversalTime() },
            },
        });
        NpgsqlBatchCommand? claim = null;
        if (claimNextFor is not null)
        {
            claim = new NpgsqlBatchCommand(JobStore.ClaimSql);
            store.AddClaimParameters(claim.Parameters, claimNextFor);
            batch.BatchCommands.Add(claim);
        }

        if (step.Stepped is not null)
        {
            // The transaction's id is the xmin of the instance row the step wrote.
            batch.BatchCommands.Add(StepBatch.XidQuery());
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        ClaimedJob? next = null;
        uint? xid = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // Result sets come in command order (statements without rows have none): the claim's and the xid's are
            // told apart by their columns.
            do
            {
                if (claim is not null && reader.FieldCount == JobStore.ClaimColumnCount && await reader.ReadAsync(cancellationToken))
                {
                    next = JobStore.ReadClaimed(reader);
                }
                else if (StepBatch.IsXidResult(reader) && await reader.ReadAsync(cancellationToken))
                {
                    xid = reader.GetFieldValue<uint>(0);
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        // Committed: the next step on this instance in this process may start from the row just written.
        if (step.Stepped is { } stepped && xid is { } committedBy)
        {
            engine.Remember(stepped.InstanceId, stepped.Row, committedBy);
        }

        return next;
    }

    private async Task HeartbeatAsync(ClaimedJob job, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // Stopping the heartbeat is the common end (every job that finishes within a beat): no exception for it.
                await Task.Delay(store.Options.Heartbeat, store.Time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                if (!await store.HeartbeatAsync(job, stop))
                {
                    await leaseLost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (NpgsqlException)
            {
                // The database may be back by the next beat; the lease has time to spare (heartbeat <= lease / 2).
            }
        }
    }

    /// <summary>A running heartbeat loop and the means to stop it (stopping twice is harmless).</summary>
    private sealed class Heartbeat : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _beating;

        public Heartbeat(Func<CancellationToken, Task> beat) => _beating = beat(_stop.Token);

        public async Task StopAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync();
            }

            await _beating;
        }

        public void Dispose() => _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(400, LogLevel.Warning, "Job {JobId} ({Kind}) attempt {Attempt} failed: {ErrorType}")]
        public static partial void Failed(ILogger logger, long jobId, string kind, int attempt, string errorType);

        [LoggerMessage(401, LogLevel.Warning, "Job {JobId} attempt {Attempt} lost its lease; its work was rolled back")]
        public static partial void LostLease(ILogger logger, long jobId, int attempt);

        [LoggerMessage(402, LogLevel.Error, "Job {JobId}: no handler for kind {Kind}")]
        public static partial void NoHandler(ILogger logger, long jobId, string kind);

        [LoggerMessage(403, LogLevel.Error, "Incident {IncidentId} opened: job {JobId} ({Kind}) failed every attempt")]
        public static partial void IncidentOpened(ILogger logger, long incidentId, long jobId, string kind);

        [LoggerMessage(404, LogLevel.Warning, "Worker {Owner} could not give back a job it claimed and will not run ({ErrorType}); its lease lapses instead")]
        public static partial void ReleaseFailed(ILogger logger, string owner, string errorType);
    }
}
