using KccRights.Intake.Mailbox;
using KccRights.Intake.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KccRights.Intake;

/// <summary>
/// The background intake: reads the mailbox (IDLE or polling) and processes what it stored; a sweep every minute picks
/// up anything stored but not yet processed (after a crash, or a processing failure that is retried).
/// </summary>
public sealed partial class IntakeWorker(MailboxReader reader, IntakeProcessor processor, TimeProvider time, ILogger<IntakeWorker> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        reader.OnStored = async ct => await processor.ProcessPendingAsync(ct);
        await Task.WhenAll(reader.RunAsync(stoppingToken), SweepAsync(stoppingToken));
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var processed = await processor.ProcessPendingAsync(stoppingToken);
                if (processed > 0)
                {
                    Log.Swept(logger, processed);
                }

                if (failing)
                {
                    Log.SweepRecovered(logger);
                    failing = false;
                }

                await Task.Delay(SweepInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            // The database may be down for a while; the sweep tries again, it never ends intake.
            catch (Exception ex)
            {
                // Logged once per change of state (issue 9, Build 9), not once a minute for the length of an outage.
                if (!failing)
                {
                    Log.SweepFailed(logger, ex.GetType().Name);
                    failing = true;
                }

                await Task.Delay(SweepInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4401, LogLevel.Information, "Processed {Count} stored messages left waiting")]
        public static partial void Swept(ILogger logger, int count);

        [LoggerMessage(4402, LogLevel.Warning, "Processing stored messages failed ({Error}); trying again every minute until it works")]
        public static partial void SweepFailed(ILogger logger, string error);

        [LoggerMessage(4403, LogLevel.Information, "Processing stored messages works again")]
        public static partial void SweepRecovered(ILogger logger);
    }
}
