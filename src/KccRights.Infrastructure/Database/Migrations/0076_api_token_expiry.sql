-- Issue 9 (Build 7): API tokens expire. New tokens get an expiry when created (90 days unless asked otherwise); tokens
-- issued before this change are given 90 days from now, so automation keeps working while new tokens are issued.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
