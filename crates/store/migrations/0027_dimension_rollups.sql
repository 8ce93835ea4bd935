-- The steering figures per dimension (benchmark of 2026-12-05): `question_rollups` was keyed on day x help
-- point x every dimension at once and `question_profile_rollups` on PC4 x age band per day, so with 100,000
-- questions they held 92,134 and 56,236 rows: a year's figures for the nation still read almost a row per
-- question. The figures need only one dimension at a time, so each question now counts once per dimension:
-- topic_code, agency, kind, channel, outcome, referred_to, first_visit (codes as in 0008), `all` (value '':
-- the day's and the help point's totals), `pc4`, `age_band`, `pc4_65plus` (the PC4 of questions asked by
-- residents of 65 or over, for the blind spots) and `topic_agency_outcome` (the three joined by U+001F, which
-- the cost-benefit analysis needs together). A help point's day has some 40 rows instead of one per
-- question. Unknown values are ''. The old tables go; keten rebuilds this one from the raw rows at start-up.
CREATE TABLE question_dimension_rollups (
    dimension TEXT NOT NULL,
    day BIGINT NOT NULL,
    help_point_id TEXT NOT NULL,
    value TEXT NOT NULL,
    questions BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    CONSTRAINT question_dimension_rollups_pk PRIMARY KEY (dimension, day, help_point_id, value)
);
-- Undo deletes a help point's day's rows that reached zero.
CREATE INDEX question_dimension_rollups_by_point_day ON question_dimension_rollups (help_point_id, day);

DROP TABLE question_rollups;
DROP TABLE question_profile_rollups;
