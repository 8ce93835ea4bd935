-- Money and accountability of programmes (issue 15): grants awarded to selected applications, payments in
-- instalments, reports with due dates (per programme or per grant) and what participants submitted.
-- Portable DDL for SQLite and PostgreSQL (see migrations/README.md). Money is BIGINT euro cents on the
-- programme's own footing (its cap_vat_included flag); calendar days are ISO text 'YYYY-MM-DD'.

-- What a programme has awarded so far, kept by the one conditional UPDATE that awards a grant
-- (`awarded_cents + amount <= budget_cents`): two concurrent awards cannot together exceed the budget, because
-- the second UPDATE waits for the first one's row lock and re-checks its condition on the new value.
ALTER TABLE programmes ADD COLUMN awarded_cents BIGINT NOT NULL DEFAULT 0;

-- One grant per selected application. paid_cents is kept the same way as awarded_cents, so payments never
-- exceed the grant.
CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    amount_cents BIGINT NOT NULL,
    vat_included BIGINT NOT NULL,
    paid_cents BIGINT NOT NULL,
    note TEXT NOT NULL,
    awarded_by TEXT,
    awarded_at BIGINT NOT NULL,
    CONSTRAINT grants_one_per_application UNIQUE (application_id)
);
CREATE INDEX grants_by_programme ON grants (programme_id);

-- Payments of a grant in instalments.
CREATE TABLE grant_payments (
    id TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    paid_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX grant_payments_by_grant ON grant_payments (grant_id, paid_on);

-- A report the manager asks for: of every selected participant (grant_id NULL) or of one grant's participant.
-- The period is what keten's own figures beside the report cover.
CREATE TABLE programme_reports (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    grant_id TEXT REFERENCES grants (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_until TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX programme_reports_by_programme ON programme_reports (programme_id, due_on);

-- A participant's report: its text and optional figures; submitted_on is the programme's calendar day of the
-- first submission (a later correction does not make a report on time).
CREATE TABLE report_submissions (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES programme_reports (id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    figures TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    submitted_by TEXT,
    submitted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT report_submissions_one_per_participant UNIQUE (report_id, application_id)
);
CREATE INDEX report_submissions_by_application ON report_submissions (application_id);
