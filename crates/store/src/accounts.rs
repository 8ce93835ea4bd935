//! Users, memberships, sessions, sign-in attempts and API tokens.

use crate::error::{Result, StoreError};
use crate::scope::{Actor, Membership};
use crate::sql::Sql;
use crate::{Store, new_id, parse_code};
use keten_core::account::{Email, Role};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub created_at: i64,
    pub disabled: bool,
}

/// A user with the password hash, only for verifying a sign-in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
    pub disabled_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: i64,
    /// How far the sign-in has come: see [`SessionStage`].
    pub stage: String,
    pub last_seen_at: i64,
}

/// How far a sign-in has come. Only `Full` reaches anything beyond the sign-in steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Password and, where needed, second factor given.
    Full,
    /// Password given; a code from the app (or a recovery code) is next.
    Code,
    /// Password given; the role needs a second factor, which must be set up first.
    Enrol,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::Full => "full",
            SessionStage::Code => "code",
            SessionStage::Enrol => "enrol",
        }
    }
    /// An unknown stage reads as the most restrictive one.
    pub fn parse(s: &str) -> Self {
        match s {
            "full" => SessionStage::Full,
            "enrol" => SessionStage::Enrol,
            _ => SessionStage::Code,
        }
    }
}

/// A user's second factor as stored: the TOTP secret (base32) and the last accepted time step.
#[derive(Clone, sqlx::FromRow)]
pub struct SecondFactor {
    pub secret: String,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

impl std::fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactor")
            .field("confirmed_at", &self.confirmed_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// An unused recovery code's hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecoveryCode {
    pub id: String,
    pub code_hash: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    display_name: String,
    created_at: i64,
    disabled_at: Option<i64>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            created_at: r.created_at,
            disabled: r.disabled_at.is_some(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    organisation_id: String,
    organisation_name: String,
    role: String,
}

/// Which failed sign-ins count against a limit.
#[derive(Debug, Clone, Copy)]
pub enum AttemptKey<'a> {
    Email(&'a str),
    Ip(&'a str),
}

impl Store {
    /// Creates a user; a taken e-mail address gives `Conflict`.
    pub async fn create_user(
        &self,
        email: &Email,
        display_name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<User> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(email.as_str())
        .bind(display_name.trim())
        .bind(password_hash)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict("users_email_unique".into()),
            other => other,
        })?;
        self.user(&id).await
    }

    pub async fn user(&self, id: &str) -> Result<User> {
        let row: UserRow = sqlx::query_as(
            "SELECT id, email, display_name, created_at, disabled_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(row.into())
    }

    /// The users the actor may see: all for an admin, else those who share an organisation.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        let mut sql = Sql::new(
            "SELECT u.id, u.email, u.display_name, u.created_at, u.disabled_at FROM users u WHERE 1 = 1",
        );
        if !actor.is_admin() {
            sql.push(
                " AND u.id IN (SELECT m.user_id FROM memberships m WHERE m.organisation_id IN ",
            );
            sql.bind_list(actor.organisation_ids());
            sql.push(")");
        }
        sql.push(" ORDER BY u.email");
        let rows: Vec<UserRow> = sql.query_as()?.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// Disables a user: sign-in is refused from now on and every session ends at once (in one transaction, so
    /// no session outlives the switch). NotFound for an unknown id.
    pub async fn disable_user(&self, id: &str, now: i64) -> Result<User> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Removes a user with their memberships, sessions and mail settings (the foreign keys cascade). What they
    /// registered or sent stays, under their former id, without their name or e-mail address.
    pub async fn remove_user(&self, id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The user with this e-mail address (the command line names users so).
    pub async fn user_by_email(&self, email: &Email) -> Result<User> {
        let row: UserRow = sqlx::query_as(
            "SELECT id, email, display_name, created_at, disabled_at FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(row.into())
    }

    pub async fn credentials(&self, email: &Email) -> Result<Option<Credentials>> {
        Ok(sqlx::query_as(
            "SELECT id AS user_id, password_hash, disabled_at FROM users WHERE email = $1",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn add_membership(
        &self,
        user_id: &str,
        organisation_id: &str,
        role: Role,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, organisation_id, role) DO NOTHING",
        )
        .bind(user_id)
        .bind(organisation_id)
        .bind(role.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Loads the actor for a signed-in user: memberships and chains.
    pub async fn actor_for_user(&self, user_id: &str) -> Result<Actor> {
        let rows: Vec<MembershipRow> = sqlx::query_as(
            "SELECT m.organisation_id, o.name AS organisation_name, m.role \
             FROM memberships m JOIN organisations o ON o.id = m.organisation_id \
             WHERE m.user_id = $1 ORDER BY o.name, m.role",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let memberships = rows
            .into_iter()
            .map(|r| {
                Ok(Membership {
                    role: parse_code(&r.role)?,
                    organisation_id: r.organisation_id,
                    organisation_name: r.organisation_name,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let chain_municipalities = sqlx::query_scalar(
            "SELECT DISTINCT om.municipality_code FROM organisation_municipalities om \
             JOIN memberships m ON m.organisation_id = om.organisation_id \
             WHERE m.user_id = $1 ORDER BY om.municipality_code",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let steering_municipalities = sqlx::query_scalar(
            "SELECT DISTINCT om.municipality_code FROM organisation_municipalities om \
             JOIN memberships m ON m.organisation_id = om.organisation_id \
             WHERE m.user_id = $1 AND m.role = 'steering' ORDER BY om.municipality_code",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Actor {
            user_id: Some(user_id.to_owned()),
            memberships,
            chain_municipalities,
            steering_municipalities,
        })
    }

    // --- sessions ---

    /// A new session row. Sign-in always makes a new one (a new id: nothing of an earlier session carries over).
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf_token: &str,
        stage: SessionStage,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, stage, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .bind(stage.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A live session of an enabled user: before its absolute expiry and used after `idle_since`.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<Session>> {
        Ok(sqlx::query_as(
            "SELECT s.user_id, s.csrf_token, s.expires_at, s.stage, s.last_seen_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .bind(idle_since)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Marks a session as used now (for the idle expiry).
    pub async fn touch_session(&self, token_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        self.remember_session_use(token_hash, now);
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a user ("sign out everywhere"); returns how many there were.
    pub async fn delete_sessions_of(&self, user_id: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    // --- second factor ---

    /// The user's second factor, confirmed or still being set up.
    pub async fn second_factor(&self, user_id: &str) -> Result<Option<SecondFactor>> {
        Ok(sqlx::query_as(
            "SELECT secret, confirmed_at, last_step FROM second_factors WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Starts setting up a second factor with a new secret, replacing one that was never confirmed. A confirmed
    /// factor stays: `Conflict` (an admin removes it first).
    pub async fn start_second_factor(&self, user_id: &str, secret: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO second_factors (user_id, secret, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(secret)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict("second_factor_confirmed".into()),
                other => other,
            })?;
        tx.commit().await?;
        Ok(())
    }

    /// Confirms the factor being set up (its first code belonged to `step`) and stores its recovery codes,
    /// replacing any older ones; one transaction. NotFound when nothing is being set up.
    pub async fn confirm_second_factor(
        &self,
        user_id: &str,
        step: i64,
        recovery_hashes: &[String],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE second_factors SET confirmed_at = $1, last_step = $2 \
             WHERE user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Self::insert_recovery_codes(&mut tx, user_id, recovery_hashes, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_recovery_codes(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        user_id: &str,
        hashes: &[String],
        now: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        for hash in hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(new_id())
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// New recovery codes for a confirmed factor; the old ones stop working. NotFound without a factor.
    pub async fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[String],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let confirmed: Option<i64> = sqlx::query_scalar(
            "SELECT confirmed_at FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if confirmed.is_none() {
            return Err(StoreError::NotFound);
        }
        Self::insert_recovery_codes(&mut tx, user_id, hashes, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A confirmed factor set up directly (the demo and tests: a known secret, no recovery codes).
    pub async fn enrol_second_factor(&self, user_id: &str, secret: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO second_factors (user_id, secret, confirmed_at, created_at) VALUES ($1, $2, $3, $3)",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every stored secret with its user, for the start-up pass that seals secrets stored in plain text (before
    /// sealing existed, or by the demo loader).
    pub async fn second_factor_secrets(&self) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT user_id, secret FROM second_factors ORDER BY user_id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Replaces a stored secret by the same secret in another form (sealed), only if it is still `old`: a
    /// user who set up a new factor meanwhile keeps it.
    pub async fn reseal_second_factor(&self, user_id: &str, old: &str, new: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE second_factors SET secret = $1 WHERE user_id = $2 AND secret = $3")
                .bind(new)
                .bind(user_id)
                .bind(old)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes a code's time step, once: true only when it is later than every step accepted before. One
    /// conditional update, so two instances cannot both accept the same code.
    pub async fn accept_second_factor_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE second_factors SET last_step = $1 \
             WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The user's unused recovery codes.
    pub async fn unused_recovery_codes(&self, user_id: &str) -> Result<Vec<RecoveryCode>> {
        Ok(sqlx::query_as(
            "SELECT id, code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Uses up a recovery code; false when it was used meanwhile (by a request at the same moment).
    pub async fn use_recovery_code(&self, id: &str, now: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a user's second factor and recovery codes and ends their sessions (an admin's reset after a lost
    /// phone): the next sign-in sets up a new one. NotFound for an unknown user.
    pub async fn remove_second_factor(&self, user_id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        for sql in [
            "DELETE FROM second_factors WHERE user_id = $1",
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM sessions WHERE user_id = $1",
        ] {
            sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes expired sessions and sign-in attempts older than `attempts_before`.
    pub async fn purge_expired_sessions(&self, now: i64, attempts_before: i64) -> Result<u64> {
        let s = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let a = sqlx::query("DELETE FROM login_attempts WHERE attempted_at < $1")
            .bind(attempts_before)
            .execute(&self.pool)
            .await?;
        Ok(s.rows_affected() + a.rows_affected())
    }

    // --- sign-in attempts ---

    pub async fn record_login_attempt(
        &self,
        email: &str,
        ip: &str,
        now: i64,
        succeeded: bool,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_attempts (id, email, ip, attempted_at, succeeded) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id())
        .bind(email)
        .bind(ip)
        .bind(now)
        .bind(i64::from(succeeded))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Failed sign-ins for the key since `since`.
    pub async fn failed_login_attempts(&self, key: AttemptKey<'_>, since: i64) -> Result<i64> {
        let (sql, value) = match key {
            AttemptKey::Email(e) => (
                "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND attempted_at >= $2 AND succeeded = 0",
                e,
            ),
            AttemptKey::Ip(ip) => (
                "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND attempted_at >= $2 AND succeeded = 0",
                ip,
            ),
        };
        Ok(sqlx::query_scalar(sql)
            .bind(value)
            .bind(since)
            .fetch_one(&self.pool)
            .await?)
    }

    // --- API tokens ---

    /// Stores a new API token for an organisation (only its hash).
    pub async fn create_api_token(
        &self,
        organisation_id: &str,
        role: Role,
        name: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO api_tokens (id, organisation_id, role, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(organisation_id)
        .bind(role.as_str())
        .bind(name.trim())
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: &str, now: i64) -> Result<()> {
        let mut sql = Sql::new("UPDATE api_tokens SET revoked_at = ");
        sql.bind(now).push(" WHERE id = ").bind(id.to_owned());
        sql.push(" AND revoked_at IS NULL");
        if !actor.is_admin() {
            sql.push(" AND organisation_id IN ")
                .bind_list(actor.organisation_ids());
        }
        let done = sql.query()?.execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The actor an unrevoked API token stands for, from the database (`actor_for_api_token` remembers it).
    pub(crate) async fn load_actor_for_api_token(&self, token_hash: &str) -> Result<Option<Actor>> {
        let row: Option<MembershipRow> = sqlx::query_as(
            "SELECT t.organisation_id, o.name AS organisation_name, t.role FROM api_tokens t \
             JOIN organisations o ON o.id = t.organisation_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let chain_municipalities = sqlx::query_scalar(
            "SELECT municipality_code FROM organisation_municipalities WHERE organisation_id = $1 ORDER BY municipality_code",
        )
        .bind(&row.organisation_id)
        .fetch_all(&self.pool)
        .await?;
        let role: Role = parse_code(&row.role)?;
        let steering_municipalities = if role == Role::Steering {
            chain_municipalities.clone()
        } else {
            Vec::new()
        };
        Ok(Some(Actor {
            user_id: None,
            memberships: vec![Membership {
                role,
                organisation_id: row.organisation_id,
                organisation_name: row.organisation_name,
            }],
            chain_municipalities,
            steering_municipalities,
        }))
    }
}

/// An API token as its organisation's coordinators see it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenInfo {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl Store {
    /// The API tokens of an organisation the actor may see, newest first.
    pub async fn api_tokens_of(
        &self,
        actor: &Actor,
        organisation_id: &str,
    ) -> Result<Vec<ApiTokenInfo>> {
        self.organisation(actor, organisation_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, organisation_id, name, role, created_at, revoked_at FROM api_tokens \
             WHERE organisation_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One API token of an organisation the actor may see; NotFound otherwise.
    pub async fn api_token(&self, actor: &Actor, id: &str) -> Result<ApiTokenInfo> {
        let mut sql = Sql::new(
            "SELECT t.id, t.organisation_id, t.name, t.role, t.created_at, t.revoked_at FROM api_tokens t \
             JOIN organisations o ON o.id = t.organisation_id WHERE t.id = ",
        );
        sql.bind(id.to_owned());
        actor.push_organisation_filter(&mut sql, "o.id");
        sql.query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }
}
