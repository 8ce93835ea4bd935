//! The authorization matrix (issue 18): every route of the app, found in the router's source (`.route(...)`
//! calls) and in the OpenAPI document, called as anonymous, as each role of the demo chain and as the same role
//! in another municipality; the answers must equal the table kept in `authorization_matrix.tsv`. A new route
//! without a line there fails. `KETEN_WRITE_AUTHZ_MATRIX=1` rewrites the table from a SQLite run (review the diff).

use crate::support::TestApp;
use crate::support::demo_users::{ADMIN, COORDINATOR, PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const TABLE: &str = "tests/http/authorization_matrix.tsv";
const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// (method, path) of every `.route("...", method(...)...)` in the web crate's source.
fn source_routes() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.extend(routes_in(&text));
            }
        }
    }
    out
}

fn routes_in(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(".route(") {
        let rest = &text[at + ".route(".len()..];
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix('"') else {
            continue;
        };
        let Some(end) = rest.find('"') else { continue };
        let path = &rest[..end];
        // The method router: up to the parenthesis that closes `.route(`.
        let mut depth = 1;
        let mut close = rest.len();
        for (i, c) in rest[end + 1..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = end + 1 + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let methods = &rest[end + 1..close];
        for method in METHODS {
            let call = format!("{method}(");
            let found = methods.match_indices(&call).any(|(i, _)| {
                i == 0 || !methods[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if found {
                out.push((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    out
}

/// (method, path) of every operation in the OpenAPI document.
fn openapi_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            if METHODS.contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The ids the matrix fills in: real rows of the demo chain where the route names one, else an unknown id.
struct Ids {
    library: String,
    central: String,
    referral: String,
    user: String,
}

fn fill(path: &str, ids: &Ids) -> String {
    let by_prefix: [(&str, &str); 11] = [
        ("/organisaties/", &ids.library),
        ("/api/v1/organisations/", &ids.library),
        ("/beheer/hulppunten/", &ids.central),
        ("/hulppunten/", &ids.central),
        ("/balie/", &ids.central),
        ("/api/v1/help-points/", &ids.central),
        ("/doorverwijzingen/", &ids.referral),
        ("/api/v1/referrals/", &ids.referral),
        ("/beheer/gebruikers/", &ids.user),
        ("/api/v1/users/", &ids.user),
        ("/api/v1/help-questions/", "onbekend"),
    ];
    let first = by_prefix
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map_or("onbekend", |(_, id)| id);
    let mut out = String::new();
    let mut rest = path;
    let mut filled_first = false;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').unwrap() + start;
        out.push_str(&rest[..start]);
        if &rest[start..=end] == "{municipality_code}" {
            out.push_str("GM0599");
        } else {
            out.push_str(if filled_first { "onbekend" } else { first });
            filled_first = true;
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// One caller: a label, a browser (signed in or not) and the CSRF token its forms carry.
struct Caller {
    label: &'static str,
    client: reqwest::Client,
    csrf: String,
}

async fn caller(app: &TestApp, label: &'static str, email: Option<&str>) -> Caller {
    let client = match email {
        Some(email) => app.signed_in(email).await,
        None => app.browser(),
    };
    let page = if email.is_some() {
        "/account"
    } else {
        "/aanmelden"
    };
    let csrf = app.csrf_token(&client, page).await;
    Caller {
        label,
        client,
        csrf,
    }
}

/// A caller with an API token of `role` for the organisation of the demo user `member` (as `keten token add`
/// makes one). It also keeps cookies, so forms carry a signed-out CSRF token: pages treat it as anonymous.
async fn token_caller(app: &TestApp, label: &'static str, member: &str, role: Role) -> Caller {
    let organisation = app.actor(member).await.memberships[0]
        .organisation_id
        .clone();
    let token = keten_web::random_token();
    app.store
        .create_api_token(
            &organisation,
            role,
            label,
            &keten_web::token_hash(&token),
            app.now(),
        )
        .await
        .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let csrf = app.csrf_token(&client, "/aanmelden").await;
    Caller {
        label,
        client,
        csrf,
    }
}

/// The answer in the table: the status, and for a redirect to the sign-in page `303>aanmelden`.
async fn call(app: &TestApp, who: &Caller, method: &str, path: &str) -> String {
    let url = app.url(path);
    let api = path.starts_with("/api/") || path.starts_with("/hsds");
    let request = match method {
        "GET" => who.client.get(url),
        "POST" => who.client.post(url),
        "PUT" => who.client.put(url),
        "DELETE" => who.client.delete(url),
        _ => who.client.patch(url),
    };
    let request = if method == "GET" {
        request
    } else if api {
        request.json(&serde_json::json!({}))
    } else {
        request.form(&[("csrf_token", who.csrf.as_str())])
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let to_sign_in = response
        .headers()
        .get("location")
        .is_some_and(|l| l.to_str().unwrap().starts_with("/aanmelden"));
    if to_sign_in {
        format!("{status}>aanmelden")
    } else {
        status.to_string()
    }
}

both_backends! {
    every_route_answers_each_caller_as_the_table_says => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await;
        // Another municipality's chain with the same roles.
        let gent = app.organisation("Stad Gent", "municipality", "public", "44021").await;
        let gent_library = app.organisation("Bibliotheek Gent", "library", "civil", "44021").await;
        let gent_bank = app.organisation("Spaarbank Gent", "partner", "private", "44021").await;
        app.user("balie@gent.test", Role::Staff, &gent_library).await;
        app.user("coordinator@gent.test", Role::Coordinator, &gent_library).await;
        app.user("partner@gent.test", Role::Partner, &gent_bank).await;
        app.user("regie@gent.test", Role::Steering, &gent).await;
        // A user the admin may disable and remove.
        let user = app.user("tijdelijk@bibliotheek.test", Role::Staff, &central.organisation_id).await;
        let staff = app.signed_in(STAFF).await;
        let referral = app.send_referral(&staff, &crate::support::referral_body("bankzaken", "3011")).await;
        let ids = Ids { library: central.organisation_id.clone(), central: central.id.clone(), referral, user };

        let callers = vec![
            caller(&app, "anonymous", None).await,
            caller(&app, "gent-staff", Some("balie@gent.test")).await,
            caller(&app, "gent-coordinator", Some("coordinator@gent.test")).await,
            caller(&app, "gent-partner", Some("partner@gent.test")).await,
            caller(&app, "gent-steering", Some("regie@gent.test")).await,
            caller(&app, "staff", Some(STAFF)).await,
            caller(&app, "coordinator", Some(COORDINATOR)).await,
            caller(&app, "partner", Some(PARTNER)).await,
            caller(&app, "steering", Some(STEERING)).await,
            caller(&app, "admin", Some(ADMIN)).await,
            token_caller(&app, "token-staff", STAFF, Role::Staff).await,
            token_caller(&app, "token-coordinator", COORDINATOR, Role::Coordinator).await,
            token_caller(&app, "token-partner", PARTNER, Role::Partner).await,
            token_caller(&app, "token-steering", STEERING, Role::Steering).await,
            token_caller(&app, "token-programme-manager", "programma@digitale-inclusie.demo.keten.nl", Role::ProgrammeManager).await,
            token_caller(&app, "token-admin", ADMIN, Role::Admin).await,
        ];
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let mut routes = source_routes();
        routes.extend(openapi_routes(&doc));
        assert!(routes.len() > 100, "{} routes found", routes.len());

        let mut actual: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        // Signing out goes last: it ends the callers' sessions. "/afmelden/overal" comes after "/afmelden", so
        // its row shows the answer to an ended session (403: the form's token belonged to it); its own effect
        // is tested in second_factor::sign_out_everywhere_ends_every_session.
        let (last, first): (Vec<_>, Vec<_>) = routes.iter().partition(|(_, p)| p.starts_with("/afmelden"));
        for (method, path) in first.into_iter().chain(last) {
            let filled = fill(path, &ids);
            let mut answers = Vec::new();
            for who in &callers {
                answers.push(call(&app, who, method, &filled).await);
            }
            actual.insert((method.clone(), path.clone()), answers);
        }
        for ((method, path), answers) in &actual {
            assert!(answers.iter().all(|a| !a.starts_with('5')), "{method} {path}: a server error {answers:?}");
        }
        let header: Vec<&str> = callers.iter().map(|c| c.label).collect();
        let written: String = std::iter::once(format!("# method\tpath\t{}", header.join("\t")))
            .chain(actual.iter().map(|((m, p), a)| format!("{m}\t{p}\t{}", a.join("\t"))))
            .map(|l| l + "\n")
            .collect();
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
        if std::env::var("KETEN_WRITE_AUTHZ_MATRIX").is_ok_and(|v| v == "1") && app.db == crate::support::Db::Sqlite {
            std::fs::write(&file, &written).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&file).unwrap_or_default();
        let expected: BTreeMap<(String, String), Vec<String>> = expected
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut cells = l.split('\t').map(str::to_owned);
                let method = cells.next().unwrap();
                let path = cells.next().unwrap();
                ((method, path), cells.collect())
            })
            .collect();
        let mut problems = Vec::new();
        for (key, answers) in &actual {
            match expected.get(key) {
                None => problems.push(format!("no line in {TABLE} for {} {} (got {})", key.0, key.1, answers.join(" "))),
                Some(want) if want != answers => problems.push(format!(
                    "{} {}: expected {} got {}", key.0, key.1, want.join(" "), answers.join(" ")
                )),
                Some(_) => {}
            }
        }
        for key in expected.keys().filter(|k| !actual.contains_key(*k)) {
            problems.push(format!("{} {} is in {TABLE} but no longer a route", key.0, key.1));
        }
        assert!(problems.is_empty(), "{} routes x {} callers checked; differences:\n{}", actual.len(), callers.len(), problems.join("\n"));
    };
}
