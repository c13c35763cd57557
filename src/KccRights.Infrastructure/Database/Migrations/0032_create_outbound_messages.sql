-- Every message the service sent about a case, with its Message-ID, so a reply (In-Reply-To/References) or a bounce
-- threads back to the case. dedupe_key makes a sending job idempotent: a retry finds the record and does not resend.
CREATE TABLE outbound_messages (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    message_id  text        NOT NULL UNIQUE,
    purpose     text        NOT NULL,
    dedupe_key  text        NOT NULL UNIQUE,
    recipient   text        NOT NULL,
    subject     text        NOT NULL,
    sent_at     timestamptz NOT NULL
);
CREATE INDEX outbound_messages_case ON outbound_messages (case_id, sent_at);
CREATE INDEX outbound_messages_recipient ON outbound_messages (lower(recipient), sent_at DESC);
