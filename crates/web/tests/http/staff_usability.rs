//! Issue 20's staff points through HTTP on both databases: the desk (focus, Enter saves, undo of one
//! question, plain labels, the overview's periods and month picker), referrals (no self-referral,
//! consent naming the receiver, a deliberate outcome, confirmations), opening hours typed as people
//! say them, and the import's warning for a help point outside its organisation's municipalities.

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF, STEERING};
use crate::support::referral_body;
use serde_json::json;

fn query_param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

both_backends! {
    desk_and_referral_forms_offer_only_the_services_of_their_country => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let desk = page(&app, &staff, &format!("/balie/{central}")).await;
        assert!(desk.contains("value=\"digid\"") && desk.contains("value=\"belastingen-toeslagen\""), "Dutch services offered");
        for belgian in ["itsme", "tax-on-web", "myminfin"] {
            assert!(!desk.contains(&format!("value=\"{belgian}\"")), "no {belgian} at a Dutch desk");
        }
        let partner = app.signed_in(PARTNER).await;
        let form = page(&app, &partner, "/doorverwijzingen/nieuw").await;
        assert!(form.contains("value=\"digid\""));
        assert!(!form.contains("value=\"itsme\""), "no itsme for a Dutch chain's referral");
    };

    the_desk_form_starts_at_the_first_topic_and_enter_saves => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        let html = page(&app, &staff, &desk).await;
        // Focus starts on the first topic, not at the top of the page.
        assert_eq!(html.matches(" autofocus").count(), 1, "one autofocus");
        let first_topic = html.find("name=\"q0_topic\"").unwrap();
        assert!(html[first_topic..].split('>').next().unwrap().contains("autofocus"), "on the first topic");
        // Enter in a text field presses the first submit button of the form: that must be "save".
        let form = &html[html.find("class=\"utrecht-form keten-desk-form\"").unwrap()..];
        let save = form.find("value=\"save\"").unwrap();
        let add = form.find("value=\"add\"").unwrap();
        assert!(save < add, "save before add-a-question");
        // The other help points are one disclosure, not a row of links before the form.
        assert!(!html.contains("Wissel naar"));
        assert!(html.contains("<summary>Ander hulppunt kiezen</summary>") && html.contains("Bibliotheek Delfshaven"));
        // Plain words for outreach.
        assert!(html.contains("Wij gingen naar de inwoner toe") && !html.contains("Outreachend"));
        // After "add a question" the focus is on the new question's first topic.
        let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", "digid"), ("q0_minutes", "10"), ("action", "add")]).await;
        let html = r.text().await.unwrap();
        assert_eq!(html.matches(" autofocus").count(), 1);
        let second = html.find("name=\"q1_topic\"").unwrap();
        assert!(html[second..].split('>').next().unwrap().contains("autofocus"), "on the new question");
        // After a save the form is back with the focus on the first topic.
        let saved = app.post_form(&staff, &desk, &desk, &[("q0_topic", "digid"), ("q0_minutes-other", "25")]).await;
        assert_eq!(saved.status(), 303);
        let html = page(&app, &staff, &location(&saved)).await;
        assert!(html.contains("Opgeslagen:") && html.matches(" autofocus").count() == 1);
    };

    staff_undo_one_question_of_a_visit => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let desk = format!("/balie/{central}");
        let staff = app.signed_in(STAFF).await;
        let saved = app.post_form(&staff, &desk, &desk, &[
            ("q0_topic", "digid"), ("q0_minutes", "10"), ("q1_topic", "bankzaken"), ("q1_minutes", "15"), ("action", "save"),
        ]).await;
        assert_eq!(saved.status(), 303);
        let visit = query_param(&location(&saved), "bezoek").unwrap();
        let questions = app.store.visit_questions(&central, &visit).await.unwrap();
        assert_eq!(questions.len(), 2);
        let bank = questions.iter().find(|q| q.topic_code == "bankzaken").unwrap().id.clone();
        let html = page(&app, &staff, &location(&saved)).await;
        let undo_one = format!("{desk}/bezoek/{visit}/vraag/{bank}/ongedaan");
        assert!(html.contains(&format!("action=\"{undo_one}\"")), "a button per question");
        assert!(html.contains("Hele bezoek ongedaan maken"));
        // A colleague cannot undo it; a question of another visit is not found.
        let coordinator = app.signed_in(COORDINATOR).await;
        assert_eq!(app.post_form(&coordinator, &desk, &undo_one, &[]).await.status(), 422);
        let wrong = format!("{desk}/bezoek/{visit}/vraag/onbekend/ongedaan");
        assert_eq!(app.post_form(&staff, &desk, &wrong, &[]).await.status(), 404);
        // The one question goes, the rest of the visit stays.
        let r = app.post_form(&staff, &desk, &undo_one, &[]).await;
        assert_eq!(r.status(), 303);
        let left = app.store.visit_questions(&central, &visit).await.unwrap();
        assert_eq!(left.iter().map(|q| q.topic_code.as_str()).collect::<Vec<_>>(), ["digid"]);
        assert_eq!(app.store.count_help_questions().await.unwrap(), 1);
        let html = page(&app, &staff, &location(&r)).await;
        assert!(html.contains("Eén vraag ongedaan gemaakt.") && html.contains("1 vraag (DigiD)"), "{html}");
        // Undoing the last one leaves nothing and says so.
        let last = format!("{desk}/bezoek/{visit}/vraag/{}/ongedaan", left[0].id);
        let r = app.post_form(&staff, &desk, &last, &[]).await;
        assert_eq!(location(&r), format!("{desk}?ongedaan=1"));
        assert_eq!(app.store.count_help_questions().await.unwrap(), 0);
        let total = app.store.desk_overview(&central, 0, 0, 0).await.unwrap().total;
        assert_eq!(total, 0, "the running total follows");
    };

    volunteers_undo_one_question_too => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let links = format!("/balie/{central}/links");
        let made = app.post_form(&coordinator, &links, &links, &[("label", "Vrijwilliger")]).await;
        let html = made.text().await.unwrap();
        let start = html.find("/registreren/").unwrap();
        let end = start + html[start..].find(['"', '<', ' ']).unwrap();
        let path = html[start..end].to_owned();
        let volunteer = app.browser();
        let saved = app.post_form(&volunteer, &path, &path, &[
            ("q0_topic", "digid"), ("q0_minutes", "10"), ("q1_topic", "bankzaken"), ("q1_minutes", "15"),
        ]).await;
        assert_eq!(saved.status(), 303);
        let visit = query_param(&location(&saved), "bezoek").unwrap();
        let first = app.store.visit_questions(&central, &visit).await.unwrap()[0].id.clone();
        let r = app.post_form(&volunteer, &path, &format!("{path}/bezoek/{visit}/vraag/{first}/ongedaan"), &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.store.visit_questions(&central, &visit).await.unwrap().len(), 1);
    };

    the_overview_explains_its_periods_and_offers_a_month_picker => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        let html = page(&app, &staff, &format!("/balie/{central}/overzicht")).await;
        // The test clock stands on Monday 2 March 2026: the week and the month start on different days.
        assert!(html.contains("Deze week (vanaf maandag 2 maart)"), "{html}");
        assert!(html.contains("Deze maand (vanaf zondag 1 maart)"), "{html}");
        assert!(!html.contains("?maand=2026-03"), "no address-bar instructions");
        assert!(html.contains("type=\"month\"") && html.contains("name=\"maand\""));
        assert!(html.contains(&format!("formaction=\"/balie/{central}/instanties.csv\"")));
    };

    a_partner_is_not_referred_to_itself => |app: TestApp| async move {
        app.demo_chain().await;
        let bank = app.organisation_id("Maasbank").await;
        let steering = app.signed_in(STEERING).await;
        // The chain's rule: the bank's own customers go to the bank.
        let r = steering.post(app.url("/api/v1/routing-rules")).json(&json!({
            "municipality_code": "GM0599", "topic": "bankzaken", "agency": "bank", "priority": 1, "organisation_id": bank
        })).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let partner = app.signed_in(PARTNER).await;
        let form = "/doorverwijzingen/nieuw";
        let html = page(&app, &partner, form).await;
        assert!(!html.contains(&format!("value=\"organisatie:{bank}\"")), "its own organisation is not offered");
        let fields = [("topics", "bankzaken"), ("agency", "bank"), ("resident_name", "Fatima de Vries"), ("pc4", "3011"), ("stap", "voorstel")];
        // The rules send the bank's customers to the bank: keten says so plainly and proposes no referral to itself.
        let proposal = app.post_form(&partner, form, form, &fields).await.text().await.unwrap();
        assert!(proposal.contains("Volgens de verwijsafspraken helpt uw eigen organisatie hierbij"), "{proposal}");
        assert!(!proposal.contains("doorgeeft aan Maasbank."), "{proposal}");
        // The bank picks another organisation: "Voorstel bekijken" keeps it and names it in the consent text.
        let library = format!("organisatie:{}", app.organisation_id("Bibliotheek Rotterdam").await);
        let mut picked = fields.to_vec();
        picked.push(("destination", library.as_str()));
        let named = app.post_form(&partner, form, form, &picked).await.text().await.unwrap();
        assert!(named.contains("doorgeeft aan Bibliotheek Rotterdam."), "{named}");
        // Chosen on purpose (a stale form, the API): refused with a plain message; nothing is sent.
        let own = format!("organisatie:{bank}");
        let chosen = [("topics", "bankzaken"), ("resident_name", "Fatima de Vries"), ("phone", "0612345678"), ("pc4", "3011"),
                      ("consent_given", "1"), ("consent_method", "spoken"),
                      ("consent_text_version", keten_core::referral::CONSENT_TEXT_VERSION),
                      ("destination", own.as_str()), ("stap", "versturen")];
        let r = app.post_form(&partner, form, form, &chosen).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Dit is uw eigen organisatie."));
        // The proposal API says the same: no proposal of the bank to itself; others still get the bank.
        let ask = json!({"topic": "bankzaken", "agency": "bank", "pc4": "3011"});
        let r = partner.post(app.url("/api/v1/referrals/proposal")).json(&ask).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("helpt uw eigen organisatie hierbij"));
        let staff = app.signed_in(STAFF).await;
        let r = staff.post(app.url("/api/v1/referrals/proposal")).json(&ask).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<serde_json::Value>().await.unwrap()["organisation_id"], json!(bank));
        let mut body = referral_body("bankzaken", "3011");
        body["agency"] = json!("bank");
        let r = partner.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422, "keten's choice would be the bank itself");
        body["destination"] = json!({"organisation_id": bank});
        let r = partner.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422);
        // Another organisation, chosen by the bank: sent.
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        body["destination"] = json!({"organisation_id": library});
        let r = partner.post(app.url("/api/v1/referrals")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
    };

    the_receiver_chooses_the_outcome_and_sees_each_step_confirmed => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let id = app.send_referral(&staff, &referral_body("bankzaken", "3011")).await;
        let partner = app.signed_in(PARTNER).await;
        let detail = format!("/doorverwijzingen/{id}");
        let step = format!("{detail}/stap");
        let html = page(&app, &partner, &detail).await;
        assert!(html.contains("Aannemen vóór"));
        let r = app.post_form(&partner, &detail, &step, &[("action", "accept")]).await;
        assert_eq!(location(&r), format!("{detail}?gedaan=accept"));
        let html = page(&app, &partner, &location(&r)).await;
        assert!(html.contains("U heeft de doorverwijzing aangenomen."));
        assert!(!html.contains("Aannemen vóór"), "the deadline to accept is past business");
        // Neither "reached" nor an outcome is chosen for the receiver.
        assert!(!html.contains("value=\"ja\" checked"));
        let r = app.post_form(&partner, &detail, &step, &[("action", "contact_attempt")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Zeg of u de inwoner heeft bereikt."));
        let r = app.post_form(&partner, &detail, &step, &[("action", "contact_attempt"), ("reached", "ja")]).await;
        let html = page(&app, &partner, &location(&r)).await;
        assert!(html.contains("Vastgelegd: u heeft de inwoner gesproken."));
        assert!(html.contains("Hoe is het afgelopen?") && !html.contains("name=\"outcome\" value=\"solved\" checked"));
        assert!(!html.contains("<option value=\"solved\">"), "no preselected first option");
        // Afronden without a choice closes nothing.
        let r = app.post_form(&partner, &detail, &step, &[("action", "complete")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Kies hoe het is afgelopen."), "{html}");
        let v: serde_json::Value = app.get_as(&staff, &format!("/api/v1/referrals/{id}")).await.json().await.unwrap();
        assert_eq!(v["status"], "contacted");
        let r = app.post_form(&partner, &detail, &step, &[("action", "complete"), ("outcome", "partly_solved")]).await;
        let html = page(&app, &partner, &location(&r)).await;
        assert!(html.contains("De doorverwijzing is afgerond."));
        assert!(!html.contains("Poging vastleggen") && !html.contains("Aannemen vóór") && !html.contains("Afronden"));
        let v: serde_json::Value = app.get_as(&staff, &format!("/api/v1/referrals/{id}")).await.json().await.unwrap();
        assert_eq!((v["status"].as_str(), v["outcome"].as_str()), (Some("completed"), Some("partly_solved")));
    };

    opening_hours_read_afternoon_hours_and_an_empty_field_gets_a_message => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Bibliotheek Delfshaven").await.id;
        let path = format!("/beheer/hulppunten/{id}");
        let staff = app.signed_in(STAFF).await;
        let html = page(&app, &staff, &path).await;
        assert!(!html.contains("name=\"hours\" required"), "no browser bubble: keten says what is missing");
        let fields = |hours: &'static str| vec![
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", "3025 AB"),
            ("hours", hours), ("languages", "nl"), ("topics", "digid"), ("status", "open"),
        ];
        let empty = app.post_form(&staff, &path, &path, &fields("")).await;
        assert_eq!(empty.status(), 422);
        let html = empty.text().await.unwrap();
        assert!(html.contains("Vul de openingstijden in, bijvoorbeeld"), "{html}");
        let evening = app.post_form(&staff, &path, &path, &fields("ma 10-9")).await;
        assert_eq!(evening.status(), 422);
        assert!(evening.text().await.unwrap().contains("Bedoelt u 10:00-21:00?"));
        let afternoon = app.post_form(&staff, &path, &path, &fields("maandag 9 tot 5")).await;
        assert_eq!(afternoon.status(), 303);
        let html = page(&app, &staff, &path).await;
        assert!(html.contains("value=\"ma 09:00-17:00\""), "read as the afternoon");
    };

    the_import_warns_about_a_help_point_outside_the_organisations_municipalities => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.organisation_id("Bibliotheek Rotterdam").await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let csv = "naam;adres;postcode;openingstijden\nBieb Noord;Straat 1;3035;ma 10:00-12:00\nBieb Ver Weg;Dorpsstraat 1;9999 ZZ;ma 10:00-12:00\n";
        let r = app.post_form(&coordinator, "/beheer/hulppunten/inlezen", "/beheer/hulppunten/inlezen/opslaan", &[
            ("organisation_id", library.as_str()), ("inhoud", csv),
        ]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Regel 3, postcode: 9999 ZZ ligt in de gemeente Het Hogeland, maar Bibliotheek Rotterdam werkt in Rotterdam. Klopt de postcode?"), "{html}");
        assert!(!html.contains("Regel 2, postcode"), "a point in Rotterdam is fine");
    };
}
