-- Data offers (issue 19): social internet offered as help by a help point or partner organisation: a SIM card, a
-- voucher or data bundle, a provider's social tariff, or wifi at home through a scheme. Also: the data offer paired
-- with a device at hand-out, and the device bank's default loan terms. Portable DDL (see migrations/README.md);
-- days are 'YYYY-MM-DD'. No resident's data in any of these columns.

CREATE TABLE data_offers (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- Where residents get it; NULL: at the organisation (no help point).
    help_point_id TEXT REFERENCES help_points (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    -- NULL: unlimited data.
    gb_per_month BIGINT CHECK (gb_per_month IS NULL OR (gb_per_month >= 1 AND gb_per_month <= 10000)),
    -- NULL: no end (as long as the resident qualifies).
    months BIGINT CHECK (months IS NULL OR (months >= 1 AND months <= 120)),
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    conditions TEXT NOT NULL,
    how_to_get TEXT NOT NULL,
    active_from TEXT NOT NULL,
    active_until TEXT,
    ended_at BIGINT,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX data_offers_by_municipality ON data_offers (municipality_code, active_from);
CREATE INDEX data_offers_by_organisation ON data_offers (organisation_id);

-- The data offer the bank paired with the device at hand-out (kept on the request, which names the device).
ALTER TABLE device_requests ADD COLUMN data_offer_id TEXT REFERENCES data_offers (id) ON DELETE SET NULL;

-- The bank's default loan terms, offered in the hand-out form.
ALTER TABLE device_bank_settings ADD COLUMN loan_deposit_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE device_bank_settings ADD COLUMN loan_months BIGINT NOT NULL DEFAULT 36;
