-- A subsidy scheme's amounts per wave and per year (issue 15: "amounts per wave and per year are a table in the
-- scheme"): what one participant of the wave receives in each calendar year. The wave's amount_cents stays the
-- total per participant; the years spread it. Portable DDL for SQLite and PostgreSQL (see migrations/README.md).
CREATE TABLE programme_wave_years (
    wave_id TEXT NOT NULL REFERENCES programme_waves (id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    CONSTRAINT programme_wave_years_once PRIMARY KEY (wave_id, year)
);
