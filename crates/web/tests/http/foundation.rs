//! Foundation through HTTP on both databases: sign-in, CSRF, rate limits, roles, tenants, API, problems.

use crate::support::{PASSWORD, TestApp};
use keten_core::account::Role;
use serde_json::{Value, json};

/// A chain in Rotterdam and one in Gent, with users in several roles.
struct Chains {
    rotterdam: String,
    library: String,
    gent: String,
    admin_org: String,
}

async fn chains(app: &TestApp) -> Chains {
    let rotterdam = app
        .organisation("Gemeente Rotterdam", "municipality", "public", "GM0599")
        .await;
    let library = app
        .organisation("Bibliotheek Rotterdam", "library", "civil", "GM0599")
        .await;
    let gent = app
        .organisation("Stad Gent", "municipality", "public", "44021")
        .await;
    let admin_org = app
        .organisation("Beheer keten", "national_body", "public", "GM0363")
        .await;
    app.user("regie@rotterdam.test", Role::Steering, &rotterdam)
        .await;
    app.user("balie@bibliotheek.test", Role::Staff, &library)
        .await;
    app.user("regie@gent.test", Role::Steering, &gent).await;
    app.user("beheer@keten.test", Role::Admin, &admin_org).await;
    Chains {
        rotterdam,
        library,
        gent,
        admin_org,
    }
}

fn is_problem(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/problem+json"))
}

both_backends! {
    health_and_readiness => |app: TestApp| async move {
        let client = app.browser();
        let live = client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(live.status(), 200);
        let ready = client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        assert_eq!(ready.text().await.unwrap(), "ready");
    };

    sign_in_sets_a_safe_session_cookie_and_sign_out_ends_it => |app: TestApp| async move {
        chains(&app).await;
        let client = app.browser();
        let token = app.csrf_token(&client, "/aanmelden").await;
        let response = client
            .post(app.url("/aanmelden"))
            .form(&[("email", " Regie@Rotterdam.test "), ("password", PASSWORD), ("csrf_token", &token), ("next", "/account")])
            .send().await.unwrap();
        assert_eq!(response.status(), 303);
        // Steering gives a code from the app next; `next` goes along.
        assert_eq!(response.headers()["location"], "/aanmelden/code?next=%2Faccount");
        let code = app.code_for("regie@rotterdam.test").await;
        let token = app.csrf_token(&client, "/aanmelden/code").await;
        let response = client
            .post(app.url("/aanmelden/code"))
            .form(&[("code", code.as_str()), ("csrf_token", &token), ("next", "/account")])
            .send().await.unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/account");
        let cookie = response.headers().get_all("set-cookie").iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("keten_session=")).expect("session cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");

        let account = client.get(app.url("/account")).send().await.unwrap();
        assert_eq!(account.status(), 200);
        let html = account.text().await.unwrap();
        assert!(html.contains("Gemeente Rotterdam"));
        assert!(html.contains("Regie gemeente"));

        let sign_out = app.post_form(&client, "/account", "/afmelden", &[]).await;
        assert_eq!(sign_out.status(), 303);
        let after = client.get(app.url("/account")).send().await.unwrap();
        assert_eq!(after.status(), 303);
        assert!(after.headers()["location"].to_str().unwrap().starts_with("/aanmelden?next=%2Faccount"));
    };

    wrong_password_is_refused_with_the_email_kept => |app: TestApp| async move {
        chains(&app).await;
        let client = app.browser();
        let token = app.csrf_token(&client, "/aanmelden").await;
        let response = client
            .post(app.url("/aanmelden"))
            .form(&[("email", "regie@rotterdam.test"), ("password", "not the password"), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(response.status(), 401);
        let html = response.text().await.unwrap();
        assert!(html.contains("Het e-mailadres of het wachtwoord klopt niet."));
        assert!(html.contains("value=\"regie@rotterdam.test\""));
        // An unknown account gets the very same answer.
        let response = client
            .post(app.url("/aanmelden"))
            .form(&[("email", "nobody@rotterdam.test"), ("password", PASSWORD), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(response.status(), 401);
    };

    forms_without_a_valid_csrf_token_are_refused => |app: TestApp| async move {
        chains(&app).await;
        let client = app.browser();
        let _ = app.csrf_token(&client, "/aanmelden").await;
        for token in [None, Some("forged")] {
            let mut fields = vec![("email", "regie@rotterdam.test"), ("password", PASSWORD)];
            if let Some(t) = token { fields.push(("csrf_token", t)); }
            let response = client.post(app.url("/aanmelden")).form(&fields).send().await.unwrap();
            assert_eq!(response.status(), 403);
            assert!(response.text().await.unwrap().contains("Formulier verlopen"));
        }
        // Signed in, the session's own token is required, not the anonymous one.
        let signed_in = app.signed_in("beheer@keten.test").await;
        let response = signed_in
            .post(app.url("/beheer/organisaties"))
            .form(&[("name", "Sneaky"), ("kind", "partner"), ("sector", "private"), ("municipality_code", "GM0599"), ("csrf_token", "0000")])
            .send().await.unwrap();
        assert_eq!(response.status(), 403);
        let all = app.store.organisations(&app.store.actor_for_user(
            &app.store.credentials(&keten_core::account::Email::parse("beheer@keten.test").unwrap()).await.unwrap().unwrap().user_id
        ).await.unwrap()).await.unwrap();
        assert!(all.iter().all(|o| o.name != "Sneaky"));
    };

    sign_in_is_rate_limited_per_account => |app: TestApp| async move {
        chains(&app).await;
        let client = app.browser();
        let token = app.csrf_token(&client, "/aanmelden").await;
        for _ in 0..5 {
            let r = client.post(app.url("/aanmelden"))
                .form(&[("email", "regie@rotterdam.test"), ("password", "wrong password!"), ("csrf_token", &token)])
                .send().await.unwrap();
            assert_eq!(r.status(), 401);
        }
        // Now even the right password is refused, with a clear message.
        let r = client.post(app.url("/aanmelden"))
            .form(&[("email", "regie@rotterdam.test"), ("password", PASSWORD), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert!(r.text().await.unwrap().contains("Wacht 15 minuten"));
        // Another account from the same address is not affected yet.
        app.signed_in("regie@gent.test").await;
        // After the window the account can sign in again.
        app.clock.advance_seconds(15 * 60 + 1);
        app.signed_in("regie@rotterdam.test").await;
    };

    sign_in_is_rate_limited_per_address => |app: TestApp| async move {
        chains(&app).await;
        let client = app.browser();
        let token = app.csrf_token(&client, "/aanmelden").await;
        for i in 0..20 {
            let email = format!("guess{i}@rotterdam.test");
            let r = client.post(app.url("/aanmelden"))
                .form(&[("email", email.as_str()), ("password", "wrong password!"), ("csrf_token", &token)])
                .send().await.unwrap();
            assert_eq!(r.status(), 401);
        }
        let r = client.post(app.url("/aanmelden"))
            .form(&[("email", "regie@gent.test"), ("password", PASSWORD), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(r.status(), 429);
    };

    roles_are_checked_on_pages_and_api => |app: TestApp| async move {
        let c = chains(&app).await;
        let staff = app.signed_in("balie@bibliotheek.test").await;
        let page = staff.get(app.url("/beheer")).send().await.unwrap();
        assert_eq!(page.status(), 403);
        assert!(page.text().await.unwrap().contains("Geen toegang"));
        let api = staff.post(app.url("/api/v1/organisations"))
            .json(&json!({"name": "X", "kind": "partner", "sector": "private", "municipality_code": "GM0599"}))
            .send().await.unwrap();
        assert_eq!(api.status(), 403);
        assert!(is_problem(&api));

        let admin = app.signed_in("beheer@keten.test").await;
        assert_eq!(admin.get(app.url("/beheer")).send().await.unwrap().status(), 200);
        let created = admin.post(app.url("/api/v1/organisations"))
            .json(&json!({"name": "Maasbank", "kind": "partner", "sector": "private", "municipality_code": "GM0599", "active_in": ["GM0606"]}))
            .send().await.unwrap();
        assert_eq!(created.status(), 201);
        let body: Value = created.json().await.unwrap();
        assert_eq!(body["active_in"], json!(["GM0599", "GM0606"]));
        // Anonymous callers get 401 as a problem document.
        let anon = app.browser().get(app.url("/api/v1/organisations")).send().await.unwrap();
        assert_eq!(anon.status(), 401);
        assert!(is_problem(&anon));
        let _ = (c.rotterdam, c.library, c.admin_org);
    };

    another_tenants_rows_answer_404 => |app: TestApp| async move {
        let c = chains(&app).await;
        let rotterdam = app.signed_in("regie@rotterdam.test").await;
        let own = rotterdam.get(app.url(&format!("/api/v1/organisations/{}", c.library))).send().await.unwrap();
        assert_eq!(own.status(), 200);
        let foreign = rotterdam.get(app.url(&format!("/api/v1/organisations/{}", c.gent))).send().await.unwrap();
        assert_eq!(foreign.status(), 404);
        assert!(is_problem(&foreign));
        let page = rotterdam.get(app.url(&format!("/organisaties/{}", c.gent))).send().await.unwrap();
        assert_eq!(page.status(), 404);
        let list: Vec<Value> = rotterdam.get(app.url("/api/v1/organisations")).send().await.unwrap().json().await.unwrap();
        let names: Vec<&str> = list.iter().map(|o| o["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Bibliotheek Rotterdam"));
        assert!(!names.contains(&"Stad Gent"), "{names:?}");
        // Users of another chain are not listed either.
        let users: Vec<Value> = rotterdam.get(app.url("/api/v1/users")).send().await.unwrap().json().await.unwrap();
        assert!(users.iter().all(|u| u["email"] != "regie@gent.test"));
    };

    api_tokens_act_for_their_organisation_until_revoked => |app: TestApp| async move {
        let c = chains(&app).await;
        let admin = app.signed_in("beheer@keten.test").await;
        let created: Value = admin.post(app.url("/api/v1/api-tokens"))
            .json(&json!({"organisation_id": c.library, "role": "staff", "name": "registratiesysteem"}))
            .send().await.unwrap().json().await.unwrap();
        let token = created["token"].as_str().unwrap().to_owned();
        let api = reqwest::Client::new();
        let me: Value = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["memberships"][0]["organisation_name"], "Bibliotheek Rotterdam");
        assert_eq!(me["memberships"][0]["role"], "staff");
        assert_eq!(me["chain_municipalities"], json!(["GM0599"]));
        // The token sees its own chain only.
        let foreign = api.get(app.url(&format!("/api/v1/organisations/{}", c.gent))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(foreign.status(), 404);
        // A staff member cannot mint a token for another organisation.
        let staff = app.signed_in("balie@bibliotheek.test").await;
        let refused = staff.post(app.url("/api/v1/api-tokens"))
            .json(&json!({"organisation_id": c.rotterdam, "role": "steering", "name": "x"}))
            .send().await.unwrap();
        assert_eq!(refused.status(), 403);
        let revoked = admin.delete(app.url(&format!("/api/v1/api-tokens/{}", created["id"].as_str().unwrap()))).send().await.unwrap();
        assert_eq!(revoked.status(), 204);
        let after = api.get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(after.status(), 401);
        assert!(is_problem(&after));
    };

    bad_input_gets_problem_documents_and_kept_form_input => |app: TestApp| async move {
        chains(&app).await;
        let admin = app.signed_in("beheer@keten.test").await;
        let broken = admin.post(app.url("/api/v1/organisations"))
            .header("content-type", "application/json").body("{not json").send().await.unwrap();
        assert_eq!(broken.status(), 400);
        assert!(is_problem(&broken));
        let invalid = admin.post(app.url("/api/v1/users"))
            .json(&json!({"email": "no-at-sign", "display_name": "", "password": "short", "role": "king", "organisation_id": ""}))
            .send().await.unwrap();
        assert_eq!(invalid.status(), 422);
        let problem: Value = invalid.json().await.unwrap();
        assert_eq!(problem["status"], 422);
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["email", "display_name", "password", "role", "organisation_id"] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        let duplicate = admin.post(app.url("/api/v1/users"))
            .json(&json!({"email": "regie@gent.test", "display_name": "Dubbel", "password": "long enough password", "role": "staff",
                          "organisation_id": app.store.organisations(&app.store.actor_for_user(
                              &app.store.credentials(&keten_core::account::Email::parse("beheer@keten.test").unwrap()).await.unwrap().unwrap().user_id
                          ).await.unwrap()).await.unwrap()[0].id}))
            .send().await.unwrap();
        assert_eq!(duplicate.status(), 409);

        // The page form shows the message and keeps what was typed.
        let page = app.post_form(&admin, "/beheer", "/beheer/organisaties",
            &[("name", "Buurthuis De Hoek"), ("kind", "community"), ("sector", "civil"), ("municipality_code", "GM9999")]).await;
        assert_eq!(page.status(), 422);
        let html = page.text().await.unwrap();
        assert!(html.contains("Kies een bestaande gemeente"));
        assert!(html.contains("value=\"Buurthuis De Hoek\""));
        assert!(html.contains("value=\"GM9999\""));
        // Cookie-authenticated writes must be JSON (the API's CSRF defence).
        let form_post = admin.post(app.url("/api/v1/organisations")).form(&[("name", "x")]).send().await.unwrap();
        assert_eq!(form_post.status(), 400);
        assert!(is_problem(&form_post));
        // Missing or malformed query parameters too: a Dutch problem document naming the parameter.
        for path in ["/api/v1/routing-rules", "/api/v1/referrals/statistics", "/api/v1/places",
                     "/api/v1/help-points/nearest?place=3011&limit=abc", "/api/v1/help-points/nearest"] {
            let r = admin.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 400, "{path}");
            assert!(is_problem(&r), "{path}");
            let problem: Value = r.json().await.unwrap();
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains("parameter") && !detail.contains("Failed"), "{path}: {detail}");
        }
        let r = admin.get(app.url("/api/v1/routing-rules")).send().await.unwrap();
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["detail"], "De parameter municipality ontbreekt in het adres.");
    };

    admin_creates_organisations_and_users_through_pages => |app: TestApp| async move {
        chains(&app).await;
        let admin = app.signed_in("beheer@keten.test").await;
        let created = app.post_form(&admin, "/beheer", "/beheer/organisaties",
            &[("name", "Havenstad Telecom"), ("kind", "partner"), ("sector", "private"), ("municipality_code", "gm0599"), ("active_in", "GM0606, GM0622")]).await;
        assert_eq!(created.status(), 303);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let page = admin.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Havenstad Telecom"));
        assert!(page.contains("Schiedam (GM0606)"));
        let org_id = location.trim_start_matches("/organisaties/").to_owned();
        let user = app.post_form(&admin, "/beheer", "/beheer/gebruikers",
            &[("display_name", "Sam Telecom"), ("email", "sam@telecom.test"), ("password", PASSWORD), ("organisation_id", &org_id), ("role", "partner")]).await;
        assert_eq!(user.status(), 200);
        assert!(user.text().await.unwrap().contains("Account voor sam@telecom.test is aangemaakt."));
        let sam = app.signed_in("sam@telecom.test").await;
        let me: Value = sam.get(app.url("/api/v1/me")).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["memberships"][0]["role"], "partner");
    };

    places_resolve_or_suggest => |app: TestApp| async move {
        let client = app.browser();
        let r: Value = client.get(app.url("/api/v1/places?q=3011%20AB")).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["municipality_code"], "GM0599");
        let r: Value = client.get(app.url("/api/v1/places?q=9000&country=BE")).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["municipality_name"], "Gent");
        let r: Value = client.get(app.url("/api/v1/places?q=Gent")).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["country"], "BE");
        let unknown = client.get(app.url("/api/v1/places?q=Roterdam")).send().await.unwrap();
        assert_eq!(unknown.status(), 404);
        assert!(is_problem(&unknown));
        let problem: Value = unknown.json().await.unwrap();
        assert!(problem["suggestions"].as_array().unwrap().iter().any(|s| s == "Rotterdam"), "{problem}");
        let html = client.get(app.url("/?plaats=Roterdam")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Bedoelt u"));
        assert!(html.contains("/?plaats=Rotterdam"));
        let html = client.get(app.url("/?plaats=3011")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("gemeente Rotterdam"));
    };

    pages_share_one_accessible_shell_and_security_headers => |app: TestApp| async move {
        let client = app.browser();
        for path in ["/", "/aanmelden", "/toegankelijkheid", "/privacy", "/bestaat-niet"] {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), if path == "/bestaat-niet" { 404 } else { 200 }, "{path}");
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
            let html = r.text().await.unwrap();
            assert!(html.contains("<html lang=\"nl\">"), "{path}");
            assert!(html.contains("href=\"#inhoud\""), "{path}: skip link");
            assert!(html.contains("name=\"viewport\""), "{path}");
            assert!(!html.contains("<script"), "{path}: pages need no JavaScript");
        }
        let css = client.get(app.url("/static/keten.css")).send().await.unwrap();
        assert_eq!(css.status(), 200);
        assert!(css.text().await.unwrap().contains(":focus-visible"));
        let api_404 = client.get(app.url("/api/v1/nothing")).send().await.unwrap();
        assert_eq!(api_404.status(), 404);
        assert!(is_problem(&api_404));
    };

    openapi_document_describes_the_api => |app: TestApp| async move {
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in ["/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{id}", "/api/v1/users", "/api/v1/api-tokens", "/api/v1/places"] {
            assert!(doc["paths"].get(path).is_some(), "{path} missing");
        }
        assert!(doc["components"]["securitySchemes"].get("token").is_some());
    };

    two_instances_on_one_database_serve_the_same_data => |app: TestApp| async move {
        chains(&app).await;
        let other = app.sibling().await;
        let admin = app.signed_in("beheer@keten.test").await;
        let created: Value = admin.post(app.url("/api/v1/organisations"))
            .json(&json!({"name": "Woonstad Maas", "kind": "partner", "sector": "civil", "municipality_code": "GM0599"}))
            .send().await.unwrap().json().await.unwrap();
        // The session made on one instance works on the other (cookies do not
        // depend on the port): the web tier keeps no state of its own.
        let seen: Value = admin.get(other.url(&format!("/api/v1/organisations/{}", created["id"].as_str().unwrap())))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(seen["name"], "Woonstad Maas");
        let listed: Vec<Value> = admin.get(other.url("/api/v1/organisations")).send().await.unwrap().json().await.unwrap();
        assert_eq!(listed.len(), 5);
    };
}

#[tokio::test]
async fn secure_cookies_when_served_over_https() {
    let app = TestApp::spawn_with(
        crate::support::Db::Sqlite,
        keten_web::WebConfig {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .await;
    chains(&app).await;
    let client = app.browser();
    let first = client.get(app.url("/aanmelden")).send().await.unwrap();
    let csrf_cookie = first.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        csrf_cookie.contains("Secure") && csrf_cookie.contains("HttpOnly"),
        "{csrf_cookie}"
    );
}
