-- Warm referrals (issue 5): routing rules, referrals with their timeline, consents,
-- contact attempts, per-municipality settings, and the audit trail of personal data.
-- Portable DDL for SQLite and PostgreSQL (see migrations/README.md).

-- A help point can say it takes no new referrals for now (a full point is skipped by routing).
ALTER TABLE help_points ADD COLUMN referrals_full BIGINT NOT NULL DEFAULT 0;

-- Verwijsafspraken, kept by the municipality's steering role. Exactly one target:
-- the organisation itself, one of its help points, or one of its consultation hours.
CREATE TABLE routing_rules (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    topic_code TEXT NOT NULL REFERENCES topics (code),
    agency TEXT,
    priority BIGINT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    help_point_id TEXT REFERENCES help_points (id) ON DELETE CASCADE,
    consultation_hour_id TEXT REFERENCES consultation_hours (id) ON DELETE CASCADE,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX routing_rules_by_municipality ON routing_rules (municipality_code, topic_code);

-- Per municipality: working days to accept, attempts before "not reached", days to keep contact data.
CREATE TABLE referral_settings (
    municipality_code TEXT PRIMARY KEY,
    overdue_working_days BIGINT NOT NULL,
    not_reached_after BIGINT NOT NULL,
    retention_days BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The personal fields (resident_name, contact_phone, contact_email, preferred_moment, reason)
-- are set to NULL by the purge or on withdrawal; erased_at records when. The rest is kept for
-- the timeline and reporting.
CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    source TEXT NOT NULL,
    sender_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    sender_user_id TEXT,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    help_point_id TEXT REFERENCES help_points (id) ON DELETE SET NULL,
    consultation_hour_id TEXT REFERENCES consultation_hours (id) ON DELETE SET NULL,
    routing_rule_id TEXT,
    agency TEXT,
    pc4 TEXT NOT NULL,
    status TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    decline_reason TEXT,
    outcome TEXT,
    sender_sees_progress BIGINT NOT NULL,
    resident_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    preferred_moment TEXT,
    reason TEXT,
    sent_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    accepted_at BIGINT,
    closed_at BIGINT,
    erased_at BIGINT,
    -- When the receiving organisation was told it is overdue (told once).
    overdue_notified_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX referrals_by_receiver ON referrals (organisation_id, status);
CREATE INDEX referrals_by_sender ON referrals (sender_organisation_id, sent_at);
CREATE INDEX referrals_by_municipality ON referrals (municipality_code, sent_at);
CREATE INDEX referrals_by_closure ON referrals (closed_at);

CREATE TABLE referral_topics (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    topic_code TEXT NOT NULL REFERENCES topics (code),
    position BIGINT NOT NULL,
    PRIMARY KEY (referral_id, topic_code)
);

-- The timeline: who did what when. No personal data, so it outlives the purge.
CREATE TABLE referral_events (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_organisation_id TEXT,
    actor_user_id TEXT,
    decline_reason TEXT,
    outcome TEXT,
    organisation_id TEXT
);
CREATE INDEX referral_events_by_referral ON referral_events (referral_id, seq);

-- Consent per receiving organisation and purpose, with the text version and how it was given.
CREATE TABLE referral_consents (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    purpose TEXT NOT NULL,
    text_version TEXT NOT NULL,
    method TEXT NOT NULL,
    sender_sees_progress BIGINT NOT NULL,
    given_at BIGINT NOT NULL,
    recorded_by TEXT,
    withdrawn_at BIGINT
);
CREATE INDEX referral_consents_by_referral ON referral_consents (referral_id);

CREATE TABLE referral_contact_attempts (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    reached BIGINT NOT NULL,
    user_id TEXT
);
CREATE INDEX referral_contact_attempts_by_referral ON referral_contact_attempts (referral_id, at);

-- Every read or change of personal data: who, when, which record, what. Never the data itself.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    actor_organisation_id TEXT,
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    sender_organisation_id TEXT,
    receiver_organisation_id TEXT
);
CREATE INDEX audit_events_by_subject ON audit_events (subject_kind, subject_id, at);
CREATE INDEX audit_events_by_actor_organisation ON audit_events (actor_organisation_id, at);

-- How a user hears about referrals: each (a mail per new, overdue or completed referral),
-- daily or weekly (one digest with counts). No row means each.
CREATE TABLE notification_settings (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    last_digest_at BIGINT
);
