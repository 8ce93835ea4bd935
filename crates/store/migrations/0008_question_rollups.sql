-- Rollups of help questions: the steering figures read these, never the raw rows. Every write of
-- help_questions updates them in its own transaction (keten_store::rollups); `keten rollups rebuild`
-- recomputes them from the raw rows.
--
-- day: the local calendar day (CET/CEST, shared by NL and BE) as days since 1970-01-01.
-- Unknown values are '' rather than NULL, so that the primary key and ON CONFLICT behave the same on
-- both databases. first_visit is 'yes', 'no' or ''.

-- What was asked and how it ended: topic, agency, kind, channel, outcome (and to whom), first visit.
CREATE TABLE question_rollups (
    help_point_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    topic_code TEXT NOT NULL,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    referred_to TEXT NOT NULL,
    first_visit TEXT NOT NULL,
    questions BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    PRIMARY KEY (help_point_id, day, topic_code, agency, kind, channel, outcome, referred_to, first_visit)
);
CREATE INDEX question_rollups_by_day ON question_rollups (day);

-- Who asked: the anonymous profile (PC4 of residence and age band), for the target-group figures.
CREATE TABLE question_profile_rollups (
    help_point_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    pc4 TEXT NOT NULL,
    age_band TEXT NOT NULL,
    questions BIGINT NOT NULL,
    PRIMARY KEY (help_point_id, day, pc4, age_band)
);
CREATE INDEX question_profile_rollups_by_day ON question_profile_rollups (day);

-- When: the local hour of the day (the weekday follows from the day).
CREATE TABLE question_hour_rollups (
    help_point_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    questions BIGINT NOT NULL,
    PRIMARY KEY (help_point_id, day, hour)
);
CREATE INDEX question_hour_rollups_by_day ON question_hour_rollups (day);
