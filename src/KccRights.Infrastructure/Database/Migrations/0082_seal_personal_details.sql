-- Personal data at rest (issue 9 Build 6; UK GDPR Art 32(1)(a), Art 5(1)(f)).
--
-- case_requests: the subject's date of birth, previous names, school, UPN, address and postcode are sealed (AES-256-GCM,
-- the stored-mail keys, key id inside the value) into sealed_details; their plain columns stay empty. Rows stored before this are sealed by the service at its next start (it holds the key; SQL does not), and
-- re-sealed under a new key by `kccrights keys rotate`. The names, email address and agent's reference used by the
-- queue and the letters are still plain.
ALTER TABLE case_requests ADD COLUMN sealed_details bytea;

-- inbound_messages.classification keeps only what is not personal (kind, rights, relationship, language, confidence,
-- triage flags): the requester, the subject, quoted reasons and attachment names are derived on read from the
-- encrypted message (`kccrights classify`), never kept in plain text beside it.
UPDATE inbound_messages
SET classification = classification - 'requester' - 'subject' - 'reference' - 'reasons' - 'attachments'
WHERE classification IS NOT NULL
  AND classification ?| ARRAY['requester', 'subject', 'reference', 'reasons', 'attachments'];
