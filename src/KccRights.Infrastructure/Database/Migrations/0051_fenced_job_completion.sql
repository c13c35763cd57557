-- A job's fenced completion (JobStore.CompleteSql) calls this when its attempt no longer holds the job: it raises
-- (SQLSTATE KC409), which aborts the transaction. The worker can then send the completion, the claim of its next job
-- and COMMIT in one round trip, and a worker that lost its lease commits nothing (issue 3, item 5). Volatile, so the
-- planner never evaluates it ahead of the CASE that guards it.
CREATE FUNCTION job_lease_lost(job_id bigint, attempt int) RETURNS int VOLATILE LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'job % attempt % no longer holds its lease', job_id, attempt USING ERRCODE = 'KC409';
END
$$;

-- Nothing reads jobs by case (the case page reads the workflow log), and every job insert and state change paid for it.
DROP INDEX jobs_case;
