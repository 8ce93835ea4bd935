-- A municipality's figures (benchmark of 2026-12-06 with 700 help points across the country): its chain's rows
-- per help point were summed per figure set, so a year of Amsterdam (41 help points) took 90 to 100 ms at
-- 1,000,000 questions. Both tables now also hold rows that sum each municipality's chain (the help points that
-- stand in it or serve it), under help point '@' followed by its code. They are kept in the same transaction as
-- every write of a help question, and moved from one municipality to another when a help point's municipalities
-- change. keten rebuilds the rollups from the raw rows at start-up.
DELETE FROM question_dimension_rollups;
DELETE FROM question_month_rollups;
DELETE FROM question_consultation_rollups;
