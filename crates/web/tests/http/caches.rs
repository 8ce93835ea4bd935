//! Issue 14: sessions, actors, API tokens and categories kept in memory stop being used the moment the database
//! changes them, in the process that changed them and in another process on the same database.

use crate::support::demo_users::{ADMIN, COORDINATOR, STAFF};
use crate::support::{PASSWORD, TestApp};
use keten_core::account::Role;

/// A new API token of `role` for the organisation, as `keten token add` makes one: (token, id).
async fn new_token(app: &TestApp, organisation: &str, role: Role) -> (String, String) {
    let token = keten_web::random_token();
    let id = app
        .store
        .create_api_token(
            organisation,
            role,
            "kassa",
            &keten_web::token_hash(&token),
            app.now(),
        )
        .await
        .unwrap();
    (token, id)
}

/// The status of `GET /api/v1/me` with the token.
async fn me_with_token(app: &TestApp, token: &str) -> u16 {
    app.browser()
        .get(app.url("/api/v1/me"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Registers one question over the API with the token; the status.
async fn register_with_token(app: &TestApp, token: &str, point: &str, topic: &str) -> u16 {
    app.browser()
        .post(app.url("/api/v1/help-questions"))
        .header("authorization", format!("Bearer {token}"))
        .json(&serde_json::json!({"help_point_id": point, "questions": [{"topic": topic, "minutes": 10}]}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Signs in with the password (a user without a second factor) and returns the session cookie's value, so that
/// the test can send it from anywhere, as a copied cookie would be.
async fn session_cookie(app: &TestApp, email: &str) -> String {
    let client = app.browser();
    let csrf = app.csrf_token(&client, "/aanmelden").await;
    let r = client
        .post(app.url("/aanmelden"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &csrf),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in of {email}");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("keten_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned()
}

/// The status of a GET of `path` carrying only this session cookie.
async fn get_with_cookie(app: &TestApp, cookie: &str, path: &str) -> u16 {
    app.browser()
        .get(app.url(path))
        .header("cookie", format!("keten_session={cookie}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Signs out the session of this cookie through the form, as its browser would.
async fn sign_out(app: &TestApp, cookie: &str) {
    let client = app.browser();
    let html = client
        .get(app.url("/account"))
        .header("cookie", format!("keten_session={cookie}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::support::csrf_from_html(&html).unwrap();
    let r = client
        .post(app.url("/afmelden"))
        .header("cookie", format!("keten_session={cookie}"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

/// The id of the user with this e-mail address.
async fn user_id(app: &TestApp, email: &str) -> String {
    app.actor(email).await.user_id.unwrap()
}

both_backends! {
    a_revoked_token_is_refused_at_the_next_request => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let (token, id) = new_token(&app, &library, Role::Staff).await;
        // Used a few times: from then on the process has it in memory.
        for _ in 0..3 {
            assert_eq!(me_with_token(&app, &token).await, 200);
        }
        assert_eq!(register_with_token(&app, &token, &central, "digid").await, 201);
        // The coordinator revokes it on the organisation's page.
        let coordinator = app.signed_in(COORDINATOR).await;
        let page = format!("/organisaties/{library}/api-sleutels");
        let r = app.post_form(&coordinator, &page, &format!("{page}/{id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(me_with_token(&app, &token).await, 401);
        assert_eq!(register_with_token(&app, &token, &central, "digid").await, 401);
        // A token made after that works at once (unknown tokens are not remembered).
        let (fresh, _) = new_token(&app, &library, Role::Staff).await;
        assert_eq!(me_with_token(&app, &fresh).await, 200);
    };

    a_removed_membership_ends_access_at_the_next_request => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = session_cookie(&app, STAFF).await;
        for _ in 0..3 {
            assert_eq!(get_with_cookie(&app, &staff, &desk).await, 200);
        }
        // Removed by hand in the database, as another tool would: the triggers still raise the counter.
        let id = user_id(&app, STAFF).await;
        assert!(id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        app.store.execute_raw(&format!("DELETE FROM memberships WHERE user_id = '{id}'")).await.unwrap();
        assert_eq!(get_with_cookie(&app, &staff, &desk).await, 404);
        assert_eq!(get_with_cookie(&app, &staff, "/balie").await, 403);
        // Still signed in (the account page works), only without the help point.
        assert_eq!(get_with_cookie(&app, &staff, "/account").await, 200);
    };

    a_disabled_user_is_signed_out_at_the_next_request => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = session_cookie(&app, STAFF).await;
        assert_eq!(get_with_cookie(&app, &staff, "/account").await, 200);
        assert_eq!(get_with_cookie(&app, &staff, "/api/v1/me").await, 200);
        let id = user_id(&app, STAFF).await;
        app.store.disable_user(&id, app.now()).await.unwrap();
        assert_eq!(get_with_cookie(&app, &staff, "/account").await, 303);
        assert_eq!(get_with_cookie(&app, &staff, "/api/v1/me").await, 401);
    };

    a_signed_out_cookie_is_refused => |app: TestApp| async move {
        app.demo_chain().await;
        let kept = session_cookie(&app, STAFF).await;
        let other = session_cookie(&app, STAFF).await;
        for _ in 0..3 {
            assert_eq!(get_with_cookie(&app, &kept, "/account").await, 200);
            assert_eq!(get_with_cookie(&app, &other, "/account").await, 200);
        }
        sign_out(&app, &kept).await;
        // A copy of the cookie (a shared computer, a stolen cookie) no longer works.
        assert_eq!(get_with_cookie(&app, &kept, "/account").await, 303);
        assert_eq!(get_with_cookie(&app, &kept, "/api/v1/me").await, 401);
        // The same person's other session stays.
        assert_eq!(get_with_cookie(&app, &other, "/account").await, 200);
    };

    an_added_topic_shows_on_the_desk_at_once => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        let before = app.get_as(&staff, &desk).await.text().await.unwrap();
        assert!(!before.contains("Energietoeslag aanvragen"));
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let (token, _) = new_token(&app, &library, Role::Staff).await;
        assert_eq!(register_with_token(&app, &token, &central, "energietoeslag").await, 422);

        let admin = app.signed_in(ADMIN).await;
        let r = app.post_form(&admin, "/beheer/categorieen", "/beheer/categorieen", &[
            ("list", "topic"), ("code", "energietoeslag"), ("label", "Energietoeslag aanvragen"),
            ("monitor_code", "overig"), ("parent", ""),
        ]).await;
        assert_eq!(r.status(), 303);
        let after = app.get_as(&staff, &desk).await.text().await.unwrap();
        assert!(after.contains("Energietoeslag aanvragen"), "the desk shows the new topic");
        assert_eq!(register_with_token(&app, &token, &central, "energietoeslag").await, 201);
    };

    every_write_that_feeds_a_cache_raises_its_counter_and_nothing_else_does => |app: TestApp| async move {
        app.demo_chain().await;
        let store = &app.store;
        let now = app.now();
        let read = || async { store.cache_revisions().await.unwrap().expect("the triggers are installed") };
        let staff = user_id(&app, STAFF).await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let central = app.help_point("Centrale Bibliotheek").await.id;

        // Frequent writes that change nothing a cache holds leave every counter alone.
        let start = read().await;
        let cookie = session_cookie(&app, STAFF).await;
        store.touch_session(&keten_web::token_hash(&cookie), now + 120).await.unwrap();
        store.remember_desk(&staff, &central).await.unwrap();
        assert_eq!(read().await, start, "sign-in, session use and the remembered desk");

        // A session that ends raises the sessions counter only.
        store.delete_session(&keten_web::token_hash(&cookie)).await.unwrap();
        let r = read().await;
        assert!(r.sessions > start.sessions);
        assert_eq!((r.accounts, r.categories), (start.accounts, start.categories));

        // Account changes raise the accounts counter (and the sessions one: a session depends on its user).
        let mut last = r;
        let (_, token_id) = new_token(&app, &library, Role::Staff).await;
        let admin = app.actor(ADMIN).await;
        for step in ["membership", "token", "municipality", "name", "disable"] {
            match step {
                "membership" => store.add_membership(&staff, &library, Role::Coordinator).await.unwrap(),
                "token" => store.revoke_api_token(&admin, &token_id, now).await.unwrap(),
                "municipality" => store
                    .execute_raw(&format!("INSERT INTO organisation_municipalities (organisation_id, municipality_code) VALUES ('{library}', 'GM0363')"))
                    .await
                    .unwrap(),
                "name" => store
                    .execute_raw(&format!("UPDATE organisations SET name = 'Bibliotheek Rotterdam e.o.' WHERE id = '{library}'"))
                    .await
                    .unwrap(),
                _ => {
                    store.disable_user(&staff, now).await.unwrap();
                }
            }
            let r = read().await;
            assert!(r.accounts > last.accounts && r.sessions > last.sessions, "{step}");
            assert_eq!(r.categories, start.categories, "{step}");
            last = r;
        }

        // A category edit raises the categories counter only.
        store.set_monitor_code(None, "digid", "digid-monitor").await.unwrap();
        let r = read().await;
        assert!(r.categories > last.categories);
        assert_eq!((r.sessions, r.accounts, r.help_points), (last.sessions, last.accounts, last.help_points));
        last = r;

        // A help point's owner, name or municipality raise the help points counter only; its other columns
        // (the directory's opening hours, say) nothing.
        let updates = [
            ("organisation", format!("UPDATE help_points SET organisation_id = '{library}' WHERE id = '{central}'")),
            ("name", format!("UPDATE help_points SET name = 'Centrale Bibliotheek Rotterdam' WHERE id = '{central}'")),
            ("municipality", format!("UPDATE help_points SET municipality_code = 'GM0599' WHERE id = '{central}'")),
        ];
        for (step, sql) in updates {
            store.execute_raw(&sql).await.unwrap();
            let r = read().await;
            assert!(r.help_points > last.help_points, "{step}");
            assert_eq!((r.sessions, r.accounts, r.categories), (last.sessions, last.accounts, last.categories), "{step}");
            last = r;
        }
        store
            .execute_raw(&format!("UPDATE help_points SET street_address = 'Hoogstraat 110' WHERE id = '{central}'"))
            .await
            .unwrap();
        assert_eq!(read().await, last, "a help point's address");
    };

    a_help_point_given_to_another_organisation_is_refused_at_the_next_request => |app: TestApp| async move {
        app.demo_chain().await;
        let other = app.sibling().await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let housing = app.organisation_id("Havenstad Telecom").await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let (token, _) = new_token(&app, &library, Role::Staff).await;
        let (housing_token, _) = new_token(&app, &housing, Role::Staff).await;
        // Both instances have the help point in memory after a few registrations.
        for instance in [&app, &other] {
            for _ in 0..3 {
                assert_eq!(register_with_token(instance, &token, &central, "digid").await, 201);
            }
            assert_eq!(register_with_token(instance, &housing_token, &central, "digid").await, 422);
        }
        let staff = session_cookie(&app, STAFF).await;
        let desk = format!("/balie/{central}");
        assert_eq!(get_with_cookie(&other, &staff, &desk).await, 200);

        // Given to the telecom partner, by hand in the database as another tool would.
        app.store
            .execute_raw(&format!("UPDATE help_points SET organisation_id = '{housing}' WHERE id = '{central}'"))
            .await
            .unwrap();
        for instance in [&app, &other] {
            assert_eq!(register_with_token(instance, &token, &central, "digid").await, 422, "the library's token");
            assert_eq!(register_with_token(instance, &housing_token, &central, "digid").await, 201, "the new owner's");
        }
        assert_eq!(get_with_cookie(&other, &staff, &desk).await, 404, "the library's desk page");
    };

    sessions_kept_alive_by_another_instance_stay_alive_here => |app: TestApp| async move {
        app.demo_chain().await;
        // The default idle time (30 minutes), two instances on one database and one clock.
        let config = || keten_web::WebConfig {
            finder_refresh_seconds: 0,
            second_factor_key: Some(crate::support::test_sealing_key()),
            ..Default::default()
        };
        let here = app.configured(config()).await;
        let there = app.configured(config()).await;
        let cookie = session_cookie(&here, STAFF).await;
        assert_eq!(get_with_cookie(&here, &cookie, "/account").await, 200);
        // Used only at the other instance for a while: this one remembers an older "last used".
        for _ in 0..3 {
            app.clock.advance_seconds(20 * 60);
            assert_eq!(get_with_cookie(&there, &cookie, "/account").await, 200);
        }
        app.clock.advance_seconds(20 * 60);
        assert_eq!(get_with_cookie(&here, &cookie, "/account").await, 200, "used 20 minutes ago, elsewhere");
        // Idle for 31 minutes: over at both.
        app.clock.advance_seconds(31 * 60);
        assert_eq!(get_with_cookie(&here, &cookie, "/account").await, 303);
        assert_eq!(get_with_cookie(&there, &cookie, "/account").await, 303);
        // And 12 hours after the sign-in at the latest, however busy.
        let cookie = session_cookie(&here, STAFF).await;
        for _ in 0..(12 * 3 - 1) {
            app.clock.advance_seconds(20 * 60);
            assert_eq!(get_with_cookie(&here, &cookie, "/account").await, 200);
        }
        app.clock.advance_seconds(20 * 60);
        assert_eq!(get_with_cookie(&here, &cookie, "/account").await, 303);
    };

    two_instances_see_each_others_revocations_at_the_next_request => |app: TestApp| async move {
        app.demo_chain().await;
        let other = app.sibling().await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");

        // A token revoked at one instance is refused at the other, which had it in memory.
        let (token, id) = new_token(&app, &library, Role::Staff).await;
        for _ in 0..3 {
            assert_eq!(me_with_token(&other, &token).await, 200);
        }
        let coordinator = app.signed_in(COORDINATOR).await;
        let page = format!("/organisaties/{library}/api-sleutels");
        let r = app.post_form(&coordinator, &page, &format!("{page}/{id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(me_with_token(&other, &token).await, 401);

        // A session signed out at one instance is refused at the other.
        let cookie = session_cookie(&app, STAFF).await;
        for _ in 0..3 {
            assert_eq!(get_with_cookie(&other, &cookie, &desk).await, 200);
        }
        sign_out(&app, &cookie).await;
        assert_eq!(get_with_cookie(&other, &cookie, &desk).await, 303);

        // A topic added at one instance shows on the desk of the other.
        let staff = session_cookie(&app, STAFF).await;
        let html = |app: &TestApp| {
            let client = app.browser();
            let url = app.url(&desk);
            let staff = staff.clone();
            async move {
                client.get(url).header("cookie", format!("keten_session={staff}")).send().await.unwrap().text().await.unwrap()
            }
        };
        assert!(!html(&other).await.contains("Energietoeslag aanvragen"));
        let admin = app.signed_in(ADMIN).await;
        let r = app.post_form(&admin, "/beheer/categorieen", "/beheer/categorieen", &[
            ("list", "topic"), ("code", "energietoeslag"), ("label", "Energietoeslag aanvragen"),
            ("monitor_code", "overig"), ("parent", ""),
        ]).await;
        assert_eq!(r.status(), 303);
        assert!(html(&other).await.contains("Energietoeslag aanvragen"));

        // A membership removed at one instance (its store) ends access at the other.
        assert_eq!(get_with_cookie(&other, &staff, &desk).await, 200);
        let user = user_id(&app, STAFF).await;
        app.store.execute_raw(&format!("DELETE FROM memberships WHERE user_id = '{user}'")).await.unwrap();
        assert_eq!(get_with_cookie(&other, &staff, &desk).await, 404);

        // A user disabled from the command line (a third process) is signed out at both.
        let partner = session_cookie(&app, crate::support::demo_users::PARTNER).await;
        assert_eq!(get_with_cookie(&other, &partner, "/account").await, 200);
        assert_eq!(get_with_cookie(&app, &partner, "/account").await, 200);
        let third = keten_store::Store::connect(&app.database_url).await.unwrap();
        let partner_id = user_id(&app, crate::support::demo_users::PARTNER).await;
        third.disable_user(&partner_id, app.now()).await.unwrap();
        third.close().await;
        assert_eq!(get_with_cookie(&other, &partner, "/account").await, 303);
        assert_eq!(get_with_cookie(&app, &partner, "/account").await, 303);
    };
}
