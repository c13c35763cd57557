using KccRights.Cases;
using KccRights.Infrastructure.Deadlines;

namespace KccRights.Host.Web;

/// <summary>
/// At start-up, when the bank-holiday data differs from the data the stored dates were calculated with, recalculates
/// every open case (the same work as <c>kccrights deadlines recalculate</c>), so a replaced file takes effect on restart.
/// </summary>
internal sealed partial class CalendarCheckService(ClockStore clocks, ILogger<CalendarCheckService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await clocks.StoredCalendarFingerprintAsync(cancellationToken);
        if (stored == clocks.Calculator.Calendar.Fingerprint)
        {
            return;
        }

        Log.CalendarChanged(logger);
        await clocks.RecalculateOpenAsync("bank-holiday data changed", cancellationToken: cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(100, LogLevel.Information, "The bank-holiday data has changed since the dates were stored: recalculating open cases")]
        public static partial void CalendarChanged(ILogger logger);
    }
}
