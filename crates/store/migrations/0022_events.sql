-- Events with limited places of a programme (issue 16): a public sign-up page, capacity with a waiting list, a
-- cancellation link, attendance on the day, erasure of sign-ups a set number of days after the event. Portable
-- DDL (see migrations/README.md); moments are unix seconds in UTC.

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    capacity BIGINT NOT NULL,
    -- Places given: raised only by a conditional UPDATE (places_taken < capacity), so two sign-ups racing
    -- for the last place cannot both get it, on either database.
    places_taken BIGINT NOT NULL,
    sign_up_closes_at BIGINT NOT NULL,
    erase_after_days BIGINT NOT NULL,
    -- Bumped by every sign-up and cancellation before anything else in their transaction: the row lock that
    -- puts them in one order (and the first statement is a write, so SQLite takes its write lock at once).
    turn BIGINT NOT NULL,
    -- iCalendar SEQUENCE: raised by every edit.
    revision BIGINT NOT NULL,
    -- When the sign-ups' personal data was erased.
    erased_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT events_places_within_capacity CHECK (places_taken >= 0 AND places_taken <= capacity)
);
CREATE INDEX events_by_programme ON events (programme_id, starts_at);

-- A sign-up: the minimum personal data (name, organisation, e-mail), erased (NULL) on schedule; status and
-- attendance stay for the counts. The cancellation link's token is stored as its SHA-256 only.
CREATE TABLE event_sign_ups (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    name TEXT,
    organisation TEXT,
    email TEXT,
    token_hash TEXT NOT NULL,
    signed_up_at BIGINT NOT NULL,
    -- The turn of the event at sign-up: the waiting list's order.
    turn BIGINT NOT NULL,
    promoted_at BIGINT,
    cancelled_at BIGINT,
    attended BIGINT NOT NULL,
    erased_at BIGINT,
    CONSTRAINT event_sign_ups_token_unique UNIQUE (token_hash)
);
CREATE INDEX event_sign_ups_by_event ON event_sign_ups (event_id, status, turn);
