-- The queue and the backlog over a council's history (issue 14 Done when: p95 < 50 ms with 100,000 cases and
-- 1,000,000 finished tasks). Open cases are a fifth of all cases, so each of these indexes holds only the open ones:
-- counting the queue and summing the backlog read two small indexes (index-only, merge-joined on the case id)
-- instead of scanning every case ever opened; the stage filter's list of stages is a skip scan of a few entries.

-- The officer and right of an open case (the queue's count with its filters, the backlog's workload).
CREATE INDEX cases_open_assigned ON cases (id) INCLUDE (assigned_to, right_code) WHERE status = 'open';

-- The dates and pause of an open clock (the backlog's age bands and totals, the queue's count).
CREATE INDEX case_clocks_open_cover ON case_clocks (case_id) INCLUDE (received_on, effective_due_on, is_paused) WHERE is_open;

-- The stages cases are in now (the queue's stage filter).
CREATE INDEX workflow_instances_running_state ON workflow_instances (state) WHERE status = 'running';
