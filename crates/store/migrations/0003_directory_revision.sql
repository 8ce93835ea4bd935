-- A counter that every change to the directory increments, so finder instances
-- notice changes even within the same second (updated_at has whole seconds).
CREATE TABLE directory_revision (
    id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO directory_revision (id, revision) VALUES (1, 0);
