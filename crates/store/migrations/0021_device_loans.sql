-- Device loans (issue 19): a device handed out on loan, with a deposit in euro cents, a due date and the refund
-- on return. One loan per hand-out (device and round). The bank's terms for reminders and late returns are
-- settings of the municipality's device bank. Portable DDL (see migrations/README.md); days are 'YYYY-MM-DD'.

ALTER TABLE device_bank_settings ADD COLUMN loan_remind_days BIGINT NOT NULL DEFAULT 14;
ALTER TABLE device_bank_settings ADD COLUMN refund_late_returns BIGINT NOT NULL DEFAULT 0;

CREATE TABLE device_loans (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    request_id TEXT REFERENCES device_requests (id),
    bank_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    deposit_cents BIGINT NOT NULL CHECK (deposit_cents >= 0),
    months BIGINT NOT NULL CHECK (months >= 1 AND months <= 120),
    remind_days_before BIGINT NOT NULL,
    refund_late_returns BIGINT NOT NULL,
    lent_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    reminded_at BIGINT,
    returned_on TEXT,
    refund_cents BIGINT,
    created_at BIGINT NOT NULL,
    CONSTRAINT device_loans_one_per_round UNIQUE (device_id, round)
);
CREATE INDEX device_loans_open_by_bank ON device_loans (bank_organisation_id, returned_on, due_on);
CREATE INDEX device_loans_by_request ON device_loans (request_id);
