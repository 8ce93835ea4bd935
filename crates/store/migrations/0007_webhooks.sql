-- Webhooks (issue 5): an organisation's own system hears of referral events, signed and retried.
-- Portable DDL for SQLite and PostgreSQL (see migrations/README.md).

-- One webhook per organisation. The secret signs every message (HMAC-SHA256), so it is kept as
-- given out, not hashed; pages and the API never show it again after it was made.
CREATE TABLE organisation_webhooks (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    updated_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The outbox: one row per referral event and organisation to tell, written in the event's own
-- transaction, sent by the delivery worker. status: pending, delivered or failed (gave up).
-- claimed_until is a short lease so that two keten processes never send one row at once.
-- The payload holds ids, codes and a time: no personal data.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    referral_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_attempt_at BIGINT,
    last_status_code BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    claimed_until BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_organisation ON webhook_deliveries (organisation_id, created_at);
