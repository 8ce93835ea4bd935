//! Programme accountability and the remaining money steps on both databases: keten's figures per participant
//! equal the rows they come from (page, totals, CSV and XLSX), a participant submits its own report through the
//! API (another participant 404, the manager reads), a grant's amount changes within cap and budget (422 keeps
//! the input) and a withdrawal returns the budget and names what is to be reclaimed; the reminder list; the
//! selection per wave, each with its own seed, deterministic and published per wave.

use crate::programme_money::{MANAGER, call, location};
use crate::support::TestApp;
use crate::support::demo_users::STEERING;
use keten_core::account::Role;

/// Rotterdam (the demo's steering user) and Ameland apply and are selected; (client, application id) each.
async fn rotterdam_and_ameland(
    app: &TestApp,
    manager: &reqwest::Client,
    id: &str,
) -> Vec<(reqwest::Client, String)> {
    let apply = format!("/programmas/{id}/aanvragen");
    let org = app
        .organisation("Gemeente Ameland", "municipality", "public", "GM0060")
        .await;
    app.user("regie@ameland.test", Role::Steering, &org).await;
    let mut out = Vec::new();
    for c in [
        app.signed_in(STEERING).await,
        app.signed_in("regie@ameland.test").await,
    ] {
        let r = app
            .post_form(
                &c,
                &apply,
                &apply,
                &[
                    ("amount", "10.000"),
                    ("amount_vat_included", "1"),
                    ("proposal", "Pilot"),
                    ("condition", "0"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let application = location(&r).trim_start_matches("/aanvragen/").to_owned();
        out.push((c, application));
    }
    let r = app
        .post_form(
            manager,
            &format!("/programmas/{id}/beheer"),
            &format!("/programmas/{id}/selectie"),
            &[("seed", "7")],
        )
        .await;
    assert_eq!(r.status(), 303);
    out
}

async fn stranger(app: &TestApp) -> reqwest::Client {
    let other = app
        .organisation("Mediawijs", "national_body", "public", "GM0363")
        .await;
    app.user("manager@mediawijs.test", Role::ProgrammeManager, &other)
        .await;
    app.signed_in("manager@mediawijs.test").await
}

/// Tenths per 1,000 as the steering dashboard rounds them (half up), written out by hand.
fn per_1000_text(questions: i64, residents: i64) -> String {
    let tenths = (questions * 20_000 / residents + 1) / 2;
    format!("{},{}", tenths / 10, tenths % 10)
}

both_backends! {
    figures_per_participant_equal_their_rows_with_totals_csv_and_xlsx => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "100.000").await;
        rotterdam_and_ameland(&app, &manager, &id).await;
        // Rollup rows (day and month, a help point's and its municipality's): 40 questions at a Rotterdam help point in the programme's period, 9 in
        // 2024 (outside it).
        for (day, month, questions) in [(20494, 20485, 40), (19800, 19783, 9)] {
            for (table, time) in [("question_dimension_rollups", day), ("question_month_rollups", month)] {
                let column = if table == "question_month_rollups" { "month" } else { "day" };
                app.store.execute_raw(&format!("INSERT INTO {table} (dimension, {column}, help_point_id, value, questions, minutes) \
                    SELECT 'all', {time}, id, '', {questions}, 30 FROM help_points WHERE municipality_code = 'GM0599' ORDER BY id LIMIT 1")).await.unwrap();
                // and the row of Rotterdam's chain that sums them, as every write keeps it
                app.store.execute_raw(&format!("INSERT INTO {table} (dimension, {column}, help_point_id, value, questions, minutes) \
                    VALUES ('all', {time}, '@GM0599', '', {questions}, 30)")).await.unwrap();
            }
        }
        let residents = i64::from(keten_core::reference::municipality("GM0599").unwrap().population);
        let help_points = app.store.chain_help_points("GM0599").await.unwrap().len();
        let page_path = format!("/programmas/{id}/verantwoording");
        let page = app.get_as(&manager, &page_path).await.text().await.unwrap();
        let row = page.split("scope=\"row\">Gemeente Rotterdam</th>").nth(1).expect("Rotterdam's row").split("</tr>").next().unwrap().to_owned();
        let cells: Vec<&str> = row.split("<td class=\"utrecht-table__cell\">").skip(1).map(|c| c.split("</td>").next().unwrap()).collect();
        assert_eq!(cells[0], "Rotterdam");
        assert_eq!(cells[2], "40", "{row}");
        assert_eq!(cells[3], per_1000_text(40, residents), "{row}");
        assert_eq!(cells[6], help_points.to_string(), "{row}");
        assert!(page.contains("01-01-2026 tot en met"), "default period from the opening");
        let ameland = page.split("scope=\"row\">Gemeente Ameland</th>").nth(1).expect("Ameland's row").split("</tr>").next().unwrap();
        assert!(ameland.contains("<td class=\"utrecht-table__cell\">0</td>"));
        let total = page.split("scope=\"row\">Totaal</th>").nth(1).expect("totals").split("</tr>").next().unwrap();
        assert!(total.contains(">2 gemeenten</td>") && total.contains("<td class=\"utrecht-table__cell\">40</td>"), "{total}");
        // A longer period takes the 2024 rows too; a wrong date comes back at its field with the input kept.
        let page = app.get_as(&manager, &format!("{page_path}?van=01-01-2024&tot=31-12-2026")).await.text().await.unwrap();
        assert!(page.contains("<td class=\"utrecht-table__cell\">49</td>"), "{page}");
        let r = app.get_as(&manager, &format!("{page_path}?van=gisteren")).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("value=\"gisteren\"") && page.contains("id=\"van-error\""));
        // The same figures as CSV and Excel.
        let r = app.get_as(&manager, &format!("/programmas/{id}/verantwoording.csv")).await;
        assert_eq!(r.status(), 200);
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("Deelnemer,Gemeente,Inwoners,Hulpvragen,"), "{csv}");
        let line = csv.lines().find(|l| l.starts_with("Gemeente Rotterdam,Rotterdam,")).expect("Rotterdam in the CSV");
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[3], "40", "{line}");
        assert!(csv.lines().any(|l| l.starts_with("Totaal,2 gemeenten,")), "{csv}");
        let r = app.get_as(&manager, &format!("/programmas/{id}/verantwoording.xlsx")).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        assert!(r.bytes().await.unwrap().starts_with(b"PK"));
        // Managers of this programme only.
        let steering = app.signed_in(STEERING).await;
        assert_eq!(app.get_as(&steering, &page_path).await.status(), 403);
        let stranger = stranger(&app).await;
        assert_eq!(app.get_as(&stranger, &page_path).await.status(), 404);
        assert_eq!(app.get_as(&stranger, &format!("/programmas/{id}/verantwoording.csv")).await.status(), 404);
    };

    participant_submits_its_own_report_through_the_api => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "100.000").await;
        let applicants = rotterdam_and_ameland(&app, &manager, &id).await;
        let url = |p: &str| app.url(p);
        let r = manager.post(url(&format!("/api/v1/programmes/{id}/reports"))).json(&serde_json::json!({"title": "Tussenverslag", "period_from": "2026-01-01", "period_until": "2026-02-28", "due_on": "2026-03-31"})).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let report: serde_json::Value = r.json().await.unwrap();
        let report_id = report["id"].as_str().unwrap().to_owned();
        let (rotterdam, rotterdam_app) = &applicants[0];
        let (ameland, ameland_app) = &applicants[1];
        let own = url(&format!("/api/v1/programmes/{id}/reports/{report_id}/submissions/{rotterdam_app}"));
        // Rotterdam writes and submits its own report; keten's figures stand beside it.
        let r = rotterdam.put(&own).json(&serde_json::json!({"body": "Drie pilots gestart.", "figures": "120 bezoekers"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let line: serde_json::Value = r.json().await.unwrap();
        assert_eq!(line["state"], "in");
        assert_eq!(line["body"], "Drie pilots gestart.");
        assert_eq!(line["submitted_on"], "2026-03-02");
        assert!(line["keten"]["consultation_hours"].is_string() && line["keten"]["per_1000"].is_string(), "{line}");
        // An empty report is a 422 problem at its field.
        let r = rotterdam.put(&own).json(&serde_json::json!({"body": " "})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = r.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "body");
        // Another participant neither reads nor writes it; under another programme's id it does not exist.
        let r = ameland.put(&own).json(&serde_json::json!({"body": "x"})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(ameland.get(&own).send().await.unwrap().status(), 404);
        let other = call(&app, &manager, "1.000").await;
        let wrong = url(&format!("/api/v1/programmes/{other}/reports/{report_id}/submissions/{rotterdam_app}"));
        assert_eq!(rotterdam.put(&wrong).json(&serde_json::json!({"body": "x"})).send().await.unwrap().status(), 404);
        // The manager reads but does not write (403 before the body is judged); another body's manager gets 404.
        let read: serde_json::Value = manager.get(&own).send().await.unwrap().json().await.unwrap();
        assert_eq!(read["body"], "Drie pilots gestart.");
        let r = manager.put(&own).header("content-type", "application/json").body("{nonsense").send().await.unwrap();
        assert_eq!(r.status(), 403);
        let stranger = stranger(&app).await;
        assert_eq!(stranger.get(&own).send().await.unwrap().status(), 404);
        // Ameland submits its own; the manager's list shows both in.
        let theirs = url(&format!("/api/v1/programmes/{id}/reports/{report_id}/submissions/{ameland_app}"));
        assert_eq!(ameland.put(&theirs).json(&serde_json::json!({"body": "Gestart."})).send().await.unwrap().status(), 200);
        let lines: serde_json::Value = manager.get(url(&format!("/api/v1/programmes/{id}/reports"))).send().await.unwrap().json().await.unwrap();
        assert!(lines.as_array().unwrap().iter().all(|l| l["state"] == "in"), "{lines}");
    };

    grant_changes_within_cap_and_budget_and_a_withdrawal_returns_the_budget => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "50.000").await;
        let applicants = rotterdam_and_ameland(&app, &manager, &id).await;
        let money = format!("/programmas/{id}/geld");
        let award = format!("/programmas/{id}/subsidies");
        for (app_id, amount) in [(&applicants[0].1, "20.000"), (&applicants[1].1, "22.500")] {
            let r = app.post_form(&manager, &money, &award, &[("application_id", app_id.as_str()), ("amount", amount), ("amount_vat_included", "1")]).await;
            assert_eq!(r.status(), 303);
        }
        let grants: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/grants"))).send().await.unwrap().json().await.unwrap();
        let grant_of = |application: &str| grants["grants"].as_array().unwrap().iter().find(|g| g["application_id"] == application).unwrap()["id"].as_str().unwrap().to_owned();
        let rotterdam_grant = format!("/subsidies/{}", grant_of(&applicants[0].1));
        let ameland_grant = grant_of(&applicants[1].1);
        let r = app.post_form(&manager, &rotterdam_grant, &format!("{rotterdam_grant}/betalingen"), &[("paid_on", "01-04-2026"), ("amount", "5.000")]).await;
        assert_eq!(r.status(), 303);
        let edit = format!("{rotterdam_grant}/bedrag");
        // Over the cap: refused at the field with the input kept.
        let r = app.post_form(&manager, &rotterdam_grant, &edit, &[("new_amount", "22.500,01"), ("new_amount_vat_included", "1")]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("meer dan het maximum van € 22.500") && page.contains("value=\"22.500,01\"") && page.contains("id=\"new_amount-error\""), "{page}");
        // Below what was paid.
        let r = app.post_form(&manager, &rotterdam_grant, &edit, &[("new_amount", "4.000"), ("new_amount_vat_included", "1")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Er is al € 5.000 betaald"));
        // 50.000 - 20.000 - 22.500 leaves 7.500: raising Rotterdam by 2.500 fits, the budget follows.
        let r = app.post_form(&manager, &rotterdam_grant, &edit, &[("new_amount", "22.500"), ("new_amount_vat_included", "1")]).await;
        assert_eq!(r.status(), 303);
        let manage = app.get_as(&manager, &format!("/programmas/{id}/beheer")).await.text().await.unwrap();
        assert!(manage.contains("<dt>Toegekend</dt><dd>€ 45.000</dd>") && manage.contains("<dt>Nog over</dt><dd>€ 5.000</dd>"), "{manage}");
        // Through the API: over the cap 422, the role before the body.
        let patch = app.url(&format!("/api/v1/grants/{ameland_grant}"));
        let r = manager.patch(&patch).json(&serde_json::json!({"amount_cents": 2_250_001, "vat_included": true})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let steering = app.signed_in(STEERING).await;
        let r = steering.patch(&patch).header("content-type", "application/json").body("{nonsense").send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = manager.patch(&patch).json(&serde_json::json!({"amount_cents": 2_000_000, "vat_included": true})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // Withdrawing needs a reason (kept when refused); then the whole amount returns and the paid part is to be reclaimed.
        let withdraw = format!("{rotterdam_grant}/intrekken");
        let r = app.post_form(&manager, &rotterdam_grant, &withdraw, &[("reason", " ")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("id=\"reason-error\""));
        let r = app.post_form(&manager, &rotterdam_grant, &withdraw, &[("reason", "Pilot gestopt")]).await;
        assert_eq!(r.status(), 303);
        let page = app.get_as(&manager, &rotterdam_grant).await.text().await.unwrap();
        assert!(page.contains("Pilot gestopt") && page.contains("€ 5.000 (al betaald; vraag dit terug)"), "{page}");
        let manage = app.get_as(&manager, &format!("/programmas/{id}/beheer")).await.text().await.unwrap();
        assert!(manage.contains("<dt>Toegekend</dt><dd>€ 20.000</dd>") && manage.contains("<dt>Nog over</dt><dd>€ 30.000</dd>"), "{manage}");
        assert!(manage.contains("€ 5.000</dd>") && manage.contains("Terug te vorderen"), "{manage}");
        // Nothing more is paid on it, and it cannot be withdrawn twice.
        let grant_id = rotterdam_grant.trim_start_matches("/subsidies/");
        let r = manager.post(app.url(&format!("/api/v1/grants/{grant_id}/payments"))).json(&serde_json::json!({"paid_on": "2026-05-01", "amount_cents": 1})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = manager.post(app.url(&format!("/api/v1/grants/{grant_id}/withdrawal"))).json(&serde_json::json!({"reason": "Nog eens"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = manager.post(app.url(&format!("/api/v1/grants/{ameland_grant}/withdrawal"))).json(&serde_json::json!({"reason": "Gestopt"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let g: serde_json::Value = r.json().await.unwrap();
        assert_eq!(g["withdrawn_reason"], "Gestopt");
        assert_eq!(g["to_reclaim_cents"], 0);
        let money: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/grants"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(money["awarded_cents"], 0);
        assert_eq!(money["left_cents"], 5_000_000);
        let stranger = stranger(&app).await;
        assert_eq!(app.get_as(&stranger, &rotterdam_grant).await.status(), 404);
        let r = stranger.post(app.url(&format!("/api/v1/grants/{ameland_grant}/withdrawal"))).json(&serde_json::json!({"reason": "x"})).send().await.unwrap();
        assert_eq!(r.status(), 404);
    };

    reminder_list_shows_reports_due_soon_and_overdue => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "100.000").await;
        let applicants = rotterdam_and_ameland(&app, &manager, &id).await;
        let reports = app.url(&format!("/api/v1/programmes/{id}/reports"));
        let mut ids = Vec::new();
        for (title, due) in [("Startverslag", "2026-02-01"), ("Tussenverslag", "2026-03-10")] {
            let r = manager.post(&reports).json(&serde_json::json!({"title": title, "period_from": "2026-01-01", "period_until": "2026-01-31", "due_on": due})).send().await.unwrap();
            assert_eq!(r.status(), 201);
            ids.push(r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
        }
        // Rotterdam hands in the overdue one (late); Ameland nothing. Today is 2 March 2026.
        let (rotterdam, rotterdam_app) = &applicants[0];
        let r = rotterdam.put(app.url(&format!("/api/v1/programmes/{id}/reports/{}/submissions/{rotterdam_app}", ids[0]))).json(&serde_json::json!({"body": "Laat"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let path = format!("/programmas/{id}/herinneringen");
        let page = app.get_as(&manager, &path).await.text().await.unwrap();
        let overdue = page.split("data-list=\"overdue\"").nth(1).expect("overdue list").split("</ul>").next().unwrap();
        assert_eq!(overdue.matches("<li>").count(), 1, "{overdue}");
        assert!(overdue.contains("Gemeente Ameland") && overdue.contains("Startverslag") && overdue.contains("29 dagen te laat"), "{overdue}");
        let soon = page.split("data-list=\"soon\"").nth(1).expect("soon list").split("</ul>").next().unwrap();
        assert_eq!(soon.matches("<li>").count(), 2, "{soon}");
        assert!(soon.contains("nog 8 dagen"), "{soon}");
        // Within 5 days nothing is due; a wrong number comes back at its field.
        let page = app.get_as(&manager, &format!("{path}?dagen=5")).await.text().await.unwrap();
        assert!(!page.contains("data-list=\"soon\"") && page.contains("Geen verslag moet binnen 5 dagen"));
        let r = app.get_as(&manager, &format!("{path}?dagen=veel")).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("value=\"veel\"") && page.contains("id=\"dagen-error\""));
        assert_eq!(app.get_as(rotterdam, &path).await.status(), 403);
        let stranger = stranger(&app).await;
        assert_eq!(app.get_as(&stranger, &path).await.status(), 404);
    };

    selection_per_wave_with_its_own_seed_is_deterministic_and_published => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let fields: Vec<(&str, &str)> = vec![
            ("kind", "subsidy_scheme"), ("name", "Plan bibliotheken"), ("applicant_kind", "library"),
            ("description", "Test"), ("opens_on", "01-01-2026"), ("closes_on", "31-12-2026"), ("budget", "450.000"),
            ("cap", "40.000"), ("cap_vat_included", "1"), ("vat_percent", "21"), ("small_below", "20.000"),
            ("large_from", "50.000"), ("max_participants", "4"), ("waves", "Kopgroep; 2; 40.000\nFase 2; 2; 25.000"),
        ];
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &fields).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let id = location(&r).trim_start_matches("/programmas/").trim_end_matches("/beheer").to_owned();
        let apply = format!("/programmas/{id}/aanvragen");
        // Three libraries sign up for the kopgroep, one for the second wave.
        let mut waves = Vec::new();
        for (i, (name, code)) in [("Ameland", "GM0060"), ("Harlingen", "GM0072"), ("Veendam", "GM0047"), ("Stadskanaal", "GM0037")].into_iter().enumerate() {
            let org = app.organisation(&format!("Bibliotheek {name}"), "library", "public", code).await;
            let email = format!("bieb@{}.test", name.to_lowercase());
            app.user(&email, Role::Coordinator, &org).await;
            let c = app.signed_in(&email).await;
            if waves.is_empty() {
                let form = app.get_as(&c, &apply).await.text().await.unwrap();
                waves = form.split("name=\"wave_id\" value=\"").skip(1).map(|w| w.split('"').next().unwrap().to_owned()).collect();
                assert_eq!(waves.len(), 2);
            }
            let wave = if i < 3 { &waves[0] } else { &waves[1] };
            let r = app.post_form(&c, &apply, &apply, &[("amount", "25.000"), ("amount_vat_included", "1"), ("proposal", "Cursussen"), ("wave_id", wave)]).await;
            assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        }
        let manage = format!("/programmas/{id}/beheer");
        let run = |seed: &'static str, wave: String| {
            let (app, manager, manage, id) = (&app, &manager, manage.clone(), id.clone());
            async move {
                let r = app.post_form(manager, &manage, &format!("/programmas/{id}/selectie"), &[("seed", seed), ("wave_id", &wave)]).await;
                assert_eq!(r.status(), 303);
            }
        };
        let selected = || async {
            let apps: serde_json::Value = manager.get(app.url(&format!("/api/v1/programmes/{id}/applications"))).send().await.unwrap().json().await.unwrap();
            let mut ids: Vec<(String, String)> = apps.as_array().unwrap().iter()
                .filter(|a| a["status"] == "selected")
                .map(|a| (a["organisation"].as_str().unwrap().to_owned(), a["wave_id"].as_str().unwrap_or("").to_owned()))
                .collect();
            ids.sort();
            ids
        };
        // The kopgroep: 2 of its 3 applicants, the second wave's applicant not in the draw; the same seed, the same draw.
        run("11", waves[0].clone()).await;
        let first = selected().await;
        assert_eq!(first.len(), 2, "{first:?}");
        assert!(first.iter().all(|(_, w)| *w == waves[0]), "{first:?}");
        run("11", waves[0].clone()).await;
        assert_eq!(selected().await, first, "deterministic with its seed");
        // The second wave draws from its own applicant and the kopgroep's rest; the kopgroep keeps its places.
        run("12", waves[1].clone()).await;
        let all = selected().await;
        assert_eq!(all.len(), 4, "{all:?}");
        assert!(first.iter().all(|f| all.contains(f)));
        // An unknown wave is refused.
        let r = app.post_form(&manager, &manage, &format!("/programmas/{id}/selectie"), &[("seed", "1"), ("wave_id", "onbekend")]).await;
        assert_eq!(r.status(), 422);
        // The public page shows each wave with its own seed and participants.
        let page = app.browser().get(app.url(&format!("/programmas/{id}"))).send().await.unwrap().text().await.unwrap();
        let kopgroep = page.split("Kopgroep (2 plaatsen)</h3>").nth(1).expect("the kopgroep").split("</section>").next().unwrap();
        assert!(kopgroep.contains("startgetal <strong>11</strong>: 2 gekozen"), "{kopgroep}");
        for (name, _) in &first {
            assert!(kopgroep.contains(&format!("<li>{name}</li>")), "{kopgroep}");
        }
        let second = page.split("Fase 2 (2 plaatsen)</h3>").nth(1).expect("the second wave").split("</section>").next().unwrap();
        assert!(second.contains("startgetal <strong>12</strong>: 2 gekozen") && second.contains("<li>Bibliotheek Stadskanaal</li>"), "{second}");
    };

    reports_due_soon_and_overdue_are_mailed_once_each => |plain: TestApp| async move {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::support::mail_config(dir.path());
        let app = TestApp::spawn_with(plain.db, config.clone()).await;
        app.demo_chain().await;
        let state = keten_web::AppState::new(app.store.clone(), std::sync::Arc::new(app.clock.clone()), config);
        let manager = app.signed_in(MANAGER).await;
        let id = call(&app, &manager, "100.000").await;
        let applicants = rotterdam_and_ameland(&app, &manager, &id).await;
        // Due in 8 days (today is 2 March 2026): within the 14 days, both participants are reminded once.
        let r = manager.post(app.url(&format!("/api/v1/programmes/{id}/reports"))).json(&serde_json::json!({"title": "Tussenverslag", "period_from": "2026-01-01", "period_until": "2026-01-31", "due_on": "2026-03-10"})).send().await.unwrap();
        let report_id = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        assert_eq!(keten_web::send_report_reminders(&state).await.unwrap(), 2);
        let mails = crate::support::mails_in(dir.path());
        assert!(mails.iter().any(|m| m.contains("To: regie@ameland.test") && m.contains("Subject: Uw verslag moet binnenkort binnen zijn") && m.contains("Tussenverslag")), "{mails:#?}");
        assert!(mails.iter().any(|m| m.contains(&format!("To: {STEERING}"))), "{mails:#?}");
        assert_eq!(keten_web::send_report_reminders(&state).await.unwrap(), 0, "once per report and kind");
        // Rotterdam hands in; ten days on only Ameland hears that its report is late, once.
        let (rotterdam, rotterdam_app) = &applicants[0];
        let r = rotterdam.put(app.url(&format!("/api/v1/programmes/{id}/reports/{report_id}/submissions/{rotterdam_app}"))).json(&serde_json::json!({"body": "Klaar"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        app.clock.advance_seconds(10 * 86_400);
        assert_eq!(keten_web::send_report_reminders(&state).await.unwrap(), 1);
        let mails = crate::support::mails_in(dir.path());
        assert!(mails.iter().any(|m| m.contains("To: regie@ameland.test") && m.contains("Subject: Uw verslag is te laat")), "{mails:#?}");
        assert_eq!(keten_web::send_report_reminders(&state).await.unwrap(), 0);
    };
}
