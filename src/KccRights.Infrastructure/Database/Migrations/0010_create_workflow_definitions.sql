-- Every version of every workflow definition the service has run, stored when the service starts. A version is the
-- SHA-256 of the file's text: a running instance names the version it started on and stays on it (issue 3, item 4).
CREATE TABLE workflow_definitions (
    definition_id text        NOT NULL,
    version       text        NOT NULL CHECK (version ~ '^[0-9a-f]{64}$'),
    content       text        NOT NULL,
    stored_at     timestamptz NOT NULL,
    PRIMARY KEY (definition_id, version)
);
