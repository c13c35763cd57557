using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KccRights.Cases.Retention;

/// <summary>
/// <c>serve</c>'s retention timer: every <see cref="RetentionOptions.SweepInterval"/> (first a minute after start) it
/// purges the cases closed longer ago than the retention period. Any number of processes may sweep at once: each case
/// is purged under its row lock (SKIP LOCKED). A failed sweep is logged and tried again at the next interval.
/// </summary>
public sealed partial class RetentionSweep(CaseRetention retention, TimeProvider time, ILogger<RetentionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!retention.Options.Enabled)
        {
            Log.Disabled(logger);
            return;
        }

        var delay = TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = retention.Options.SweepInterval;
            try
            {
                var run = await retention.RunAsync(dryRun: false, stoppingToken);
                if (run.Purged.Count > 0)
                {
                    var ids = string.Join(',', run.Purged);
                    Log.Swept(logger, run.Purged.Count, ids);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
            {
                Log.Failed(logger, ex.GetType().Name, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Retention: {Count} cases purged ({CaseIds})")]
        public static partial void Swept(ILogger logger, int count, string caseIds);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Retention: the sweep failed ({Error}: {Message}); trying again at the next interval")]
        public static partial void Failed(ILogger logger, string error, string message);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Retention: the sweep is off (Retention:Enabled is false)")]
        public static partial void Disabled(ILogger logger);
    }
}
