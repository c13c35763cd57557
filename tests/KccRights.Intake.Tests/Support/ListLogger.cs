using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KccRights.Intake.Tests.Support;

/// <summary>Keeps each log entry's event id, level and message, to count what was logged.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}
