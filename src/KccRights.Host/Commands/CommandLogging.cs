using Microsoft.Extensions.Logging;

namespace KccRights.Host.Commands;

/// <summary>
/// Logging for the one-shot commands: one line per entry, all of it on standard error, so that what a command prints on
/// standard output (a token, a JSON line, a table) is only its answer and can be read by a script.
/// </summary>
internal static class CommandLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(minimum));
}
