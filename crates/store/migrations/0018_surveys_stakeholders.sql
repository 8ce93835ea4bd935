-- Visitor impact survey (keten_core::survey). Anonymous by construction: no IP address, no user agent, no time of
-- day, no link to a device or to the survey link used. A response keeps its help point, the municipality the point
-- belongs to, the local day and the six coded answers (NULL = not answered).

-- A survey link per help point, made by its coordinator and printed as a QR code. The token is stored as given
-- (unlike registration links): the link is public by design, printed on posters, and the coordinator must be able
-- to print the poster again. It is unguessable only so that nobody answers for a help point they never visited.
CREATE TABLE survey_links (
    id TEXT PRIMARY KEY,
    help_point_id TEXT NOT NULL REFERENCES help_points (id),
    token TEXT NOT NULL,
    label TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    CONSTRAINT survey_links_token UNIQUE (token)
);
CREATE INDEX survey_links_help_point ON survey_links (help_point_id);

CREATE TABLE survey_responses (
    id TEXT PRIMARY KEY,
    help_point_id TEXT NOT NULL REFERENCES help_points (id),
    municipality_code TEXT NOT NULL,
    answered_on TEXT NOT NULL,
    language TEXT NOT NULL,
    helped TEXT,
    self_next TEXT,
    feeling TEXT,
    recommend TEXT,
    heard_via TEXT,
    age_band TEXT
);
CREATE INDEX survey_responses_point ON survey_responses (help_point_id, answered_on);
CREATE INDEX survey_responses_municipality ON survey_responses (municipality_code, answered_on);

-- The flood guard, apart from the answers and never joined to them. A device (a random cookie) may answer for one
-- help point once per pause: the key is SHA-256 of cookie and help point, kept only until the pause ends. A help
-- point takes at most N answers per hour window; a window's row is deleted once the window is over, so no table
-- keeps times finer than the day.
CREATE TABLE survey_device_guard (
    key_hash TEXT PRIMARY KEY,
    until_at BIGINT NOT NULL
);

CREATE TABLE survey_point_windows (
    help_point_id TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    answers BIGINT NOT NULL,
    CONSTRAINT survey_point_windows_pk PRIMARY KEY (help_point_id, window_start)
);
