using System.ComponentModel.DataAnnotations;

namespace KccRights.Workflows.Runtime;

/// <summary>The <c>Workflows</c> configuration section: where the definitions are and how the workers run. Validated on start.</summary>
public sealed class WorkflowRuntimeOptions : IValidatableObject
{
    public const string Section = "Workflows";

    /// <summary>The definitions directory; default: workflows/ beside the executable.</summary>
    public string? Directory { get; set; }

    /// <summary>Job workers in this process (0: this process only enqueues; other processes work the jobs).</summary>
    [Range(0, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>How long a claimed job is leased before another worker may take it over, measured on the database's clock.</summary>
    [Range(0.5, 3600)]
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>How often a running job's lease is renewed; must be well under the lease.</summary>
    [Range(0.1, 1200)]
    public double HeartbeatSeconds { get; set; } = 10;

    /// <summary>The longest an idle worker waits before looking for work when no notification arrives (the fallback to LISTEN/NOTIFY).</summary>
    [Range(10, 60_000)]
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Attempts before a failing job opens an incident.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry waits about this long; each further retry doubles it (with jitter), up to the maximum.</summary>
    [Range(0.001, 3600)]
    public double BackoffBaseSeconds { get; set; } = 5;

    [Range(0.001, 86_400)]
    public double BackoffMaxSeconds { get; set; } = 3600;

    /// <summary>This process's name in lease_owner (default: host name and process id).</summary>
    public string? NodeName { get; set; }

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);

    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(PollIntervalMilliseconds);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatSeconds * 2 > LeaseSeconds)
        {
            yield return new ValidationResult(
                $"Workflows:HeartbeatSeconds ({HeartbeatSeconds}) must be at most half of Workflows:LeaseSeconds ({LeaseSeconds}), or leases lapse while jobs run.",
                [nameof(HeartbeatSeconds), nameof(LeaseSeconds)]);
        }

        if (BackoffBaseSeconds > BackoffMaxSeconds)
        {
            yield return new ValidationResult("Workflows:BackoffBaseSeconds must not exceed Workflows:BackoffMaxSeconds.", [nameof(BackoffBaseSeconds)]);
        }
    }
}
