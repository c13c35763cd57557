-- Human tasks: opened when a state is entered, completed with one of their outcomes (raised as the event that moves
-- the case on), or cancelled when the state is left another way.
CREATE TABLE workflow_tasks (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id          bigint      NOT NULL REFERENCES workflow_instances (id) ON DELETE CASCADE,
    case_id              bigint      NOT NULL,
    state                text        NOT NULL,
    state_seq            int         NOT NULL,
    type                 text        NOT NULL,
    role                 text        NOT NULL CHECK (role IN ('officer', 'dpo', 'record-owner')),
    title                text        NOT NULL,
    form                 jsonb       NOT NULL DEFAULT '[]',
    outcomes             text[]      NOT NULL,
    not_by_same_actor_as text,
    assignee             text,
    status               text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'cancelled')),
    due_on               date,
    outcome              text,
    outcome_data         jsonb,
    created_at           timestamptz NOT NULL,
    completed_at         timestamptz,
    completed_by         text,
    CHECK (status <> 'completed' OR (outcome IS NOT NULL AND completed_by IS NOT NULL))
);

-- The queues: open tasks by role (team queue) and by assignee (my tasks), soonest due first.
CREATE INDEX workflow_tasks_open_by_role ON workflow_tasks (role, due_on, id) WHERE status = 'open';
CREATE INDEX workflow_tasks_open_by_assignee ON workflow_tasks (assignee, due_on, id) WHERE status = 'open' AND assignee IS NOT NULL;
CREATE INDEX workflow_tasks_instance ON workflow_tasks (instance_id, state_seq);
