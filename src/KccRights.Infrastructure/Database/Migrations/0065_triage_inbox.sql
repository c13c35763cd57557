-- The triage inbox (issue 9, Build 2): what an officer decided about each item, and items with no stored message.
--
-- A message the IMAP server could not serve has no inbound_messages row: intake records it by its UID and mailbox
-- (another change adds the same nullable columns; IF NOT EXISTS / DROP NOT NULL make either order of the two work).
ALTER TABLE intake_triage ALTER COLUMN inbound_message_id DROP NOT NULL;
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS imap_uid bigint;
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS mailbox text;
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS reason_kind text;
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS detail text;

-- How an item was closed (resolved_at and resolved_by say when and by whom): a case opened from it, the message attached
-- to an existing case, or not a request, with the officer's reason. Each closing is also in audit_events.
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS outcome text
    CHECK (outcome IN ('case-opened', 'attached', 'not-a-request'));
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS outcome_case_id bigint REFERENCES cases (id);
ALTER TABLE intake_triage ADD COLUMN IF NOT EXISTS outcome_reason text
    CHECK (char_length(outcome_reason) <= 1000);
