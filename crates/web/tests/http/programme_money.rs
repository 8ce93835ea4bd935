//! Programme money and reports on both databases: grants within the cap (incl./excl. VAT) and the budget left,
//! also under two concurrent awards; instalments that add up and never exceed the grant; reports in, late or
//! missing at a given clock with keten's own figures beside them (cells under 5 hidden); roles and tenants.

use crate::support::TestApp;
use crate::support::demo_users::STEERING;
use keten_core::account::Role;

pub(crate) const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A call with a budget and a cap of 22.500 including VAT; returns its id.
pub(crate) async fn call(app: &TestApp, manager: &reqwest::Client, budget: &str) -> String {
    let fields: Vec<(&str, &str)> = vec![
        ("kind", "call"),
        ("name", "Koplopers geld"),
        ("applicant_kind", "municipality"),
        ("description", "Test"),
        ("opens_on", "01-01-2026"),
        ("closes_on", "31-12-2026"),
        ("budget", budget),
        ("cap", "22.500"),
        ("cap_vat_included", "1"),
        ("vat_percent", "21"),
        ("small_below", "20.000"),
        ("large_from", "50.000"),
        ("max_participants", "5"),
        ("conditions", "Wij rapporteren open"),
    ];
    let r = app
        .post_form(manager, "/programmas/nieuw", "/programmas/nieuw", &fields)
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    location(&r)
        .trim_start_matches("/programmas/")
        .trim_end_matches("/beheer")
        .to_owned()
}

/// Applicants: Rotterdam (the demo's steering user) and the given small municipalities; all selected.
/// Returns (client, application path) per applicant, Rotterdam first.
async fn selected(
    app: &TestApp,
    manager: &reqwest::Client,
    id: &str,
    towns: &[(&str, &str)],
) -> Vec<(reqwest::Client, String)> {
    let apply = format!("/programmas/{id}/aanvragen");
    let mut out = Vec::new();
    let mut clients = vec![app.signed_in(STEERING).await];
    for (name, code) in towns {
        let org = app
            .organisation(&format!("Gemeente {name}"), "municipality", "public", code)
            .await;
        let email = format!("regie@{}.test", name.to_lowercase());
        app.user(&email, Role::Steering, &org).await;
        clients.push(app.signed_in(&email).await);
    }
    for c in clients {
        let r = app
            .post_form(
                &c,
                &apply,
                &apply,
                &[
                    // Small requests, so that the budget never keeps anyone out of the selection.
                    ("amount", "10.000"),
                    ("amount_vat_included", "1"),
                    ("proposal", "Pilot"),
                    ("condition", "0"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        out.push((c, location(&r)));
    }
    let manage = format!("/programmas/{id}/beheer");
    let r = app
        .post_form(
            manager,
            &manage,
            &format!("/programmas/{id}/selectie"),
            &[("seed", "7")],
        )
        .await;
    assert_eq!(r.status(), 303);
    out
}

fn application_id(path: &str) -> &str {
    path.trim_start_matches("/aanvragen/")
}

/// The link to a grant: the last one before `before` (a participant's name in the grants table), or the first.
fn grant_link(html: &str, before: Option<&str>) -> String {
    let id = match before {
        Some(name) => html
            .split(name)
            .next()
            .unwrap()
            .rsplit("href=\"/subsidies/")
            .next(),
        None => html.split("href=\"/subsidies/").nth(1),
    }
    .expect("a link to the grant")
    .split('"')
    .next()
    .unwrap();
    format!("/subsidies/{id}")
}

both_backends! {
    grants_stay_within_cap_and_budget_and_instalments_add_up => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "50.000").await;
        let applicants = selected(&app, &manager, &id, &[("Ameland", "GM0060"), ("Harlingen", "GM0072")]).await;
        let money = format!("/programmas/{id}/geld");
        let award = format!("/programmas/{id}/subsidies");
        let (rotterdam, ameland, harlingen) = (&applicants[0].1, &applicants[1].1, &applicants[2].1);
        let r = app.post_form(&manager, &money, &award, &[("application_id", application_id(rotterdam)), ("amount", "22.500"), ("amount_vat_included", "1")]).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        // One cent over the cap per applicant.
        let r = app.post_form(&manager, &money, &award, &[("application_id", application_id(ameland)), ("amount", "22.500,01"), ("amount_vat_included", "1"), ("note", "Eerste termijn in april")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("meer dan het maximum van € 22.500"), "{page}");
        assert!(page.contains("value=\"22.500,01\"") && page.contains("Eerste termijn in april"), "input kept");
        // Without VAT: 18.000 is 21.780 including 21% VAT, the programme's footing.
        let r = app.post_form(&manager, &money, &award, &[("application_id", application_id(ameland)), ("amount", "18.000"), ("amount_vat_included", "0")]).await;
        assert_eq!(r.status(), 303);
        // 50.000 - 22.500 - 21.780 leaves 5.720: 6.000 does not fit.
        let r = app.post_form(&manager, &money, &award, &[("application_id", application_id(harlingen)), ("amount", "6.000"), ("amount_vat_included", "1")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Dit past niet in het budget: er is nog € 5.720 over"), "{page}");
        assert!(page.contains("value=\"6.000\""), "input kept");
        assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"amount-error\""), "message at the field");
        // A second grant for the same participant is refused.
        let r = app.post_form(&manager, &money, &award, &[("application_id", application_id(rotterdam)), ("amount", "1"), ("amount_vat_included", "1")]).await;
        assert_eq!(r.status(), 422);
        let manage = app.get_as(&manager, &format!("/programmas/{id}/beheer")).await.text().await.unwrap();
        assert!(manage.contains("<dt>Toegekend</dt><dd>€ 44.280</dd>") && manage.contains("<dt>Nog over</dt><dd>€ 5.720</dd>"), "{manage}");

        // Instalments add up to the grant and never beyond it.
        let list = app.get_as(&manager, &money).await.text().await.unwrap();
        let rotterdam_grant = grant_link(&list, Some("\">Gemeente Rotterdam</a>"));
        assert!(!rotterdam_grant.contains('<'), "{rotterdam_grant}");
        let pay = format!("{rotterdam_grant}/betalingen");
        let r = app.post_form(&manager, &rotterdam_grant, &pay, &[("paid_on", "01-04-2026"), ("amount", "10.000")]).await;
        assert_eq!(r.status(), 303);
        let r = app.post_form(&manager, &rotterdam_grant, &pay, &[("paid_on", "1 juli"), ("amount", "12.500")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Vul een datum in") && page.contains("value=\"12.500\""), "input kept");
        let r = app.post_form(&manager, &rotterdam_grant, &pay, &[("paid_on", "01-07-2026"), ("amount", "12.500")]).await;
        assert_eq!(r.status(), 303);
        let r = app.post_form(&manager, &rotterdam_grant, &pay, &[("paid_on", "02-07-2026"), ("amount", "0,01")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("er staat nog € 0 open"));
        let page = app.get_as(&manager, &rotterdam_grant).await.text().await.unwrap();
        assert!(page.contains("<dt>Betaald</dt><dd>€ 22.500</dd>") && page.contains("01-04-2026") && page.contains("01-07-2026"));
        let manage = app.get_as(&manager, &format!("/programmas/{id}/beheer")).await.text().await.unwrap();
        assert!(manage.contains("<dt>Betaald</dt><dd>€ 22.500</dd>"));

        // The applicant sees its own grant; another applicant, another body's manager and non-managers do not.
        let (rotterdam_client, _) = &applicants[0];
        let own = app.get_as(rotterdam_client, rotterdam).await.text().await.unwrap();
        assert!(own.contains(&rotterdam_grant) && own.contains("Toegekend: € 22.500 inclusief btw"));
        assert_eq!(app.get_as(rotterdam_client, &rotterdam_grant).await.status(), 200);
        let (ameland_client, _) = &applicants[1];
        assert_eq!(app.get_as(ameland_client, &rotterdam_grant).await.status(), 404);
        assert_eq!(app.get_as(rotterdam_client, &money).await.status(), 403);
        let r = app.post_form(rotterdam_client, &rotterdam_grant, &pay, &[("paid_on", "01-08-2026"), ("amount", "1")]).await;
        assert_eq!(r.status(), 403);
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;
        assert_eq!(app.get_as(&stranger, &money).await.status(), 404);
        assert_eq!(app.get_as(&stranger, &rotterdam_grant).await.status(), 404);
        let r = app.post_form(&stranger, "/programmas", &pay, &[("paid_on", "01-08-2026"), ("amount", "1")]).await;
        assert_eq!(r.status(), 404);
        let r = app.post_form(&stranger, "/programmas", &award, &[("application_id", application_id(harlingen)), ("amount", "1")]).await;
        assert_eq!(r.status(), 404);
    };

    two_concurrent_awards_never_exceed_the_budget => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "30.000").await;
        let applicants = selected(&app, &manager, &id, &[("Ameland", "GM0060")]).await;
        let money = format!("/programmas/{id}/geld");
        let award = format!("/programmas/{id}/subsidies");
        let token = app.csrf_token(&manager, &money).await;
        let send = |application: String| {
            let manager = manager.clone();
            let url = app.url(&award);
            let token = token.clone();
            async move {
                manager
                    .post(url)
                    .form(&[("application_id", application.as_str()), ("amount", "20.000"), ("amount_vat_included", "1"), ("csrf_token", token.as_str())])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let (a, b) = tokio::join!(
            send(application_id(&applicants[0].1).to_owned()),
            send(application_id(&applicants[1].1).to_owned())
        );
        let mut statuses = [a, b];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 422], "exactly one award fits");
        let manage = app.get_as(&manager, &format!("/programmas/{id}/beheer")).await.text().await.unwrap();
        assert!(manage.contains("<dt>Toegekend</dt><dd>€ 20.000</dd>") && manage.contains("<dt>Nog over</dt><dd>€ 10.000</dd>"), "{manage}");
    };

    reports_are_in_late_or_missing_with_ketens_own_figures => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "100.000").await;
        let applicants = selected(&app, &manager, &id, &[("Ameland", "GM0060"), ("Harlingen", "GM0072")]).await;
        let reports = format!("/programmas/{id}/verslagen");
        // A report needs dates; the form keeps what was typed.
        let r = app.post_form(&manager, &reports, &reports, &[("title", "Tussenverslag"), ("period_from", "01-01-2026"), ("period_until", "28-02-2026"), ("due_on", "eind maart")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("value=\"Tussenverslag\"") && page.contains("value=\"eind maart\"") && page.contains("due_on-error"));
        let r = app.post_form(&manager, &reports, &reports, &[("title", "Tussenverslag"), ("period_from", "01-01-2026"), ("period_until", "28-02-2026"), ("due_on", "31-03-2026")]).await;
        assert_eq!(r.status(), 303);
        // keten's own figures for Rotterdam in the period: 3 questions read "< 5", 7 read 7.
        // (a day row and its month's row: the period's whole months are read from the month rollups)
        app.store.execute_raw("INSERT INTO question_dimension_rollups (dimension, day, help_point_id, value, questions, minutes) \
            SELECT 'all', 20494, id, 'x', 3, 30 FROM help_points WHERE municipality_code = 'GM0599' ORDER BY id LIMIT 1").await.unwrap();
        app.store.execute_raw("INSERT INTO question_month_rollups (dimension, month, help_point_id, value, questions, minutes) \
            SELECT 'all', 20485, id, 'x', 3, 30 FROM help_points WHERE municipality_code = 'GM0599' ORDER BY id LIMIT 1").await.unwrap();
        // and the rows of Rotterdam's chain that sum them, as every write keeps them
        app.store.execute_raw("INSERT INTO question_dimension_rollups (dimension, day, help_point_id, value, questions, minutes) \
            VALUES ('all', 20494, '@GM0599', 'x', 3, 30)").await.unwrap();
        app.store.execute_raw("INSERT INTO question_month_rollups (dimension, month, help_point_id, value, questions, minutes) \
            VALUES ('all', 20485, '@GM0599', 'x', 3, 30)").await.unwrap();
        let (rotterdam_client, rotterdam) = &applicants[0];
        let own = format!("{rotterdam}/verslagen");
        let page = app.get_as(rotterdam_client, &own).await.text().await.unwrap();
        assert!(page.contains("<dt>Hulpvragen geregistreerd</dt><dd>&#60; 5</dd>"), "{page}");
        assert!(page.contains("Nog niet nodig"), "not yet due");
        app.store.execute_raw("UPDATE question_dimension_rollups SET questions = 7 WHERE day = 20494 AND value = 'x'").await.unwrap();
        app.store.execute_raw("UPDATE question_month_rollups SET questions = 7 WHERE month = 20485 AND value = 'x'").await.unwrap();
        let page = app.get_as(rotterdam_client, &own).await.text().await.unwrap();
        assert!(page.contains("<dt>Hulpvragen geregistreerd</dt><dd>7</dd>"));
        // Rotterdam submits on time; an empty report is refused with the figures kept.
        let report_id = page.split("name=\"report_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let r = app.post_form(rotterdam_client, &own, &own, &[("report_id", &report_id), ("body", " "), ("figures", "120 bezoekers")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("120 bezoekers"));
        let r = app.post_form(rotterdam_client, &own, &own, &[("report_id", &report_id), ("body", "Drie pilots gestart."), ("figures", "120 bezoekers")]).await;
        assert_eq!(r.status(), 303);
        // Another participant cannot write Rotterdam's report, nor can the manager.
        let (ameland_client, ameland) = &applicants[1];
        let r = app.post_form(ameland_client, &format!("{ameland}/verslagen"), &own, &[("report_id", &report_id), ("body", "x")]).await;
        assert_eq!(r.status(), 404);
        assert_eq!(app.get_as(ameland_client, &own).await.status(), 404);
        let r = app.post_form(&manager, &own, &own, &[("report_id", &report_id), ("body", "x")]).await;
        assert_eq!(r.status(), 404);
        // Forty days on (11 April): Ameland submits late, Harlingen not at all.
        app.clock.advance_seconds(40 * 86_400);
        let ameland_client = app.signed_in("regie@ameland.test").await;
        let theirs = format!("{ameland}/verslagen");
        let r = app.post_form(&ameland_client, &theirs, &theirs, &[("report_id", &report_id), ("body", "Later dan gepland.")]).await;
        assert_eq!(r.status(), 303);
        let manager = app.signed_in(MANAGER).await;
        let page = app.get_as(&manager, &reports).await.text().await.unwrap();
        assert!(page.contains("Binnen: 1") && page.contains("Te laat binnen: 1") && page.contains("Ontbreekt: 1") && page.contains("Nog niet nodig: 0"), "{page}");
        assert!(page.contains("data-state=\"late\">Te laat binnen (11-04-2026)"));
        // The manager reads Rotterdam's report beside keten's figures.
        let read = app.get_as(&manager, &own).await.text().await.unwrap();
        assert!(read.contains("Drie pilots gestart.") && read.contains("120 bezoekers") && read.contains("ingeleverd op 02-03-2026"));
        // Only the programme's manager asks for reports.
        let steering = app.signed_in(STEERING).await;
        assert_eq!(app.get_as(&steering, &reports).await.status(), 403);
        let other = app.organisation("VVSG", "national_body", "public", "GM0363").await;
        app.user("manager@vvsg.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@vvsg.test").await;
        assert_eq!(app.get_as(&stranger, &reports).await.status(), 404);
        assert_eq!(app.get_as(&stranger, &own).await.status(), 404);
    };

    override_form_keeps_input_size_filter_and_participants_as_xlsx => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "100.000").await;
        let applicants = selected(&app, &manager, &id, &[("Ameland", "GM0060")]).await;
        let (_, ameland) = &applicants[1];
        // A reason too short: the form comes back with the choice, the reason and a message at the field.
        let r = app.post_form(&manager, ameland, &format!("{ameland}/afwijken"), &[("status", "rejected"), ("reason", "te kort")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("<option value=\"rejected\" selected>Afgewezen</option>"), "choice kept");
        assert!(page.contains(">te kort</textarea>") && page.contains("id=\"reason-error\""), "reason kept with its message");
        let r = app.post_form(&manager, ameland, &format!("{ameland}/afwijken"), &[("status", "onzin"), ("reason", "Een reden die lang genoeg is")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(">Een reden die lang genoeg is</textarea>"));
        // Filter by size class: Rotterdam is large, Ameland small.
        let manage = format!("/programmas/{id}/beheer");
        let small = app.get_as(&manager, &format!("{manage}?grootte=small")).await.text().await.unwrap();
        assert!(small.contains("Gemeente Ameland") && !small.contains("Gemeente Rotterdam</a>") && small.contains("1 van 2 aanvragen"));
        let large = app.get_as(&manager, &format!("{manage}?grootte=large")).await.text().await.unwrap();
        assert!(large.contains("Gemeente Rotterdam</a>") && !large.contains("Gemeente Ameland"));
        // The public participant list as a workbook, with formula-looking names neutralised.
        app.store.execute_raw("UPDATE organisations SET name = '=HYPERLINK(\"x\")' WHERE name = 'Gemeente Ameland'").await.unwrap();
        let r = app.browser().get(app.url(&format!("/programmas/{id}/deelnemers.xlsx"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let bytes = r.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("Deelnemers").unwrap();
        let cells: Vec<String> = sheet.rows().map(|r| r[0].to_string()).collect();
        assert_eq!(cells[0], "Organisatie");
        assert_eq!(cells.len(), 3, "header and the 2 participants");
        assert!(cells.contains(&"Gemeente Rotterdam".to_owned()));
        assert!(cells.iter().any(|c| c.starts_with("'=HYPERLINK")), "{cells:?}");
    };

    demo_programmes_hold_the_three_kinds_with_selection_grants_and_reports => |app: TestApp| async move {
        app.demo_chain().await;
        app.store.load_demo_programmes("Programmabureau Digitale Inclusie (demo)", app.now()).await.unwrap();
        let manager = app.signed_in(MANAGER).await;
        let list: serde_json::Value = manager.get(app.url("/api/v1/programmes")).send().await.unwrap().json().await.unwrap();
        let find = |name: &str| list.as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["id"].as_str().unwrap().to_owned()).expect(name);
        let front = find("Koplopersprogramma Lokale Ketenaanpak Digitale Inclusie");
        let project = find("Iedereen Digitaal: projectoproep voor lokale besturen");
        let scheme = find("Plan Digitale Inclusie bibliotheken 2019-2021");
        let apps: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{front}/applications"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(apps.as_array().unwrap().len(), 40, "40 Dutch applicants");
        let open: serde_json::Value = app.browser().get(app.url(&format!("/programmas/{front}/deelnemers.json"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(open["participants"].as_array().unwrap().len(), 20, "20 places");
        assert_eq!(open["seed"], "20231215");
        let money: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{front}/grants"))).send().await.unwrap().json().await.unwrap();
        assert!(money["awarded_cents"].as_i64().unwrap() <= 45_000_000 && money["paid_cents"].as_i64().unwrap() > 0);
        let lines: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{front}/reports"))).send().await.unwrap().json().await.unwrap();
        let states: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l["state"].as_str().unwrap()).collect();
        assert_eq!(states.len(), 20);
        assert_eq!(states.iter().filter(|s| **s == "late").count(), 1, "{states:?}");
        assert!(states.contains(&"in") && states.contains(&"missing"));
        // The Flemish dossiers with their real members; Brugge a partner without funding.
        let dossiers: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{project}/applications"))).send().await.unwrap().json().await.unwrap();
        let dossiers = dossiers.as_array().unwrap();
        assert_eq!(dossiers.len(), 2);
        assert!(dossiers.iter().all(|d| d["status"] == "selected"));
        let members: usize = dossiers.iter().map(|d| d["members"].as_array().unwrap().len()).sum();
        assert_eq!(members, 8, "3 members and Brugge in Noord, 4 members in West");
        let public = app.get_as(&app.browser(), &format!("/programmas/{project}")).await.text().await.unwrap();
        assert!(public.contains("Gemeente Blankenberge") && public.contains("Gemeente Beernem"));
        let lines: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{project}/reports"))).send().await.unwrap().json().await.unwrap();
        let mut states: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l["state"].as_str().unwrap()).collect();
        states.sort_unstable();
        assert_eq!(states, ["in", "missing"], "the dossiers' interim report");
        // The libraries' waves: 17 sign up for the kopgroep of 15, one withdraws, 15 are selected and announced
        // in the kopgroep's own draw; the second phase's 4 follow in theirs.
        let apps: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{scheme}/applications"))).send().await.unwrap().json().await.unwrap();
        let apps = apps.as_array().unwrap();
        assert_eq!(apps.len(), 21);
        let count = |status: &str| apps.iter().filter(|a| a["status"] == status).count();
        assert_eq!((count("selected"), count("reserve"), count("withdrawn")), (19, 1, 1), "{apps:?}");
        let withdrawn = apps.iter().find(|a| a["status"] == "withdrawn").unwrap();
        let kopgroep_wave = withdrawn["wave_id"].as_str().unwrap().to_owned();
        let kopgroep_selected = apps.iter().filter(|a| a["status"] == "selected" && a["wave_id"] == kopgroep_wave.as_str()).count();
        assert_eq!(kopgroep_selected, 15);
        let open: serde_json::Value = app.browser().get(app.url(&format!("/programmas/{scheme}/deelnemers.json"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(open["participants"].as_array().unwrap().len(), 19);
        let lines: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{scheme}/reports"))).send().await.unwrap().json().await.unwrap();
        let states: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l["state"].as_str().unwrap()).collect();
        let count = |state: &str| states.iter().filter(|s| **s == state).count();
        // The annual report over 2020, owed by both waves: 13 + 2 in, 1 late, 1 + 2 missing.
        assert_eq!((count("in"), count("late"), count("missing")), (15, 1, 3), "{states:?}");
        let page = app.get_as(&manager, &format!("/programmas/{scheme}/beheer")).await.text().await.unwrap();
        assert!(page.contains("Kopgroep") && page.contains("Fase 2 (2020)"));
        assert!(page.contains("bekend op 01-06-2019"), "the kopgroep's announcement");
        // Amounts per wave and per year, on the public page too.
        let public = app.get_as(&app.browser(), &format!("/programmas/{scheme}")).await.text().await.unwrap();
        for html in [&page, &public] {
            let table = html.split("Bedragen per deelnemer, per golf en per jaar").nth(1).expect("the table per wave and year").split("</table>").next().unwrap();
            for text in [">2019<", ">2020<", ">2021<", "€ 20.000", "€ 12.500", "€ 25.000", "€ 40.000"] {
                assert!(table.contains(text), "{text} in {table}");
            }
        }
        // The same amounts in the API.
        let api: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{scheme}"))).send().await.unwrap().json().await.unwrap();
        let kopgroep = &api["waves"][0];
        assert_eq!(kopgroep["name"], "Kopgroep", "{api}");
        assert_eq!(kopgroep["years"], serde_json::json!([{"year": 2019, "amount_cents": 2_000_000}, {"year": 2020, "amount_cents": 2_000_000}]));
    };

    api_shapes_roles_and_problems => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "30.000").await;
        let applicants = selected(&app, &manager, &id, &[("Ameland", "GM0060")]).await;
        let steering = &applicants[0].0;
        let url = |p: &str| app.url(p);
        // Programmes: settings for anyone signed in.
        let list: serde_json::Value = steering.get(url("/api/v1/programmes")).send().await.unwrap().json().await.unwrap();
        let one = list.as_array().unwrap().iter().find(|p| p["id"] == id.as_str()).expect("listed");
        assert_eq!(one["cap_cents"], 2_250_000);
        assert_eq!(one["cap_vat_included"], true);
        assert_eq!(one["conditions"][0], "Wij rapporteren open");
        let r = steering.get(url(&format!("/api/v1/programmes/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(app.browser().get(url("/api/v1/programmes")).send().await.unwrap().status(), 401);
        // Applications: the manager only; an applicant 403, another body's manager 404, both as problems.
        let apps: serde_json::Value = manager.get(url(&format!("/api/v1/programmes/{id}/applications"))).send().await.unwrap().json().await.unwrap();
        let apps = apps.as_array().unwrap();
        assert_eq!(apps.len(), 2);
        assert!(apps.iter().all(|a| a["status"] == "selected" && a["amount_cents"] == 1_000_000));
        let r = steering.get(url(&format!("/api/v1/programmes/{id}/applications"))).send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;
        for path in ["applications", "grants", "reports"] {
            let r = stranger.get(url(&format!("/api/v1/programmes/{id}/{path}"))).send().await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
        }
        // Grants: the role before the body (403 whatever was sent), then cap and budget as 422 problems.
        let grants = url(&format!("/api/v1/programmes/{id}/grants"));
        let r = steering.post(&grants).header("content-type", "application/json").body("{nonsense").send().await.unwrap();
        assert_eq!(r.status(), 403);
        let rotterdam = application_id(&applicants[0].1).to_owned();
        let ameland = application_id(&applicants[1].1).to_owned();
        let r = manager.post(&grants).json(&serde_json::json!({"application_id": rotterdam, "amount_cents": 2_250_001, "vat_included": true})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let problem: serde_json::Value = r.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "amount");
        // Amounts near the edge of 64 bits are refused before VAT is added (it overflowed: a server error).
        for cents in [i64::MAX, -1] {
            let r = manager.post(&grants).json(&serde_json::json!({"application_id": rotterdam, "amount_cents": cents, "vat_included": false})).send().await.unwrap();
            assert_eq!(r.status(), 422, "{cents}");
            let problem: serde_json::Value = r.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], "amount_cents");
        }
        let r = manager.post(&grants).json(&serde_json::json!({"application_id": rotterdam, "amount_cents": 2_000_000, "vat_included": true})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let grant: serde_json::Value = r.json().await.unwrap();
        assert_eq!(grant["amount_cents"], 2_000_000);
        assert_eq!(grant["paid_cents"], 0);
        let r = manager.post(&grants).json(&serde_json::json!({"application_id": ameland, "amount_cents": 1_000_001, "vat_included": true})).send().await.unwrap();
        assert_eq!(r.status(), 422, "10.000,01 does not fit in the 10.000 left");
        // Instalments add up and stop at the grant.
        let payments = url(&format!("/api/v1/grants/{}/payments", grant["id"].as_str().unwrap()));
        let r = steering.post(&payments).json(&serde_json::json!({"paid_on": "2026-04-01", "amount_cents": 1})).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = stranger.post(&payments).json(&serde_json::json!({"paid_on": "2026-04-01", "amount_cents": 1})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        for (day, cents, status) in [("2026-04-01", i64::MAX, 422), ("2026-04-01", 1_500_000, 201), ("2026-07-01", 500_001, 422), ("2026-07-01", 500_000, 201)] {
            let r = manager.post(&payments).json(&serde_json::json!({"paid_on": day, "amount_cents": cents})).send().await.unwrap();
            assert_eq!(r.status(), status, "{day} {cents}");
        }
        let money: serde_json::Value = manager.get(&grants).send().await.unwrap().json().await.unwrap();
        assert_eq!(money["budget_cents"], 3_000_000);
        assert_eq!(money["awarded_cents"], 2_000_000);
        assert_eq!(money["paid_cents"], 2_000_000);
        assert_eq!(money["left_cents"], 1_000_000);
        assert_eq!(money["grants"][0]["payments"].as_array().unwrap().len(), 2);
        // Reports: asked, then listed per participant with their state and keten's figures.
        let reports = url(&format!("/api/v1/programmes/{id}/reports"));
        let r = manager.post(&reports).json(&serde_json::json!({"title": "Eindverslag", "period_from": "2026-01-01", "period_until": "2026-02-28", "due_on": "morgen"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = manager.post(&reports).json(&serde_json::json!({"title": "Eindverslag", "period_from": "2026-01-01", "period_until": "2026-02-28", "due_on": "2026-03-01"})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let lines: serde_json::Value = manager.get(&reports).send().await.unwrap().json().await.unwrap();
        let lines = lines.as_array().unwrap();
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l["state"] == "missing" && l["keten"]["help_points"].is_string()), "{lines:?}");
        assert_eq!(steering.get(&reports).send().await.unwrap().status(), 403);
    };
}
