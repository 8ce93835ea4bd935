-- The stakeholder map of a municipality's local chain (keten_core::stakeholder), kept by its steering users.
-- A stakeholder is a partner organisation keten knows (organisation_id set) or one outside the chain (free name,
-- organisation_id NULL). Roles are sorted codes joined by commas ("funds,refers"). The contact person's name and
-- e-mail are personal data: only the municipality's steering users read them, and they go with the row when the
-- stakeholder is removed.
CREATE TABLE stakeholders (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    roles TEXT NOT NULL,
    power BIGINT NOT NULL CHECK (power BETWEEN 1 AND 5),
    interest BIGINT NOT NULL CHECK (interest BETWEEN 1 AND 5),
    covenant BIGINT NOT NULL,
    agreements TEXT NOT NULL,
    contact_name TEXT,
    contact_email TEXT,
    joined_on TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT stakeholders_organisation_unique UNIQUE (municipality_code, organisation_id)
);
CREATE INDEX stakeholders_by_municipality ON stakeholders (municipality_code);

-- The map's history: one row per change (joined, power or interest changed, left). No foreign key: the history
-- outlives a removed stakeholder, so it keeps the organisation's name (never the contact person).
CREATE TABLE stakeholder_events (
    id TEXT PRIMARY KEY,
    stakeholder_id TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    power BIGINT NOT NULL,
    interest BIGINT NOT NULL,
    happened_on TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT
);
CREATE INDEX stakeholder_events_by_municipality ON stakeholder_events (municipality_code, happened_on);
