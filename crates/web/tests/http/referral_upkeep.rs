//! Keeping referrals going, through HTTP on both databases: re-routing, settings, full help points, the steering
//! overview, the audit trail, residents' AVG requests, inbox paging and the form's destinations and senders.

use crate::support::TestApp;
use keten_core::account::Role;
use keten_core::referral::CONSENT_TEXT_VERSION;
use serde_json::{Value, json};

use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
const WELZIJN: &str = "medewerker@welzijn-maasstad.test";

fn referral(topic: &str, phone: &str) -> Value {
    let mut body = crate::support::referral_body(topic, "3011");
    body["phone"] = json!(phone);
    body
}

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

async fn html(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = app.get_as(client, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// Referral ids linked from a page, in page order.
fn linked_ids(html: &str) -> Vec<String> {
    html.split("href=\"/doorverwijzingen/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|id| id.len() == 36 && id.matches('-').count() == 4)
        .map(str::to_owned)
        .collect()
}

/// Rows in the first table body of a page.
fn body_rows(html: &str) -> usize {
    html.split_once("<tbody")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</tbody>"))
        .map_or(0, |(body, _)| body.matches("<tr").count())
}

async fn propose(app: &TestApp, client: &reqwest::Client, topic: &str) -> Value {
    let r = client
        .post(app.url("/api/v1/referrals/proposal"))
        .json(&json!({"topic": topic, "pc4": "3011"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    json_of(r).await
}

both_backends! {
    a_declined_referral_goes_elsewhere_with_consent_for_the_new_receiver => |app: TestApp| async move {
        app.demo_chain().await;
        let welzijn = app.organisation_id("Stichting Welzijn Maasstad").await;
        let maasbank = app.organisation_id("Maasbank").await;
        app.user(WELZIJN, Role::Partner, &welzijn).await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let id = app.send_referral(&staff, &referral("bankzaken", "06 12345678")).await;
        let detail = format!("/doorverwijzingen/{id}");
        let reroute = format!("/doorverwijzingen/{id}/opnieuw");
        // Not declined yet: no re-route.
        assert!(!html(&app, &staff, &detail).await.contains("Opnieuw verwijzen"));
        assert_eq!(app.get_as(&staff, &reroute).await.status(), 409);
        assert_eq!(app.referral_action(&partner, &id, json!({"action": "decline", "decline_reason": "not_our_topic"})).await.status(), 200);
        // The sender sees the way out; the receiver may not take it.
        assert!(html(&app, &staff, &detail).await.contains(&format!("href=\"{reroute}\"")));
        assert_eq!(app.get_as(&partner, &reroute).await.status(), 403);
        app.clock.advance_seconds(3600);
        let form = html(&app, &staff, &reroute).await;
        assert!(form.contains("Voorstel van keten: ") && !form.contains("Voorstel van keten: Maasbank"), "{form}");
        assert!(!form.contains(&format!("value=\"organisatie:{maasbank}\"")), "the decliner is not offered");
        // Consent is asked again; what was chosen stays.
        let choice = format!("organisatie:{welzijn}");
        let r = app.post_form(&staff, &reroute, &reroute, &[("destination", &choice)]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Zonder toestemming"));
        assert!(page.contains(&format!("value=\"{choice}\" selected")));
        let again = format!("organisatie:{maasbank}");
        let r = app.post_form(&staff, &reroute, &reroute, &[("destination", &again), ("consent_given", "1"), ("consent_method", "written")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("al afgewezen"));
        let r = app.post_form(&staff, &reroute, &reroute, &[
            ("destination", &choice), ("consent_given", "1"), ("consent_method", "written"),
            ("consent_text_version", CONSENT_TEXT_VERSION), ("sender_sees_progress", "1"),
        ]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], format!("{detail}?verstuurd=1").as_str());
        // The old receiver no longer sees it, nor lists it; the new one sees the contact data.
        assert_eq!(app.get_as(&partner, &format!("/api/v1/referrals/{id}")).await.status(), 404);
        assert_eq!(app.get_as(&partner, &detail).await.status(), 404);
        assert!(!json_of(app.get_as(&partner, "/api/v1/referrals").await).await.to_string().contains(&id));
        let welzijn_user = app.signed_in(WELZIJN).await;
        let seen = json_of(app.get_as(&welzijn_user, &format!("/api/v1/referrals/{id}")).await).await;
        assert_eq!(seen["status"], "sent");
        assert_eq!(seen["contact"]["name"], "Fatima de Vries");
        assert_eq!(seen["consents"].as_array().unwrap().len(), 2);
        assert_eq!(seen["consents"][1]["organisation_id"], welzijn.as_str());
        assert_eq!(seen["consents"][1]["method"], "written");
        let actions: Vec<&str> = seen["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["send", "decline", "reroute"]);
        assert!(html(&app, &staff, &detail).await.contains("Opnieuw verstuurd naar Stichting Welzijn Maasstad"));
        // The hand-over is on the new receiver's audit trail.
        let trail = app.store.referral_audit_trail(&app.actor(WELZIJN).await, &welzijn, 100).await.unwrap();
        assert_eq!(trail.iter().filter(|a| a.action == "reroute" && a.subject_id == id).count(), 1);
        // Through the API: declined again, re-routed to keten's proposal, never to an organisation that declined.
        assert_eq!(app.referral_action(&welzijn_user, &id, json!({"action": "decline", "decline_reason": "no_capacity"})).await.status(), 200);
        let api = app.url(&format!("/api/v1/referrals/{id}/reroute"));
        let r = staff.post(&api).json(&json!({"consent_given": false})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(json_of(r).await["errors"][0]["field"], "consent");
        let r = welzijn_user.post(&api).json(&json!({"consent_given": true, "consent_method": "spoken", "consent_text_version": CONSENT_TEXT_VERSION})).send().await.unwrap();
        assert_eq!(r.status(), 403, "only the sender re-routes");
        let r = staff.post(&api).json(&json!({"consent_given": true, "consent_method": "spoken", "consent_text_version": CONSENT_TEXT_VERSION})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v = json_of(r).await;
        assert_eq!(v["status"], "sent");
        assert!(v["organisation_id"] != maasbank.as_str() && v["organisation_id"] != welzijn.as_str(), "{v}");
        let r = staff.post(&api).json(&json!({"consent_given": true, "consent_method": "spoken", "consent_text_version": CONSENT_TEXT_VERSION})).send().await.unwrap();
        assert_eq!(r.status(), 409, "not declined now");
    };

    settings_are_kept_by_steering_within_bounds_and_apply => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let staff = app.signed_in(STAFF).await;
        let page = html(&app, &steering, "/verwijsafspraken/instellingen").await;
        assert!(page.contains("value=\"2\"") && page.contains("value=\"90\""), "defaults shown");
        assert!(html(&app, &steering, "/verwijsafspraken").await.contains("/verwijsafspraken/instellingen"));
        let path = "/verwijsafspraken/instellingen";
        let r = app.post_form(&steering, path, path, &[
            ("municipality_code", "GM0599"), ("overdue_working_days", "0"), ("not_reached_after", "twee"), ("retention_days", "90"),
        ]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("1 tot en met 10"), "{page}");
        assert!(page.contains("value=\"twee\""), "typed input kept");
        let r = app.post_form(&steering, path, path, &[
            ("municipality_code", "GM0599"), ("overdue_working_days", "1"), ("not_reached_after", "2"), ("retention_days", "30"),
        ]).await;
        assert_eq!(r.status(), 303);
        assert!(html(&app, &steering, r.headers()["location"].to_str().unwrap()).await.contains("opgeslagen"));
        let api = app.url("/api/v1/referral-settings/GM0599");
        let v = json_of(staff.get(&api).send().await.unwrap()).await;
        assert_eq!(v, json!({"municipality_code": "GM0599", "overdue_working_days": 1, "not_reached_after": 2, "retention_days": 30}));
        // The API checks the same bounds, in Dutch.
        let r = steering.put(&api).json(&json!({"overdue_working_days": 2, "not_reached_after": 3, "retention_days": 400})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let problem = json_of(r).await;
        assert_eq!(problem["errors"][0]["field"], "retention_days");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("7 tot en met 90"));
        let r = steering.put(&api).json(&json!({"overdue_working_days": 1})).send().await.unwrap();
        assert_eq!(r.status(), 422, "every field is needed");
        // Only steering of that municipality.
        assert_eq!(staff.put(&api).json(&json!({"overdue_working_days": 1, "not_reached_after": 2, "retention_days": 30})).send().await.unwrap().status(), 403);
        assert_eq!(app.get_as(&staff, path).await.status(), 403);
        let other = app.url("/api/v1/referral-settings/GM0606");
        assert_eq!(steering.put(&other).json(&json!({"overdue_working_days": 1, "not_reached_after": 2, "retention_days": 30})).send().await.unwrap().status(), 404);
        assert_eq!(app.get_as(&steering, "/verwijsafspraken/instellingen?gemeente=GM0606").await.status(), 404);
        // They apply: due after one working day, "not reached" after two attempts.
        let id = app.send_referral(&staff, &referral("bankzaken", "0612345678")).await;
        let partner = app.signed_in(PARTNER).await;
        let v = json_of(app.get_as(&partner, &format!("/api/v1/referrals/{id}")).await).await;
        assert_eq!(v["due_at"], app.now() + 86_400, "Monday 10:00 -> Tuesday 10:00");
        assert_eq!(app.referral_action(&partner, &id, json!({"action": "accept"})).await.status(), 200);
        for _ in 0..2 {
            assert_eq!(app.referral_action(&partner, &id, json!({"action": "contact_attempt", "reached": false})).await.status(), 200);
        }
        let r = app.referral_action(&partner, &id, json!({"action": "mark_not_reached"})).await;
        assert_eq!(r.status(), 200);
        assert_eq!(json_of(r).await["status"], "not_reached");
    };

    a_full_help_point_is_skipped_until_it_opens_again => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let staff = app.signed_in(STAFF).await;
        // Asked by a partner: for the library's own staff, the library's points need no referral.
        let partner = app.signed_in(PARTNER).await;
        let first = propose(&app, &partner, "digid").await;
        let point = first["help_point_id"].as_str().unwrap().to_owned();
        let api = app.url(&format!("/api/v1/help-points/{point}/referrals-full"));
        // A partner keeps no help points; another organisation's staff does not find this one.
        assert_eq!(partner.put(&api).json(&json!({"full": true})).send().await.unwrap().status(), 403);
        let elsewhere = app.organisation("Buurthuis Elders", "community", "civil", "GM0599").await;
        app.user("balie@elders.test", Role::Staff, &elsewhere).await;
        let stranger = app.signed_in("balie@elders.test").await;
        assert_eq!(stranger.put(&api).json(&json!({"full": true})).send().await.unwrap().status(), 404);
        let r = steering.put(&api).json(&json!({"full": true})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(json_of(r).await, json!({"full": true}));
        let next = propose(&app, &partner, "digid").await;
        assert_ne!(next["help_point_id"], point.as_str(), "the next point is proposed");
        assert!(next["help_point_id"].is_string());
        // Choosing the full point by hand is refused too.
        let mut body = referral("digid", "0612345678");
        body["destination"] = json!({"organisation_id": first["organisation_id"], "help_point_id": point});
        let r = staff.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(json_of(r).await["detail"].as_str().unwrap().contains("geen nieuwe doorverwijzingen"));
        // The page shows it full and opens it again.
        let page = html(&app, &steering, "/doorverwijzingen/hulppunten").await;
        assert!(page.contains("Vol: neemt even geen nieuwe doorverwijzingen aan"));
        let action = format!("/doorverwijzingen/hulppunten/{point}");
        let r = app.post_form(&steering, "/doorverwijzingen/hulppunten", &action, &[("vol", "nee")]).await;
        assert_eq!(r.status(), 303);
        assert!(!html(&app, &steering, "/doorverwijzingen/hulppunten").await.contains("<strong>Vol:"));
        assert_eq!(propose(&app, &partner, "digid").await["help_point_id"], point.as_str());
        assert_eq!(app.get_as(&partner, "/doorverwijzingen/hulppunten").await.status(), 403);
        let r = app.post_form(&stranger, "/doorverwijzingen/hulppunten", &action, &[("vol", "ja")]).await;
        assert_eq!(r.status(), 404);
    };

    steering_sees_counts_and_lead_times_never_a_resident => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let accepted = app.send_referral(&staff, &referral("bankzaken", "0612345678")).await;
        let declined = app.send_referral(&staff, &referral("bankzaken", "0612345679")).await;
        let _waiting = app.send_referral(&staff, &referral("bankzaken", "0612345670")).await;
        app.clock.advance_seconds(7200);
        assert_eq!(app.referral_action(&partner, &accepted, json!({"action": "accept"})).await.status(), 200);
        assert_eq!(app.referral_action(&partner, &declined, json!({"action": "decline", "decline_reason": "no_capacity"})).await.status(), 200);
        // The declined one is re-routed: its decline still counts.
        let r = staff.post(app.url(&format!("/api/v1/referrals/{declined}/reroute")))
            .json(&json!({"consent_given": true, "consent_method": "spoken", "consent_text_version": CONSENT_TEXT_VERSION, "destination": {"organisation_id": app.organisation_id("Stichting Welzijn Maasstad").await}}))
            .send().await.unwrap();
        assert_eq!(r.status(), 200);
        app.clock.advance_seconds(3 * 86_400);
        let steering = app.signed_in(STEERING).await;
        let page = html(&app, &steering, "/doorverwijzingen/overzicht").await;
        for personal in ["Fatima", "0612345678", "Lukt niet", &accepted, &declined] {
            assert!(!page.contains(personal), "{personal} on the steering page");
        }
        assert!(page.contains("Te laat aangenomen: 2"), "{page}");
        assert!(page.contains("Maasbank") && page.contains("Stichting Welzijn Maasstad"));
        assert!(page.contains("2,0 uur"), "median time to accept");
        assert!(page.contains("Wij hebben nu geen plek</th><td class=\"utrecht-table__cell\">De organisatie</td>"), "{page}");
        assert!(page.contains("href=\"/doorverwijzingen/overzicht.csv?gemeente=GM0599\""));
        let r = app.get_as(&steering, "/doorverwijzingen/overzicht.csv?gemeente=GM0599").await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("onderdeel,omschrijving,waarde,eenheid\n"), "{csv}");
        assert!(csv.contains("totaal,Alle doorverwijzingen,3,doorverwijzingen"), "{csv}");
        assert!(csv.contains("status,Aangenomen,1,doorverwijzingen"));
        assert!(csv.contains("te laat,Maasbank,1,doorverwijzingen"));
        // Due Wednesday 10:00, now Thursday 12:00: one whole day late.
        assert!(csv.contains("\"te laat, langst\",Maasbank,1,dagen"), "{csv}");
        assert!(csv.contains("doorlooptijd tot aannemen,mediaan,120,minuten"));
        assert!(csv.contains("afgewezen,Wij hebben nu geen plek,1,doorverwijzingen"));
        assert!(!csv.contains("Fatima") && !csv.contains(&accepted));
        // The same figures in JSON.
        let v = json_of(app.get_as(&steering, "/api/v1/referral-overview/GM0599").await).await;
        assert_eq!(v["total"], 3);
        assert_eq!(v["overdue"], 2);
        assert_eq!(v["to_accept"], json!({"count": 1, "median_seconds": 7200, "mean_seconds": 7200}));
        assert!(v["declined_by_reason"].as_array().unwrap().contains(&json!({"reason": "no_capacity", "count": 1})));
        assert!(!v.to_string().contains("Fatima") && !v.to_string().contains(&accepted));
        // Steering only, its own municipality only (sessions last 12 hours: sign in again).
        let staff = app.signed_in(STAFF).await;
        assert_eq!(app.get_as(&staff, "/doorverwijzingen/overzicht").await.status(), 403);
        assert_eq!(app.get_as(&steering, "/doorverwijzingen/overzicht?gemeente=GM0606").await.status(), 404);
        assert_eq!(app.get_as(&steering, "/doorverwijzingen/overzicht.csv?gemeente=GM0606").await.status(), 404);
        assert_eq!(app.get_as(&steering, "/api/v1/referral-overview/GM0606").await.status(), 404);
        assert_eq!(app.get_as(&staff, "/api/v1/referral-overview/GM0599").await.status(), 403);
        assert!(html(&app, &steering, "/verwijsafspraken").await.contains("href=\"/doorverwijzingen/overzicht\""), "in the navigation");
    };

    a_coordinator_pages_through_its_own_audit_trail => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let id = app.send_referral(&staff, &referral("bankzaken", "0612345678")).await;
        app.clock.advance_seconds(60);
        for _ in 0..54 {
            assert_eq!(app.get_as(&staff, &format!("/api/v1/referrals/{id}")).await.status(), 200);
        }
        assert_eq!(app.get_as(&partner, &format!("/api/v1/referrals/{id}")).await.status(), 200);
        // A referral between two other organisations stays out of the library's trail.
        let foreign = app.send_referral(&partner, &referral("telefoon-tablet", "0687654321")).await;
        let coordinator = app.signed_in(COORDINATOR).await;
        assert!(html(&app, &coordinator, "/doorverwijzingen").await.contains("href=\"/doorverwijzingen/audit\""));
        let first = html(&app, &coordinator, "/doorverwijzingen/audit").await;
        assert_eq!(body_rows(&first), 50);
        assert!(first.contains("Gegevens bekeken") && first.contains("Fatima el Amrani (Bibliotheek Rotterdam)"));
        assert!(first.contains("Volgende pagina") && !first.contains("Vorige pagina"));
        assert!(!first.contains("Fatima de Vries"), "never the data itself");
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let second = html(&app, &coordinator, &format!("/doorverwijzingen/audit?organisatie={library}&pagina=2")).await;
        // 1 creation + 54 reads by the library + 1 by the bank = 56: 6 on page 2, the oldest being the creation.
        assert_eq!(body_rows(&second), 6);
        assert!(second.contains("Doorverwijzing gemaakt") && second.contains("Vorige pagina") && !second.contains("Volgende pagina"));
        let both = format!("{first}{second}");
        assert!(both.contains("Iemand van Maasbank") && !both.contains("Joost van Dijk"), "no names of another organisation");
        assert!(!both.contains(&foreign));
        assert_eq!(app.get_as(&coordinator, "/doorverwijzingen/audit?pagina=x").await.status(), 200);
        // Coordinators only, and only of their own organisation.
        assert_eq!(app.get_as(&staff, "/doorverwijzingen/audit").await.status(), 403);
        let maasbank = app.organisation_id("Maasbank").await;
        assert_eq!(app.get_as(&coordinator, &format!("/doorverwijzingen/audit?organisatie={maasbank}")).await.status(), 404);
    };

    a_coordinator_shows_and_erases_a_residents_data_on_request => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let one = app.send_referral(&staff, &referral("bankzaken", "06 12345678")).await;
        let two = app.send_referral(&staff, &referral("digid", "06-12345678")).await;
        let other_phone = app.send_referral(&staff, &referral("digid", "0699999999")).await;
        let not_ours = app.send_referral(&partner, &referral("telefoon-tablet", "0612345678")).await;
        let mut by_mail = referral("digid", "");
        by_mail["phone"] = Value::Null;
        by_mail["email"] = json!("Jan.Jansen@Example.nl");
        let mailed = app.send_referral(&staff, &by_mail).await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let path = "/doorverwijzingen/avg";
        assert!(html(&app, &coordinator, "/doorverwijzingen").await.contains("href=\"/doorverwijzingen/avg\""));
        let r = app.post_form(&coordinator, path, path, &[("zoek", "abc")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("telefoonnummer") && page.contains("value=\"abc\""));
        // Inzage: both referrals with this number, all that is stored, and nothing outside the organisation.
        let r = app.post_form(&coordinator, path, path, &[("zoek", "06 1234 5678")]).await;
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(page.contains("Wij vonden 2 doorverwijzingen"), "{page}");
        assert_eq!(page.matches("Fatima de Vries").count(), 2);
        assert!(page.contains("Lukt niet met de app"), "reason");
        assert!(page.contains("Ochtend") && page.contains("mondeling gegeven"), "moment and consent");
        assert!(page.contains(&one) && page.contains(&two));
        assert!(!page.contains(&other_phone) && !page.contains(&not_ours));
        let r = app.post_form(&coordinator, path, path, &[("zoek", "jan.jansen@example.nl")]).await;
        assert!(r.text().await.unwrap().contains(&mailed), "e-mail addresses match whatever their case");
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let coordinator_id = app.actor(COORDINATOR).await.user_id.unwrap();
        let trail = app.store.referral_audit_trail(&app.actor(COORDINATOR).await, &library, 500).await.unwrap();
        let mine = |action: &str| trail.iter().filter(|a| a.action == action && a.actor_user_id.as_deref() == Some(coordinator_id.as_str())).count();
        assert_eq!((mine("search"), mine("read")), (3, 3), "each find and each read is recorded");
        // Erasure needs the resident's request ticked; the data stays on screen meanwhile.
        let erase = "/doorverwijzingen/avg/wissen";
        let r = app.post_form(&coordinator, path, erase, &[("organisatie", &library), ("ids", &one), ("ids", &two)]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Zet een vinkje") && page.contains("Fatima de Vries"));
        let r = app.post_form(&coordinator, path, erase, &[("organisatie", &library), ("ids", &one), ("ids", &two), ("bevestigd", "1")]).await;
        assert_eq!(r.status(), 303);
        let done = html(&app, &coordinator, r.headers()["location"].to_str().unwrap()).await;
        assert!(done.contains("De gegevens in 2 doorverwijzingen zijn gewist"));
        for id in [&one, &two] {
            let v = json_of(app.get_as(&staff, &format!("/api/v1/referrals/{id}")).await).await;
            assert!(v["contact"].is_null() && v["erased_at"].is_number(), "{v}");
            assert!(v["timeline"].as_array().unwrap().iter().any(|e| e["action"] == "erase"));
        }
        let still = json_of(app.get_as(&staff, &format!("/api/v1/referrals/{other_phone}")).await).await;
        assert_eq!(still["contact"]["name"], "Fatima de Vries");
        let trail = app.store.referral_audit_trail(&app.actor(COORDINATOR).await, &library, 500).await.unwrap();
        assert_eq!(trail.iter().filter(|a| a.action == "erase").count(), 2);
        let r = app.post_form(&coordinator, path, path, &[("zoek", "0612345678")]).await;
        assert!(r.text().await.unwrap().contains("Wij vonden geen doorverwijzingen"));
        // Coordinators only; another organisation's referral cannot be erased from here.
        assert_eq!(app.get_as(&staff, path).await.status(), 403);
        let r = app.post_form(&coordinator, path, erase, &[("organisatie", &library), ("ids", &not_ours), ("bevestigd", "1")]).await;
        assert_eq!(r.status(), 404);
        let kept = json_of(app.get_as(&partner, &format!("/api/v1/referrals/{not_ours}")).await).await;
        assert_eq!(kept["contact"]["name"], "Fatima de Vries");
    };

    the_receiver_calls_in_one_tap_and_accepting_is_the_main_action => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let id = app.send_referral(&staff, &referral("bankzaken", "06 1234 5678")).await;
        let page = html(&app, &partner, &format!("/doorverwijzingen/{id}")).await;
        // Stored as digits (`parse_phone`), so the number is its own link target.
        assert!(page.contains("<a class=\"utrecht-link\" href=\"tel:0612345678\">0612345678</a>"), "{page}");
        assert!(page.contains("utrecht-button--primary-action\" type=\"submit\">Aannemen</button>"), "{page}");
        assert!(page.contains("utrecht-button--secondary-action\" type=\"submit\">De inwoner trekt toestemming in"), "{page}");
    };

    the_inbox_pages_in_a_stable_order => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let mut sent = Vec::new();
        for i in 0..30 {
            sent.push(app.send_referral(&staff, &referral("bankzaken", &format!("06123456{i:02}"))).await);
            // Pairs share a second: the id keeps their order stable.
            if i % 2 == 1 {
                app.clock.advance_seconds(60);
            }
        }
        let partner = app.signed_in(PARTNER).await;
        let first = html(&app, &partner, "/doorverwijzingen").await;
        assert!(first.contains("Nieuw (30)") && first.contains("pagina 1 van 2"), "{first}");
        assert_eq!(body_rows(&first), 25);
        assert!(first.contains("pagina=2\"") && first.contains("Volgende pagina"));
        let second = html(&app, &partner, "/doorverwijzingen?status=nieuw&pagina=2").await;
        assert_eq!(body_rows(&second), 5);
        let mut seen = linked_ids(&first);
        seen.extend(linked_ids(&second));
        assert_eq!(seen.len(), 30);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 30, "no referral twice, none left out");
        assert!(sent[28..].contains(&seen[0]), "newest first");
        assert_eq!(html(&app, &partner, "/doorverwijzingen?pagina=2").await, second, "same order every time");
        assert_eq!(body_rows(&html(&app, &partner, "/doorverwijzingen?pagina=99").await), 5, "past the end: the last page");
        assert_eq!(body_rows(&html(&app, &partner, "/doorverwijzingen?pagina=abc").await), 25);
        // The other lists keep working.
        for id in &sent[..3] {
            assert_eq!(app.referral_action(&partner, id, json!({"action": "accept"})).await.status(), 200);
        }
        let accepted = html(&app, &partner, "/doorverwijzingen?lijst=aangenomen").await;
        assert_eq!(body_rows(&accepted), 3);
        assert!(accepted.contains("Nieuw (27)") && accepted.contains("Aangenomen (3)"));
        assert!(!accepted.contains("Volgende pagina"));
        let outgoing = html(&app, &staff, "/doorverwijzingen?lijst=verstuurd&pagina=2").await;
        assert!(outgoing.contains("Door ons verstuurd (30)"));
        assert_eq!(body_rows(&outgoing), 5);
    };

    the_form_sends_to_a_chosen_place_on_behalf_of_a_chosen_organisation => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let welzijn = app.organisation_id("Stichting Welzijn Maasstad").await;
        let telecom = app.organisation_id("Havenstad Telecom").await;
        let user = app.user("twee@keten.test", Role::Staff, &library).await;
        app.store.add_membership(&user, &welzijn, Role::Partner).await.unwrap();
        let directory = app.store.directory().await.unwrap();
        let hour = directory.consultation_hours.iter().find(|c| c.organisation_id == telecom).unwrap();
        let both = app.signed_in("twee@keten.test").await;
        let form = html(&app, &both, "/doorverwijzingen/nieuw").await;
        assert!(form.contains("Namens welke organisatie verwijst u door?"));
        assert!(form.contains(&format!("value=\"spreekuur:{}\"", hour.id)) && form.contains("value=\"hulppunt:"));
        assert!(form.contains("<optgroup label=\"Spreekuren van partners\">"));
        let single = app.signed_in(STAFF).await;
        assert!(!html(&app, &single, "/doorverwijzingen/nieuw").await.contains("Namens welke organisatie"));
        let path = "/doorverwijzingen/nieuw";
        let pick = format!("spreekuur:{}", hour.id);
        let fields = [
            ("sender_organisation_id", welzijn.as_str()), ("destination", pick.as_str()),
            ("topics", "telefoon-tablet"), ("resident_name", "Fatima de Vries"), ("phone", "0612345678"),
            ("pc4", "3011"), ("consent_method", "spoken"), ("consent_text_version", CONSENT_TEXT_VERSION),
            ("stap", "versturen"),
        ];
        let r = app.post_form(&both, path, path, &fields).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("value=\"{pick}\" selected")) && page.contains(&format!("value=\"{welzijn}\" selected")), "choices kept");
        // The page now names the consultation hour's organisation in the consent text; sent once that was read out.
        assert!(page.contains("Ik geef toestemming dat Stichting Welzijn Maasstad") && page.contains("aan Havenstad Telecom."), "{page}");
        let read_out = crate::support::hidden_field(&page, "consent_for").unwrap();
        let mut with_consent = fields.to_vec();
        with_consent.push(("consent_given", "1"));
        with_consent.push(("consent_for", read_out.as_str()));
        let r = app.post_form(&both, path, path, &with_consent).await;
        assert_eq!(r.status(), 303);
        let id = r.headers()["location"].to_str().unwrap().trim_start_matches("/doorverwijzingen/").split('?').next().unwrap().to_owned();
        let v = json_of(app.get_as(&both, &format!("/api/v1/referrals/{id}")).await).await;
        assert_eq!(v["sender_organisation_id"], welzijn.as_str());
        assert_eq!(v["organisation_id"], telecom.as_str());
        assert_eq!(v["help_point_id"], hour.help_point_id.as_str());
        // The API checks that a place belongs to the organisation, and whom the sender may send for.
        let mut body = referral("digid", "0612345678");
        body["destination"] = json!({"organisation_id": welzijn, "help_point_id": hour.help_point_id});
        let r = both.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(json_of(r).await["detail"].as_str().unwrap().contains("hoort niet bij deze organisatie"));
        body["destination"] = json!({"organisation_id": telecom, "consultation_hour_id": "geen-spreekuur"});
        assert_eq!(both.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap().status(), 422);
        let mut body = referral("digid", "0612345678");
        body["sender_organisation_id"] = json!(telecom);
        assert_eq!(both.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap().status(), 403);
    };
}
