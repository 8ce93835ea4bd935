-- The directory behind the finder: help point details, topics, served municipalities,
-- partners' consultation hours, mobile stops, reports of wrong information.

ALTER TABLE organisations ADD COLUMN kvk_number TEXT;
ALTER TABLE organisations ADD COLUMN kbo_number TEXT;
ALTER TABLE organisations ADD COLUMN website TEXT;

-- status: open | temporarily_closed | closed; hours: JSON (keten_core::opening_hours).
ALTER TABLE help_points ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE help_points ADD COLUMN status_reason TEXT;
ALTER TABLE help_points ADD COLUMN reopens_on TEXT;
ALTER TABLE help_points ADD COLUMN hours TEXT NOT NULL DEFAULT '{}';
ALTER TABLE help_points ADD COLUMN preparation TEXT NOT NULL DEFAULT '';
ALTER TABLE help_points ADD COLUMN phone TEXT;
ALTER TABLE help_points ADD COLUMN email TEXT;
ALTER TABLE help_points ADD COLUMN website TEXT;
ALTER TABLE help_points ADD COLUMN languages TEXT NOT NULL DEFAULT 'nl';
ALTER TABLE help_points ADD COLUMN step_free BIGINT NOT NULL DEFAULT 0;
ALTER TABLE help_points ADD COLUMN accessible_toilet BIGINT NOT NULL DEFAULT 0;
ALTER TABLE help_points ADD COLUMN hearing_loop BIGINT NOT NULL DEFAULT 0;
ALTER TABLE help_points ADD COLUMN quiet_room BIGINT NOT NULL DEFAULT 0;
ALTER TABLE help_points ADD COLUMN last_checked_at BIGINT;
CREATE INDEX help_points_by_update ON help_points (updated_at);

CREATE TABLE help_point_topics (
    help_point_id TEXT NOT NULL REFERENCES help_points (id) ON DELETE CASCADE,
    topic_code TEXT NOT NULL REFERENCES topics (code),
    PRIMARY KEY (help_point_id, topic_code)
);

CREATE TABLE help_point_municipalities (
    help_point_id TEXT NOT NULL REFERENCES help_points (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    PRIMARY KEY (help_point_id, municipality_code)
);
CREATE INDEX help_point_municipalities_by_code ON help_point_municipalities (municipality_code);

-- A partner's recurring hour at a help point: the bank's Tuesday hour at the library.
CREATE TABLE consultation_hours (
    id TEXT PRIMARY KEY,
    help_point_id TEXT NOT NULL REFERENCES help_points (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    hours TEXT NOT NULL,
    appointment_needed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX consultation_hours_by_help_point ON consultation_hours (help_point_id);

CREATE TABLE consultation_hour_topics (
    consultation_hour_id TEXT NOT NULL REFERENCES consultation_hours (id) ON DELETE CASCADE,
    topic_code TEXT NOT NULL REFERENCES topics (code),
    PRIMARY KEY (consultation_hour_id, topic_code)
);

-- Where a mobile or pop-up help point stands on which days (hours: JSON as above).
CREATE TABLE help_point_stops (
    id TEXT PRIMARY KEY,
    help_point_id TEXT NOT NULL REFERENCES help_points (id) ON DELETE CASCADE,
    place_name TEXT NOT NULL,
    street_address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    hours TEXT NOT NULL
);
CREATE INDEX help_point_stops_by_help_point ON help_point_stops (help_point_id);

-- "Report wrong information" from residents; reaches the point's coordinators.
CREATE TABLE information_reports (
    id TEXT PRIMARY KEY,
    help_point_id TEXT NOT NULL REFERENCES help_points (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX information_reports_by_help_point ON information_reports (help_point_id, resolved_at);
