-- Background work: activities, timers (jobs with a future run_at), notifications. Workers claim runnable rows with
-- FOR UPDATE SKIP LOCKED and a lease (lease_owner, lease_expires_at) kept alive by a heartbeat; attempts is bumped
-- on every claim and fences completion: a worker commits only while attempts still equals the attempt it claimed.
CREATE TABLE jobs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL,
    payload          jsonb       NOT NULL DEFAULT '{}',
    case_id          bigint,
    instance_id      bigint,
    -- For activity and state-timer jobs: the state entry they belong to (cancelled when that state is left).
    state_seq        int,
    origin           text        NOT NULL DEFAULT 'job' CHECK (origin IN ('job', 'activity', 'timer')),
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    run_at           timestamptz NOT NULL,
    attempts         int         NOT NULL DEFAULT 0,
    max_attempts     int         NOT NULL CHECK (max_attempts > 0),
    lease_owner      text,
    lease_expires_at timestamptz,
    last_error       text,
    dedupe_key       text,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    CHECK (status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);

-- Claim latency stays flat however many finished jobs pile up: the claim and the next-due query read only this
-- partial index of pending rows, and the lease sweep only the partial index of running rows.
CREATE INDEX jobs_runnable ON jobs (run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE status = 'running';
-- A second job with the same kind and dedupe key is never created (a cancelled one does not count: a timer cancelled
-- because the due date moved can be armed again for the same date).
CREATE UNIQUE INDEX jobs_dedupe ON jobs (kind, dedupe_key) WHERE dedupe_key IS NOT NULL AND status <> 'cancelled';
-- Leaving a state cancels its pending timers and activities.
CREATE INDEX jobs_instance_pending ON jobs (instance_id, state_seq) WHERE status = 'pending' AND instance_id IS NOT NULL;
-- The case timeline shows its jobs.
CREATE INDEX jobs_case ON jobs (case_id, id) WHERE case_id IS NOT NULL;

-- A busy queue table: vacuum it early so dead pending rows do not linger in the partial indexes.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02, fillfactor = 90);
