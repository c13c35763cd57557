-- Explicit moves of running instances from one definition version to another (kccrights workflows migrate), with the
-- state mapping used: never automatic (issue 3, item 4).
CREATE TABLE workflow_migrations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    definition_id text        NOT NULL,
    from_version  text        NOT NULL,
    to_version    text        NOT NULL,
    state_map     jsonb       NOT NULL,
    instances     int         NOT NULL,
    actor         text        NOT NULL,
    at            timestamptz NOT NULL
);
