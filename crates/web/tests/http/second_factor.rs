//! The second factor through HTTP: required roles, enrolment, codes once, recovery codes, the lock, admin
//! reset; and sessions: rotation at sign-in, idle and absolute expiry, signing out everywhere.

use crate::support::{PASSWORD, TestApp, csrf_from_html};
use keten_core::account::Role;

/// A municipality with a steering user (has a factor), a staff member (none) and an admin; returns nothing.
async fn people(app: &TestApp) {
    let gemeente = app
        .organisation("Gemeente Rotterdam", "municipality", "public", "GM0599")
        .await;
    let bieb = app
        .organisation("Bibliotheek Rotterdam", "library", "civil", "GM0599")
        .await;
    app.user("regie@rotterdam.test", Role::Steering, &gemeente)
        .await;
    app.user("balie@bibliotheek.test", Role::Staff, &bieb).await;
    app.user("beheer@keten.test", Role::Admin, &gemeente).await;
    app.user_without_second_factor("nieuw@rotterdam.test", Role::Steering, &gemeente)
        .await;
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The password step of a sign-in as a raw answer.
async fn give_password(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    next: &str,
) -> reqwest::Response {
    let token = app.csrf_token(client, "/aanmelden").await;
    client
        .post(app.url("/aanmelden"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &token),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("keten_session="))
        .map(|c| {
            c["keten_session=".len()..]
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        })
}

/// The six digits of the app for a base32 secret at unix time `at`, computed with totp-rs directly.
fn code(secret: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap()
        .generate(u64::try_from(at).unwrap())
        .to_string()
}

both_backends! {
    a_required_role_gives_a_code_after_the_password_and_reaches_nothing_before => |app: TestApp| async move {
        people(&app).await;
        let client = app.browser();
        let r = give_password(&app, &client, "regie@rotterdam.test", "/regie").await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/aanmelden/code?next=%2Fregie");
        // Halfway: pages send back to the code step, the API does not know this caller.
        for path in ["/regie", "/account", "/beheer"] {
            let page = app.get_as(&client, path).await;
            assert_eq!(page.status(), 303, "{path}");
            assert_eq!(location(&page), "/aanmelden/code", "{path}");
        }
        assert_eq!(app.get_as(&client, "/api/v1/stats?gemeente=GM0599").await.status(), 401);
        // A wrong code: refused, asked again.
        let wrong = app.post_form(&client, "/aanmelden/code", "/aanmelden/code", &[("code", "000000"), ("next", "/regie")]).await;
        assert_eq!(wrong.status(), 401);
        assert!(wrong.text().await.unwrap().contains("Deze code klopt niet"));
        // The right code: signed in, in a new session, where `next` pointed.
        let c = app.code_for("regie@rotterdam.test").await;
        let token = app.csrf_token(&client, "/aanmelden/code").await;
        let ok = client.post(app.url("/aanmelden/code"))
            .form(&[("code", c.as_str()), ("next", "/regie"), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(ok.status(), 303);
        assert_eq!(location(&ok), "/regie");
        assert!(session_cookie(&ok).is_some());
        assert_eq!(app.get_as(&client, "/account").await.status(), 200);
        // The same code does not work twice (another browser, same moment).
        let other = app.password_given("regie@rotterdam.test").await;
        let again = app.post_form(&other, "/aanmelden/code", "/aanmelden/code", &[("code", &c), ("next", "")]).await;
        assert_eq!(again.status(), 401);
        // Staff have no factor and sign in with the password alone.
        let staff = give_password(&app, &app.browser(), "balie@bibliotheek.test", "").await;
        assert_eq!(location(&staff), "/balie");
    };

    five_wrong_codes_end_the_attempt_and_lock_the_account => |app: TestApp| async move {
        people(&app).await;
        let client = app.password_given("regie@rotterdam.test").await;
        for _ in 0..4 {
            let r = app.post_form(&client, "/aanmelden/code", "/aanmelden/code", &[("code", "111111")]).await;
            assert_eq!(r.status(), 401);
        }
        let token = app.csrf_token(&client, "/aanmelden/code").await;
        let last = client.post(app.url("/aanmelden/code")).form(&[("code", "111111"), ("csrf_token", &token)]).send().await.unwrap();
        assert_eq!(last.status(), 303);
        assert_eq!(location(&last), "/aanmelden");
        // The half-done session is gone: the code page sends back to the start.
        assert_eq!(location(&app.get_as(&client, "/aanmelden/code").await), "/aanmelden");
        // The account is locked: the password alone is refused, and the form asks for a code.
        let locked = give_password(&app, &app.browser(), "regie@rotterdam.test", "").await;
        assert_eq!(locked.status(), 429);
        let html = locked.text().await.unwrap();
        assert!(html.contains("Wacht 15 minuten"));
        assert!(html.contains("name=\"code\""));
    };

    the_owner_gets_through_a_lock_with_password_and_code => |app: TestApp| async move {
        people(&app).await;
        let client = app.browser();
        let token = app.csrf_token(&client, "/aanmelden").await;
        for _ in 0..5 {
            let r = client.post(app.url("/aanmelden"))
                .form(&[("email", "regie@rotterdam.test"), ("password", "someone guessing"), ("csrf_token", &token)])
                .send().await.unwrap();
            assert_eq!(r.status(), 401);
        }
        let post = |password: &'static str, code: String| {
            let client = client.clone();
            let token = token.clone();
            let url = app.url("/aanmelden");
            async move {
                client.post(url)
                    .form(&[("email", "regie@rotterdam.test"), ("password", password), ("code", code.as_str()), ("csrf_token", &token)])
                    .send().await.unwrap()
            }
        };
        // A right code with a wrong password, or the right password with a wrong code: the same refusal.
        let c = app.code_for("regie@rotterdam.test").await;
        assert_eq!(post("someone guessing", c.clone()).await.status(), 429);
        assert_eq!(post(PASSWORD, "123456".into()).await.status(), 429);
        assert_eq!(post(PASSWORD, String::new()).await.status(), 429);
        // Both right: in, despite the lock.
        let r = post(PASSWORD, c).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        assert_eq!(app.get_as(&client, "/account").await.status(), 200);
        // A staff member without a factor stays locked out for the window.
        let staff = app.browser();
        let t = app.csrf_token(&staff, "/aanmelden").await;
        for _ in 0..5 {
            staff.post(app.url("/aanmelden"))
                .form(&[("email", "balie@bibliotheek.test"), ("password", "someone guessing"), ("csrf_token", &t)])
                .send().await.unwrap();
        }
        let r = staff.post(app.url("/aanmelden"))
            .form(&[("email", "balie@bibliotheek.test"), ("password", PASSWORD), ("code", "123456"), ("csrf_token", &t)])
            .send().await.unwrap();
        assert_eq!(r.status(), 429);
    };

    a_required_role_without_a_factor_sets_one_up_first => |app: TestApp| async move {
        people(&app).await;
        let client = app.browser();
        let r = give_password(&app, &client, "nieuw@rotterdam.test", "").await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/account/tweede-stap");
        // Nothing else until done.
        for path in ["/regie", "/account"] {
            assert_eq!(location(&app.get_as(&client, path).await), "/account/tweede-stap", "{path}");
        }
        let page = app.get_as(&client, "/account/tweede-stap").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("<svg"), "a QR code inline");
        assert!(!html.contains("<script"));
        // The secret is on the page as text, in groups of four; a reload shows the same one.
        let user_id = app.actor("nieuw@rotterdam.test").await.user_id.unwrap();
        let secret = app.plain_secret(&user_id).await;
        // Stored sealed with the installation's key: the row alone does not give the secret away.
        let stored = app.store.second_factor(&user_id).await.unwrap().unwrap().secret;
        assert!(keten_core::second_factor::is_sealed(&stored));
        assert!(!stored.contains(&secret));
        let grouped: Vec<String> = secret.as_bytes().chunks(4).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
        assert!(html.contains(&grouped.join(" ")));
        let again = app.get_as(&client, "/account/tweede-stap").await.text().await.unwrap();
        assert!(again.contains(&grouped.join(" ")));
        // A wrong first code: asked again, nothing confirmed.
        let wrong = app.post_form(&client, "/account/tweede-stap", "/account/tweede-stap", &[("code", "000000")]).await;
        assert_eq!(wrong.status(), 422);
        // The first code confirms: ten recovery codes, shown once, stored hashed; the sign-in is complete.
        let token = csrf_from_html(&again).unwrap();
        let done = client.post(app.url("/account/tweede-stap"))
            .form(&[("code", code(&secret, app.now()).as_str()), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(done.status(), 200);
        assert!(session_cookie(&done).is_some(), "a new session after the set-up");
        let html = done.text().await.unwrap();
        let codes: Vec<String> = html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_owned()).collect();
        assert_eq!(codes.len(), 10, "{html}");
        let stored = app.store.unused_recovery_codes(&user_id).await.unwrap();
        assert_eq!(stored.len(), 10);
        assert!(stored.iter().all(|c| c.code_hash.starts_with("$argon2id$") && !codes.iter().any(|p| c.code_hash.contains(p.as_str()))));
        assert_eq!(app.get_as(&client, "/regie").await.status(), 200);
        // The page now shows what is left, not the codes.
        let status = app.get_as(&client, "/account/tweede-stap").await.text().await.unwrap();
        assert!(status.contains("nog 10 ongebruikte herstelcodes"));
        assert!(!status.contains(&codes[0]));

        // A recovery code signs in once instead of a code from the app.
        let other = app.password_given("nieuw@rotterdam.test").await;
        let r = app.post_form(&other, "/aanmelden/code", "/aanmelden/code", &[("code", &codes[3].to_uppercase())]).await;
        assert_eq!(r.status(), 303);
        let third = app.password_given("nieuw@rotterdam.test").await;
        let r = app.post_form(&third, "/aanmelden/code", "/aanmelden/code", &[("code", &codes[3])]).await;
        assert_eq!(r.status(), 401);
        assert_eq!(app.store.unused_recovery_codes(&user_id).await.unwrap().len(), 9);

        // New recovery codes replace the old ones.
        let fresh = app.post_form(&client, "/account/tweede-stap", "/account/tweede-stap/herstelcodes", &[]).await;
        assert_eq!(fresh.status(), 200);
        let html = fresh.text().await.unwrap();
        let new_codes: Vec<String> = html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_owned()).collect();
        assert_eq!(new_codes.len(), 10);
        let r = app.post_form(&third, "/aanmelden/code", "/aanmelden/code", &[("code", &codes[4])]).await;
        assert_eq!(r.status(), 401, "an old recovery code stops working");
        let r = app.post_form(&third, "/aanmelden/code", "/aanmelden/code", &[("code", &new_codes[0])]).await;
        assert_eq!(r.status(), 303);
    };

    other_roles_may_set_one_up_and_then_give_codes => |app: TestApp| async move {
        people(&app).await;
        let client = app.signed_in("balie@bibliotheek.test").await;
        let account = app.get_as(&client, "/account").await.text().await.unwrap();
        assert!(account.contains("Tweede stap instellen"));
        let page = app.get_as(&client, "/account/tweede-stap").await.text().await.unwrap();
        let user_id = app.actor("balie@bibliotheek.test").await.user_id.unwrap();
        let secret = app.plain_secret(&user_id).await;
        let token = csrf_from_html(&page).unwrap();
        let done = client.post(app.url("/account/tweede-stap"))
            .form(&[("code", code(&secret, app.now()).as_str()), ("csrf_token", &token)])
            .send().await.unwrap();
        assert_eq!(done.status(), 200);
        // From now on the password alone is not enough.
        let r = give_password(&app, &app.browser(), "balie@bibliotheek.test", "").await;
        assert_eq!(location(&r), "/aanmelden/code");
        app.signed_in("balie@bibliotheek.test").await;
    };

    an_admin_resets_a_factor_and_ends_the_sessions => |app: TestApp| async move {
        people(&app).await;
        let regie = app.signed_in("regie@rotterdam.test").await;
        let admin = app.signed_in("beheer@keten.test").await;
        let user_id = app.actor("regie@rotterdam.test").await.user_id.unwrap();
        // Not an admin: refused.
        let staff = app.signed_in("balie@bibliotheek.test").await;
        let path = format!("/beheer/gebruikers/{user_id}/tweede-stap-wissen");
        let r = app.post_form(&staff, "/account", &path, &[]).await;
        assert_eq!(r.status(), 403);
        assert!(app.store.second_factor(&user_id).await.unwrap().is_some());
        let r = app.post_form(&admin, "/beheer/gebruikers", &path, &[]).await;
        assert_eq!(r.status(), 303);
        assert!(app.store.second_factor(&user_id).await.unwrap().is_none());
        assert_eq!(app.get_as(&regie, "/account").await.status(), 303, "their sessions ended");
        // Their next sign-in sets up a new factor.
        let r = give_password(&app, &app.browser(), "regie@rotterdam.test", "").await;
        assert_eq!(location(&r), "/account/tweede-stap");
    };

    sign_in_starts_a_new_session_and_ends_the_one_it_came_with => |app: TestApp| async move {
        people(&app).await;
        let client = app.browser();
        let first = session_cookie(&give_password(&app, &client, "balie@bibliotheek.test", "").await).unwrap();
        // Signed in, the sign-in form is not shown; a form posted from another tab still signs in anew.
        let token = app.csrf_token(&client, "/account").await;
        let again = client.post(app.url("/aanmelden"))
            .form(&[("email", "balie@bibliotheek.test"), ("password", PASSWORD), ("csrf_token", &token), ("next", "")])
            .send().await.unwrap();
        let second = session_cookie(&again).unwrap();
        assert_ne!(first, second);
        // The session the second sign-in came with is gone; the new one works.
        let bare = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let with = |token: String| bare.get(app.url("/account")).header("cookie", format!("keten_session={token}")).send();
        assert_eq!(with(first).await.unwrap().status(), 303, "the earlier session ended at sign-in");
        assert_eq!(with(second).await.unwrap().status(), 200);

        // A cookie planted before sign-in (fixation) is not taken over, and the signed-out CSRF token is
        // replaced too: nothing from before the sign-in carries over.
        let planted = "a".repeat(64);
        let anon = bare.get(app.url("/aanmelden")).send().await.unwrap();
        let csrf_cookie = anon.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("keten_csrf=")).unwrap();
        let csrf = csrf_cookie["keten_csrf=".len()..].split(';').next().unwrap().to_owned();
        let r = bare.post(app.url("/aanmelden"))
            .header("cookie", format!("keten_session={planted}; keten_csrf={csrf}"))
            .form(&[("email", "balie@bibliotheek.test"), ("password", PASSWORD), ("csrf_token", &csrf), ("next", "")])
            .send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_ne!(session_cookie(&r).unwrap(), planted);
        let new_csrf = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("keten_csrf=")).expect("a fresh CSRF cookie");
        assert!(!new_csrf.contains(&csrf));
        assert_eq!(with(planted).await.unwrap().status(), 303);
    };

    sessions_end_after_idle_time_and_at_their_absolute_end => |app: TestApp| async move {
        people(&app).await;
        // The defaults (30 minutes idle, 12 hours in all), not the tests' relaxed idle time.
        let app = app.configured(keten_web::WebConfig { finder_refresh_seconds: 0, second_factor_key: Some(crate::support::test_sealing_key()), ..Default::default() }).await;
        let client = app.signed_in("balie@bibliotheek.test").await;
        // Used every 20 minutes, a session lives on...
        for _ in 0..3 {
            app.clock.advance_seconds(20 * 60);
            assert_eq!(app.get_as(&client, "/account").await.status(), 200);
        }
        // ...but 31 minutes without a request end it.
        app.clock.advance_seconds(31 * 60);
        assert_eq!(app.get_as(&client, "/account").await.status(), 303);

        // Even in constant use, a session ends 12 hours after the sign-in.
        let client = app.signed_in("balie@bibliotheek.test").await;
        for _ in 0..(12 * 3) {
            app.clock.advance_seconds(20 * 60);
            let r = app.get_as(&client, "/account").await;
            if r.status() != 200 {
                break;
            }
        }
        assert_eq!(app.get_as(&client, "/account").await.status(), 303);
    };

    sign_out_everywhere_ends_every_session => |app: TestApp| async move {
        people(&app).await;
        let laptop = app.signed_in("balie@bibliotheek.test").await;
        let phone = app.signed_in("balie@bibliotheek.test").await;
        let other = app.signed_in("regie@rotterdam.test").await;
        let r = app.post_form(&phone, "/account", "/afmelden/overal", &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.get_as(&laptop, "/account").await.status(), 303);
        assert_eq!(app.get_as(&phone, "/account").await.status(), 303);
        assert_eq!(app.get_as(&other, "/account").await.status(), 200, "other people stay signed in");
    };
}
