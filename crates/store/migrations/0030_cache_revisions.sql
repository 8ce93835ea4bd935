-- Revision counters of the read-mostly data each keten process keeps in memory (issue 14): the sessions, the
-- accounts behind an actor (users, memberships, organisations' names and municipalities, API tokens) and the
-- categories of help questions. A write to one of those tables raises its counter in the same transaction; a
-- process trusts a remembered entry only while the counter it was read at is still the current one, so a
-- revocation in one process is seen by every other at its next request.
--
-- The triggers that raise the counters differ per database (PostgreSQL needs a function), so they are not in
-- this portable file: `Store::migrate` installs them (crates/store/src/caches.rs).
CREATE TABLE cache_revisions (
    name TEXT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO cache_revisions (name, revision) VALUES ('sessions', 0), ('accounts', 0), ('categories', 0);
