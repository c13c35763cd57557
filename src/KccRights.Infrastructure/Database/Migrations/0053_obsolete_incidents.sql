-- An incident whose job belongs to a state the case has left is obsolete: retrying it would run an activity (a letter,
-- say) for a stage the case is no longer at, perhaps after it was withdrawn. Leaving a state now cancels its failed jobs
-- as well as its pending ones and closes their incidents; a retry checks the same. Incidents already in that position
-- are closed here.
ALTER TABLE incidents DROP CONSTRAINT incidents_status_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_status_check CHECK (status IN ('open', 'retried', 'obsolete'));
ALTER TABLE incidents ADD COLUMN closed_at timestamptz, ADD COLUMN closed_reason text;

-- Leaving a state looks for its pending and failed jobs: one partial index for both (failed jobs are few).
CREATE INDEX jobs_instance_open ON jobs (instance_id, state_seq) WHERE status IN ('pending', 'failed') AND instance_id IS NOT NULL;
DROP INDEX jobs_instance_pending;

WITH stale AS (
    UPDATE jobs j SET status = 'cancelled', finished_at = now()
    FROM workflow_instances i
    WHERE j.instance_id = i.id AND j.status = 'failed'
      AND (i.status <> 'running' OR (j.state_seq IS NOT NULL AND j.state_seq <> i.state_seq))
    RETURNING j.id
)
UPDATE incidents SET status = 'obsolete', closed_at = now(), closed_reason = 'the case had left the state its job was for'
WHERE status = 'open' AND job_id IN (SELECT id FROM stale);
