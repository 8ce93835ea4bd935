-- The desk's view of a help point (its organisation, name and municipality) is kept in memory per process too
-- (issue 14): without it every registration asks the database whether the caller works at the help point. A
-- change of a help point's organisation, name or municipality, or its removal, raises this counter (the
-- triggers are in crates/store/src/caches.rs, as for the other counters).
INSERT INTO cache_revisions (name, revision) VALUES ('help_points', 0);
