-- Collation in the access workflow (issue 11): the candidates found for a case's subject, the agreed scope, manual
-- searches, items kept out of scope, and uploads' provenance. Owned by src/KccRights.Collation.

-- The candidates the matcher found for the subject in every system (what the officer confirms or rejects). The display,
-- reasons and identifiers are sealed (UK GDPR Art 32(1)(a)); score and band are not personal data.
CREATE TABLE collation_candidates (
    case_id       bigint           NOT NULL,
    system        text             NOT NULL,
    person_id     text             NOT NULL,
    rank          int              NOT NULL,
    score         double precision NOT NULL,
    band          text             NOT NULL CHECK (band IN ('match', 'review', 'unlikely')),
    sealed_detail bytea            NOT NULL,
    found_at      timestamptz      NOT NULL,
    PRIMARY KEY (case_id, system, person_id)
);

-- The agreed scope of the search (UK GDPR Art 15(1A) reasonable and proportionate searches; Art 12A(5) when narrowed
-- by the requester): the systems searched and the date range. Items outside it are kept out with the reason.
CREATE TABLE collation_scopes (
    case_id   bigint      PRIMARY KEY,
    systems   text[]      NOT NULL,
    date_from date,
    date_to   date,
    agreed_by text        NOT NULL,
    agreed_at timestamptz NOT NULL
);

-- Progress gains 'searched' (a manual search finished), the attempts made, and the manual search task.
ALTER TABLE collation_runs DROP CONSTRAINT collation_runs_status_check;
ALTER TABLE collation_runs ADD CONSTRAINT collation_runs_status_check CHECK (status IN ('queued', 'running', 'done', 'failed', 'manual', 'searched'));
ALTER TABLE collation_runs ADD COLUMN attempts int NOT NULL DEFAULT 0;
ALTER TABLE collation_runs ADD COLUMN manual_task_id bigint;
ALTER TABLE collation_runs ADD COLUMN searched_by text;

-- An item outside the agreed scope is kept (so the record shows it was found) but out of the review, with the reason.
ALTER TABLE collation_items ADD COLUMN excluded_reason text;

-- A manual search's upload names its uploader as its provenance.
ALTER TABLE collation_item_sources ADD COLUMN uploaded_by text;
