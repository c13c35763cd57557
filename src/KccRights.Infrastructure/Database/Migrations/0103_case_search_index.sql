-- Search by name, email and date of birth (issue 14 item 2; ADR 0007) over values that stay sealed (migrations 0082,
-- 0083). The service writes, for each case, keyed hashes (HMAC-SHA256 with a key derived from the data key, first
-- 8 bytes) of the normalised name words, their trigrams and a phonetic code, the normalised email address and the date
-- of birth. No plain value is stored; the key is the service's, not the database's. A search hashes its input the
-- same way and looks the hashes up here, then opens the candidates' sealed names to check how close they are.
CREATE TABLE case_search_tokens (
    token   bigint NOT NULL,
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    -- The lookup: every case holding a token, read from the index alone.
    PRIMARY KEY (token, case_id)
);

-- Replacing one case's tokens when its parties change.
CREATE INDEX case_search_tokens_case ON case_search_tokens (case_id);

-- The id of the index key a case's tokens were made with (null: not indexed yet). At start the service indexes the
-- rows whose key is not the current one: rows from before this migration, and every row after a key rotation.
ALTER TABLE case_requests ADD COLUMN search_key_id text;
