using Dapper;
using KccRights.Workflows.Definitions;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>Enqueues jobs inside the caller's transaction and wakes the workers when it commits (LISTEN/NOTIFY).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue of jobs, implementing IJobQueue; the name says what it is.")]
public sealed class JobQueue(TimeProvider time, WorkflowRuntimeOptions options) : IJobQueue
{
    // Insert unless a live job with the same kind and dedupe key exists (cancelled ones do not count).
    internal const string InsertSql =
        """
        INSERT INTO jobs (kind, payload, case_id, instance_id, state_seq, origin, run_at, max_attempts, dedupe_key, created_at)
        VALUES ($1, $2::jsonb, $3::bigint, $4::bigint, $5::int, $6, $7, $8, $9::text, $10)
        ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'cancelled' DO NOTHING
        """;

    // The same, only when the job with the key in $11 has run (or is running, or failed): see JobRequest.OnlyIfRanKey.
    private const string InsertIfRanSql =
        """
        INSERT INTO jobs (kind, payload, case_id, instance_id, state_seq, origin, run_at, max_attempts, dedupe_key, created_at)
        SELECT $1, $2::jsonb, $3::bigint, $4::bigint, $5::int, $6, $7, $8, $9::text, $10
        WHERE EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND dedupe_key = $11::text AND status IN ('running', 'succeeded', 'failed'))
        ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'cancelled' DO NOTHING
        """;

    // A job without a dedupe key cannot conflict: a plain insert spares the speculative insertion ON CONFLICT costs.
    private const string InsertWithoutKeySql =
        """
        INSERT INTO jobs (kind, payload, case_id, instance_id, state_seq, origin, run_at, max_attempts, dedupe_key, created_at)
        VALUES ($1, $2::jsonb, $3::bigint, $4::bigint, $5::int, $6, $7, $8, $9::text, $10)
        """;

    public async Task<long> EnqueueAsync(
        NpgsqlTransaction transaction,
        string kind,
        object payload,
        long? caseId = null,
        DateTimeOffset? runAt = null,
        string? dedupeKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var json = payload is string s ? s : System.Text.Json.JsonSerializer.Serialize(payload, WorkflowJson.Options);
        return await EnqueueAsync(transaction, new JobRequest { Kind = kind, PayloadJson = json, CaseId = caseId, RunAt = runAt, DedupeKey = dedupeKey }, cancellationToken);
    }

    public async Task<long> EnqueueAsync(NpgsqlTransaction transaction, JobRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(request);
        var connection = transaction.Connection!;
        var batch = new StepBatch(transaction);
        Add(batch, request);
        await batch.FlushAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            request.DedupeKey is null
                ? "SELECT currval(pg_get_serial_sequence('jobs', 'id'))"
                : "SELECT id FROM jobs WHERE kind = @kind AND dedupe_key = @key AND status <> 'cancelled'",
            new { kind = request.Kind, key = request.DedupeKey },
            transaction,
            cancellationToken: cancellationToken));
        return id ?? throw new InvalidOperationException("The job was neither created nor found.");
    }

    /// <summary>Adds the insert to a step's batch (the step flushes it with its other writes).</summary>
    internal void Add(StepBatch batch, JobRequest request)
    {
        object?[] values =
        [
            request.Kind,
            request.PayloadJson,
            StepBatch.Bigint(request.CaseId),
            StepBatch.Bigint(request.InstanceId),
            StepBatch.Integer(request.StateSeq),
            request.Origin,
            request.RunAt ?? time.GetUtcNow(),
            request.MaxAttempts ?? options.MaxAttempts,
            StepBatch.Text(request.DedupeKey),
            time.GetUtcNow(),
        ];
        if (request.OnlyIfRanKey is { } ranKey)
        {
            batch.Add(InsertIfRanSql, [.. values, ranKey]);
        }
        else
        {
            batch.Add(request.DedupeKey is null ? InsertWithoutKeySql : InsertSql, values);
        }

        // Wake the workers for work due within a poll interval; idle workers look again for the next run_at at least
        // that often, so a later timer is found in time without a NOTIFY (which serialises commits).
        if (request.RunAt is not { } runAt || runAt <= time.GetUtcNow() + options.PollInterval)
        {
            batch.NotifyWorkers = true;
            batch.DueJobs++;
        }
    }
}
