-- The device bank (issue 19): which organisation is a municipality's device bank, donation batches, one row
-- per device with its lifecycle events, wiping records per device round, and requests through the chain.
-- Portable DDL for SQLite and PostgreSQL (see migrations/README.md). Calendar days are ISO text 'YYYY-MM-DD'.

-- One device bank per municipality (chosen by its steering), and the cap of open requests per referring
-- organisation there.
CREATE TABLE device_bank_settings (
    municipality_code TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    request_cap BIGINT NOT NULL CHECK (request_cap >= 1 AND request_cap <= 1000),
    updated_at BIGINT NOT NULL
);
CREATE INDEX device_bank_settings_by_organisation ON device_bank_settings (organisation_id);

-- A donation: what a donor organisation gives to a municipality's device bank.
CREATE TABLE device_batches (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    donor_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    bank_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    make_model TEXT NOT NULL,
    device_count BIGINT NOT NULL CHECK (device_count >= 1 AND device_count <= 500),
    condition TEXT NOT NULL,
    has_storage BIGINT NOT NULL,
    registered_by TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX device_batches_by_donor ON device_batches (donor_organisation_id, created_at);

-- One row per device. `round` counts the times it went out to a resident and came back: each round needs its
-- own wiping record. `seq` is bumped by every step, for compare-and-set.
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES device_batches (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    bank_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    has_storage BIGINT NOT NULL,
    status TEXT NOT NULL,
    round BIGINT NOT NULL,
    wipe_recorded BIGINT NOT NULL,
    request_id TEXT,
    seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX devices_by_bank ON devices (bank_organisation_id, status);
CREATE INDEX devices_by_batch ON devices (batch_id, number);

-- The timeline, like the referrals': who did what when. No resident's data.
CREATE TABLE device_events (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    round BIGINT NOT NULL,
    actor_organisation_id TEXT,
    actor_user_id TEXT,
    note TEXT,
    CONSTRAINT device_events_seq_unique UNIQUE (device_id, seq)
);

-- The proof that a device's storage was wiped in a round (method, tool, day, certificate), or the exemption.
CREATE TABLE device_wipes (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    method TEXT,
    tool TEXT,
    wiped_on TEXT,
    certificate TEXT,
    exemption TEXT,
    recorded_by TEXT,
    recorded_at BIGINT NOT NULL,
    CONSTRAINT device_wipes_one_per_round UNIQUE (device_id, round)
);

-- A request for a device for a resident, always tied to a warm referral (whose consent and contact data it
-- relies on). The resident's needs (internet at home, mobility) are erased with the referral's contact data.
CREATE TABLE device_requests (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    referring_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    bank_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    internet_at_home BIGINT,
    limited_mobility BIGINT,
    wants_first_use_session BIGINT NOT NULL,
    first_use_session TEXT NOT NULL,
    status TEXT NOT NULL,
    device_id TEXT REFERENCES devices (id),
    requested_by TEXT,
    created_at BIGINT NOT NULL,
    handed_out_at BIGINT,
    closed_at BIGINT,
    erased_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX device_requests_by_referrer ON device_requests (referring_organisation_id, status);
CREATE INDEX device_requests_by_bank ON device_requests (bank_organisation_id, status);
CREATE INDEX device_requests_by_referral ON device_requests (referral_id);
