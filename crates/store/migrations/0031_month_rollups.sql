-- The steering figures for a year (benchmark of 2026-12-06): the day rollups held some 40 to 400 rows per help
-- point and day, so a year of a large municipality still summed hundreds of thousands of rows per figure. The
-- same counts per calendar month make a year twelve rows per help point and value; a period reads its whole
-- months here and only its first and last partial month from the day rollups. `month` is the day number
-- (days since 1970-01-01) of the month's first day. The hours of the day become one more dimension of both
-- tables (`hour`, value '09' for 09:00-09:59), so the separate hour rollup goes. keten rebuilds the rollups
-- from the raw rows at start-up when this table is empty and questions exist.
CREATE TABLE question_month_rollups (
    dimension TEXT NOT NULL,
    month BIGINT NOT NULL,
    help_point_id TEXT NOT NULL,
    value TEXT NOT NULL,
    questions BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    CONSTRAINT question_month_rollups_pk PRIMARY KEY (dimension, month, help_point_id, value)
);
-- A municipality's or one help point's figures seek each of its help points' rows of one dimension.
CREATE INDEX question_month_rollups_by_point ON question_month_rollups (help_point_id, dimension, month);
DROP INDEX question_dimension_rollups_by_point_day;
CREATE INDEX question_dimension_rollups_by_point ON question_dimension_rollups (help_point_id, dimension, day);

DROP TABLE question_hour_rollups;
-- Rebuilt at start-up with the hour dimension.
DELETE FROM question_dimension_rollups;
