using System.Text.Json;
using Npgsql;

namespace KccRights.Workflows.Runtime;

// The runtime's public contract: what modules register with it (job handlers, conditions, task types) and call.
// Modules hand work on through the case and the runtime, not by calling each other.

/// <summary>
/// A named piece of background work run as a job (an activity named in a workflow definition, an email to send, a
/// reminder). Handlers must be idempotent: a job can run again after a crash or a lost lease.
/// </summary>
public interface IJobHandler
{
    /// <summary>The job kind this handler runs, e.g. <c>send-acknowledgement</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Runs the job. Database writes go through <see cref="JobContext.Transaction"/>, which commits together with the
    /// job's completion only if this worker still holds the job's lease (fencing by attempt number). Return the
    /// outcome to raise on the workflow instance (for an activity), or null.
    /// </summary>
    Task<string?> HandleAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A handler whose every effect is a write in <see cref="JobContext.Transaction"/> (no email, no call to another
/// system), so running it again after its transaction was rolled back changes nothing outside the database. An activity
/// run by such a handler may take its workflow step optimistically (see <see cref="WorkflowEngine"/>): when the
/// instance changed meanwhile, the transaction is rolled back and the job run again the ordinary way.
/// </summary>
public interface ITransactionalJobHandler : IJobHandler;

/// <summary>What a job handler is given.</summary>
public sealed class JobContext
{
    public required long JobId { get; init; }

    public required string Kind { get; init; }

    public required int Attempt { get; init; }

    /// <summary>The attempts the job is allowed: on the last one a handler may record its failure itself (a manual fallback) instead of throwing.</summary>
    public int MaxAttempts { get; init; } = 1;

    public long? CaseId { get; init; }

    public long? InstanceId { get; init; }

    public required JsonElement Payload { get; init; }

    public required NpgsqlTransaction Transaction { get; init; }

    public required TimeProvider Time { get; init; }
}

/// <summary>Enqueues jobs inside the caller's transaction, so a job exists if and only if the work that wanted it committed.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue of jobs; the name says what it is.")]
public interface IJobQueue
{
    /// <param name="dedupeKey">When given, a second job with the same kind and key is not created (returns the first).</param>
    Task<long> EnqueueAsync(
        NpgsqlTransaction transaction,
        string kind,
        object payload,
        long? caseId = null,
        DateTimeOffset? runAt = null,
        string? dedupeKey = null,
        CancellationToken cancellationToken = default);
}

/// <summary>Starts workflow instances and raises events on them, inside the caller's transaction.</summary>
public interface IWorkflowEngine
{
    /// <summary>Starts the named definition (e.g. <c>access</c>) for a case, at its current version.</summary>
    Task<long> StartAsync(NpgsqlTransaction transaction, long caseId, string definitionId, JsonElement? data, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// Raises an event (e.g. <c>id-received</c>) on the case's running instance; returns false when the current state
    /// has no transition for it (recorded on the timeline, never an error for the caller).
    /// </summary>
    Task<bool> RaiseAsync(NpgsqlTransaction transaction, long caseId, string eventName, JsonElement? data, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="RaiseAsync"/>, then commits <paramref name="transaction"/>: for a caller whose work ends with the
    /// event. <paramref name="alsoCommit"/> gives the caller's last statements (an audit record, say), told whether the
    /// event moved the case; they run in the same transaction, just before it commits. The transaction is committed
    /// (or, on any error, left to be rolled back) when this returns. The engine sends the step's writes, those
    /// statements and COMMIT in one round trip; this default does the same in several.
    /// </summary>
    async Task<bool> RaiseAndCommitAsync(NpgsqlTransaction transaction, long caseId, string eventName, JsonElement? data, string actor, Func<bool, IEnumerable<NpgsqlBatchCommand>>? alsoCommit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var moved = await RaiseAsync(transaction, caseId, eventName, data, actor, cancellationToken);
        if (alsoCommit is not null)
        {
            await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
            foreach (var command in alsoCommit(moved))
            {
                batch.BatchCommands.Add(command);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return moved;
    }
}
