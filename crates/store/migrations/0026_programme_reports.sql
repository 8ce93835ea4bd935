-- Programmes, the remaining parts (issue 15): withdrawn grants with their reason, selection runs per wave, and
-- the reminders sent about reports. Portable DDL for SQLite and PostgreSQL (see migrations/README.md).

-- A withdrawn grant stays (its instalments stay recorded: what was paid is to be reclaimed); its amount returns
-- to the programme's budget in the withdrawal's transaction. withdrawn_at NULL means the grant stands.
ALTER TABLE grants ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE grants ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN withdrawn_by TEXT;

-- A selection run of one wave of a subsidy scheme (NULL: the whole programme at once). Each wave has its own
-- run and seed; the latest run of each wave is the published one.
ALTER TABLE selection_runs ADD COLUMN wave_id TEXT;
CREATE INDEX selection_runs_by_wave ON selection_runs (programme_id, wave_id, created_at);

-- Reminders e-mailed about a participant's report: once per report, participant and kind (`due_soon` before
-- the due day, `overdue` after it). The primary key makes the claim, so two instances never remind twice.
CREATE TABLE report_reminders (
    report_id TEXT NOT NULL REFERENCES programme_reports (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    CONSTRAINT report_reminders_once PRIMARY KEY (report_id, application_id, kind)
);
