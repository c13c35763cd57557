-- A job that failed every attempt (or whose kind has no handler) opens an incident that a person can see and retry
-- (kccrights incidents list|retry).
CREATE TABLE incidents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      bigint      NOT NULL REFERENCES jobs (id),
    kind        text        NOT NULL,
    case_id     bigint,
    instance_id bigint,
    attempts    int         NOT NULL,
    error       text        NOT NULL,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'retried')),
    opened_at   timestamptz NOT NULL,
    retried_at  timestamptz,
    retried_by  text
);

CREATE INDEX incidents_open ON incidents (opened_at, id) WHERE status = 'open';
CREATE UNIQUE INDEX incidents_one_open_per_job ON incidents (job_id) WHERE status = 'open';
