-- Issue 9, items 1, 2 and 9: nothing unseen. A triage row now says what kind of problem it is, and can stand for a
-- message the IMAP server could not serve (fetching it failed after its retries): such a message was never stored, so
-- the row has no inbound_messages row, only the mailbox (folder/UIDVALIDITY) and the UID it has there, and the mailbox
-- moves on to later messages.
--   reason_kind: 'classification'    intake read it and an officer must look (not a request, doubtful, damaged...)
--                'over-budget'       too long or too slow to read in full: read in part, or not at all
--                'processing-failed' acting on it failed after its retries (the error is in detail)
--                'imap-unservable'   the mail server could not serve it (UID in imap_uid, folder in mailbox)
-- reasons (jsonb) is always an array of sentences for an officer; detail is the technical error, if any.
ALTER TABLE intake_triage ALTER COLUMN inbound_message_id DROP NOT NULL;
ALTER TABLE intake_triage
    ADD COLUMN reason_kind text NOT NULL DEFAULT 'classification'
        CHECK (reason_kind IN ('classification', 'over-budget', 'processing-failed', 'imap-unservable')),
    ADD COLUMN detail      text,
    ADD COLUMN mailbox     text,
    ADD COLUMN imap_uid    bigint;
ALTER TABLE intake_triage ADD CONSTRAINT intake_triage_message_or_uid
    CHECK (inbound_message_id IS NOT NULL OR (mailbox IS NOT NULL AND imap_uid IS NOT NULL));

-- One row per unservable message: the reader records it once and skips it on every later pass and after a restart.
CREATE UNIQUE INDEX intake_triage_unservable ON intake_triage (mailbox, imap_uid) WHERE inbound_message_id IS NULL;
