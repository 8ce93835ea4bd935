-- MKBA parameter sets (keten_core::scba::ScbaModel), versioned: every save adds a row. municipality_code '' is the
-- national default kept by programme managers; a code is a steering user's own copy for that municipality. Without
-- any row keten uses its documented default. The parameters are the model as JSON: the calculation reads them
-- whole, never one column at a time.
CREATE TABLE scba_models (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    parameters TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT scba_models_version UNIQUE (municipality_code, version)
);
