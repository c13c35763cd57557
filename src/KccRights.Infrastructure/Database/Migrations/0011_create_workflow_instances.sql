-- One running workflow per case. Each step locks the instance row (SELECT ... FOR UPDATE), applies one transition and
-- bumps row_version; state_seq counts state entries so that a late timer or activity outcome for a state already
-- left is recognised and ignored.
CREATE TABLE workflow_instances (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id            bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    definition_id      text        NOT NULL,
    definition_version text        NOT NULL,
    state              text        NOT NULL,
    state_seq          int         NOT NULL DEFAULT 1,
    state_entered_at   timestamptz NOT NULL,
    status             text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
    data               jsonb       NOT NULL DEFAULT '{}',
    -- The officer the case is assigned to: reminders go to them and to the team.
    assignee           text,
    row_version        int         NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    completed_at       timestamptz,
    FOREIGN KEY (definition_id, definition_version) REFERENCES workflow_definitions (definition_id, version)
);

CREATE UNIQUE INDEX workflow_instances_one_running_per_case ON workflow_instances (case_id) WHERE status = 'running';
CREATE INDEX workflow_instances_case ON workflow_instances (case_id);

-- Every step updates its instance row: no index covers state or data, so those updates can be HOT (no index writes),
-- and the fill factor leaves room on the page for them. (Version migration, a rare admin command, scans.)
ALTER TABLE workflow_instances SET (fillfactor = 80);
