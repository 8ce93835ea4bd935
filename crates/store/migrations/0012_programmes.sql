-- National programmes (issue 15): calls, applications (alone or as a dossier with members), waves, selection
-- runs, grants with payments, and reports. Portable DDL for SQLite and PostgreSQL (see migrations/README.md).
-- Money is BIGINT euro cents with a VAT flag; calendar dates (the programme's own days) are ISO text
-- 'YYYY-MM-DD', which sorts and compares as dates on both databases; moments are unix seconds.

-- A programme belongs to the organisation (a national body) whose programme managers run it.
CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    budget_cents BIGINT NOT NULL,
    cap_cents BIGINT NOT NULL,
    cap_vat_included BIGINT NOT NULL,
    vat_percent BIGINT NOT NULL,
    max_participants BIGINT NOT NULL,
    country TEXT,
    min_population BIGINT,
    max_population BIGINT,
    -- Names of other programmes whose participants get no funding here, one per line.
    excluded_programmes TEXT NOT NULL,
    small_below BIGINT NOT NULL,
    large_from BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX programmes_by_organisation ON programmes (organisation_id);

-- The conditions an applicant confirms, in order.
CREATE TABLE programme_conditions (
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (programme_id, position)
);

-- Waves of a subsidy scheme (the first one is the kopgroep).
CREATE TABLE programme_waves (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    places BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    announce_on TEXT
);
CREATE INDEX programme_waves_by_programme ON programme_waves (programme_id, position);

-- One application per organisation and programme; for a dossier the organisation is the lead (penhouder).
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    amount_vat_included BIGINT NOT NULL,
    proposal TEXT NOT NULL,
    -- Quadruple-helix partners named in a dossier (free text, one per line).
    helix_partners TEXT NOT NULL,
    wave_id TEXT REFERENCES programme_waves (id) ON DELETE SET NULL,
    -- What the programme manager asked for when status is missing_info.
    info_request TEXT,
    decision_note TEXT,
    submitted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT applications_one_per_organisation UNIQUE (programme_id, organisation_id)
);
CREATE INDEX applications_by_organisation ON applications (organisation_id);

-- The conditions the applicant confirmed (position in programme_conditions).
CREATE TABLE application_conditions (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, position)
);

-- Members of a dossier: each confirms from its own account (confirmed_at); a partner takes part without funding.
CREATE TABLE application_members (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    member_role TEXT NOT NULL,
    confirmed_at BIGINT,
    PRIMARY KEY (application_id, organisation_id)
);
CREATE INDEX application_members_by_organisation ON application_members (organisation_id);

-- Selection runs: the seed and the whole structured result (JSON of keten_core::selection::Selection), so the
-- draw can be published and repeated. Each application keeps its own probability and explanation of the
-- latest run.
CREATE TABLE selection_runs (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    seed TEXT NOT NULL,
    result TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX selection_runs_by_programme ON selection_runs (programme_id, created_at);
ALTER TABLE applications ADD COLUMN selection_probability DOUBLE PRECISION;
ALTER TABLE applications ADD COLUMN explanation TEXT;

-- A manager's change of a selection decision, always with its reason; the public page says that one happened.
CREATE TABLE selection_overrides (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX selection_overrides_by_programme ON selection_overrides (programme_id);
