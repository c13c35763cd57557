using System.Collections.Concurrent;
using System.Text.Json;
using KccRights.Workflows.Runtime;
using Npgsql;

namespace KccRights.Intake.Tests.Support;

// These two record what intake asks of the workflow runtime, so intake is tested without running workflows. They are
// the only stand-ins in the intake tests: the database, the mail servers and the mail are real.

public sealed record RecordedJob(long Id, string Kind, JsonElement Payload, long? CaseId, string? DedupeKey);

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It stands in for IJobQueue; the name says so.")]
public sealed class RecordingJobQueue : IJobQueue
{
    private long _next;

    public ConcurrentQueue<RecordedJob> Jobs { get; } = new();

    public Task<long> EnqueueAsync(NpgsqlTransaction transaction, string kind, object payload, long? caseId = null, DateTimeOffset? runAt = null, string? dedupeKey = null, CancellationToken cancellationToken = default)
    {
        if (dedupeKey is not null && Jobs.FirstOrDefault(j => j.Kind == kind && j.DedupeKey == dedupeKey) is { } existing)
        {
            return Task.FromResult(existing.Id);
        }

        var job = new RecordedJob(Interlocked.Increment(ref _next), kind, JsonSerializer.SerializeToElement(payload), caseId, dedupeKey);
        Jobs.Enqueue(job);
        return Task.FromResult(job.Id);
    }
}

public sealed record RecordedStart(long CaseId, string DefinitionId, JsonElement? Data);

public sealed record RecordedEvent(long CaseId, string EventName, JsonElement? Data);

public sealed class RecordingWorkflowEngine : IWorkflowEngine
{
    private long _next;

    public ConcurrentQueue<RecordedStart> Started { get; } = new();

    public ConcurrentQueue<RecordedEvent> Raised { get; } = new();

    public Task<long> StartAsync(NpgsqlTransaction transaction, long caseId, string definitionId, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        Started.Enqueue(new RecordedStart(caseId, definitionId, data));
        return Task.FromResult(Interlocked.Increment(ref _next));
    }

    public Task<bool> RaiseAsync(NpgsqlTransaction transaction, long caseId, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken = default)
    {
        Raised.Enqueue(new RecordedEvent(caseId, eventName, data));
        return Task.FromResult(true);
    }
}
