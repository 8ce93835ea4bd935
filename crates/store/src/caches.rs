//! In-memory copies of read-mostly lookups (sessions, actors, API tokens, categories, the desk's help points), trusted only while the database's revision counters are unchanged.
//
// Why revision counters in the database rather than in-process invalidation: several `keten serve` processes
// share one PostgreSQL, and the command line (`keten user disable`, `keten token ...`) writes from yet another
// process, also on SQLite. Every write to a table that feeds a cached lookup raises a counter in
// `cache_revisions` in the same transaction; triggers do the raising, so no write path (the store, the command
// line, a hand-typed SQL statement) can forget it. A lookup of who is calling reads the counters first (one
// query on a three-row table, shared by the requests that wait for it at the same moment) and uses a remembered entry only when it was read at the current counter: a
// revoked token, a removed membership or an ended session stops working at the very next request, in every
// process. The categories, which are no security matter, may use counters read by another request in the last
// second, so a registration reads the counters once, not twice.
//
// Why `RwLock<HashMap>` and not a cache crate (moka): the entries need no time-to-live or clever eviction,
// because the counter decides validity; the maps are bounded by the callers active at once and are pruned when
// they grow past a cap. A lookup is one hash and one clone under a read lock; no new dependency.

use crate::Store;
use crate::accounts::{Session, SessionStage, User};
use crate::categories::{Category, CategoryList};
use crate::db::Backend;
use crate::error::Result;
use crate::help_questions::DeskHelpPoint;
use crate::scope::Actor;
use crate::topics::Topic;
use keten_core::help_question::Categories;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

const SESSIONS: &str = "sessions";
const ACCOUNTS: &str = "accounts";
const CATEGORIES: &str = "categories";
const HELP_POINTS: &str = "help_points";

/// A write to an account table raises the sessions counter too, first: on PostgreSQL a transaction then always
/// locks the counter rows in the same order (sessions, accounts), so two transactions cannot deadlock on them.
/// A cached session also depends on its user (disabled or not), so it is re-read after any account change.
const ACCOUNT_COUNTERS: &[&str] = &[SESSIONS, ACCOUNTS];

/// The triggers that raise the counters: (name, table, event, counters). Only columns that a cached lookup reads
/// count: touching a session's `last_seen_at` or a user's remembered desk must not empty every cache. Row
/// triggers on both databases, so a statement that changes no row (a seed's `ON CONFLICT DO NOTHING`) raises
/// nothing, alike on SQLite and PostgreSQL.
const TRIGGERS: &[(&str, &str, &str, &[&str])] = &[
    (
        "keten_cache_users_update",
        "users",
        "UPDATE OF email, display_name, disabled_at",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_users_delete",
        "users",
        "DELETE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_memberships_insert",
        "memberships",
        "INSERT",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_memberships_update",
        "memberships",
        "UPDATE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_memberships_delete",
        "memberships",
        "DELETE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_organisations_update",
        "organisations",
        "UPDATE OF name",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_organisations_delete",
        "organisations",
        "DELETE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_organisation_municipalities_insert",
        "organisation_municipalities",
        "INSERT",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_organisation_municipalities_update",
        "organisation_municipalities",
        "UPDATE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_organisation_municipalities_delete",
        "organisation_municipalities",
        "DELETE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_api_tokens_update",
        "api_tokens",
        "UPDATE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_api_tokens_delete",
        "api_tokens",
        "DELETE",
        ACCOUNT_COUNTERS,
    ),
    (
        "keten_cache_sessions_update",
        "sessions",
        "UPDATE OF token_hash, user_id, csrf_token, expires_at, stage",
        &[SESSIONS],
    ),
    (
        "keten_cache_sessions_delete",
        "sessions",
        "DELETE",
        &[SESSIONS],
    ),
    (
        "keten_cache_topics_insert",
        "topics",
        "INSERT",
        &[CATEGORIES],
    ),
    (
        "keten_cache_topics_update",
        "topics",
        "UPDATE",
        &[CATEGORIES],
    ),
    (
        "keten_cache_topics_delete",
        "topics",
        "DELETE",
        &[CATEGORIES],
    ),
    (
        "keten_cache_question_categories_insert",
        "question_categories",
        "INSERT",
        &[CATEGORIES],
    ),
    (
        "keten_cache_question_categories_update",
        "question_categories",
        "UPDATE",
        &[CATEGORIES],
    ),
    (
        "keten_cache_question_categories_delete",
        "question_categories",
        "DELETE",
        &[CATEGORIES],
    ),
    // A new help point needs no trigger: an id that is not in memory is asked for.
    (
        "keten_cache_help_points_update",
        "help_points",
        "UPDATE OF organisation_id, name, municipality_code",
        &[HELP_POINTS],
    ),
    (
        "keten_cache_help_points_delete",
        "help_points",
        "DELETE",
        &[HELP_POINTS],
    ),
];

/// How old the counters may be for the categories (no security matter): a request that identified its caller
/// has just read them, so its registration reads them no second time.
const CATEGORIES_MAX_AGE: Duration = Duration::from_secs(1);

/// How old the counters may be for a help point's owner. Every caller of [`Store::desk_help_point_row`] has
/// identified its actor in the same request, which read the counters a moment ago, and this process keeps the
/// newest counters any request read: within a request, a reading this recent is at least as new as the
/// request's own, so a help point given to another organisation before the request began is seen (as a revoked
/// token is). The age only bounds callers that identified nobody.
const HELP_POINTS_MAX_AGE: Duration = Duration::from_secs(1);

/// Entries per map at most; past it, entries of old revisions (and then all) are dropped.
const MAX_ENTRIES: usize = 20_000;

/// The counters as read from `cache_revisions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Revisions {
    pub sessions: i64,
    pub accounts: i64,
    pub categories: i64,
    pub help_points: i64,
}

impl Revisions {
    /// The newer of two readings, counter by counter (counters only grow).
    fn newest(self, other: Revisions) -> Revisions {
        Revisions {
            sessions: self.sessions.max(other.sessions),
            accounts: self.accounts.max(other.accounts),
            categories: self.categories.max(other.categories),
            help_points: self.help_points.max(other.help_points),
        }
    }
}

/// A value and the counter it was read at.
#[derive(Debug, Clone)]
struct Entry<T> {
    revision: i64,
    value: T,
}

/// Whether the triggers were found, so that cached entries can be trusted.
const UNKNOWN: u8 = 0;
const ON: u8 = 1;
const OFF: u8 = 2;

/// The categories as one snapshot: every list the desk and the API read, in taxonomy order.
#[derive(Debug, Clone, Default)]
struct CategorySnapshot {
    topics: Vec<Topic>,
    /// Topics with their monitor category.
    topic_categories: Vec<Category>,
    agencies: Vec<Category>,
    kinds: Vec<Category>,
}

/// One process's caches; shared by every clone of a [`Store`].
#[derive(Default)]
pub(crate) struct Caches {
    state: AtomicU8,
    /// The newest counters any request read, and when that reading began.
    latest: Mutex<Option<(Instant, Revisions)>>,
    /// One reading of the counters at a time. Under load most requests then find, once it is their turn, a
    /// reading that began after they asked: it has seen every commit made before they asked, so it serves
    /// them as their own query would (a revocation committed before a request arrived is seen by it), and a
    /// busy process reads the counters a few times per batch of requests instead of once per request.
    reading: tokio::sync::Mutex<()>,
    sessions: RwLock<HashMap<String, Entry<Session>>>,
    users: RwLock<HashMap<String, Entry<User>>>,
    actors: RwLock<HashMap<String, Entry<Actor>>>,
    tokens: RwLock<HashMap<String, Entry<Actor>>>,
    categories: RwLock<Option<Entry<Arc<CategorySnapshot>>>>,
    help_points: RwLock<HashMap<String, Entry<DeskHelpPoint>>>,
}

impl std::fmt::Debug for Caches {
    // Sessions hold CSRF tokens: the debug form shows sizes only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caches")
            .field("state", &self.state.load(Ordering::Relaxed))
            .field("sessions", &entries(&self.sessions))
            .field("actors", &entries(&self.actors))
            .field("tokens", &entries(&self.tokens))
            .field("help_points", &entries(&self.help_points))
            .finish_non_exhaustive()
    }
}

fn entries<T>(map: &RwLock<HashMap<String, Entry<T>>>) -> usize {
    map.read().map(|m| m.len()).unwrap_or(0)
}

/// The entry for `key` if it was read at `revision`.
fn cached<T: Clone>(
    map: &RwLock<HashMap<String, Entry<T>>>,
    key: &str,
    revision: i64,
) -> Option<T> {
    // A poisoned lock (a panic while writing) only means: ask the database.
    let map = map.read().ok()?;
    map.get(key)
        .filter(|e| e.revision == revision)
        .map(|e| e.value.clone())
}

/// Remembers `value` read at `revision`, unless a newer reading is there already.
fn remember<T>(map: &RwLock<HashMap<String, Entry<T>>>, key: &str, revision: i64, value: T) {
    let Ok(mut map) = map.write() else { return };
    if map.get(key).is_some_and(|e| e.revision > revision) {
        return;
    }
    if map.len() >= MAX_ENTRIES && !map.contains_key(key) {
        map.retain(|_, e| e.revision >= revision);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
    }
    map.insert(key.to_owned(), Entry { revision, value });
}

/// Who a session cookie stands for: the session row, its user and, for a completed sign-in, the actor.
#[derive(Debug, Clone)]
pub struct SessionCaller {
    pub session: Session,
    pub user: User,
    /// Only for a session of stage `full`: a sign-in half done reaches no data.
    pub actor: Option<Actor>,
}

impl Store {
    /// Installs the triggers that raise the revision counters (part of `migrate`): created where missing, so a
    /// restart changes nothing. PostgreSQL serialises concurrent installers with an advisory lock.
    pub(crate) async fn install_cache_triggers(&self) -> Result<()> {
        match self.backend() {
            Backend::Sqlite => {
                for (name, table, event, counters) in TRIGGERS {
                    let bumps: String = counters
                        .iter()
                        .map(|c| {
                            format!(
                                "UPDATE cache_revisions SET revision = revision + 1 WHERE name = '{c}'; "
                            )
                        })
                        .collect();
                    let sql = format!(
                        "CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN {bumps}END"
                    );
                    // Only the constants above go into the text.
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&self.pool)
                        .await?;
                }
            }
            Backend::Postgres => {
                if self.cache_trigger_count().await? == TRIGGERS.len() {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
                sqlx::raw_sql("SELECT pg_advisory_xact_lock(7242014)")
                    .execute(&mut *tx)
                    .await?;
                sqlx::raw_sql(
                    "CREATE OR REPLACE FUNCTION keten_cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     DECLARE counter text; \
                     BEGIN \
                       FOREACH counter IN ARRAY TG_ARGV LOOP \
                         UPDATE cache_revisions SET revision = revision + 1 WHERE name = counter; \
                       END LOOP; \
                       RETURN NULL; \
                     END $$",
                )
                .execute(&mut *tx)
                .await?;
                for (name, table, event, counters) in TRIGGERS {
                    let args = counters
                        .iter()
                        .map(|c| format!("'{c}'"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "DROP TRIGGER IF EXISTS {name} ON {table}; \
                         CREATE TRIGGER {name} AFTER {event} ON {table} \
                         FOR EACH ROW EXECUTE FUNCTION keten_cache_bump({args})"
                    );
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
        }
        // Look again at the next lookup (a database restored from an old backup may have lacked them).
        self.caches.state.store(UNKNOWN, Ordering::Release);
        self.forget_categories();
        Ok(())
    }

    /// How many of keten's cache triggers the database has.
    async fn cache_trigger_count(&self) -> Result<usize> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'keten_cache_%'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND t.tgname LIKE 'keten_cache_%'"
            }
        };
        let count: i64 = sqlx::query_scalar(sql).fetch_one(&self.pool).await?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Whether cached entries may be used: only when every trigger is in place (a database not yet migrated to
    /// this version would never raise the counters). Checked once per process, again after `migrate`.
    async fn caching_on(&self) -> bool {
        match self.caches.state.load(Ordering::Acquire) {
            ON => true,
            OFF => false,
            _ => {
                let on = matches!(self.cache_trigger_count().await, Ok(n) if n == TRIGGERS.len());
                if !on {
                    tracing::warn!(
                        "the cache triggers are missing (run `keten migrate`): every lookup asks the database"
                    );
                }
                self.caches
                    .state
                    .store(if on { ON } else { OFF }, Ordering::Release);
                on
            }
        }
    }

    /// The counters now, or `None` when caching is off: as new as a query sent after this call began. Calls
    /// that wait at the same time share one query (see [`Caches::reading`]).
    pub async fn cache_revisions(&self) -> Result<Option<Revisions>> {
        if !self.caching_on().await {
            return Ok(None);
        }
        let asked = Instant::now();
        let _turn = self.caches.reading.lock().await;
        let shared = self
            .latest_reading()
            .filter(|(started, _)| *started > asked);
        if let Some((_, revisions)) = shared {
            return Ok(Some(revisions));
        }
        let started = Instant::now();
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, revision FROM cache_revisions")
            .fetch_all(&self.pool)
            .await?;
        let mut revisions = Revisions::default();
        for (name, revision) in rows {
            match name.as_str() {
                SESSIONS => revisions.sessions = revision,
                ACCOUNTS => revisions.accounts = revision,
                CATEGORIES => revisions.categories = revision,
                HELP_POINTS => revisions.help_points = revision,
                _ => {}
            }
        }
        if let Ok(mut latest) = self.caches.latest.lock() {
            let newest = match *latest {
                Some((_, seen)) => seen.newest(revisions),
                None => revisions,
            };
            *latest = Some((started, newest));
        }
        Ok(Some(revisions))
    }

    /// The newest counters any request of this process read, with when that reading began.
    fn latest_reading(&self) -> Option<(Instant, Revisions)> {
        self.caches.latest.lock().ok().and_then(|l| *l)
    }

    /// Counters read within `max_age` (by any request of this process), else read now.
    async fn recent_cache_revisions(&self, max_age: Duration) -> Result<Option<Revisions>> {
        let recent = self
            .latest_reading()
            .filter(|(at, _)| at.elapsed() <= max_age);
        match recent {
            Some((_, revisions)) if self.caching_on().await => Ok(Some(revisions)),
            _ => self.cache_revisions().await,
        }
    }

    /// The session a cookie carries with its user and actor: a live session (before its absolute expiry, used
    /// after `idle_since`) of an enabled user, as [`Store::session`] decides; remembered between requests.
    pub async fn session_caller(
        &self,
        token_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<SessionCaller>> {
        let Some(revisions) = self.cache_revisions().await? else {
            let Some(session) = self.session(token_hash, now, idle_since).await? else {
                return Ok(None);
            };
            let user = self.user(&session.user_id).await?;
            let actor = match SessionStage::parse(&session.stage) {
                SessionStage::Full => Some(self.actor_for_user(&user.id).await?),
                _ => None,
            };
            return Ok(Some(SessionCaller {
                session,
                user,
                actor,
            }));
        };
        let remembered = cached(&self.caches.sessions, token_hash, revisions.sessions);
        let session = match remembered {
            // The expiry times are checked on every request, as the query does.
            Some(s) if s.expires_at > now && s.last_seen_at > idle_since => s,
            Some(s) if s.expires_at <= now => return Ok(None),
            // Idle by the remembered time: another process may have seen the session since; ask.
            _ => {
                let Some(s) = self.session(token_hash, now, idle_since).await? else {
                    return Ok(None);
                };
                remember(
                    &self.caches.sessions,
                    token_hash,
                    revisions.sessions,
                    s.clone(),
                );
                s
            }
        };
        let user = match cached(&self.caches.users, &session.user_id, revisions.accounts) {
            Some(u) => u,
            None => {
                let u = self.user(&session.user_id).await?;
                remember(&self.caches.users, &u.id, revisions.accounts, u.clone());
                u
            }
        };
        let actor = match SessionStage::parse(&session.stage) {
            SessionStage::Full => Some(
                match cached(&self.caches.actors, &user.id, revisions.accounts) {
                    Some(a) => a,
                    None => {
                        let a = self.actor_for_user(&user.id).await?;
                        remember(&self.caches.actors, &user.id, revisions.accounts, a.clone());
                        a
                    }
                },
            ),
            _ => None,
        };
        Ok(Some(SessionCaller {
            session,
            user,
            actor,
        }))
    }

    /// Notes in the remembered session that it was used `now` (after the row was updated), so the idle expiry
    /// counts from there without asking the database.
    pub(crate) fn remember_session_use(&self, token_hash: &str, now: i64) {
        if let Ok(mut sessions) = self.caches.sessions.write()
            && let Some(entry) = sessions.get_mut(token_hash)
        {
            entry.value.last_seen_at = entry.value.last_seen_at.max(now);
        }
    }

    /// The actor an unrevoked API token stands for; remembered between requests.
    pub async fn actor_for_api_token(&self, token_hash: &str) -> Result<Option<Actor>> {
        let Some(revisions) = self.cache_revisions().await? else {
            return self.load_actor_for_api_token(token_hash).await;
        };
        if let Some(actor) = cached(&self.caches.tokens, token_hash, revisions.accounts) {
            return Ok(Some(actor));
        }
        // An unknown or revoked token is not remembered: it is asked for again, so a new token works at once.
        let actor = self.load_actor_for_api_token(token_hash).await?;
        if let Some(a) = &actor {
            remember(
                &self.caches.tokens,
                token_hash,
                revisions.accounts,
                a.clone(),
            );
        }
        Ok(actor)
    }

    /// A help point as the desk checks it (its organisation, name and municipality); remembered between
    /// requests. `None` for an unknown id, which is not remembered (a new help point works at once).
    pub(crate) async fn desk_help_point_row(&self, id: &str) -> Result<Option<DeskHelpPoint>> {
        let revisions = self.recent_cache_revisions(HELP_POINTS_MAX_AGE).await?;
        if let Some(r) = revisions
            && let Some(point) = cached(&self.caches.help_points, id, r.help_points)
        {
            return Ok(Some(point));
        }
        let point = self.load_desk_help_point(id).await?;
        if let (Some(r), Some(p)) = (revisions, &point) {
            remember(&self.caches.help_points, id, r.help_points, p.clone());
        }
        Ok(point)
    }

    /// Drops this process's copy of the categories (after its own writes, so that they show at once).
    pub(crate) fn forget_categories(&self) {
        if let Ok(mut c) = self.caches.categories.write() {
            *c = None;
        }
    }

    async fn category_snapshot(&self) -> Result<Arc<CategorySnapshot>> {
        let revisions = self.recent_cache_revisions(CATEGORIES_MAX_AGE).await?;
        if let Some(r) = revisions {
            let remembered = self.caches.categories.read().ok().and_then(|c| {
                c.as_ref()
                    .filter(|e| e.revision == r.categories)
                    .map(|e| e.value.clone())
            });
            if let Some(snapshot) = remembered {
                return Ok(snapshot);
            }
        }
        let snapshot = Arc::new(CategorySnapshot {
            topics: self.load_topics().await?,
            topic_categories: self.load_topic_categories().await?,
            agencies: self.load_category_list(CategoryList::Agency).await?,
            kinds: self.load_category_list(CategoryList::Kind).await?,
        });
        if let Some(r) = revisions
            && let Ok(mut c) = self.caches.categories.write()
            && c.as_ref().is_none_or(|e| e.revision <= r.categories)
        {
            *c = Some(Entry {
                revision: r.categories,
                value: snapshot.clone(),
            });
        }
        Ok(snapshot)
    }

    /// The codes a registration may use now (from memory while the categories are unchanged).
    pub async fn question_categories(&self) -> Result<Categories> {
        let s = self.category_snapshot().await?;
        let codes = |l: &[Category]| l.iter().map(|c| c.code.clone()).collect();
        Ok(Categories {
            topics: s.topics.iter().map(|t| t.code.clone()).collect(),
            agencies: codes(&s.agencies),
            kinds: codes(&s.kinds),
        })
    }

    /// The topic taxonomy in order.
    pub async fn topics(&self) -> Result<Vec<Topic>> {
        Ok(self.category_snapshot().await?.topics.clone())
    }

    /// The agencies or the kinds of question, in order.
    pub async fn category_list(&self, list: CategoryList) -> Result<Vec<Category>> {
        let s = self.category_snapshot().await?;
        Ok(match list {
            CategoryList::Agency => s.agencies.clone(),
            CategoryList::Kind => s.kinds.clone(),
        })
    }

    /// Topics with their monitor category, in taxonomy order.
    pub async fn topic_categories(&self) -> Result<Vec<Category>> {
        Ok(self.category_snapshot().await?.topic_categories.clone())
    }
}
