-- Retention (issue 13 Build 7; UK GDPR Art 5(1)(e), storage limitation): a case closed longer ago than the retention
-- period (Retention:AfterClosure, default two years) is purged. Each module deletes its own rows of the case
-- (ICaseDataPurger); the case row stays, because the hash-chained audit trail (audit_events.case_id, migration 0080)
-- refers to it and must stay verifiable, but it keeps nothing personal: its reference (a sequence number), right,
-- channel and dates. purged_at says the case was purged; the purge and the statistics record are one transaction.
ALTER TABLE cases ADD COLUMN purged_at timestamptz;

-- The anonymised record kept for statistics (returns, timeliness): no name, address, email, free text or sealed value.
-- The reference is kept: it is KCC-<right>-<year>-<sequence>, allocated by a counter, and says nothing about a person.
CREATE TABLE case_retention_records (
    case_id          bigint      PRIMARY KEY REFERENCES cases (id),
    reference        text        NOT NULL,
    right_code       text        NOT NULL,
    channel          text        NOT NULL,
    relationship     text,
    received_on      date,
    due_on           date,
    effective_due_on date,
    extended         boolean     NOT NULL DEFAULT false,
    paused_days      int         NOT NULL DEFAULT 0,
    closed_on        date        NOT NULL,
    days_taken       int,
    on_time          boolean,
    outcome          text,
    purged_at        timestamptz NOT NULL
);
CREATE INDEX case_retention_records_closed ON case_retention_records (closed_on);

-- The sweep looks for closed, unpurged cases by closing time.
CREATE INDEX cases_closed_unpurged ON cases (closed_at) WHERE status = 'closed' AND purged_at IS NULL;

-- workflow_log is append-only (migration 0015) and the service may not delete from it (migration 0081). Its rows of a
-- purged case may hold personal data (events' data, task answers), so they go with the case: only through this
-- function, only for a case already marked purged, and the append-only trigger lets through exactly that case's rows.
CREATE OR REPLACE FUNCTION workflow_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.case_id IS NOT NULL
       AND current_setting('kccrights.purging_case', true) = OLD.case_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'workflow_log is append-only';
END
$$;

CREATE FUNCTION workflow_log_purge_case(purged_case_id bigint) RETURNS int
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM cases WHERE id = purged_case_id AND status = 'closed' AND purged_at IS NOT NULL) THEN
        RAISE EXCEPTION 'case % is not a closed case being purged', purged_case_id;
    END IF;
    PERFORM set_config('kccrights.purging_case', purged_case_id::text, true);
    DELETE FROM workflow_log WHERE case_id = purged_case_id;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('kccrights.purging_case', '', true);
    RETURN removed;
END
$$;

REVOKE ALL ON FUNCTION workflow_log_purge_case(bigint) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kccrights_app') THEN
        GRANT EXECUTE ON FUNCTION workflow_log_purge_case(bigint) TO kccrights_app;
        -- The statistics record is written once and never changed.
        REVOKE UPDATE, DELETE, TRUNCATE ON case_retention_records FROM kccrights_app;
    END IF;
END
$$;
