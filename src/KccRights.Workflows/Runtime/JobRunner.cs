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
/// the handler runs; a lost lease cancels the handler.
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
        while (await store.ClaimAsync(owner, cancellationToken) is { } job)
        {
            await ExecuteAsync(job, cancellationToken);
            count++;
        }

        return count;
    }

    public async Task<JobRunResult> ExecuteAsync(ClaimedJob job, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var handler = handlers.Find(job.Kind);
        if (handler is null)
        {
            Log.NoHandler(logger, job.Id, job.Kind);
            await store.FailAsync(job, $"no handler is registered for job kind '{job.Kind}'", permanent: true, CancellationToken.None);
            return JobRunResult.Failed;
        }

        using var leaseLost = new CancellationTokenSource();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leaseLost.Token);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(job, leaseLost, stopHeartbeat.Token);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(running.Token);
            await using var transaction = await connection.BeginTransactionAsync(running.Token);
            var context = new JobContext
            {
                JobId = job.Id,
                Kind = job.Kind,
                Attempt = job.Attempts,
                CaseId = job.CaseId,
                InstanceId = job.InstanceId,
                Payload = job.PayloadElement(),
                Transaction = transaction,
                Time = store.Time,
            };
            var outcome = await handler.HandleAsync(context, running.Token);
            if (job.Origin == JobOrigin.Activity && job.InstanceId is { } instanceId)
            {
                // The activity's outcome moves the instance on, in the same transaction as the work it reports.
                await engine.RaiseOnInstanceAsync(transaction, instanceId, job.StateSeq, outcome ?? "done", null, string.Create(CultureInfo.InvariantCulture, $"job:{job.Id}"), running.Token);
            }

            await StopAsync(stopHeartbeat, heartbeat);
            if (leaseLost.IsCancellationRequested || !await store.CompleteAsync(transaction, job, running.Token))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                Log.LostLease(logger, job.Id, job.Attempts);
                return JobRunResult.LostLease;
            }

            await transaction.CommitAsync(running.Token);
            return JobRunResult.Succeeded;
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            Log.LostLease(logger, job.Id, job.Attempts);
            return JobRunResult.LostLease;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the transaction is rolled back and the lease lapses, so another process takes the job over.
            return JobRunResult.Released;
        }
        catch (Exception ex)
        {
            await StopAsync(stopHeartbeat, heartbeat);
            Log.Failed(logger, job.Id, job.Kind, job.Attempts, ex.GetType().Name);
            var incident = await store.FailAsync(job, $"{ex.GetType().Name}: {ex.Message}", permanent: false, CancellationToken.None);
            if (incident is { } id)
            {
                Log.IncidentOpened(logger, id, job.Id, job.Kind);
            }

            return JobRunResult.Failed;
        }
        finally
        {
            await StopAsync(stopHeartbeat, heartbeat);
        }
    }

    private async Task HeartbeatAsync(ClaimedJob job, CancellationTokenSource leaseLost, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(store.Options.Heartbeat, store.Time, stop);
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

    private static async Task StopAsync(CancellationTokenSource stop, Task heartbeat)
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }

        await heartbeat;
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
    }
}
