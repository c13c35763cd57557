-- Personal data at rest, continued (issue 9 Build 6; UK GDPR Art 32(1)(a), Art 5(1)(f)).
--
-- case_requests: the requester's name and email address, the subject's name, the agent's reference and the quoted
-- reasons are sealed (AES-256-GCM, the stored-mail keys, key id inside the value) into sealed_parties; their plain
-- columns stay empty (NULL, reasons '[]'). Nothing filters or sorts on them in SQL: the service opens the value where it
-- shows or sends them. Rows stored before this are sealed by the service at its next start (it holds the key; SQL does
-- not), and re-sealed under a new key by `kccrights keys rotate`.
ALTER TABLE case_requests ADD COLUMN sealed_parties bytea;
