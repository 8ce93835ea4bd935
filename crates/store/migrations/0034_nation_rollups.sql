-- The nation's figures (benchmark of 2026-12-06 with the demo spread over 700 help points across the country):
-- the day and month rollups hold rows per help point, so a year of the whole nation summed some 1.5 million
-- rows per figure set (0.96 s for 1,000,000 questions). Both tables now also hold rows that sum every help point,
-- under help point '' (no help point has that id, so a chain's or a help point's figures never read them): the
-- nation reads a few rows per value and day or month. They are kept in the same transaction as every write of
-- a help question, as the rows per help point are. keten rebuilds the rollups from the raw rows at start-up.
DELETE FROM question_dimension_rollups;
DELETE FROM question_month_rollups;
DELETE FROM question_consultation_rollups;
