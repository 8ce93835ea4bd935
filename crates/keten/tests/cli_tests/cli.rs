//! The real `keten` binary: migrate, accounts and API tokens from the command line, demo, serve, SIGTERM, and two processes on one database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) fn keten(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keten"));
    cmd.env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info")
        // One key for every process of a test (two instances on one PostgreSQL share it, as in production).
        .env("KETEN_SECOND_FACTOR_KEY", TEST_SECOND_FACTOR_KEY);
    cmd
}

pub(crate) const TEST_SECOND_FACTOR_KEY: &str =
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

pub(crate) fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A running `keten serve`, killed if the test fails before stopping it.
pub(crate) struct Server(Option<Child>);

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `keten serve` on a free port: the process and the lines of its log.
fn start_serve(
    database_url: &str,
) -> (Server, std::io::Lines<BufReader<std::process::ChildStderr>>) {
    let mut child = keten(database_url)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    (Server(Some(child)), BufReader::new(stderr).lines())
}

/// Starts `keten serve` on a free port and returns the process and its base URL.
pub(crate) fn serve(database_url: &str) -> (Server, String) {
    let (server, mut lines) = start_serve(database_url);
    let address = loop {
        let line = lines
            .next()
            .expect("keten serve ended before listening")
            .unwrap();
        if let Some(rest) = line.strip_prefix("keten draait op ") {
            break rest.trim().to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (server, address)
}

pub(crate) fn terminate(mut server: Server) {
    let mut child = server.0.take().unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "keten did not stop cleanly: {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("keten did not stop within 5 s of SIGTERM");
}

pub(crate) fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("keten.db").display())
}

/// The CSRF token of the first form in `html`.
fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + 64].to_owned()
}

/// The code an authenticator app shows now for a base32 secret.
fn app_code(secret: &str) -> String {
    // The server runs on the system clock, so the "phone" reads it too.
    use keten_core::clock::Clock;
    let now = keten_core::clock::SystemClock.now().as_second();
    keten_core::second_factor::TotpSecret::from_base32(secret)
        .unwrap()
        .code_at(now)
        .unwrap()
}

/// Signs in through the form, as a person would: the password; then, for a role that needs a second factor,
/// either a code from the demo's secret or (a new account) setting one up with the secret the page shows.
async fn get_json(client: &reqwest::Client, url: String) -> serde_json::Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

async fn sign_in(base: &str, email: &str, password: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let token = csrf_in(&page("/aanmelden").await);
    let r = client
        .post(format!("{base}/aanmelden"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    if location.starts_with("/aanmelden/code") {
        let token = csrf_in(&page("/aanmelden/code").await);
        let code = app_code(keten_core::second_factor::DEMO_SECRET);
        let r = client
            .post(format!("{base}/aanmelden/code"))
            .form(&[("code", code.as_str()), ("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "the demo secret's code was refused");
    } else if location.starts_with("/account/tweede-stap") {
        let html = page("/account/tweede-stap").await;
        let marker = "<code class=\"keten-secret\">";
        let start = html.find(marker).unwrap() + marker.len();
        let secret: String = html[start..]
            .split('<')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        let code = app_code(&secret);
        let r = client
            .post(format!("{base}/account/tweede-stap"))
            .form(&[("code", code.as_str()), ("csrf_token", &csrf_in(&html))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "setting up the second factor failed");
    }
    client
}

#[tokio::test]
async fn first_admin_from_the_command_line_then_serve_and_stop_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).arg("migrate"));
    let out = run_ok(keten(&url).args([
        "org",
        "add",
        "--name",
        "Beheer",
        "--kind",
        "national_body",
        "--sector",
        "public",
        "--municipality",
        "GM0599",
    ]));
    assert!(out.contains("Organisatie Beheer aangemaakt"));
    let out = run_ok(keten(&url).args([
        "user",
        "add",
        "--email",
        "beheer@example.nl",
        "--role",
        "admin",
        "--org",
        "Beheer",
    ]));
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Wachtwoord: "))
        .unwrap()
        .to_owned();
    // A bad role is refused with a Dutch message.
    let bad = keten(&url)
        .args([
            "user",
            "add",
            "--email",
            "x@example.nl",
            "--role",
            "king",
            "--org",
            "Beheer",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Onbekende waarde 'king'"));
    // An API token for a system, printed once on stdout.
    let token = run_ok(keten(&url).args([
        "token",
        "add",
        "--org",
        "Beheer",
        "--role",
        "admin",
        "--name",
        "koppeling",
    ]))
    .trim()
    .to_owned();
    assert_eq!(token.len(), 64, "{token}");

    let (child, base) = serve(&url);
    let by_token = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 200);
    let client = sign_in(&base, "beheer@example.nl", &password).await;
    let me = get_json(&client, format!("{base}/api/v1/me")).await;
    assert_eq!(me["memberships"][0]["role"], "admin");
    terminate(child);
}

#[tokio::test]
async fn demo_loads_a_chain_with_history_and_prints_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let out = run_ok(keten(&url).args(["demo", "--questions", "3000", "--referrals", "300"]));
    assert!(out.contains("3000 hulpvragen"), "{out}");
    // Every scripted referral finds a destination and a sender that is not its receiver.
    assert!(out.contains(" 300 doorverwijzingen"), "{out}");
    let steering = out
        .lines()
        .find(|l| l.trim_start().starts_with("steering"))
        .unwrap();
    let fields: Vec<&str> = steering.split_whitespace().collect();
    let (email, password) = (fields[1], fields[2]);
    // Loading twice is refused rather than doubling the data.
    let again = keten(&url)
        .args(["demo", "--questions", "10"])
        .output()
        .unwrap();
    assert!(!again.status.success());

    // Serving seals the demo's authenticator secrets (stored in plain text by the loader) with the key kept
    // outside the database; the demo code still signs in, through the sealed secret.
    let (child, base) = serve(&url);
    let client = sign_in(&base, email, password).await;
    let store = keten_store::Store::connect(&url).await.unwrap();
    let secrets = store.second_factor_secrets().await.unwrap();
    assert!(!secrets.is_empty());
    for (_, stored) in &secrets {
        assert!(keten_core::second_factor::is_sealed(stored), "{stored}");
        assert!(!stored.contains(keten_core::second_factor::DEMO_SECRET));
    }
    store.close().await;
    let orgs = get_json(&client, format!("{base}/api/v1/organisations")).await;
    assert!(orgs.as_array().unwrap().len() >= 10, "{orgs:?}");
    // Two years of history, the latest some 18% busier: the dashboard has a year earlier to compare with.
    let today = jiff::Zoned::now().date();
    let from = today.checked_sub(jiff::Span::new().days(364)).unwrap();
    let stats = get_json(
        &client,
        format!("{base}/api/v1/stats/key-figures?period=custom&from={from}&to={today}"),
    )
    .await;
    let questions = &stats["tables"][0]["rows"][0];
    assert_eq!(questions["label"], "Vragen");
    let latest = questions["values"][0].as_f64().unwrap();
    let earlier = questions["values"][1].as_f64().unwrap();
    assert!(
        earlier > 0.0 && (1.05..1.35).contains(&(latest / earlier)),
        "{latest} against {earlier} a year earlier"
    );
    terminate(child);
}

#[tokio::test]
async fn demo_spreads_its_questions_over_libraries_across_the_country() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let out = run_ok(keten(&url).args([
        "demo",
        "--questions",
        "2000",
        "--help-points",
        "60",
        "--referrals",
        "30",
    ]));
    assert!(out.contains("60 hulppunten, 2000 hulpvragen"), "{out}");
    let store = keten_store::Store::connect(&url).await.unwrap();
    let directory = store.directory().await.unwrap();
    assert_eq!(directory.help_points.len(), 60);
    // Every point can be found in the finder: hours of its own (the demo's bus has its stops instead).
    for hp in &directory.help_points {
        assert!(
            !hp.hours.weekly.is_empty()
                || hp.venue_kind == keten_core::organisation::VenueKind::Mobile,
            "{} has no opening hours",
            hp.name
        );
    }
    let totals = store
        .stats_running_totals(&keten_store::stats::StatsScope::default())
        .await
        .unwrap();
    assert_eq!(totals.iter().map(|t| t.total).sum::<i64>(), 2000);
    assert!(
        totals.len() > 40,
        "questions at {} of 60 help points",
        totals.len()
    );
    let municipalities: std::collections::HashSet<&str> = directory
        .help_points
        .iter()
        .filter(|hp| totals.iter().any(|t| t.help_point_id == hp.id))
        .map(|hp| hp.municipality_code.as_str())
        .collect();
    assert!(municipalities.len() > 40, "{municipalities:?}");
    store.close().await;
}

#[tokio::test]
async fn two_processes_on_one_postgres_database_serve_consistent_data() {
    let Ok(base_url) = std::env::var("KETEN_TEST_POSTGRES") else {
        assert!(
            std::env::var("KETEN_REQUIRE_POSTGRES").is_err(),
            "PostgreSQL required but not configured"
        );
        return;
    };
    // A database of its own: both processes migrate it at start, at the same time.
    let name = format!("cli_{}", std::process::id());
    let admin = keten_store::Store::connect(&base_url).await.unwrap();
    admin
        .execute_raw(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    admin
        .execute_raw(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await;
    let (prefix, _) = base_url.rsplit_once('/').unwrap();
    let url = format!("{prefix}/{name}");

    let (a, base_a) = serve(&url);
    let (b, base_b) = serve(&url);
    run_ok(keten(&url).args([
        "org",
        "add",
        "--name",
        "Beheer",
        "--kind",
        "national_body",
        "--sector",
        "public",
        "--municipality",
        "GM0599",
    ]));
    let out = run_ok(keten(&url).args([
        "user",
        "add",
        "--email",
        "beheer@example.nl",
        "--role",
        "admin",
        "--org",
        "Beheer",
    ]));
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("Wachtwoord: "))
        .unwrap()
        .to_owned();

    let client = sign_in(&base_a, "beheer@example.nl", &password).await;
    let created: serde_json::Value = client
        .post(format!("{base_a}/api/v1/organisations"))
        .json(&serde_json::json!({"name": "Maasbank", "kind": "partner", "sector": "private", "municipality_code": "GM0599"}))
        .send().await.unwrap().json().await.unwrap();
    // Same session cookie, other process: it sees the session and the new row.
    let seen: serde_json::Value = client
        .get(format!(
            "{base_b}/api/v1/organisations/{}",
            created["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["name"], "Maasbank");
    terminate(a);
    terminate(b);
}

/// Whether `needle` occurs anywhere in `haystack` (raw file bytes).
fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn purge_leaves_erased_contact_data_nowhere_in_the_sqlite_files() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).arg("migrate"));
    // A server holds the database open while the purge runs, so the log is not emptied by closing it.
    let store = keten_store::Store::connect(&url).await.unwrap();
    let draft = keten_core::organisation::OrganisationDraft::parse(
        "Bibliotheek",
        "library",
        "civil",
        "GM0599",
        &[],
    )
    .unwrap();
    let org = store.create_organisation(&draft, 0).await.unwrap().id;
    let reason = "Wissewater wil hulp met de bankapp. ".repeat(12);
    for n in 0..20 {
        store
            .execute_raw(&format!(
                "INSERT INTO referrals (id, municipality_code, source, sender_organisation_id, organisation_id, \
                 pc4, status, sender_sees_progress, resident_name, contact_phone, contact_email, \
                 preferred_moment, reason, sent_at, due_at, closed_at, updated_at) VALUES \
                 ('r{n}', 'GM0599', 'desk', '{org}', '{org}', '3011', 'completed', 1, 'Zygmunt Wissewater', \
                 '0612345678', 'zygmunt.wissewater@example.nl', 'morning', '{reason}', 1000, 2000, 3000, 3000)"
            ))
            .await
            .unwrap();
    }
    let files = || {
        let mut bytes = std::fs::read(dir.path().join("keten.db")).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("keten.db-wal")) {
            bytes.extend(wal);
        }
        bytes
    };
    assert!(
        holds(&files(), b"Wissewater"),
        "the test data is in the files"
    );
    let out = run_ok(keten(&url).arg("purge"));
    assert!(out.contains("20"), "{out}");
    let bytes = files();
    for personal in [&b"Wissewater"[..], b"0612345678", b"zygmunt.wissewater"] {
        assert!(
            !holds(&bytes, personal),
            "{} is still in the database files",
            String::from_utf8_lossy(personal)
        );
    }
    store.close().await;
}

#[tokio::test]
async fn admins_disable_and_remove_users_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).arg("migrate"));
    run_ok(keten(&url).args([
        "org",
        "add",
        "--name",
        "Bieb",
        "--kind",
        "library",
        "--sector",
        "civil",
        "--municipality",
        "GM0599",
    ]));
    run_ok(keten(&url).args([
        "user",
        "add",
        "--email",
        "balie@bieb.nl",
        "--role",
        "staff",
        "--org",
        "Bieb",
        "--password",
        "de fiets staat bij de bieb",
    ]));
    let out = run_ok(keten(&url).args(["user", "disable", "--email", "balie@bieb.nl"]));
    assert!(out.contains("uitgeschakeld"), "{out}");
    let store = keten_store::Store::connect(&url).await.unwrap();
    let email = keten_core::account::Email::parse("balie@bieb.nl").unwrap();
    assert!(store.user_by_email(&email).await.unwrap().disabled);
    let out = run_ok(keten(&url).args(["user", "remove", "--email", "balie@bieb.nl"]));
    assert!(out.contains("verwijderd"), "{out}");
    assert!(store.user_by_email(&email).await.is_err());
    let again = keten(&url)
        .args(["user", "remove", "--email", "balie@bieb.nl"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("geen account"));
    // A weak password is refused here too.
    let weak = keten(&url)
        .args([
            "user",
            "add",
            "--email",
            "x@bieb.nl",
            "--role",
            "staff",
            "--org",
            "Bieb",
            "--password",
            "            ",
        ])
        .output()
        .unwrap();
    assert!(!weak.status.success());
    store.close().await;
}

/// What `keten serve` says on stderr before it listens, with these extra arguments.
fn start_up_log(database_url: &str, extra: &[&str]) -> String {
    let child = keten(database_url)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env_remove("KETEN_PUBLIC_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(Some(child));
    let stderr = server.0.as_mut().unwrap().stderr.take().unwrap();
    let mut log = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        let listening = line.starts_with("keten draait op ");
        log.push_str(&line);
        log.push('\n');
        if listening {
            break;
        }
    }
    drop(server);
    log
}

#[test]
fn serve_makes_a_key_file_for_authenticator_secrets_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let key_file = dir.path().join("second-factor.key");
    let start = || {
        let mut cmd = keten(&url);
        cmd.env_remove("KETEN_SECOND_FACTOR_KEY")
            .env("KETEN_SECOND_FACTOR_KEY_FILE", &key_file)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut server = Server(Some(cmd.spawn().unwrap()));
        let stderr = server.0.as_mut().unwrap().stderr.take().unwrap();
        let mut log = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            log.push_str(&line);
            log.push('\n');
            if line.starts_with("keten draait op ") {
                break;
            }
        }
        drop(server);
        log
    };
    let first = start();
    assert!(first.contains("made a new key"), "{first}");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), 64);
    assert!(keten_core::second_factor::SealingKey::from_hex(&key).is_ok());
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // The next start reads the same key rather than making another.
    let second = start();
    assert!(!second.contains("made a new key"), "{second}");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    // A damaged key file stops keten with a message, instead of sealing with something else.
    std::fs::write(&key_file, "not a key").unwrap();
    let out = keten(&url)
        .env_remove("KETEN_SECOND_FACTOR_KEY")
        .env("KETEN_SECOND_FACTOR_KEY_FILE", &key_file)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("64 hexadecimale tekens"));
}

#[test]
fn serve_warns_when_no_public_url_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let unset = start_up_log(&url, &[]);
    assert!(
        unset.contains("KETEN_PUBLIC_URL (--public-url) is not set"),
        "{unset}"
    );
    // Not a terminal: a log file or journal gets plain text, without colour codes.
    assert!(!unset.contains('\x1b'), "{unset:?}");
    let set = start_up_log(&url, &["--public-url", "https://hulp.gemeente.example"]);
    assert!(set.contains("keten draait op"), "{set}");
    assert!(!set.contains("KETEN_PUBLIC_URL"), "{set}");
}

/// A fresh PostgreSQL database of its own, or `None` without a test server.
pub(crate) async fn postgres_database(tag: &str) -> Option<String> {
    let Ok(base_url) = std::env::var("KETEN_TEST_POSTGRES") else {
        assert!(
            std::env::var("KETEN_REQUIRE_POSTGRES").is_err(),
            "PostgreSQL required but not configured"
        );
        return None;
    };
    let name = format!("hsds_{tag}_{}", std::process::id());
    let admin = keten_store::Store::connect(&base_url).await.unwrap();
    admin
        .execute_raw(&format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .unwrap();
    admin
        .execute_raw(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await;
    let (prefix, _) = base_url.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}

#[tokio::test]
async fn a_lost_phone_is_reset_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).arg("migrate"));
    run_ok(keten(&url).args([
        "org",
        "add",
        "--name",
        "Beheer",
        "--kind",
        "national_body",
        "--sector",
        "public",
        "--municipality",
        "GM0599",
    ]));
    let password = "de fiets staat bij de bieb";
    run_ok(keten(&url).args([
        "user",
        "add",
        "--email",
        "beheer@example.nl",
        "--role",
        "admin",
        "--org",
        "Beheer",
        "--password",
        password,
    ]));
    let (child, base) = serve(&url);
    // The first sign-in sets up the second factor (the helper reads the secret off the page).
    let client = sign_in(&base, "beheer@example.nl", password).await;
    let me = |client: reqwest::Client| {
        let url = format!("{base}/api/v1/me");
        async move { client.get(url).send().await.unwrap().status() }
    };
    assert_eq!(me(client.clone()).await, 200);
    let store = keten_store::Store::connect(&url).await.unwrap();
    let email = keten_core::account::Email::parse("beheer@example.nl").unwrap();
    let id = store.user_by_email(&email).await.unwrap().id;
    assert!(store.second_factor(&id).await.unwrap().is_some());

    let out = run_ok(keten(&url).args([
        "user",
        "reset-second-factor",
        "--email",
        "beheer@example.nl",
    ]));
    assert!(out.contains("gewist"), "{out}");
    assert!(store.second_factor(&id).await.unwrap().is_none());
    assert_eq!(me(client).await, 401, "the session ended");
    // The next sign-in sets up a new factor again.
    let client = sign_in(&base, "beheer@example.nl", password).await;
    assert_eq!(me(client).await, 200);
    assert!(store.second_factor(&id).await.unwrap().is_some());
    store.close().await;
    terminate(child);
}

/// An update that empties the steering rollups: `keten serve` listens first, answers "come back later" while it
/// recomputes them (a refused connection before), then serves as usual with the rollups back.
#[tokio::test]
async fn serve_listens_while_it_recomputes_rollups_an_update_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).args(["demo", "--questions", "2000"]));
    let store = keten_store::Store::connect(&url).await.unwrap();
    for table in [
        "question_dimension_rollups",
        "question_month_rollups",
        "question_consultation_rollups",
    ] {
        store
            .execute_raw(&format!("DELETE FROM {table}"))
            .await
            .unwrap();
    }
    assert!(store.rollups_missing().await.unwrap());

    let (server, mut lines) = start_serve(&url);
    let mut order = Vec::new();
    let mut address = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("keten draait op ") {
            address = rest.trim().to_owned();
            order.push("listening");
        } else if line.contains("steering rollups recomputed") {
            order.push("recomputed");
            break;
        }
    }
    // Keep draining stderr so the server never blocks on a full pipe or fails to write its log.
    std::thread::spawn(move || for _ in lines {});
    assert_eq!(order, ["listening", "recomputed"]);
    // The gate opens a moment after the log line.
    let mut status = 0;
    for _ in 0..50 {
        status = reqwest::get(format!("{address}/readyz"))
            .await
            .unwrap()
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    assert!(!store.rollups_missing().await.unwrap());
    drop(server);
    store.close().await;
}

/// The log's reader goes away (a closed pipe, a log collector that stopped): keten keeps answering.
#[tokio::test]
async fn serve_keeps_answering_when_its_log_pipe_closes() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (server, mut lines) = start_serve(&url);
    let address = loop {
        let line = lines.next().expect("keten serve ended").unwrap();
        if let Some(rest) = line.strip_prefix("keten draait op ") {
            break rest.trim().to_owned();
        }
    };
    drop(lines);
    for path in ["/healthz", "/readyz", "/"] {
        let answer = reqwest::get(format!("{address}{path}")).await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
    }
    drop(server);
}

/// Recomputing the rollups after an update fails (here: a rollup table is gone): `keten serve` stops with the
/// error rather than serve figures it could not recompute.
#[tokio::test]
async fn serve_stops_when_the_rollups_cannot_be_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    run_ok(keten(&url).args(["demo", "--questions", "200"]));
    let store = keten_store::Store::connect(&url).await.unwrap();
    store
        .execute_raw("DELETE FROM question_dimension_rollups")
        .await
        .unwrap();
    store
        .execute_raw("DROP TABLE question_consultation_rollups")
        .await
        .unwrap();
    store.close().await;

    let (mut server, lines) = start_serve(&url);
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let mut child = server.0.take().unwrap();
    let mut status = None;
    for _ in 0..300 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("keten serve kept running");
    };
    assert!(!status.success());
    let log = log.join().unwrap().join("\n");
    assert!(log.contains("keten draait op"), "{log}");
    assert!(
        log.contains("the steering rollups could not be recomputed"),
        "{log}"
    );
}
