-- Issue 13 Build 6: the approved access response as it was sent to the requester (UK GDPR Art 15(3): a copy; Art 32:
-- encrypted by email with the password apart, or a time-limited download link with a one-time code sent apart).
-- One row per approved response version sent. sealed_copy is the exact PDF bytes sent, sealed with the personal-data
-- key; sha256 is of those bytes. sealed_secret holds what the requester's second message carries (the password, or the
-- link's token and code) until the messages are recorded sent, so a retried job sends the same; then it is cleared,
-- except the code, kept sealed while the link can be used. Only the SHA-256 of a link's token is kept.
CREATE TABLE disclosure_dispatches (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id          bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    document_id      bigint      NOT NULL,
    method           text        NOT NULL CHECK (method IN ('email', 'link')),
    sealed_copy      bytea       NOT NULL,
    sha256           text        NOT NULL,
    source_sha256    text        NOT NULL,
    page_count       int         NOT NULL,
    size_bytes       int         NOT NULL,
    sealed_secret    bytea,
    sealed_code      bytea,
    token_hash       bytea       UNIQUE,
    expires_at       timestamptz,
    failed_attempts  int         NOT NULL DEFAULT 0,
    locked_at        timestamptz,
    downloaded_at    timestamptz,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    UNIQUE (case_id, document_id),
    CHECK (method = 'email' OR (token_hash IS NOT NULL AND expires_at IS NOT NULL))
);
CREATE INDEX disclosure_dispatches_case ON disclosure_dispatches (case_id);
