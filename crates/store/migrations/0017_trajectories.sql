-- Guided support trajectories and group meetings of a programme (issue 16), on the programme model of 0012:
-- a trajectory belongs to a programme of kind 'trajectory' and to one local government (an organisation of
-- kind municipality, whose steering members follow it). Portable DDL (see migrations/README.md); calendar
-- days as ISO text 'YYYY-MM-DD', moments as unix seconds, flags 0/1.

-- Settings of a programme used by this part: the cap of trajectories per year and the minimum number of group
-- meetings a participant attends. Without a row keten uses the programme's max_participants and 3.
CREATE TABLE programme_guidance_settings (
    programme_id TEXT PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE,
    cap_per_year BIGINT NOT NULL,
    meeting_minimum BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE trajectories (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL,
    -- local_government or partnership (then partnership_name names the intermunicipal partnership).
    participant_kind TEXT NOT NULL,
    partnership_name TEXT,
    year BIGINT NOT NULL,
    stage TEXT NOT NULL,
    end_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT trajectories_one_per_year UNIQUE (programme_id, organisation_id, year)
);
CREATE INDEX trajectories_by_organisation ON trajectories (organisation_id);

-- The introduction and the extended intake, each once, with the people present (names: minimum data).
CREATE TABLE trajectory_intakes (
    id TEXT PRIMARY KEY,
    trajectory_id TEXT NOT NULL REFERENCES trajectories (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT trajectory_intakes_one_per_kind UNIQUE (trajectory_id, kind)
);

CREATE TABLE trajectory_intake_attendees (
    intake_id TEXT NOT NULL REFERENCES trajectory_intakes (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    attendee_role TEXT NOT NULL,
    PRIMARY KEY (intake_id, position)
);

-- The programme's conditions (programme_conditions.position) the local government confirmed.
CREATE TABLE trajectory_conditions (
    trajectory_id TEXT NOT NULL REFERENCES trajectories (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    PRIMARY KEY (trajectory_id, position)
);

-- Work sessions and the optional training moment; participants are free text, one per line.
CREATE TABLE trajectory_sessions (
    id TEXT PRIMARY KEY,
    trajectory_id TEXT NOT NULL REFERENCES trajectories (id) ON DELETE CASCADE,
    held_on TEXT NOT NULL,
    training BIGINT NOT NULL,
    internal_participants TEXT NOT NULL,
    external_participants TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX trajectory_sessions_by_trajectory ON trajectory_sessions (trajectory_id, held_on);

CREATE TABLE trajectory_assignments (
    id TEXT PRIMARY KEY,
    trajectory_id TEXT NOT NULL REFERENCES trajectories (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT trajectory_assignments_one_per_kind UNIQUE (trajectory_id, kind)
);

-- The local government's evaluation at the end (score 1-5 and two short texts).
CREATE TABLE trajectory_evaluations (
    trajectory_id TEXT PRIMARY KEY REFERENCES trajectories (id) ON DELETE CASCADE,
    score BIGINT NOT NULL,
    helped TEXT NOT NULL,
    improve TEXT NOT NULL,
    submitted_at BIGINT NOT NULL
);

-- Group meetings of a programme and the attendance of each participating organisation.
CREATE TABLE programme_meetings (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    agenda TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX programme_meetings_by_programme ON programme_meetings (programme_id, held_on);

CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES programme_meetings (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    present BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, organisation_id)
);
CREATE INDEX meeting_attendance_by_organisation ON meeting_attendance (organisation_id);
