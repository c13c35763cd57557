-- Notifications to people working a case (reminders) and letters to requesters, recorded by the send-notification
-- job. The default sender only records them here; the mail module's sender sends them and sets sent_at.
CREATE TABLE outbound_notifications (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key     text        NOT NULL UNIQUE,
    case_id        bigint,
    instance_id    bigint,
    job_id         bigint,
    template       text        NOT NULL,
    recipient_kind text        NOT NULL CHECK (recipient_kind IN ('officer', 'team', 'role', 'requester')),
    recipient      text        NOT NULL,
    data           jsonb       NOT NULL DEFAULT '{}',
    status         text        NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'sent')),
    created_at     timestamptz NOT NULL,
    sent_at        timestamptz
);

CREATE INDEX outbound_notifications_case ON outbound_notifications (case_id, id);
