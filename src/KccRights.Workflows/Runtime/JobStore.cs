using System.Globalization;
using Dapper;
using Npgsql;

namespace KccRights.Workflows.Runtime;

/// <summary>
/// The job table's state changes: claim (SKIP LOCKED + lease), heartbeat, fenced completion and failure, the sweep of
/// lapsed leases, and incidents. Leases are granted, renewed and judged on the database's clock, the one clock every
/// host shares, so a host whose clock runs fast cannot take over another's live lease, nor a slow one grant leases that
/// have already lapsed for the others (issue 9, Build 9). Every other instant (run_at, started and finished times,
/// backoff, incidents) comes from the injected <see cref="TimeProvider"/>, which the tests move.
/// </summary>
public sealed class JobStore(NpgsqlDataSource dataSource, TimeProvider time, WorkflowRuntimeOptions options)
{
    /// <summary>
    /// The claim: the oldest runnable job (run_at at or before $2, now) no other worker holds, leased to $1 (the owner)
    /// for $3 (the lease, an interval) on the database clock; attempts is bumped (the fencing token). clock_timestamp(),
    /// not now(): a chained claim runs at the end of the previous job's transaction.
    /// </summary>
    public const string ClaimSql =
        """
        UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, lease_owner = $1, lease_expires_at = clock_timestamp() + $3, started_at = $2
        FROM (
            SELECT id FROM jobs
            WHERE status = 'pending' AND run_at <= $2
            ORDER BY run_at, id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        ) next
        WHERE j.id = next.id
        RETURNING j.id, j.kind, j.payload::text AS payload, j.case_id, j.instance_id, j.state_seq, j.origin, j.attempts, j.max_attempts, j.run_at, j.lease_owner
        """;

    /// <summary>The fenced completion ($1 job, $2 attempt, $3 now): raises SQLSTATE <see cref="LostLeaseSqlState"/> when the attempt no longer holds the job.</summary>
    public const string CompleteSql =
        """
        WITH done AS (
            UPDATE jobs SET status = 'succeeded', finished_at = $3, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = $1 AND attempts = $2 AND status = 'running'
            RETURNING id
        )
        SELECT CASE WHEN EXISTS (SELECT 1 FROM done) THEN 1 ELSE job_lease_lost($1, $2) END
        """;

    public const string LostLeaseSqlState = "KC409";

    /// <summary>The number of columns the claim returns (<see cref="ReadClaimed"/> reads them).</summary>
    internal const int ClaimColumnCount = 11;

    public TimeProvider Time => time;

    public WorkflowRuntimeOptions Options => options;

    public async Task<ClaimedJob?> ClaimAsync(string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(ClaimSql, connection);
        AddClaimParameters(command.Parameters, owner);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadClaimed(reader) : null;
    }

    /// <summary>The claim's parameters, for a claim sent in another statement's batch (the worker's chained claim).</summary>
    internal void AddClaimParameters(NpgsqlParameterCollection parameters, string owner)
    {
        var now = time.GetUtcNow();
        parameters.Add(new NpgsqlParameter { Value = owner });
        parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        parameters.Add(new NpgsqlParameter { Value = options.Lease });
    }

    internal static ClaimedJob ReadClaimed(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Kind = reader.GetString(1),
        Payload = reader.GetString(2),
        CaseId = reader.IsDBNull(3) ? null : reader.GetInt64(3),
        InstanceId = reader.IsDBNull(4) ? null : reader.GetInt64(4),
        StateSeq = reader.IsDBNull(5) ? null : reader.GetInt32(5),
        Origin = reader.GetString(6),
        Attempts = reader.GetInt32(7),
        MaxAttempts = reader.GetInt32(8),
        RunAt = reader.GetFieldValue<DateTimeOffset>(9),
        LeaseOwner = reader.GetString(10),
    };

    /// <summary>
    /// After a run whose commit may or may not have happened (the connection failed while reading its results, or it
    /// was cancelled): gives back any job the worker's chained claim may have taken, which it will not run. A worker
    /// runs one job at a time, so any other job leased to it was claimed and never started.
    /// </summary>
    public Task<int> ReleaseUnstartedAsync(string owner, long runningJobId, CancellationToken cancellationToken = default) =>
        ReleaseWhereAsync("lease_owner = @owner AND id <> @runningJobId", new { owner, runningJobId }, cancellationToken);

    /// <summary>
    /// Gives back a job this worker claimed but will not run (it is stopping): pending again at once, and the attempt
    /// it never made is not counted. Fenced like a completion.
    /// </summary>
    public async Task<bool> ReleaseAsync(ClaimedJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return await ReleaseWhereAsync("id = @Id AND attempts = @Attempts AND lease_owner = @LeaseOwner", new { job.Id, job.Attempts, job.LeaseOwner }, cancellationToken) == 1;
    }

    // Claimed but never started, matched by a fixed condition (one of the two above): pending again, the attempt not
    // counted; other workers are woken.
    private async Task<int> ReleaseWhereAsync(string condition, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var released = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"""
            WITH released AS (
                UPDATE jobs SET status = 'pending', attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL, started_at = NULL
                WHERE status = 'running' AND {condition}
                RETURNING id
            )
            SELECT count(*)::int FROM released
            """,
            parameters,
            cancellationToken: cancellationToken));
        if (released > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify('kcc_jobs', '')", cancellationToken: cancellationToken));
        }

        return released;
    }

    /// <summary>Renews the lease (on the database clock); false when this worker no longer holds the job (another worker took it over).</summary>
    public async Task<bool> HeartbeatAsync(ClaimedJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE jobs SET lease_expires_at = clock_timestamp() + @lease
            WHERE id = @Id AND attempts = @Attempts AND status = 'running' AND lease_owner = @LeaseOwner
            """,
            new { job.Id, job.Attempts, job.LeaseOwner, lease = options.Lease },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Records a failed attempt (fenced): back to pending after an exponential backoff with jitter, or, after the last
    /// attempt (or when <paramref name="permanent"/>), failed with an incident. Returns the incident id, if one was opened.
    /// </summary>
    public async Task<long?> FailAsync(ClaimedJob job, string error, bool permanent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            WITH failed AS (
                UPDATE jobs SET status = CASE WHEN @permanent OR attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
                                run_at = CASE WHEN @permanent OR attempts >= max_attempts THEN run_at ELSE @retryAt END,
                                finished_at = CASE WHEN @permanent OR attempts >= max_attempts THEN @now END,
                                last_error = @error, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @Id AND attempts = @Attempts AND status = 'running'
                RETURNING id, kind, case_id, instance_id, attempts, status
            ),
            opened AS (
                INSERT INTO incidents (job_id, kind, case_id, instance_id, attempts, error, opened_at)
                SELECT id, kind, case_id, instance_id, attempts, @error, @now FROM failed WHERE status = 'failed'
                ON CONFLICT (job_id) WHERE status = 'open' DO NOTHING
                RETURNING id
            )
            SELECT id FROM opened;
            SELECT pg_notify('kcc_jobs', '');
            """,
            new { job.Id, job.Attempts, permanent, error = Truncate(error), now, retryAt = now + Backoff(job.Attempts) },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Takes back jobs whose lease lapsed (their worker died or hung): pending again at once, or failed with an incident
    /// when that was the last attempt. Any worker may run this; SKIP LOCKED keeps them out of each other's way. Lapsed
    /// means lapsed on the database clock (now(), which the jobs_leased index can use), never on this host's; a job taken
    /// back is due at once for every worker, even when this host's clock runs fast (run_at no later than the database's now).
    /// </summary>
    public async Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var reclaimed = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH lapsed AS (
                SELECT id FROM jobs WHERE status = 'running' AND lease_expires_at < now()
                ORDER BY lease_expires_at LIMIT 500 FOR UPDATE SKIP LOCKED
            ),
            reset AS (
                UPDATE jobs j SET status = CASE WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'pending' END,
                                  run_at = least(@now, now()), finished_at = CASE WHEN j.attempts >= j.max_attempts THEN @now END,
                                  last_error = 'lease expired (worker ' || j.lease_owner || ' stopped or lost the database)',
                                  lease_owner = NULL, lease_expires_at = NULL
                FROM lapsed WHERE j.id = lapsed.id
                RETURNING j.id, j.kind, j.case_id, j.instance_id, j.attempts, j.status, j.last_error
            ),
            opened AS (
                INSERT INTO incidents (job_id, kind, case_id, instance_id, attempts, error, opened_at)
                SELECT id, kind, case_id, instance_id, attempts, last_error, @now FROM reset WHERE status = 'failed'
                ON CONFLICT (job_id) WHERE status = 'open' DO NOTHING
            )
            SELECT count(*)::int FROM reset;
            """,
            new { now },
            cancellationToken: cancellationToken));
        if (reclaimed > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify('kcc_jobs', '')", cancellationToken: cancellationToken));
        }

        return reclaimed;
    }

    /// <summary>The earliest run_at of a pending job (an idle worker sleeps until then, or until notified).</summary>
    public async Task<DateTimeOffset?> NextRunAtAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT min(run_at) FROM jobs WHERE status = 'pending'",
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<Incident>> IncidentsAsync(bool includeRetried, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Incident>(new CommandDefinition(
            """
            SELECT id, job_id, kind, case_id, instance_id, attempts, error, status, opened_at, retried_at, retried_by
            FROM incidents WHERE @includeRetried OR status = 'open' ORDER BY opened_at, id
            """,
            new { includeRetried },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// A person retries an incident: its job is pending again now, with fresh attempts (attempts keeps counting up, so
    /// fencing still holds), and the retry is logged on the case.
    /// </summary>
    public async Task<IncidentRetry> RetryIncidentAsync(long incidentId, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var incident = await connection.QuerySingleOrDefaultAsync<Incident>(new CommandDefinition(
            """
            UPDATE incidents SET status = 'retried', retried_at = @now, retried_by = @actor
            WHERE id = @incidentId AND status = 'open'
            RETURNING id, job_id, kind, case_id, instance_id, attempts, error, status, opened_at
            """,
            new { incidentId, now, actor },
            transaction,
            cancellationToken: cancellationToken));
        if (incident is null)
        {
            return IncidentRetry.NotOpen;
        }

        // A job of a workflow instance runs again only while the instance is running and, for a state's job, still in
        // that state entry: an activity for a stage the case has left (withdrawn, say) must not run late. A job that gave
        // up by itself on its last attempt (JobIncidents: it recorded a fallback and succeeded) runs again too.
        var queued = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE jobs SET status = 'pending', run_at = @now, max_attempts = attempts + @maxAttempts, finished_at = NULL
            WHERE id = @jobId AND status IN ('failed', 'succeeded')
              AND (instance_id IS NULL OR EXISTS (
                  SELECT 1 FROM workflow_instances i
                  WHERE i.id = jobs.instance_id AND i.status = 'running' AND (jobs.state_seq IS NULL OR i.state_seq = jobs.state_seq)))
            """,
            new { now, jobId = incident.JobId, maxAttempts = options.MaxAttempts },
            transaction,
            cancellationToken: cancellationToken));
        var result = queued == 1 ? IncidentRetry.Retried : IncidentRetry.Obsolete;
        await connection.ExecuteAsync(new CommandDefinition(
            (result == IncidentRetry.Retried
                ? "SELECT pg_notify('kcc_jobs', '');"
                : """
                  UPDATE jobs SET status = 'cancelled', finished_at = @now WHERE id = @jobId AND status = 'failed';
                  UPDATE incidents SET status = 'obsolete', closed_at = @now, closed_reason = 'the case had left the state its job was for' WHERE id = @incidentId;
                  """)
            + """
              INSERT INTO workflow_log (at, case_id, instance_id, kind, actor, detail)
              VALUES (@now, @caseId, @instanceId, @logKind, @actor, jsonb_build_object('incident', @incidentId, 'job', @jobId, 'kind', @kind::text));
              """,
            new { now, jobId = incident.JobId, caseId = incident.CaseId, instanceId = incident.InstanceId, actor, incidentId, kind = incident.Kind, logKind = result == IncidentRetry.Retried ? "incident-retried" : "incident-obsolete" },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Exponential backoff with jitter: about base x 2^(attempt-1), capped, then scaled by a random 50-100%.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var seconds = Math.Min(options.BackoffMaxSeconds, options.BackoffBaseSeconds * Math.Pow(2, exponent));
        // Jitter spreads retries out; it needs no cryptographic randomness.
        return TimeSpan.FromSeconds(seconds * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private static string Truncate(string error) =>
        error.Length <= 4000 ? error : string.Create(CultureInfo.InvariantCulture, $"{error[..4000]}... ({error.Length} characters)");
}
