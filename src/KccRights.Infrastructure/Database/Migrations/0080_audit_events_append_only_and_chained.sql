-- The audit trail cannot be edited (issue 9 item 8; UK GDPR Art 5(2) accountability, Art 32 integrity): UPDATE, DELETE
-- and TRUNCATE on audit_events are refused, as on workflow_log, and every row is chained to the one before it by a
-- SHA-256 hash, so that a change made around the triggers (by a superuser, or in the files) shows in
-- `kccrights audit verify`.
--
-- Row n stores seq = n, prev_hash = row_hash of row n-1 (32 zero bytes for the first) and
-- row_hash = sha256(prev_hash || canonical content). The chain's head (last seq and hash) is one row that every insert
-- locks until it commits: inserts are chained in commit order, concurrent ones wait their turn instead of forking the
-- chain, and a deleted last row still shows (the head names a row that is gone).

CREATE TABLE audit_chain_head (
    id        int    PRIMARY KEY CHECK (id = 1),
    last_seq  bigint NOT NULL,
    last_hash bytea  NOT NULL
);

ALTER TABLE audit_events
    ADD COLUMN seq       bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN row_hash  bytea;

-- The canonical content of a row: a JSON array of its fields in a fixed order, the instant in UTC to the microsecond
-- (never the session's time zone), the detail as jsonb's normalised text.
CREATE FUNCTION audit_event_hash(prev bytea, e audit_events) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(prev || convert_to(jsonb_build_array(
        e.seq, e.id, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.actor, e.actor_role, e.action,
        e.case_id, e.outcome, e.detail)::text, 'UTF8'))
$$;

-- Existing rows are chained in id order.
DO $$
DECLARE
    r    audit_events;
    prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    n    bigint := 0;
BEGIN
    FOR r IN SELECT * FROM audit_events ORDER BY id LOOP
        n := n + 1;
        r.seq := n;
        r.prev_hash := prev;
        r.row_hash := audit_event_hash(prev, r);
        UPDATE audit_events SET seq = r.seq, prev_hash = r.prev_hash, row_hash = r.row_hash WHERE id = r.id;
        prev := r.row_hash;
    END LOOP;
    INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, n, prev);
END
$$;

ALTER TABLE audit_events
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN row_hash SET NOT NULL,
    ADD CONSTRAINT audit_events_seq UNIQUE (seq);

-- SECURITY DEFINER: the service's role may insert audit events but has no right on the head itself.
CREATE FUNCTION audit_events_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head;
BEGIN
    SELECT * INTO STRICT head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    NEW.seq := head.last_seq + 1;
    NEW.prev_hash := head.last_hash;
    NEW.row_hash := audit_event_hash(NEW.prev_hash, NEW);
    UPDATE audit_chain_head SET last_seq = NEW.seq, last_hash = NEW.row_hash WHERE id = 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_chain();

CREATE FUNCTION audit_events_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END
$$;

CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_is_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_is_append_only();

-- The head changes only through the chain trigger.
CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_chain_head changes only with an audit event';
END
$$;

CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE OR INSERT ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard();
