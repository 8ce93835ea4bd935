//! Events with limited places of a programme: the events, public sign-ups with capacity and waiting list, cancellation that moves the list up, attendance, erasure of sign-ups on schedule, and their tenant rules.
//!
//! An event is managed by the programme managers of its programme's organisation (and admins); anyone else gets
//! NotFound for the managed views. The event itself is public (its sign-up page and .ics); a sign-up is reached
//! by the public only through the hash of its cancellation token.

use crate::error::{Result, StoreError};
use crate::{Actor, Store, new_id, parse_code};
use keten_core::ValidationError;
use keten_core::account::Role;
use keten_core::event::{EventDraft, SignUpDraft, SignUpStatus, erase_at};
use keten_core::opening_hours::Region;

/// An event with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub programme_id: String,
    pub programme_name: String,
    pub programme_organisation_id: String,
    /// The programme's country's zone (NL or BE): the zone the manager typed the times in.
    pub region: Region,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: u32,
    pub places_taken: u32,
    pub waiting: u32,
    pub attended: u32,
    pub sign_up_closes_at: i64,
    pub erase_after_days: u32,
    pub revision: u32,
    pub updated_at: i64,
    pub erased_at: Option<i64>,
}

impl Event {
    /// Places still free.
    #[must_use]
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.places_taken)
    }
}

/// One sign-up; the personal fields are `None` once erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    pub id: String,
    pub event_id: String,
    pub status: SignUpStatus,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub signed_up_at: i64,
    pub promoted_at: Option<i64>,
    pub cancelled_at: Option<i64>,
    pub attended: bool,
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    /// The sign-up after the cancellation.
    pub sign_up: SignUp,
    /// False when it was already cancelled (the link used twice).
    pub changed: bool,
    /// The first on the waiting list, who got the freed place (to be told by e-mail).
    pub promoted: Option<SignUp>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: String,
    programme_id: String,
    programme_name: String,
    programme_organisation_id: String,
    country: Option<String>,
    title: String,
    description: String,
    place: String,
    starts_at: i64,
    ends_at: i64,
    capacity: i64,
    places_taken: i64,
    waiting: i64,
    attended: i64,
    sign_up_closes_at: i64,
    erase_after_days: i64,
    revision: i64,
    updated_at: i64,
    erased_at: Option<i64>,
}

const SELECT_EVENTS: &str = "SELECT e.id, e.programme_id, p.name AS programme_name, \
     p.organisation_id AS programme_organisation_id, p.country, e.title, e.description, e.place, e.starts_at, \
     e.ends_at, e.capacity, e.places_taken, \
     (SELECT COUNT(*) FROM event_sign_ups w WHERE w.event_id = e.id AND w.status = 'waiting') AS waiting, \
     (SELECT COUNT(*) FROM event_sign_ups a WHERE a.event_id = e.id AND a.status = 'place' AND a.attended = 1) AS attended, \
     e.sign_up_closes_at, e.erase_after_days, e.revision, e.updated_at, e.erased_at \
     FROM events e JOIN programmes p ON p.id = e.programme_id";

#[derive(sqlx::FromRow)]
struct SignUpRow {
    id: String,
    event_id: String,
    status: String,
    name: Option<String>,
    organisation: Option<String>,
    email: Option<String>,
    signed_up_at: i64,
    promoted_at: Option<i64>,
    cancelled_at: Option<i64>,
    attended: i64,
}

const SELECT_SIGN_UPS: &str = "SELECT id, event_id, status, name, organisation, email, signed_up_at, \
     promoted_at, cancelled_at, attended FROM event_sign_ups";

fn count(n: i64) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("out of range: {n}")))
}

impl EventRow {
    fn into_event(self) -> Result<Event> {
        Ok(Event {
            region: if self.country.as_deref() == Some("BE") {
                Region::Be
            } else {
                Region::Nl
            },
            capacity: count(self.capacity)?,
            places_taken: count(self.places_taken)?,
            waiting: count(self.waiting)?,
            attended: count(self.attended)?,
            erase_after_days: count(self.erase_after_days)?,
            revision: count(self.revision)?,
            id: self.id,
            programme_id: self.programme_id,
            programme_name: self.programme_name,
            programme_organisation_id: self.programme_organisation_id,
            title: self.title,
            description: self.description,
            place: self.place,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            sign_up_closes_at: self.sign_up_closes_at,
            updated_at: self.updated_at,
            erased_at: self.erased_at,
        })
    }
}

impl SignUpRow {
    fn into_sign_up(self) -> Result<SignUp> {
        Ok(SignUp {
            status: parse_code(&self.status)?,
            id: self.id,
            event_id: self.event_id,
            name: self.name,
            organisation: self.organisation,
            email: self.email,
            signed_up_at: self.signed_up_at,
            promoted_at: self.promoted_at,
            cancelled_at: self.cancelled_at,
            attended: self.attended != 0,
        })
    }
}

/// Whether the actor manages events of programmes of this organisation.
fn manages(actor: &Actor, organisation_id: &str) -> bool {
    actor.is_admin()
        || actor
            .organisation_ids_with(Role::ProgrammeManager)
            .any(|o| o == organisation_id)
}

fn refused(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![ValidationError::new(field, message)])
}

impl Store {
    /// Any event, for its public page and .ics.
    pub async fn public_event(&self, id: &str) -> Result<Event> {
        let row: Option<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_EVENTS} WHERE e.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.ok_or(StoreError::NotFound)?.into_event()
    }

    /// An event the actor manages; anyone else gets NotFound.
    pub async fn managed_event(&self, actor: &Actor, id: &str) -> Result<Event> {
        let e = self.public_event(id).await?;
        if manages(actor, &e.programme_organisation_id) {
            Ok(e)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The events of a programme, soonest first (public: the feed and the manager's list).
    pub async fn events_of_programme(&self, programme_id: &str) -> Result<Vec<Event>> {
        let rows: Vec<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_EVENTS} WHERE e.programme_id = $1 ORDER BY e.starts_at, e.id"
        )))
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(EventRow::into_event).collect()
    }

    /// The events of a programme the actor manages (another programme's manager gets NotFound).
    pub async fn managed_events(&self, actor: &Actor, programme_id: &str) -> Result<Vec<Event>> {
        self.managed_programme(actor, programme_id).await?;
        self.events_of_programme(programme_id).await
    }

    /// Creates an event of a programme the actor manages.
    pub async fn create_event(
        &self,
        actor: &Actor,
        programme_id: &str,
        draft: &EventDraft,
        now: i64,
    ) -> Result<Event> {
        self.managed_programme(actor, programme_id).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO events (id, programme_id, title, description, place, starts_at, ends_at, capacity, \
             places_taken, sign_up_closes_at, erase_after_days, turn, revision, erased_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, 0, 0, NULL, $11, $11)",
        )
        .bind(&id)
        .bind(programme_id)
        .bind(&draft.title)
        .bind(&draft.description)
        .bind(&draft.place)
        .bind(draft.starts_at)
        .bind(draft.ends_at)
        .bind(i64::from(draft.capacity))
        .bind(draft.sign_up_closes_at)
        .bind(i64::from(draft.erase_after_days))
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.public_event(&id).await
    }

    /// Changes an event's settings. Capacity never goes below the places given (checked in the UPDATE itself,
    /// so a sign-up at the same moment cannot slip past); a larger capacity moves the waiting list up.
    /// Returns the event and who moved up.
    pub async fn update_event(
        &self,
        actor: &Actor,
        id: &str,
        draft: &EventDraft,
        now: i64,
    ) -> Result<(Event, Vec<SignUp>)> {
        self.managed_event(actor, id).await?;
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE events SET title = $1, description = $2, place = $3, starts_at = $4, ends_at = $5, \
             capacity = $6, sign_up_closes_at = $7, erase_after_days = $8, revision = revision + 1, \
             turn = turn + 1, updated_at = $9 WHERE id = $10 AND places_taken <= $6",
        )
        .bind(&draft.title)
        .bind(&draft.description)
        .bind(&draft.place)
        .bind(draft.starts_at)
        .bind(draft.ends_at)
        .bind(i64::from(draft.capacity))
        .bind(draft.sign_up_closes_at)
        .bind(i64::from(draft.erase_after_days))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(refused(
                "capacity",
                "Er hebben intussen meer mensen een plaats dan dit aantal. Kies meer plaatsen.",
            ));
        }
        let mut promoted = Vec::new();
        if now < draft.starts_at {
            while let Some(s) = promote_first(&mut tx, id, now).await? {
                promoted.push(s);
            }
        }
        tx.commit().await?;
        Ok((self.public_event(id).await?, promoted))
    }

    /// A public sign-up: a place while there is one (a conditional UPDATE of the counter, so two sign-ups
    /// racing for the last place give one place and one waiting-list entry), else the waiting list. Refused
    /// when sign-up has closed (Conflict `sign_up_closed`) or the e-mail address already has a sign-up.
    pub async fn sign_up(
        &self,
        event_id: &str,
        draft: &SignUpDraft,
        token_hash: &str,
        now: i64,
    ) -> Result<SignUp> {
        let mut tx = self.pool.begin().await?;
        // First a write: it takes the event's row lock (PostgreSQL) or the write lock (SQLite) for the whole
        // transaction, and hands out the turn that orders the waiting list.
        let open = sqlx::query(
            "UPDATE events SET turn = turn + 1 WHERE id = $1 AND sign_up_closes_at > $2",
        )
        .bind(event_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if open.rows_affected() == 0 {
            drop(tx);
            self.public_event(event_id).await?;
            return Err(StoreError::Conflict("sign_up_closed".into()));
        }
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM event_sign_ups WHERE event_id = $1 AND email = $2 AND status <> 'cancelled'",
        )
        .bind(event_id)
        .bind(draft.email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if existing.is_some() {
            return Err(refused(
                "email",
                "Met dit e-mailadres is al iemand ingeschreven. Kijk in uw e-mail voor de bevestiging.",
            ));
        }
        let (turn,): (i64,) = sqlx::query_as("SELECT turn FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&mut *tx)
            .await?;
        let place = sqlx::query(
            "UPDATE events SET places_taken = places_taken + 1 WHERE id = $1 AND places_taken < capacity",
        )
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
        let status = if place.rows_affected() == 1 {
            SignUpStatus::Place
        } else {
            SignUpStatus::Waiting
        };
        let id = new_id();
        sqlx::query(
            "INSERT INTO event_sign_ups (id, event_id, status, name, organisation, email, token_hash, signed_up_at, \
             turn, promoted_at, cancelled_at, attended, erased_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, 0, NULL)",
        )
        .bind(&id)
        .bind(event_id)
        .bind(status.as_str())
        .bind(&draft.name)
        .bind(&draft.organisation)
        .bind(draft.email.as_str())
        .bind(token_hash)
        .bind(now)
        .bind(turn)
        .execute(&mut *tx)
        .await?;
        let row: SignUpRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_SIGN_UPS} WHERE id = $1"
        )))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        row.into_sign_up()
    }

    /// The sign-up of a cancellation link (by the token's hash) with its event.
    pub async fn sign_up_by_token(&self, token_hash: &str) -> Result<(SignUp, Event)> {
        let row: Option<SignUpRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_SIGN_UPS} WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let s = row.ok_or(StoreError::NotFound)?.into_sign_up()?;
        let e = self.public_event(&s.event_id).await?;
        Ok((s, e))
    }

    /// Cancels through the link; idempotent. Refused once the event has started (Conflict `event_started`).
    pub async fn cancel_by_token(&self, token_hash: &str, now: i64) -> Result<Cancellation> {
        let (s, e) = self.sign_up_by_token(token_hash).await?;
        self.cancel(&e, &s.id, now).await
    }

    /// The manager cancels a sign-up of an event they manage.
    pub async fn cancel_sign_up(
        &self,
        actor: &Actor,
        event_id: &str,
        sign_up_id: &str,
        now: i64,
    ) -> Result<Cancellation> {
        let e = self.managed_event(actor, event_id).await?;
        let c = self.cancel(&e, sign_up_id, now).await?;
        if c.changed {
            self.audit_event(actor, &e, "cancel_sign_up", now).await?;
        }
        Ok(c)
    }

    async fn cancel(&self, event: &Event, sign_up_id: &str, now: i64) -> Result<Cancellation> {
        let current = self.sign_up_of(&event.id, sign_up_id).await?;
        if current.status == SignUpStatus::Cancelled {
            return Ok(Cancellation {
                sign_up: current,
                changed: false,
                promoted: None,
            });
        }
        if now >= event.starts_at {
            return Err(StoreError::Conflict("event_started".into()));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE events SET turn = turn + 1 WHERE id = $1")
            .bind(&event.id)
            .execute(&mut *tx)
            .await?;
        // The status as read before the lock: if another cancellation came first, nothing changes here.
        let done = sqlx::query(
            "UPDATE event_sign_ups SET status = 'cancelled', cancelled_at = $1 \
             WHERE id = $2 AND status = $3",
        )
        .bind(now)
        .bind(sign_up_id)
        .bind(current.status.as_str())
        .execute(&mut *tx)
        .await?;
        let mut promoted = None;
        if done.rows_affected() == 1 && current.status == SignUpStatus::Place {
            sqlx::query("UPDATE events SET places_taken = places_taken - 1 WHERE id = $1")
                .bind(&event.id)
                .execute(&mut *tx)
                .await?;
            promoted = promote_first(&mut tx, &event.id, now).await?;
        }
        tx.commit().await?;
        Ok(Cancellation {
            sign_up: self.sign_up_of(&event.id, sign_up_id).await?,
            changed: done.rows_affected() == 1,
            promoted,
        })
    }

    async fn sign_up_of(&self, event_id: &str, id: &str) -> Result<SignUp> {
        let row: Option<SignUpRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_SIGN_UPS} WHERE id = $1 AND event_id = $2"
        )))
        .bind(id)
        .bind(event_id)
        .fetch_optional(&self.pool)
        .await?;
        row.ok_or(StoreError::NotFound)?.into_sign_up()
    }

    /// The sign-ups of an event the actor manages: places first, then the waiting list in its order, then
    /// cancellations. Reading them is personal data: an audit event is written.
    pub async fn event_sign_ups(
        &self,
        actor: &Actor,
        event_id: &str,
        now: i64,
    ) -> Result<Vec<SignUp>> {
        let e = self.managed_event(actor, event_id).await?;
        let rows: Vec<SignUpRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_SIGN_UPS} WHERE event_id = $1 ORDER BY CASE status WHEN 'place' THEN 0 \
             WHEN 'waiting' THEN 1 ELSE 2 END, turn, id"
        )))
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        if e.erased_at.is_none() && !rows.is_empty() {
            self.audit_event(actor, &e, "read_sign_ups", now).await?;
        }
        rows.into_iter().map(SignUpRow::into_sign_up).collect()
    }

    /// Records who came: `present` are sign-up ids with a place; every other place is marked absent.
    pub async fn set_event_attendance(
        &self,
        actor: &Actor,
        event_id: &str,
        present: &[String],
        now: i64,
    ) -> Result<Event> {
        let e = self.managed_event(actor, event_id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE event_sign_ups SET attended = 0 WHERE event_id = $1")
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        for id in present {
            let r = sqlx::query(
                "UPDATE event_sign_ups SET attended = 1 WHERE id = $1 AND event_id = $2 AND status = 'place'",
            )
            .bind(id)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
            if r.rows_affected() == 0 {
                return Err(refused(
                    "present",
                    "Alleen mensen met een plaats kunnen aanwezig zijn.",
                ));
            }
        }
        sqlx::query("UPDATE events SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.public_event(&e.id).await
    }

    async fn audit_event(&self, actor: &Actor, event: &Event, action: &str, at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_user_id, actor_organisation_id, action, subject_kind, \
             subject_id, sender_organisation_id, receiver_organisation_id) \
             VALUES ($1, $2, $3, $4, $5, 'event', $6, NULL, NULL)",
        )
        .bind(new_id())
        .bind(at)
        .bind(&actor.user_id)
        .bind(&event.programme_organisation_id)
        .bind(action)
        .bind(&event.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Erases the names, organisations and e-mail addresses of sign-ups of events that ended their set number
    /// of days ago (run by `keten purge` and the hourly job); statuses and attendance stay for the counts.
    /// Returns the number of sign-ups erased.
    pub async fn purge_event_sign_ups(&self, now: i64) -> Result<u64> {
        let due: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT id, ends_at, erase_after_days FROM events WHERE erased_at IS NULL AND ends_at <= $1",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        let mut erased = 0;
        for (id, ends_at, days) in due {
            let days = u32::try_from(days).unwrap_or(u32::MAX);
            if erase_at(ends_at, days) > now {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            let r = sqlx::query(
                "UPDATE event_sign_ups SET name = NULL, organisation = NULL, email = NULL, erased_at = $1 \
                 WHERE event_id = $2 AND erased_at IS NULL",
            )
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE events SET erased_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            erased += r.rows_affected();
        }
        Ok(erased)
    }
}

/// The demo's participants of events (made-up names, addresses under the reserved `.invalid`).
const DEMO_NAMES: &[(&str, &str)] = &[
    ("Sanne de Wit", "Bibliotheek Rotterdam"),
    ("Ahmed El Amrani", "Gemeente Utrecht"),
    ("Lotte Janssens", "Bibliotheek Gent"),
    ("Pieter Bakker", "Digisterker"),
    ("Fatma Yilmaz", "Gemeente Zwolle"),
    ("Joris Peeters", "Mediawijs"),
    ("Eva Visser", "Bibliotheek Eindhoven"),
    ("Koen Maes", "Stad Aalst"),
];

impl Store {
    /// The demo's events in the front-runner programme: a city safari on digital inclusion the day before the
    /// national library congress, full with a waiting list, and a congress session with free places. Both a
    /// month after `now`; nothing when the programme is missing.
    pub async fn load_demo_events(&self, now: i64) -> Result<()> {
        use keten_core::account::Email;
        use sha2::{Digest, Sha256};
        let programme: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM programmes WHERE name LIKE 'Koplopers%' ORDER BY created_at, id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some((programme_id,)) = programme else {
            return Ok(());
        };
        // 13:00 local (CET, 12:00 UTC) on the day 30 days on; the congress the day after.
        let day = (now.div_euclid(86_400) + 30) * 86_400;
        let events = [
            (
                "Stadssafari digitale inclusie",
                "Een wandeling langs plekken in de stad waar inwoners hulp krijgen bij de digitale overheid: de bibliotheek, het buurthuis en het spreekuur van de bank. De dag voor het landelijke bibliotheekcongres.",
                "Centrale Bibliotheek, Hoogstraat 110, Rotterdam",
                day + 12 * 3600,
                day + 16 * 3600,
                6_u32,
                DEMO_NAMES.len(),
            ),
            (
                "Congressessie: de lokale ketenaanpak in de praktijk",
                "Koplopers vertellen hoe zij de lokale keten hebben opgezet.",
                "Congrescentrum, zaal 3",
                day + 86_400 + 9 * 3600,
                day + 86_400 + 10 * 3600,
                40,
                5,
            ),
        ];
        for (title, description, place, starts_at, ends_at, capacity, people) in events {
            let id = new_id();
            sqlx::query(
                "INSERT INTO events (id, programme_id, title, description, place, starts_at, ends_at, capacity, \
                 places_taken, sign_up_closes_at, erase_after_days, turn, revision, erased_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $6, $9, 0, 0, NULL, $10, $10)",
            )
            .bind(&id)
            .bind(&programme_id)
            .bind(title)
            .bind(description)
            .bind(place)
            .bind(starts_at)
            .bind(ends_at)
            .bind(i64::from(capacity))
            .bind(i64::from(keten_core::event::DEFAULT_ERASE_AFTER_DAYS))
            .bind(now)
            .execute(&self.pool)
            .await?;
            for (i, (name, organisation)) in DEMO_NAMES.iter().take(people).enumerate() {
                let email = Email::parse(&format!("deelnemer{i}@demo.keten.invalid"))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                // The demo's cancellation links are not mailed: a random token nobody knows.
                let token = hex::encode(Sha256::digest(new_id().as_bytes()));
                let draft = SignUpDraft {
                    name: (*name).to_owned(),
                    organisation: (*organisation).to_owned(),
                    email,
                };
                self.sign_up(
                    &id,
                    &draft,
                    &token,
                    now - 86_400 + i64::try_from(i).unwrap_or(0) * 600,
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// Gives the first on the waiting list a free place, if there is one; inside the caller's transaction, which
/// holds the event's lock.
async fn promote_first(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event_id: &str,
    now: i64,
) -> Result<Option<SignUp>> {
    let first: Option<SignUpRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_SIGN_UPS} WHERE event_id = $1 AND status = 'waiting' ORDER BY turn, id LIMIT 1"
    )))
    .bind(event_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(first) = first else {
        return Ok(None);
    };
    let place = sqlx::query(
        "UPDATE events SET places_taken = places_taken + 1 WHERE id = $1 AND places_taken < capacity",
    )
    .bind(event_id)
    .execute(&mut **tx)
    .await?;
    if place.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query("UPDATE event_sign_ups SET status = 'place', promoted_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&first.id)
        .execute(&mut **tx)
        .await?;
    let mut s = first.into_sign_up()?;
    s.status = SignUpStatus::Place;
    s.promoted_at = Some(now);
    Ok(Some(s))
}
