using System.Text.Json;

namespace KccRights.Workflows.Runtime;

/// <summary>Where a job came from: plain work, a state's activity (its outcome moves the instance), or a timer.</summary>
public static class JobOrigin
{
    public const string Job = "job";
    public const string Activity = "activity";
    public const string Timer = "timer";
}

/// <summary>A job to enqueue, with everything the runtime may set.</summary>
public sealed record JobRequest
{
    public required string Kind { get; init; }

    public required string PayloadJson { get; init; }

    public long? CaseId { get; init; }

    public long? InstanceId { get; init; }

    public int? StateSeq { get; init; }

    public string Origin { get; init; } = JobOrigin.Job;

    public DateTimeOffset? RunAt { get; init; }

    public string? DedupeKey { get; init; }

    /// <summary>
    /// Insert only if a job with this dedupe key (same kind) has already run: the follow-on of a timer occurrence that
    /// may have fired, armed in the same batch as that occurrence (which is then the one a conflict leaves out).
    /// </summary>
    public string? OnlyIfRanKey { get; init; }

    public int? MaxAttempts { get; init; }
}

/// <summary>A job this worker has claimed: attempt is the fencing token.</summary>
public sealed record ClaimedJob
{
    public long Id { get; init; }

    public string Kind { get; init; } = "";

    public string Payload { get; init; } = "{}";

    public long? CaseId { get; init; }

    public long? InstanceId { get; init; }

    public int? StateSeq { get; init; }

    public string Origin { get; init; } = JobOrigin.Job;

    public int Attempts { get; init; }

    public int MaxAttempts { get; init; }

    public DateTimeOffset RunAt { get; init; }

    public string LeaseOwner { get; init; } = "";

    public JsonElement PayloadElement()
    {
        using var document = JsonDocument.Parse(Payload);
        return document.RootElement.Clone();
    }
}

/// <summary>An incident: a job that failed every attempt, waiting for a person.</summary>
public sealed record Incident
{
    public long Id { get; init; }

    public long JobId { get; init; }

    public string Kind { get; init; } = "";

    public long? CaseId { get; init; }

    public long? InstanceId { get; init; }

    public int Attempts { get; init; }

    public string Error { get; init; } = "";

    public string Status { get; init; } = "";

    public DateTimeOffset OpenedAt { get; init; }

    public DateTimeOffset? RetriedAt { get; init; }

    public string? RetriedBy { get; init; }
}

/// <summary>What <c>kccrights incidents retry</c> did.</summary>
public enum IncidentRetry
{
    /// <summary>The job is queued again.</summary>
    Retried,

    /// <summary>There is no open incident with that id.</summary>
    NotOpen,

    /// <summary>The case had left the state the job was for (or ended): the incident is closed and the job not run.</summary>
    Obsolete,
}
