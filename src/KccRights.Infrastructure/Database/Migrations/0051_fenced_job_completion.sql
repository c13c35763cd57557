-- A job's fenced completion (JobStore.CompleteSql) calls this when its attempt no longer holds the job: it raises
-- (SQLSTATE KC409), which aborts the transaction. The worker can then send the completion, the claim of its next job
-- and COMMIT in one round trip, and a worker that lost its lease commits nothing (issue 3, item 5). Volatile, so the
-- planner never evaluates it ahead of the CASE that guards it.
CREATE FUNCTION job_lease_lost(job_id bigint, attempt int) RETURNS int VOLATILE LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'job % attempt % no longer holds its lease', job_id, attempt USING ERRCODE = 'KC409';
END
$$;

-- A worker's optimistic workflow step calls this when the instance row it worked the step out from is no longer the
-- current one (SQLSTATE KC412): the transaction aborts before any of the step's writes, and the job is run again.
CREATE FUNCTION workflow_instance_changed(instance_id bigint) RETURNS int VOLATILE LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'workflow instance % changed since this worker last wrote it', instance_id USING ERRCODE = 'KC412';
END
$$;

-- Nothing reads jobs by case (the case page reads the workflow log), and every job insert and state change paid for it.
DROP INDEX jobs_case;
