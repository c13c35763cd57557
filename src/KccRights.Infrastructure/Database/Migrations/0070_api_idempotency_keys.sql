-- POST /api/cases honours an Idempotency-Key header (issue 9 item 11: identical parallel requests made three cases).
-- The first request with a key opens the case and records it here in the same transaction; a repeat with the same key
-- and the same body gets the same case, one with another body is refused. Keys are per user: one client's key never
-- answers for another's. The primary key makes a parallel repeat wait for the first and then find its row.
CREATE TABLE api_idempotency_keys (
    user_subject   text        NOT NULL,
    idempotency_key text       NOT NULL,
    request_hash   bytea       NOT NULL,
    case_reference text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_subject, idempotency_key)
);
