-- Staff who sign in to the web app. In production identities come from Entra ID (OpenID Connect) and are matched on
-- subject; in Development, demo users are seeded for each role.
CREATE TABLE staff_users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject        text        NOT NULL UNIQUE,
    display_name   text        NOT NULL,
    email          text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('officer', 'record-owner', 'dpo', 'admin', 'auditor')),
    team           text,
    active         boolean     NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'record-owner') = (team IS NOT NULL))
);

-- Per-user API tokens for automation: only a SHA-256 hash is stored; the token is shown once when created.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES staff_users (id),
    token_hash   bytea       NOT NULL UNIQUE,
    label        text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Who did what to which case, when: every view of a case, download, change and refusal. Append-only.
CREATE TABLE audit_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,
    actor_role text        NOT NULL,
    action     text        NOT NULL,
    case_id    bigint      REFERENCES cases (id),
    outcome    text        NOT NULL DEFAULT 'allowed' CHECK (outcome IN ('allowed', 'refused')),
    detail     jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_case ON audit_events (case_id, id);
CREATE INDEX audit_events_at ON audit_events (at);

-- State-changing forms carry a one-time token: a second submission of the same form does nothing.
CREATE TABLE form_submissions (
    token        uuid        PRIMARY KEY,
    user_subject text        NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE case_notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author     text        NOT NULL,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

-- The queue lists every open case, paused or not, oldest due first.
CREATE INDEX case_clocks_open_due ON case_clocks (effective_due_on, case_id) WHERE is_open;

-- Which officer holds a case (the workflow's tasks carry their own assignees).
ALTER TABLE cases ADD COLUMN assigned_to text;
CREATE INDEX cases_assigned_open ON cases (assigned_to) WHERE status = 'open';
