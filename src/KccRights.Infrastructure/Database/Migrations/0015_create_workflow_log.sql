-- The append-only log of everything the runtime did to a case: instance started, transitions (and events that matched
-- none), tasks opened, assigned and completed, timers fired, clock changes, version migrations, incident retries.
CREATE TABLE workflow_log (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at                 timestamptz NOT NULL,
    case_id            bigint,
    instance_id        bigint,
    definition_version text,
    kind               text        NOT NULL,
    from_state         text,
    to_state           text,
    event              text,
    actor              text        NOT NULL,
    detail             jsonb       NOT NULL DEFAULT '{}'
);

CREATE INDEX workflow_log_case ON workflow_log (case_id, id);

CREATE FUNCTION workflow_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'workflow_log is append-only';
END
$$;

CREATE TRIGGER workflow_log_no_change BEFORE UPDATE OR DELETE ON workflow_log
    FOR EACH ROW EXECUTE FUNCTION workflow_log_is_append_only();
CREATE TRIGGER workflow_log_no_truncate BEFORE TRUNCATE ON workflow_log
    FOR EACH STATEMENT EXECUTE FUNCTION workflow_log_is_append_only();
