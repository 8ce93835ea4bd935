-- A help question may be registered during a partner's consultation hour at the help point (the bank's
-- Tuesday hour at the library). No foreign key: a consultation hour that is removed later must not make
-- the removal fail or rewrite history; its questions stay counted at their help point.
ALTER TABLE help_questions ADD COLUMN consultation_hour_id TEXT;
CREATE INDEX help_questions_by_consultation_hour ON help_questions (consultation_hour_id);

-- The steering figures of one partner's consultation hours, kept by the same apply/retract/include path
-- as the rollups of migration 0008 and rebuilt with them. Only questions with a consultation hour get a
-- row, so the table is small next to the others and one table carries every dimension the dashboard
-- needs (what, when, who) for this scope. Unknown values are '' as in 0008.
CREATE TABLE question_consultation_rollups (
    consultation_hour_id TEXT NOT NULL,
    help_point_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    topic_code TEXT NOT NULL,
    agency TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    referred_to TEXT NOT NULL,
    first_visit TEXT NOT NULL,
    pc4 TEXT NOT NULL,
    age_band TEXT NOT NULL,
    questions BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    PRIMARY KEY (consultation_hour_id, help_point_id, day, hour, topic_code, agency, kind, channel, outcome,
        referred_to, first_visit, pc4, age_band)
);
CREATE INDEX question_consultation_rollups_by_day ON question_consultation_rollups (day);
