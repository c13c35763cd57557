-- Leaving a state now cancels open tasks only if the state has a task, and pending activity jobs only if it has an
-- activity; version migration keeps that true from now on (issue 3). A migration run before could have left an open
-- task, or an activity waiting to run, in a state of the new version that has neither: close those once, here.
WITH current_state AS (
    SELECT i.id AS instance_id, i.state_seq, s.state
    FROM workflow_instances i
    JOIN workflow_definitions d ON d.definition_id = i.definition_id AND d.version = i.definition_version
    CROSS JOIN LATERAL (
        SELECT st AS state FROM jsonb_array_elements(d.content::jsonb -> 'states') st WHERE st ->> 'id' = i.state
    ) s
    WHERE i.status = 'running'
),
tasks AS (
    UPDATE workflow_tasks t SET status = 'cancelled', completed_at = now()
    FROM current_state c
    WHERE t.instance_id = c.instance_id AND t.state_seq = c.state_seq AND t.status = 'open' AND NOT (c.state ? 'task')
)
UPDATE jobs j SET status = 'cancelled', finished_at = now()
FROM current_state c
WHERE j.instance_id = c.instance_id AND j.state_seq = c.state_seq AND j.status = 'pending' AND j.origin = 'activity'
  AND NOT (c.state ? 'activity');
