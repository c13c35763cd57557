-- Record-owner tasks go to a team (Early Help, SEND, ...): an officer sends each one to the team that owns the source
-- system, and record-owners see only their team's tasks (issue 5).
ALTER TABLE workflow_tasks ADD COLUMN team text;
CREATE INDEX workflow_tasks_open_by_team ON workflow_tasks (team, due_on, id) WHERE status = 'open' AND team IS NOT NULL;

-- The case page lists a case's tasks: without this, that is a scan of every task ever opened.
CREATE INDEX workflow_tasks_case ON workflow_tasks (case_id, id);
-- The task queue walks open clocks in due-date order and picks each case's open tasks.
CREATE INDEX workflow_tasks_open_by_case ON workflow_tasks (case_id) WHERE status = 'open';
