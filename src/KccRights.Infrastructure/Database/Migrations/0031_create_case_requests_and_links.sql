-- What intake understood about the request behind a case: the requester (who gets the letters), the data subject and
-- the identifiers the officer uses to find their records, and the phrases that decided (shown on the case).
CREATE TABLE case_requests (
    case_id            bigint      PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    inbound_message_id bigint      REFERENCES inbound_messages (id),
    requester_name     text,
    requester_email    text,
    relationship       text        NOT NULL CHECK (relationship IN ('self', 'child', 'client', 'other')),
    subject_name       text,
    subject_dob        date,
    previous_names     text[]      NOT NULL DEFAULT '{}',
    school             text,
    upn                text,
    address            text,
    postcode           text,
    agent_reference    text,
    language           text        NOT NULL DEFAULT 'en',
    confidence         numeric(3, 2),
    reasons            jsonb       NOT NULL DEFAULT '[]',
    id_requested       boolean     NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL
);

-- Cases opened from one email asking for several rights are linked to each other; a complaint is linked to the case
-- it is about. Stored both ways round so either case lists the other.
CREATE TABLE case_links (
    case_id        bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    linked_case_id bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    link_type      text        NOT NULL CHECK (link_type IN ('same-request', 'complaint-about', 'complained-of')),
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (case_id, linked_case_id),
    CHECK (case_id <> linked_case_id)
);
