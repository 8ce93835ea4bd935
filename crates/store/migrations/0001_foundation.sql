-- Foundation: organisations, accounts, sessions, topics, help points, help questions.
-- Portable DDL: this one file runs on SQLite and PostgreSQL (see migrations/README.md).
-- Types: TEXT, BIGINT (also for 0/1 flags and unix-second times), DOUBLE PRECISION.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    sector TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX organisations_by_municipality ON organisations (municipality_code);

-- The municipalities an organisation is active in: the chains it belongs to.
CREATE TABLE organisation_municipalities (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    PRIMARY KEY (organisation_id, municipality_code)
);
CREATE INDEX organisation_municipalities_by_code ON organisation_municipalities (municipality_code);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT,
    CONSTRAINT users_email_unique UNIQUE (email)
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);
CREATE INDEX memberships_by_organisation ON memberships (organisation_id);

-- Only a hash of the cookie value is stored, so a leaked table grants no sessions.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed and successful sign-ins, for rate limiting shared by all instances.
CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    succeeded BIGINT NOT NULL
);
CREATE INDEX login_attempts_by_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_by_ip ON login_attempts (ip, attempted_at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    CONSTRAINT api_tokens_hash_unique UNIQUE (token_hash)
);

CREATE TABLE topics (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    parent_code TEXT REFERENCES topics (code),
    position BIGINT NOT NULL
);

CREATE TABLE help_points (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    venue_kind TEXT NOT NULL,
    street_address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX help_points_by_organisation ON help_points (organisation_id);
CREATE INDEX help_points_by_municipality ON help_points (municipality_code);

-- Anonymous by construction: no names, no contact data, no free text.
CREATE TABLE help_questions (
    id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL,
    help_point_id TEXT NOT NULL REFERENCES help_points (id),
    asked_at BIGINT NOT NULL,
    topic_code TEXT NOT NULL REFERENCES topics (code),
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes > 0 AND minutes <= 480),
    outcome TEXT NOT NULL,
    age_band TEXT,
    pc4 TEXT,
    first_visit BIGINT,
    registered_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX help_questions_by_point_time ON help_questions (help_point_id, asked_at);
