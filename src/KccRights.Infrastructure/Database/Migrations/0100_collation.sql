-- Collation (issue 11): the subject's confirmed identities per case, the items collated from the source systems with
-- their provenance, and each system's progress. Owned by src/KccRights.Collation (its SQL lives there).
-- pg_trgm and fuzzystrmatch serve the source systems' find-person queries (trusted extensions: the owner may create them).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- A candidate an officer confirmed as the subject (or rejected) in one system. Only confirmed ones are collated
-- (UK GDPR Art 15: the subject's own data, and nobody else's). The display (name, birth date) is sealed.
CREATE TABLE collation_identities (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint      NOT NULL,
    system         text        NOT NULL,
    person_id      text        NOT NULL,
    identifiers    text[]      NOT NULL DEFAULT '{}',
    status         text        NOT NULL CHECK (status IN ('confirmed', 'rejected')),
    sealed_display bytea,
    decided_by     text        NOT NULL,
    decided_at     timestamptz NOT NULL,
    UNIQUE (case_id, system, person_id)
);

-- Progress per system: queued, running, done with N items, failed, or searched by hand.
CREATE TABLE collation_runs (
    case_id    bigint      NOT NULL,
    system     text        NOT NULL,
    status     text        NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'manual')),
    items      int         NOT NULL DEFAULT 0,
    last_error text,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (case_id, system)
);

-- One row per distinct content in a case: the same document from two systems is one item (content hash = SHA-256 of
-- the document's bytes; a record's is of its canonical JSON). Content is sealed (UK GDPR Art 32(1)(a)).
CREATE TABLE collation_items (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint      NOT NULL,
    content_hash   bytea       NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('record', 'document')),
    record_date    date,
    sealed_content bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (case_id, content_hash)
);

-- Where each item came from: one row per source record, so a re-run updates (never duplicates) and an item found in two
-- systems has two provenances.
CREATE TABLE collation_item_sources (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint      NOT NULL,
    item_id      bigint      NOT NULL REFERENCES collation_items (id) ON DELETE CASCADE,
    system       text        NOT NULL,
    dataset      text        NOT NULL,
    record_id    text        NOT NULL,
    retrieved_at timestamptz NOT NULL,
    content_hash bytea       NOT NULL,
    UNIQUE (case_id, system, dataset, record_id)
);
CREATE INDEX collation_item_sources_item ON collation_item_sources (item_id);
