-- Triage as part of the day (issue 14 item 1).
--
-- Why each item is in the triage inbox, as codes the page words for the officer (one item may have several):
--   language           written in another language: check what is asked, arrange a translation
--   doubtful-kind      not clearly a request (or not clearly what it asks): an officer decides
--   unknown-reference  a reply, or a message quoting a case reference, that matches no case
--   bounce             a delivery failure of something the service sent
--   auto-reply         an automatic reply (out of office) that matches no case
--   damaged            the message could not be read whole (bad charset, broken MIME)
-- Rows from before this migration keep an empty array; the page reads their reasons' sentences instead.
ALTER TABLE intake_triage ADD COLUMN reason_codes text[] NOT NULL DEFAULT '{}'
    CHECK (reason_codes <@ ARRAY['language', 'doubtful-kind', 'unknown-reference', 'bounce', 'auto-reply', 'damaged']::text[]);

-- A reply an officer sent from the triage inbox, worded by a letter template (templates/letters/triage-reply-*.liquid)
-- and sent by Correspondence's send-triage-reply job. The recipient is not stored: the job reads it from the sealed
-- stored message when it sends (issue 9 Build 6). message_id is fixed when the reply is queued, so a resend after a
-- crash threads the same way; sent_at and outcome say whether it went ('no-address': the message had no address to
-- answer). Each reply is also in audit_events (triage.replied), with ids only.
CREATE TABLE correspondence_triage_replies (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    triage_id          bigint      NOT NULL REFERENCES intake_triage (id),
    inbound_message_id bigint      NOT NULL,
    template           text        NOT NULL,
    message_id         text        NOT NULL UNIQUE,
    queued_by          text        NOT NULL,
    queued_at          timestamptz NOT NULL,
    subject            text,
    sent_at            timestamptz,
    outcome            text        CHECK (outcome IN ('sent', 'no-address'))
);
CREATE INDEX correspondence_triage_replies_triage ON correspondence_triage_replies (triage_id, queued_at);
