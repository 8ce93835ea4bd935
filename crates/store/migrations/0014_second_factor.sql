-- Second factor (issue 18): a TOTP secret per user, single-use recovery codes, and sessions that know how far
-- a sign-in has come and when they were last used (idle expiry).

-- One factor per user. `confirmed_at` is NULL while the user has scanned nothing yet; `last_step` is the last
-- accepted time step, so that a code works once (RFC 6238 section 5.2).
CREATE TABLE second_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Only argon2id hashes, like passwords.
CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

-- `stage`: 'full' (signed in), 'code' (password given, code pending) or 'enrol' (password given, a second factor
-- must be set up first). Only a 'full' session reaches anything beyond the sign-in steps.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_by_user ON sessions (user_id);
