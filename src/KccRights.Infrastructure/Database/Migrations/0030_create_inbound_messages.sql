-- Every message read from the data-protection mailbox. The raw bytes are stored encrypted at rest (AES-256-GCM, the
-- content hash as associated data) and committed BEFORE anything acts on the message or the mailbox is changed, so a
-- crash never loses one. The same message read twice is one row: dedupe_key is the Message-ID (or the hash when a
-- message has none) and content_hash is SHA-256 of the message without its trace headers (Received, Delivered-To...).
CREATE TABLE inbound_messages (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id      text,
    dedupe_key      text        NOT NULL UNIQUE,
    content_hash    bytea       NOT NULL UNIQUE,
    received_at     timestamptz NOT NULL,
    stored_at       timestamptz NOT NULL,
    size_bytes      int         NOT NULL,
    key_id          text        NOT NULL,
    nonce           bytea       NOT NULL,
    ciphertext      bytea       NOT NULL,
    tag             bytea       NOT NULL,
    mailbox         text,
    status          text        NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'triage', 'ignored')),
    kind            text        CHECK (kind IN ('request', 'reply', 'auto-reply', 'bounce', 'other')),
    classification  jsonb,
    processed_at    timestamptz,
    attempts        int         NOT NULL DEFAULT 0,
    last_error      text
);

-- The intake processor's queue: stored, not yet acted on.
CREATE INDEX inbound_messages_pending ON inbound_messages (id) WHERE status = 'received';
CREATE INDEX inbound_messages_message_id ON inbound_messages (message_id);

-- Which cases a message belongs to, and why: the request that opened them, a reply, an auto-reply or bounce recorded on
-- the case (never answered), or a complaint about an earlier case.
CREATE TABLE messages_cases (
    inbound_message_id bigint      NOT NULL REFERENCES inbound_messages (id),
    case_id            bigint      NOT NULL REFERENCES cases (id),
    role               text        NOT NULL CHECK (role IN ('request', 'reply', 'auto-reply', 'bounce', 'complaint-about')),
    linked_at          timestamptz NOT NULL,
    PRIMARY KEY (inbound_message_id, case_id)
);
CREATE INDEX messages_cases_case ON messages_cases (case_id, linked_at);

-- What an officer must look at: messages that are not requests, doubtful requests (low confidence, another language,
-- damaged), replies that match no case. Nothing that arrives is dropped.
CREATE TABLE intake_triage (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inbound_message_id bigint      NOT NULL REFERENCES inbound_messages (id),
    case_id            bigint      REFERENCES cases (id),
    reasons            jsonb       NOT NULL,
    status             text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at         timestamptz NOT NULL,
    resolved_at        timestamptz,
    resolved_by        text,
    UNIQUE (inbound_message_id)
);
CREATE INDEX intake_triage_open ON intake_triage (created_at) WHERE status = 'open';
