-- Local action plans (issue 16): a municipality's own plan with an inventory of what already happens and
-- actions on three horizons. Portable DDL (see migrations/README.md): calendar days as ISO text 'YYYY-MM-DD',
-- moments as unix seconds.

-- A plan belongs to a municipality (its steering writes it); several plans over the years are fine.
-- trajectory_id: the guided trajectory whose outcome this plan is (a trajectory of the same local government).
CREATE TABLE action_plans (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    trajectory_id TEXT REFERENCES trajectories (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX action_plans_by_municipality ON action_plans (municipality_code, starts_on);
CREATE INDEX action_plans_by_trajectory ON action_plans (trajectory_id);

-- What already happens locally: a help point, partner organisation or consultation hour keten knows (source_id,
-- no foreign key: the directory may drop a row, the plan keeps its title), or a free entry (source_id NULL).
CREATE TABLE action_plan_items (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    source_id TEXT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    who TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT action_plan_items_once UNIQUE (plan_id, source, source_id)
);
CREATE INDEX action_plan_items_by_plan ON action_plan_items (plan_id, created_at);

-- Actions: owner is an organisation of the chain; metric one of keten_core::action_plan::Metric's codes.
CREATE TABLE action_plan_actions (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    horizon TEXT NOT NULL,
    owner_organisation_id TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    due_on TEXT,
    metric TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX action_plan_actions_by_plan ON action_plan_actions (plan_id, horizon);
