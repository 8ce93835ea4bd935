-- Keeping the directory up to date.
--
-- When coordinators were last mailed that a help point needs checking by a person,
-- so they get at most one reminder per help point per 30 days.
ALTER TABLE help_points ADD COLUMN check_reminder_sent_at BIGINT;

-- Monthly consultation hours ("elke eerste dinsdag van de maand") need no column:
-- they are stored with the weekly slots in the hours JSON, as "monthly":
-- [{"week": 1, "weekday": "tue", "start": "10:00", "end": "12:00"}] (week -1 is the last).
