//! Test harness: the real app on a random port over a throw-away SQLite file or PostgreSQL schema.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use keten_core::account::{Email, Role, hash_password};
use keten_core::clock::FixedClock;
use keten_core::organisation::OrganisationDraft;
use keten_store::Store;
use keten_web::{AppState, WebConfig};
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each test body once per backend: `both_backends!(name, |app| async move { ... });`
/// The PostgreSQL variant needs `KETEN_TEST_POSTGRES=postgres://...`; without it
/// it passes as skipped, unless `KETEN_REQUIRE_POSTGRES=1` (as in CI) makes that a failure.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident => $body:expr;)+) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::support::TestApp::spawn($crate::support::Db::Sqlite).await;
                    ($body)(app).await;
                }
            )+
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if !$crate::support::postgres_available() {
                        return;
                    }
                    let app = $crate::support::TestApp::spawn($crate::support::Db::Postgres).await;
                    ($body)(app).await;
                }
            )+
        }
    };
}

/// The PostgreSQL server for tests, if configured; fails when CI requires one.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("KETEN_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && std::env::var("KETEN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!(
            "KETEN_REQUIRE_POSTGRES=1 but KETEN_TEST_POSTGRES is not set: PostgreSQL tests would be skipped"
        );
    }
    url
}

pub fn postgres_available() -> bool {
    postgres_url().is_some()
}

/// A fresh, empty database URL for one test.
pub async fn fresh_database(db: Db) -> (String, Option<tempfile::TempDir>) {
    match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("keten.db").display());
            (url, Some(dir))
        }
        Db::Postgres => {
            let base = postgres_url().unwrap();
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = Store::connect(&base).await.unwrap();
            admin
                .execute_raw(&format!("CREATE SCHEMA {schema}"))
                .await
                .unwrap();
            admin.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            (
                format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                None,
            )
        }
    }
}

/// Tests see directory changes at once. Many tests move the clock on by hours between two requests of one
/// browser, so the idle expiry is a day here; `second_factor::sessions_end_after_idle_time...` tests the default.
pub fn test_config() -> WebConfig {
    WebConfig {
        finder_refresh_seconds: 0,
        session_idle_minutes: 24 * 60,
        second_factor_key: Some(test_sealing_key()),
        ..WebConfig::default()
    }
}

/// The key the test apps seal authenticator secrets with (as `keten serve` does with its key file).
pub fn test_sealing_key() -> keten_core::second_factor::SealingKey {
    keten_core::second_factor::SealingKey::from_hex(&"5a".repeat(32)).unwrap()
}

/// The test configuration with e-mail written as `.eml` files into `dir`, links to `https://keten.test`.
pub fn mail_config(dir: &std::path::Path) -> WebConfig {
    WebConfig {
        mail: keten_web::mail::MailConfig {
            mail_dir: Some(dir.to_owned()),
            public_url: "https://keten.test".into(),
            ..Default::default()
        },
        ..test_config()
    }
}

/// The e-mails keten wrote into a mail folder, sorted (file names start with the time).
pub fn mails_in(dir: &std::path::Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| std::fs::read_to_string(e.path()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A complete referral for the API: one topic, a resident in `pc4` reachable by phone, spoken consent.
pub fn referral_body(topic: &str, pc4: &str) -> serde_json::Value {
    serde_json::json!({
        "topics": [topic],
        "reason": "Lukt niet met de app",
        "resident_name": "Fatima de Vries",
        "phone": "06 12345678",
        "preferred_moment": "morning",
        "pc4": pc4,
        "consent_given": true,
        "consent_method": "spoken",
        "consent_text_version": keten_core::referral::CONSENT_TEXT_VERSION,
        "sender_sees_progress": true
    })
}

/// Not the famous "correct horse battery staple": that one is on the list of common passwords keten refuses.
pub const PASSWORD: &str = "de bieb is op dinsdag tot negen open";

/// The authenticator secret of test users whose role requires a second factor (the demo chain's users have
/// `keten_core::second_factor::DEMO_SECRET`).
pub const TEST_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
}

pub struct TestApp {
    pub address: String,
    pub store: Store,
    pub clock: FixedClock,
    pub db: Db,
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, test_config()).await
    }

    pub async fn spawn_with(db: Db, config: WebConfig) -> TestApp {
        let (url, dir) = fresh_database(db).await;
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let app = Self::serve(store, config, db, url).await;
        TestApp { _dir: dir, ..app }
    }

    /// A second app instance on the same database, as a second server process would be.
    pub async fn sibling(&self) -> TestApp {
        let store = Store::connect(&self.database_url).await.unwrap();
        Self::serve(store, test_config(), self.db, self.database_url.clone()).await
    }

    /// Another instance on the same database and the same clock, with its own configuration.
    pub async fn configured(&self, config: WebConfig) -> TestApp {
        let store = Store::connect(&self.database_url).await.unwrap();
        Self::serve_at(
            store,
            config,
            self.db,
            self.database_url.clone(),
            self.clock.clone(),
        )
        .await
    }

    async fn serve(store: Store, config: WebConfig, db: Db, database_url: String) -> TestApp {
        let clock = FixedClock::at("2026-03-02T09:00:00Z".parse().unwrap());
        Self::serve_at(store, config, db, database_url, clock).await
    }

    async fn serve_at(
        store: Store,
        config: WebConfig,
        db: Db,
        database_url: String,
        clock: FixedClock,
    ) -> TestApp {
        let state = AppState::new(store.clone(), Arc::new(clock.clone()), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(keten_web::serve(listener, state, std::future::pending()));
        TestApp {
            address,
            store,
            clock,
            db,
            database_url,
            _dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn now(&self) -> i64 {
        use keten_core::clock::Clock;
        self.clock.now().as_second()
    }

    pub async fn organisation(
        &self,
        name: &str,
        kind: &str,
        sector: &str,
        municipality: &str,
    ) -> String {
        let draft = OrganisationDraft::parse(name, kind, sector, municipality, &[]).unwrap();
        self.store
            .create_organisation(&draft, self.now())
            .await
            .unwrap()
            .id
    }

    /// A user with the shared test password and one membership; a role that requires a second factor gets one
    /// with [`TEST_SECRET`] (the test plays the phone: [`TestApp::code_for`]).
    pub async fn user(&self, email: &str, role: Role, organisation_id: &str) -> String {
        let id = self
            .user_without_second_factor(email, role, organisation_id)
            .await;
        if keten_core::second_factor::required_for(&[role]) {
            self.store
                .enrol_second_factor(&id, TEST_SECRET, self.now())
                .await
                .unwrap();
        }
        id
    }

    /// A user with the shared test password and one membership, and no second factor.
    pub async fn user_without_second_factor(
        &self,
        email: &str,
        role: Role,
        organisation_id: &str,
    ) -> String {
        let user = self
            .store
            .create_user(
                &Email::parse(email).unwrap(),
                email,
                password_hash(),
                self.now(),
            )
            .await
            .unwrap();
        self.store
            .add_membership(&user.id, organisation_id, role)
            .await
            .unwrap();
        user.id
    }

    /// Loads the demo chain (no question history); returns its help point ids in chain order.
    pub async fn demo_chain(&self) -> Vec<String> {
        let chain = keten_core::demo::demo_chain();
        let hashes = vec![password_hash().to_owned(); chain.users.len()];
        self.store
            .load_demo_chain(&chain, &hashes, self.now())
            .await
            .unwrap()
            .help_point_ids
    }

    /// The CSRF token of the form on `path`, as a browser would see it.
    pub async fn csrf_token(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_from_html(&html).unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    /// The user's authenticator secret as base32, opened from the database with the test key (a sealed secret or
    /// one the test support stored in plain text).
    pub async fn plain_secret(&self, user_id: &str) -> String {
        let stored = self
            .store
            .second_factor(user_id)
            .await
            .unwrap()
            .unwrap()
            .secret;
        test_sealing_key()
            .open(user_id, &stored)
            .unwrap()
            .as_base32()
            .to_owned()
    }

    /// A code the user's authenticator app would show now that keten has not accepted yet (a code works once):
    /// computed here with totp-rs from the secret in the database, independently of keten's own check. When
    /// every step keten still accepts has been used, the clock moves on by one step (30 s).
    pub async fn code_for(&self, email: &str) -> String {
        let user_id = self.actor(email).await.user_id.unwrap();
        let factor = self
            .store
            .second_factor(&user_id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{email} has no second factor"));
        let secret = self.plain_secret(&user_id).await;
        let secret = totp_rs::Secret::try_from_base32(&secret).unwrap();
        let totp = totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(30)
            .with_secret(secret.as_bytes().to_vec())
            .build()
            .unwrap();
        loop {
            let now_step = self.now() / 30;
            if let Some(step) = (now_step - 1..=now_step + 1).find(|s| *s > factor.last_step) {
                return totp.generate(u64::try_from(step * 30).unwrap()).to_string();
            }
            self.clock.advance_seconds(30);
        }
    }

    /// Gives the second step of a sign-in that `client` has started with the password.
    pub async fn give_code(&self, client: &reqwest::Client, email: &str) -> reqwest::Response {
        let code = self.code_for(email).await;
        self.post_form(
            client,
            "/aanmelden/code",
            "/aanmelden/code",
            &[("code", &code), ("next", "")],
        )
        .await
    }

    /// Signs in through the form, with a code from the app where the user has a second factor; returns the
    /// browser holding the session.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let (client, location) = self.password_step(email).await;
        if location.starts_with("/aanmelden/code") {
            let response = self.give_code(&client, email).await;
            assert_eq!(response.status(), 303, "code of {email} refused");
        }
        client
    }

    /// Gives the password (the first step of signing in); the browser holds a session that may still wait
    /// for a code. Users without a second factor are signed in by this alone.
    pub async fn password_given(&self, email: &str) -> reqwest::Client {
        self.password_step(email).await.0
    }

    /// The password step: the browser and where the answer sends it.
    async fn password_step(&self, email: &str) -> (reqwest::Client, String) {
        let client = self.browser();
        let token = self.csrf_token(&client, "/aanmelden").await;
        let response = client
            .post(self.url("/aanmelden"))
            .form(&[
                ("email", email),
                ("password", PASSWORD),
                ("csrf_token", &token),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "sign-in of {email} failed");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            !location.starts_with("/account/tweede-stap"),
            "{email} must set up a second factor first"
        );
        (client, location)
    }

    /// Posts a form the way a browser would, with the CSRF token of the page it came from.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(client, page).await;
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        fields.push(("csrf_token", &token));
        client
            .post(self.url(action))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }
}

pub fn csrf_from_html(html: &str) -> Option<String> {
    hidden_field(html, "csrf_token")
}

/// The value of a form's hidden field `name` (as a browser would send it back).
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

/// The demo chain's users (password [`PASSWORD`] in tests), one per role that tests sign in as.
pub mod demo_users {
    pub const ADMIN: &str = "beheer@digitale-inclusie.demo.keten.nl";
    pub const STAFF: &str = "balie@bibliotheek-rotterdam.demo.keten.nl";
    pub const COORDINATOR: &str = "coordinator@bibliotheek-rotterdam.demo.keten.nl";
    pub const STEERING: &str = "regie@rotterdam.demo.keten.nl";
    pub const PARTNER: &str = "partner@maasbank.demo.keten.nl";
}

impl TestApp {
    /// Sends a referral over the API as `client`; returns its id (the answer must be 201).
    pub async fn send_referral(
        &self,
        client: &reqwest::Client,
        body: &serde_json::Value,
    ) -> String {
        let r = client
            .post(self.url("/api/v1/referrals"))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Takes a step on a referral over the API as `client` (accept, decline, complete, ...).
    pub async fn referral_action(
        &self,
        client: &reqwest::Client,
        id: &str,
        body: serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(self.url(&format!("/api/v1/referrals/{id}/actions")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A GET of `path` as `client`.
    pub async fn get_as(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// The help point with this exact name in the directory.
    pub async fn help_point(&self, name: &str) -> keten_store::help_points::HelpPoint {
        self.store
            .directory()
            .await
            .unwrap()
            .help_points
            .into_iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no help point {name}"))
    }

    /// The store's actor for a user, as a signed-in request would have it.
    pub async fn actor(&self, email: &str) -> keten_store::Actor {
        let credentials = self
            .store
            .credentials(&Email::parse(email).unwrap())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no user {email}"));
        self.store
            .actor_for_user(&credentials.user_id)
            .await
            .unwrap()
    }

    /// The id of the organisation with this exact name.
    pub async fn organisation_id(&self, name: &str) -> String {
        let admin = keten_store::Actor {
            memberships: vec![keten_store::scope::Membership {
                organisation_id: String::new(),
                organisation_name: String::new(),
                role: Role::Admin,
            }],
            ..Default::default()
        };
        self.store
            .organisations(&admin)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("no organisation {name}"))
            .id
    }
}
