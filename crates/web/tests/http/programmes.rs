//! Programmes on both databases: a manager makes each kind of programme; applicants meet the cap including VAT,
//! every condition, eligibility (the Brugge case), dossier members who confirm from their own account, and waves;
//! a manager asks for a missing piece; roles and tenants (another programme's manager and other applicants get 404).

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, STAFF, STEERING};
use keten_core::account::Role;

const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

const CONDITIONS: &str = "Wij testen de methode\nOns hulppunt doet mee aan de lokale aanpak\nWij rapporteren open\nWij komen naar de koplopersgroep (minstens 3 keer)";

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Makes a programme through the manager's form; returns its id.
async fn create(app: &TestApp, manager: &reqwest::Client, fields: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = vec![
        ("description", "Test"),
        ("opens_on", "01-01-2026"),
        ("closes_on", "31-12-2026"),
        ("budget", "450.000"),
        ("cap_vat_included", "1"),
        ("vat_percent", "21"),
        ("small_below", "20.000"),
        ("large_from", "50.000"),
    ];
    all.extend_from_slice(fields);
    let r = app
        .post_form(manager, "/programmas/nieuw", "/programmas/nieuw", &all)
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let to = location(&r);
    to.trim_start_matches("/programmas/")
        .trim_end_matches("/beheer")
        .to_owned()
}

async fn front_runner_call(app: &TestApp, manager: &reqwest::Client) -> String {
    create(
        app,
        manager,
        &[
            ("kind", "call"),
            (
                "name",
                "Koplopersprogramma Lokale Ketenaanpak Digitale Inclusie",
            ),
            ("applicant_kind", "municipality"),
            ("cap", "22.500"),
            ("max_participants", "20"),
            ("country", "NL"),
            ("conditions", CONDITIONS),
        ],
    )
    .await
}

/// A municipality organisation with a steering user; returns the organisation id.
pub(crate) async fn municipality(app: &TestApp, name: &str, code: &str, email: &str) -> String {
    let org = app
        .organisation(&format!("Gemeente {name}"), "municipality", "public", code)
        .await;
    app.user(email, Role::Steering, &org).await;
    org
}

fn apply_path(id: &str) -> String {
    format!("/programmas/{id}/aanvragen")
}

both_backends! {
    front_runner_call_checks_the_cap_including_vat_every_condition_and_asks_for_a_missing_piece => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        // A programme manager lands on the programmes and has the menu entry.
        let landing = app.get_as(&manager, "/programmas").await.text().await.unwrap();
        assert!(landing.contains("href=\"/programmas\">Programma&#x27;s</a>") || landing.contains("href=\"/programmas\">Programma's</a>"), "menu entry");
        let bad = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &[("kind", "call"), ("name", "Half"), ("applicant_kind", "municipality"), ("opens_on", "morgen"), ("cap", "veel")]).await;
        assert_eq!(bad.status(), 422);
        let page = bad.text().await.unwrap();
        assert!(page.contains("Vul een datum in") && page.contains("Vul een bedrag in euro in") && page.contains("value=\"Half\""), "errors shown, input kept");
        let id = front_runner_call(&app, &manager).await;

        let steering = app.signed_in(STEERING).await;
        let list = app.get_as(&steering, "/programmas").await.text().await.unwrap();
        assert!(list.contains(&apply_path(&id)), "the open call is listed for Rotterdam");
        let all = ["0", "1", "2", "3"];
        let mut fields: Vec<(&str, &str)> = vec![("amount", "20.000"), ("amount_vat_included", "0"), ("proposal", "Pilot met de bibliotheek in Feijenoord")];
        fields.extend(all.iter().map(|c| ("condition", *c)));
        // 20.000 without VAT is 24.200 with 21% VAT: over the cap of 22.500 including VAT.
        let r = app.post_form(&steering, &apply_path(&id), &apply_path(&id), &fields).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("€ 24.200") && page.contains("€ 22.500"), "cap message");
        assert!(page.contains("Pilot met de bibliotheek in Feijenoord"), "input kept");
        // 22.500 including VAT is fine, but every condition must be confirmed.
        let r = app.post_form(&steering, &apply_path(&id), &apply_path(&id), &[("amount", "22.500"), ("amount_vat_included", "1"), ("proposal", "Pilot"), ("condition", "0"), ("condition", "2")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Ons hulppunt doet mee aan de lokale aanpak") && page.contains("Bevestig deze voorwaarde"), "missing condition named");
        assert!(!page.contains("meer dan het maximum"), "the cap holds");
        assert!(page.contains("id=\"condition-0\" name=\"condition\" value=\"0\" checked"), "ticked conditions kept");
        // 18.595,04 without VAT is 22.499,99 with VAT: inside.
        let mut fields: Vec<(&str, &str)> = vec![("amount", "18.595,04"), ("amount_vat_included", "0"), ("proposal", "Pilot")];
        fields.extend(all.iter().map(|c| ("condition", *c)));
        let r = app.post_form(&steering, &apply_path(&id), &apply_path(&id), &fields).await;
        assert_eq!(r.status(), 303);
        let application = location(&r);
        assert!(application.starts_with("/aanvragen/"));

        // The manager sees it, filters, and asks for a missing piece.
        let manage = app.get_as(&manager, &format!("/programmas/{id}/beheer?provincie=Zuid-Holland")).await.text().await.unwrap();
        assert!(manage.contains("Gemeente Rotterdam") && manage.contains("Groot"), "listed with size class");
        let none = app.get_as(&manager, &format!("/programmas/{id}/beheer?provincie=Groningen")).await.text().await.unwrap();
        assert!(!none.contains("Gemeente Rotterdam"), "province filter");
        let empty = app.post_form(&manager, &application, &format!("{application}/aanvulling"), &[("request", " ")]).await;
        assert_eq!(empty.status(), 422);
        let r = app.post_form(&manager, &application, &format!("{application}/aanvulling"), &[("request", "Stuur de begroting mee.")]).await;
        assert_eq!(r.status(), 303);
        let seen = app.get_as(&steering, &application).await.text().await.unwrap();
        assert!(seen.contains("Stuur de begroting mee.") && seen.contains("Aanvulling gevraagd"));
        // The applicant resubmits from the kept form: back to submitted, request cleared.
        let form = app.get_as(&steering, &apply_path(&id)).await.text().await.unwrap();
        assert!(form.contains("18.595,04"), "earlier application fills the form");
        let r = app.post_form(&steering, &apply_path(&id), &apply_path(&id), &fields).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), application, "the same application, updated");
        let seen = app.get_as(&steering, &application).await.text().await.unwrap();
        assert!(seen.contains("Ingediend") && !seen.contains("Stuur de begroting mee."));
        // Nothing outside the opening dates.
        app.clock.advance_seconds(365 * 86_400);
        let steering = app.signed_in(STEERING).await;
        let r = app.post_form(&steering, &apply_path(&id), &apply_path(&id), &fields).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Aanvragen kan nu niet"));
    };

    project_call_dossier_brugge_only_as_partner_and_members_confirm_themselves => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let brugge = municipality(&app, "Brugge", "31005", "regie@brugge.test").await;
        let blankenberge = municipality(&app, "Blankenberge", "31004", "regie@blankenberge.test").await;
        let damme = municipality(&app, "Damme", "31006", "regie@damme.test").await;
        municipality(&app, "Knokke-Heist", "31043", "regie@knokke-heist.test").await;
        municipality(&app, "Zuienkerke", "31042", "regie@zuienkerke.test").await;
        let _ = blankenberge;
        // Brugge takes part in the City Deal e-Inclusie.
        let city_deal = create(&app, &manager, &[("kind", "call"), ("name", "City Deal e-Inclusie"), ("applicant_kind", "municipality"), ("cap", "0"), ("max_participants", "10")]).await;
        let b = app.signed_in("regie@brugge.test").await;
        let r = app.post_form(&b, &apply_path(&city_deal), &apply_path(&city_deal), &[("amount", "0"), ("amount_vat_included", "1"), ("proposal", "Stad")]).await;
        assert_eq!(r.status(), 303);
        app.store.execute_raw(&format!("UPDATE applications SET status = 'selected' WHERE organisation_id = '{brugge}'")).await.unwrap();

        let id = create(&app, &manager, &[("kind", "project_call"), ("name", "Iedereen Digitaal: projectoproep"), ("applicant_kind", "municipality"), ("cap", "400.000"), ("max_participants", "30"), ("country", "BE"), ("max_population", "150.000"), ("excluded_programmes", "City Deal e-Inclusie")]).await;
        // Brugge itself gets no funding here.
        let r = app.post_form(&b, &apply_path(&id), &apply_path(&id), &[("amount", "100.000"), ("amount_vat_included", "1"), ("proposal", "Brugge")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("doet al mee aan City Deal e-Inclusie") && page.contains("als partner"), "Brugge: partner only");
        // Rotterdam is not in Belgium.
        let rotterdam = app.signed_in(STEERING).await;
        let r = app.post_form(&rotterdam, &apply_path(&id), &apply_path(&id), &[("amount", "1"), ("amount_vat_included", "1"), ("proposal", "x")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("alleen voor gemeenten in België"));

        let lead = app.signed_in("regie@blankenberge.test").await;
        let members = "Damme\nKnokke-Heist\nZuienkerke";
        let r = app.post_form(&lead, &apply_path(&id), &apply_path(&id), &[("amount", "99.000"), ("amount_vat_included", "1"), ("proposal", "Dossier Noord"), ("members", &format!("{members}\nBrugge"))]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Zet Brugge bij de partners"), "Brugge as funded member refused");
        assert!(page.contains("Knokke-Heist"), "members kept");
        let r = app.post_form(&lead, &apply_path(&id), &apply_path(&id), &[("amount", "99.000"), ("amount_vat_included", "1"), ("proposal", "Dossier Noord"), ("members", members), ("partners", "Brugge"), ("helix_partners", "Hogeschool Vives")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let application = location(&r);
        let page = app.get_as(&lead, &application).await.text().await.unwrap();
        assert_eq!(page.matches("nog niet bevestigd").count(), 4, "every member must confirm");

        // Damme confirms from its own account; Knokke-Heist cannot confirm for Damme.
        let d = app.signed_in("regie@damme.test").await;
        let k = app.signed_in("regie@knokke-heist.test").await;
        let r = app.post_form(&k, &application, &format!("{application}/bevestigen"), &[("organisation_id", &damme)]).await;
        assert_eq!(r.status(), 404);
        let mine = app.get_as(&d, "/programmas").await.text().await.unwrap();
        assert!(mine.contains("bevestig uw deelname"), "Damme is asked to confirm");
        let r = app.post_form(&d, &application, &format!("{application}/bevestigen"), &[("organisation_id", &damme)]).await;
        assert_eq!(r.status(), 303);
        let page = app.get_as(&lead, &application).await.text().await.unwrap();
        assert_eq!(page.matches("nog niet bevestigd").count(), 3);
        assert!(page.contains("Gemeente Damme (Deelnemer): bevestigd"));
        assert!(page.contains("Gemeente Brugge (Partner zonder financiering)"));
        // Someone outside the dossier and the programme sees nothing.
        assert_eq!(app.get_as(&rotterdam, &application).await.status(), 404);
    };

    subsidy_scheme_needs_a_wave_and_libraries_apply => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = create(&app, &manager, &[("kind", "subsidy_scheme"), ("name", "Plan Digitale Inclusie bibliotheken"), ("applicant_kind", "library"), ("cap", "40.000"), ("max_participants", "15"), ("waves", "Kopgroep; 15; 40.000; 01-06-2026\nFase 2; 30; 25.000")]).await;
        let none = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &[("kind", "subsidy_scheme"), ("name", "Zonder golf"), ("applicant_kind", "library"), ("opens_on", "01-01-2026"), ("closes_on", "31-12-2026"), ("budget", "1"), ("cap", "1"), ("max_participants", "1")]).await;
        assert_eq!(none.status(), 422);
        assert!(none.text().await.unwrap().contains("minstens één golf"));
        // The API shows the waves in order, with places, amount and announcement day.
        let api: serde_json::Value = app.get_as(&manager, &format!("/api/v1/programmes/{id}")).await.json().await.unwrap();
        let waves = api["waves"].as_array().unwrap();
        assert_eq!(waves.len(), 2, "{api}");
        assert_eq!((waves[0]["name"].as_str(), waves[0]["places"].as_u64(), waves[0]["amount_cents"].as_i64()), (Some("Kopgroep"), Some(15), Some(4_000_000)));
        assert_eq!(waves[0]["announce_on"], "2026-06-01");
        assert_eq!((waves[1]["name"].as_str(), waves[1]["announce_on"].is_null()), (Some("Fase 2"), true));
        // Steering applies for municipalities only: no library, no form.
        let steering = app.signed_in(STEERING).await;
        assert_eq!(app.get_as(&steering, &apply_path(&id)).await.status(), 403);
        let coordinator = app.signed_in(COORDINATOR).await;
        let form = app.get_as(&coordinator, &apply_path(&id)).await.text().await.unwrap();
        assert!(form.contains("Kopgroep (15 plaatsen, € 40.000)"));
        let r = app.post_form(&coordinator, &apply_path(&id), &apply_path(&id), &[("amount", "40.000"), ("amount_vat_included", "1"), ("proposal", "Digitale inclusie in de wijken")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Kies de golf"));
        let wave = form.split("name=\"wave_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let r = app.post_form(&coordinator, &apply_path(&id), &apply_path(&id), &[("amount", "40.000"), ("amount_vat_included", "1"), ("proposal", "Digitale inclusie in de wijken"), ("wave_id", &wave)]).await;
        assert_eq!(r.status(), 303);
    };

    selection_runs_publishes_repeats_and_keeps_an_override_with_its_reason => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = create(&app, &manager, &[("kind", "call"), ("name", "Koplopers klein"), ("applicant_kind", "municipality"), ("cap", "22.500"), ("max_participants", "3"), ("conditions", "Wij rapporteren open")]).await;
        let towns = [("Ameland", "GM0060"), ("Harlingen", "GM0072"), ("Schiermonnikoog", "GM0088"), ("Stadskanaal", "GM0037"), ("Veendam", "GM0047"), ("Achtkarspelen", "GM0059")];
        let mut applications = Vec::new();
        for (name, code) in towns {
            let email = format!("regie@{}.test", name.to_lowercase());
            municipality(&app, name, code, &email).await;
            let c = app.signed_in(&email).await;
            let r = app.post_form(&c, &apply_path(&id), &apply_path(&id), &[("amount", "10.000"), ("amount_vat_included", "1"), ("proposal", "Pilot"), ("condition", "0")]).await;
            assert_eq!(r.status(), 303);
            applications.push((c, location(&r)));
        }
        // Veendam still owes a missing piece: not in the lottery.
        let (_, veendam) = &applications[4];
        app.post_form(&manager, veendam, &format!("{veendam}/aanvulling"), &[("request", "Begroting graag")]).await;
        // Another body's manager cannot run it.
        let other = app.organisation("VVSG", "national_body", "public", "GM0363").await;
        app.user("manager@vvsg.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@vvsg.test").await;
        let r = app.post_form(&stranger, "/programmas", &format!("/programmas/{id}/selectie"), &[("seed", "42")]).await;
        assert_eq!(r.status(), 404);
        let manage = format!("/programmas/{id}/beheer");
        let r = app.post_form(&manager, &manage, &format!("/programmas/{id}/selectie"), &[("seed", "42")]).await;
        assert_eq!(r.status(), 303);
        let public_path = format!("/programmas/{id}");
        let anonymous = app.browser();
        let first = app.get_as(&anonymous, &public_path).await.text().await.unwrap();
        assert!(first.contains("startgetal <strong>42</strong>"), "seed published");
        let rows = |html: &str| html.matches("<tr class=\"utrecht-table__row\"><td").count();
        assert_eq!(rows(&first), 3, "exactly the capacity");
        assert!(!first.contains("Gemeente Veendam</td>"), "an incomplete application is never selected");
        assert!(!first.contains("afgeweken"));
        // The same seed gives the same result.
        app.post_form(&manager, &manage, &format!("/programmas/{id}/selectie"), &[("seed", "42")]).await;
        let again = app.get_as(&anonymous, &public_path).await.text().await.unwrap();
        let table = |html: &str| html.split("<tbody").nth(1).unwrap().split("</tbody>").next().unwrap().to_owned();
        assert_eq!(table(&first), table(&again));
        // Every applicant sees its probability and the explanation in words.
        let (c, veendam) = &applications[4];
        let page = app.get_as(c, veendam).await.text().await.unwrap();
        assert!(page.contains("niet in de loting: de aanvraag was niet compleet"), "{page}");
        let mut reserve = None;
        for (c, a) in &applications {
            let page = app.get_as(c, a).await.text().await.unwrap();
            assert!(page.contains("Kans in de loting"));
            if page.contains("reservelijst (plaats") {
                reserve = Some(a.clone());
            } else {
                assert!(page.contains("gekozen:") || page.contains("niet in de loting"), "{page}");
            }
        }
        // An override needs a reason; it is kept and the public page says one happened.
        let reserve = reserve.expect("someone on the reserve list");
        let r = app.post_form(&manager, &reserve, &format!("{reserve}/afwijken"), &[("status", "selected"), ("reason", "kort")]).await;
        assert_eq!(r.status(), 422);
        let r = app.post_form(&manager, &reserve, &format!("{reserve}/afwijken"), &[("status", "selected"), ("reason", "Enige Waddengemeente met een mobiel hulppunt")]).await;
        assert_eq!(r.status(), 303);
        let after = app.get_as(&anonymous, &public_path).await.text().await.unwrap();
        assert!(after.contains("1 keer afgeweken van de loting"));
        assert_eq!(rows(&after), 4);
        // The same list as open data, without sign-in: JSON and CSV agree with the page.
        let json: serde_json::Value = app.get_as(&anonymous, &format!("{public_path}/deelnemers.json")).await.json().await.unwrap();
        assert_eq!(json["seed"], "42");
        assert_eq!(json["overridden"], true);
        let listed = json["participants"].as_array().unwrap();
        assert_eq!(listed.len(), 4);
        assert!(listed.iter().all(|p| p["amount_cents"] == 1_000_000 && p["vat_included"] == true && p["province"].is_string()));
        assert!(listed.iter().all(|p| p["municipality"] != "Veendam"), "never the incomplete application");
        let csv = app.get_as(&anonymous, &format!("{public_path}/deelnemers.csv")).await;
        assert_eq!(csv.status(), 200);
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert!(csv.starts_with("Organisatie,Gemeente,Provincie,Grootteklasse,Bedrag (eurocent),Inclusief btw"));
        assert_eq!(csv.lines().count(), 5, "header and the 4 participants");
        for p in listed {
            assert!(csv.contains(p["organisation"].as_str().unwrap()));
        }
        assert_eq!(app.get_as(&anonymous, "/programmas/onbekend/deelnemers.json").await.status(), 404);
    };

    roles_and_tenants => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = front_runner_call(&app, &manager).await;
        let steering = app.signed_in(STEERING).await;
        let mut fields: Vec<(&str, &str)> = vec![("amount", "0"), ("amount_vat_included", "1"), ("proposal", "Meedoen zonder bijdrage")];
        fields.extend(["0", "1", "2", "3"].iter().map(|c| ("condition", *c)));
        let r = app.post_form(&steering, &apply_path(&id), &apply_path(&id), &fields).await;
        assert_eq!(r.status(), 303, "taking part without a contribution");
        let application = location(&r);
        // Another national body's programme manager: 404 on the programme's management and its applications.
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;
        assert_eq!(app.get_as(&stranger, &format!("/programmas/{id}/beheer")).await.status(), 404);
        assert_eq!(app.get_as(&stranger, &application).await.status(), 404);
        let r = app.post_form(&stranger, "/programmas", &format!("{application}/aanvulling"), &[("request", "x")]).await;
        assert_eq!(r.status(), 404);
        // Another applicant sees only its own applications.
        let den_haag = municipality(&app, "Den Haag", "GM0518", "regie@denhaag.test").await;
        let _ = den_haag;
        let other_applicant = app.signed_in("regie@denhaag.test").await;
        assert_eq!(app.get_as(&other_applicant, &application).await.status(), 404);
        let list = app.get_as(&other_applicant, "/programmas").await.text().await.unwrap();
        assert!(!list.contains(&application));
        // An applicant does not manage: 403 on the form for a new programme and on the management page.
        assert_eq!(app.get_as(&steering, "/programmas/nieuw").await.status(), 403);
        assert_eq!(app.get_as(&steering, &format!("/programmas/{id}/beheer")).await.status(), 403);
        // Staff neither applies nor manages.
        let staff = app.signed_in(STAFF).await;
        assert_eq!(app.get_as(&staff, &apply_path(&id)).await.status(), 403);
        // Anonymous: the public page without sign-in, the rest sends to sign-in.
        let anonymous = app.browser();
        let public = app.get_as(&anonymous, &format!("/programmas/{id}")).await;
        assert_eq!(public.status(), 200);
        assert!(public.text().await.unwrap().contains("€ 22.500 inclusief btw"));
        assert_eq!(app.get_as(&anonymous, &application).await.status(), 303);
    };
}
