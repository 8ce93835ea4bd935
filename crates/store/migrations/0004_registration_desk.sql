-- The registration desk: categories as extendable reference data with their
-- national IDO monitor mapping, corrections, volunteer links and the help point
-- a user last registered at.

-- Agencies and kinds of question; topics have their own (hierarchical) table.
CREATE TABLE question_categories (
    list TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    monitor_code TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (list, code)
);

ALTER TABLE topics ADD COLUMN monitor_code TEXT;

-- Who registered: a user, a volunteer link, an API token or an import.
ALTER TABLE help_questions ADD COLUMN source TEXT NOT NULL DEFAULT 'desk';
ALTER TABLE help_questions ADD COLUMN registration_link_id TEXT;
ALTER TABLE help_questions ADD COLUMN referred_to TEXT;
-- Internal remark; never exported.
ALTER TABLE help_questions ADD COLUMN remark TEXT;
ALTER TABLE help_questions ADD COLUMN updated_at BIGINT;
ALTER TABLE help_questions ADD COLUMN updated_by TEXT;
CREATE INDEX help_questions_by_visit ON help_questions (visit_id);

-- A link for volunteers without an account: it can only register, never read.
CREATE TABLE registration_links (
    id TEXT PRIMARY KEY,
    help_point_id TEXT NOT NULL REFERENCES help_points (id),
    token_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    CONSTRAINT registration_links_hash_unique UNIQUE (token_hash)
);

ALTER TABLE users ADD COLUMN desk_help_point_id TEXT;

-- API clients page through registrations in the order they were saved.
CREATE INDEX help_questions_by_point_created ON help_questions (help_point_id, created_at, id);

-- Each help point's running total ("this is question number 100,000"), kept in
-- the same transaction as the rows so the desk never counts a growing table.
CREATE TABLE help_point_question_counts (
    help_point_id TEXT PRIMARY KEY,
    total BIGINT NOT NULL
);
INSERT INTO help_point_question_counts (help_point_id, total)
    SELECT help_point_id, COUNT(*) FROM help_questions GROUP BY help_point_id;
