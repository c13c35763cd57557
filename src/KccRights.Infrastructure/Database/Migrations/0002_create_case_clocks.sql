-- The statutory clock of each case (UK GDPR Arts 12(3), 12(5), 12(6), 12A(5)). The dates are calculated in C# by the
-- deadline engine and stored here, recalculated in the same transaction as every change, so queues and reminders
-- query rows with an index instead of computing dates in the UI.
CREATE TABLE case_clocks (
    case_id               bigint      PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    received_at           timestamptz NOT NULL,
    received_on           date        NOT NULL,
    id_received_on        date,
    fee_paid_on           date,
    clock_start           date        NOT NULL,
    paused_days           int         NOT NULL DEFAULT 0,
    is_paused             boolean     NOT NULL DEFAULT false,
    due_on                date        NOT NULL,
    notice_by             date        NOT NULL,
    extended_due_on       date        NOT NULL,
    extended              boolean     NOT NULL DEFAULT false,
    extension_reason      text,
    extended_by           text,
    extended_at           timestamptz,
    extension_notified_at timestamptz,
    -- extended_due_on when extended, else due_on: the date the council must answer by.
    effective_due_on      date        NOT NULL,
    is_open               boolean     NOT NULL DEFAULT true,
    version               int         NOT NULL DEFAULT 1,
    updated_at            timestamptz NOT NULL,
    CHECK (clock_start >= received_on),
    CHECK (effective_due_on = CASE WHEN extended THEN extended_due_on ELSE due_on END)
);

-- "Due within N working days" and "overdue" are ranges on the effective due date of running clocks.
CREATE INDEX case_clocks_running_due ON case_clocks (effective_due_on, case_id) WHERE is_open AND NOT is_paused;
CREATE INDEX case_clocks_paused ON case_clocks (effective_due_on, case_id) WHERE is_open AND is_paused;

-- Art 12A(5): clarification pauses, inclusive day ranges; ends_on is null while the council waits for the answer.
CREATE TABLE case_clock_pauses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES case_clocks (case_id) ON DELETE CASCADE,
    starts_on   date        NOT NULL,
    ends_on     date,
    reason      text        NOT NULL,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    ended_by    text,
    ended_at    timestamptz,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX case_clock_pauses_case ON case_clock_pauses (case_id);
CREATE UNIQUE INDEX case_clock_pauses_one_open ON case_clock_pauses (case_id) WHERE ends_on IS NULL;

-- Every change to a clock, with the dates it gave: append-only.
CREATE TABLE case_clock_history (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id          bigint      NOT NULL REFERENCES case_clocks (case_id) ON DELETE CASCADE,
    changed_at       timestamptz NOT NULL,
    changed_by       text        NOT NULL,
    change           text        NOT NULL,
    detail           jsonb       NOT NULL DEFAULT '{}',
    clock_start      date        NOT NULL,
    paused_days      int         NOT NULL,
    due_on           date        NOT NULL,
    effective_due_on date        NOT NULL
);
CREATE INDEX case_clock_history_case ON case_clock_history (case_id, id);

-- The bank-holiday data the stored dates were last calculated with.
CREATE TABLE deadline_calendar (
    id          boolean     PRIMARY KEY DEFAULT true CHECK (id),
    fingerprint text        NOT NULL,
    first_year  int         NOT NULL,
    last_year   int         NOT NULL,
    applied_at  timestamptz NOT NULL
);
