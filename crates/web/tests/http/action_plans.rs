//! Local action plans on both databases: the create form keeps its input on errors (422), the inventory taken
//! over from the directory, actions with progress and overdue ones, a linked figure equal to the steering
//! figures, the XLSX read back, and tenants (another municipality 404, a programme manager without a trajectory
//! there 404, read-only with one).

use crate::support::TestApp;
use crate::support::demo_users::{STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};

const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

async fn new_plan(app: &TestApp, client: &reqwest::Client) -> Value {
    let r = client
        .post(app.url("/api/v1/action-plans"))
        .json(&json!({"title": "Actieplan Rotterdam", "starts_on": "2025-03-02", "ends_on": "2026-03-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

both_backends! {
    create_form_keeps_input_and_inventory_comes_from_the_directory => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        // A period that runs backwards: 422 with the title kept and a message at the field.
        let r = app.post_form(&steering, "/regie/actieplan", "/regie/actieplan",
            &[("title", "Samen digitaal 2026"), ("starts_on", "01-01-2027"), ("ends_on", "01-01-2026")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Samen digitaal 2026\""), "{html}");
        assert!(html.contains("De einddatum moet na de begindatum liggen."));
        let r = app.post_form(&steering, "/regie/actieplan", "/regie/actieplan",
            &[("title", "Samen digitaal 2026"), ("starts_on", "01-01-2026"), ("ends_on", "31-12-2028")]).await;
        assert_eq!(r.status(), 303);
        let page = r.headers()["location"].to_str().unwrap().to_owned();
        let id = page.trim_start_matches("/regie/actieplan/").to_owned();

        // "Neem over uit keten": every help point, partner and consultation hour of Rotterdam's chain, once.
        let r = app.post_form(&steering, &page, &format!("{page}/inventaris"), &[("kind", "all")]).await;
        assert_eq!(r.status(), 303);
        let r = app.post_form(&steering, &page, &format!("{page}/inventaris"), &[("kind", "all")]).await;
        assert_eq!(r.status(), 303);
        let directory = app.store.plan_directory("GM0599").await.unwrap();
        let expected = directory.help_points.len() + directory.partners.len() + directory.consultation_hours.len();
        assert!(directory.help_points.len() >= 2 && !directory.consultation_hours.is_empty());
        let plan: Value = steering.get(app.url(&format!("/api/v1/action-plans/{id}"))).send().await.unwrap().json().await.unwrap();
        let items = plan["items"].as_array().unwrap();
        assert_eq!(items.len(), expected, "{plan}");
        assert!(items.iter().any(|i| i["source"] == "help_point" && i["title"] == "Centrale Bibliotheek"));
        // A free entry with an empty title keeps the rest of the input.
        let r = app.post_form(&steering, &page, &format!("{page}/inventaris"),
            &[("kind", "free"), ("title", ""), ("who", "Buurtwerk Noord")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("value=\"Buurtwerk Noord\""));
        // Something from another chain is refused.
        let r = steering.post(app.url(&format!("/api/v1/action-plans/{id}/items")))
            .json(&json!({"source": "help_point", "source_id": "not-in-rotterdam"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    };

    actions_progress_figures_and_the_workbook => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        crate::steering::demo_history(&app, ids, 600).await;
        let steering = app.signed_in(STEERING).await;
        let plan = new_plan(&app, &steering).await;
        let id = plan["id"].as_str().unwrap().to_owned();
        let owner = app.organisation_id("Bibliotheek Rotterdam").await;
        let actions = app.url(&format!("/api/v1/action-plans/{id}/actions"));
        for (title, horizon, status, due, metric) in [
            ("Spreekuur in elke bibliotheek", "short", "done", "2026-01-01", "questions_per_1000"),
            ("Folder in de wijken", "short", "under_way", "2026-02-01", "share_solved"),
            ("Vrijwilligers opleiden", "medium", "planned", "2027-01-01", ""),
            ("Hulppunt in elke wijk", "long", "dropped", "2025-06-01", ""),
        ] {
            let r = steering.post(&actions).json(&json!({"title": title, "horizon": horizon, "status": status,
                "due_on": due, "metric": metric, "owner_organisation_id": owner})).send().await.unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        // An unknown horizon and an owner outside the chain: 422.
        let r = steering.post(&actions).json(&json!({"title": "x", "horizon": "soon"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let r = steering.post(&actions).json(&json!({"title": "x", "horizon": "short", "owner_organisation_id": "elders"})).send().await.unwrap();
        assert_eq!(r.status(), 422);

        let plan: Value = steering.get(app.url(&format!("/api/v1/action-plans/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(plan["progress"]["total"], 4);
        // The folder was due 1 February and is still under way on 2 March 2026; dropped is never overdue.
        assert_eq!(plan["progress"]["overdue"], 1);
        assert_eq!(plan["progress"]["per_horizon"][0]["done"], 1);
        assert_eq!(plan["progress"]["per_horizon"][0]["under_way"], 1);
        assert_eq!(plan["progress"]["per_horizon"][2]["dropped"], 1);
        // 1 done of 3 not dropped.
        assert_eq!(plan["progress"]["done_percent"], 33);

        // The linked figure equals the steering figures for Rotterdam over the plan's period.
        let actor = app.actor(STEERING).await;
        let scope = app.store.stats_scope(&actor, Some("GM0599"), None).await.unwrap();
        let range = keten_core::steering::DayRange {
            from: keten_core::steering::day_number(jiff::civil::date(2025, 3, 2)),
            until: keten_core::steering::day_number(jiff::civil::date(2026, 3, 2)),
        };
        let figures = app.store.stats_figures(&scope, range).await.unwrap();
        assert!(figures.questions() > 0);
        let residents = keten_core::reference::municipality("GM0599").unwrap().population;
        let tenths = keten_core::steering::per_thousand_tenths(figures.questions(), residents).unwrap();
        let shown = plan["figures"].as_array().unwrap().iter().find(|f| f["metric"] == "questions_per_1000").unwrap();
        assert_eq!(shown["value"].as_f64().unwrap(), tenths as f64 / 10.0);
        let page = steering.get(app.url(&format!("/regie/actieplan/{id}"))).send().await.unwrap().text().await.unwrap();
        let text = keten_core::action_plan::MetricValue::Tenths(tenths).text();
        assert!(page.contains(&format!("Hulpvragen per 1.000 inwoners: {text}")), "{page}");
        assert!(page.contains("(te laat)"));

        // The status form moves an action.
        let folder = plan["actions"].as_array().unwrap().iter().find(|a| a["title"] == "Folder in de wijken").unwrap()["id"].as_str().unwrap().to_owned();
        let r = app.post_form(&steering, &format!("/regie/actieplan/{id}"), &format!("/regie/actieplan/{id}/acties/{folder}"), &[("status", "done")]).await;
        assert_eq!(r.status(), 303);

        // The workbook read back.
        let r = steering.get(app.url(&format!("/regie/actieplan/{id}/actieplan.xlsx"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let bytes = r.bytes().await.unwrap().to_vec();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("Acties").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect();
        assert_eq!(rows[0][0], "Actie");
        assert_eq!(rows.len(), 5);
        let first = rows.iter().find(|r| r[0] == "Spreekuur in elke bibliotheek").unwrap();
        assert_eq!(first[7].parse::<f64>().unwrap(), tenths as f64 / 10.0);
        let folder_row = rows.iter().find(|r| r[0] == "Folder in de wijken").unwrap();
        assert_eq!(folder_row[3], "Klaar");
        // The print page: plain HTML without scripts of its own.
        let r = steering.get(app.url(&format!("/regie/actieplan/{id}/afdrukken"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Acties per termijn en status"));
    };

    tenants_and_the_programme_manager_with_a_trajectory => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        let plan = new_plan(&app, &steering).await;
        let id = plan["id"].as_str().unwrap().to_owned();
        let url = app.url(&format!("/api/v1/action-plans/{id}"));
        // Another municipality's steering: 404 on read and write; the plan is not in its list.
        let org = app.organisation("Gemeente Utrecht", "municipality", "public", "GM0344").await;
        app.user("regie@utrecht.test", Role::Steering, &org).await;
        let other = app.signed_in("regie@utrecht.test").await;
        assert_eq!(other.get(&url).send().await.unwrap().status(), 404);
        assert_eq!(other.get(app.url(&format!("/regie/actieplan/{id}"))).send().await.unwrap().status(), 404);
        let r = other.put(&url).json(&json!({"title": "x", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let list: Value = other.get(app.url("/api/v1/action-plans")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 0);
        // Creating for a municipality one does not steer: 404.
        let r = other.post(app.url("/api/v1/action-plans")).json(&json!({"municipality_code": "GM0599",
            "title": "x", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})).send().await.unwrap();
        assert_eq!(r.status(), 404);
        // Staff may not read plans at all.
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(&url).send().await.unwrap().status(), 403);

        // A programme manager without a trajectory in Rotterdam: 404.
        let manager = app.signed_in(MANAGER).await;
        assert_eq!(manager.get(&url).send().await.unwrap().status(), 404);
        // With one: reads the plan, may not change it.
        let manager_actor = app.actor(MANAGER).await;
        let national = manager_actor.organisation_ids_with(Role::ProgrammeManager).next().unwrap();
        let rotterdam = app.store.municipality_organisation("GM0599").await.unwrap().unwrap().0;
        let now = app.now();
        app.store.execute_raw(&format!(
            "INSERT INTO programmes (id, organisation_id, kind, name, description, applicant_kind, opens_on, closes_on, \
             budget_cents, cap_cents, cap_vat_included, vat_percent, max_participants, country, excluded_programmes, small_below, large_from, \
             created_at, updated_at) VALUES ('p-test', '{national}', 'trajectory', 'Traject', '', 'municipality', \
             '2026-01-01', '2026-03-28', 0, 0, 1, 21, 3, NULL, '', 20000, 50000, {now}, {now})")).await.unwrap();
        app.store.execute_raw(&format!(
            "INSERT INTO trajectories (id, programme_id, organisation_id, municipality_code, participant_kind, \
             partnership_name, year, stage, end_date, created_at, updated_at) VALUES ('t-test', 'p-test', '{rotterdam}', \
             'GM0599', 'local_government', NULL, 2026, 'intake', NULL, {now}, {now})")).await.unwrap();
        let read: Value = manager.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(read["writable"], false);
        assert_eq!(read["title"], "Actieplan Rotterdam");
        let r = manager.post(app.url(&format!("/api/v1/action-plans/{id}/actions")))
            .json(&json!({"title": "x", "horizon": "short"})).send().await.unwrap();
        assert_eq!(r.status(), 403);
        // Steering links the plan to the trajectory; a foreign trajectory id is refused.
        let r = steering.put(&url).json(&json!({"title": "Actieplan Rotterdam", "starts_on": "2025-03-02",
            "ends_on": "2026-03-01", "trajectory_id": "t-test"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(app.store.action_plans_of_trajectory("t-test").await.unwrap().len(), 1);
        // The manager's trajectory page and the local government's show the plan's progress.
        for client in [&manager, &steering] {
            let page = client.get(app.url("/trajecten/t-test")).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("Actieplan Rotterdam") && page.contains("0 van 0 acties klaar"), "{page}");
        }
        let r = steering.put(&url).json(&json!({"title": "Actieplan Rotterdam", "starts_on": "2025-03-02",
            "ends_on": "2026-03-01", "trajectory_id": "elders"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
    };

    demo_holds_a_plan_for_rotterdam_on_three_horizons => |app: TestApp| async move {
        app.demo_chain().await;
        app.store.load_demo_action_plan(app.now()).await.unwrap();
        let steering = app.signed_in(STEERING).await;
        let list: Value = steering.get(app.url("/api/v1/action-plans")).send().await.unwrap().json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        let id = list[0]["id"].as_str().unwrap();
        let plan: Value = steering.get(app.url(&format!("/api/v1/action-plans/{id}"))).send().await.unwrap().json().await.unwrap();
        assert!(plan["items"].as_array().unwrap().len() > 3);
        let horizons = plan["progress"]["per_horizon"].as_array().unwrap();
        assert!(horizons.iter().all(|h| h["planned"].as_u64().unwrap() + h["under_way"].as_u64().unwrap()
            + h["done"].as_u64().unwrap() + h["dropped"].as_u64().unwrap() > 0), "{plan}");
    };

    the_edit_form_and_the_trajectory_select_keep_to_the_municipality => |app: TestApp| async move {
        app.demo_chain().await;
        let steering = app.signed_in(STEERING).await;
        // A trajectory in Rotterdam and one in Utrecht.
        let rotterdam = app.store.municipality_organisation("GM0599").await.unwrap().unwrap().0;
        let utrecht = app.organisation("Gemeente Utrecht", "municipality", "public", "GM0344").await;
        app.user("regie@utrecht.test", Role::Steering, &utrecht).await;
        let national = app.actor(MANAGER).await.organisation_ids_with(Role::ProgrammeManager).next().unwrap().to_owned();
        let now = app.now();
        app.store.execute_raw(&format!(
            "INSERT INTO programmes (id, organisation_id, kind, name, description, applicant_kind, opens_on, closes_on, \
             budget_cents, cap_cents, cap_vat_included, vat_percent, max_participants, country, excluded_programmes, small_below, large_from, \
             created_at, updated_at) VALUES ('p-test', '{national}', 'trajectory', 'Begeleidingstraject', '', 'municipality', \
             '2026-01-01', '2026-03-28', 0, 0, 1, 21, 3, NULL, '', 20000, 50000, {now}, {now})")).await.unwrap();
        for (id, org, code) in [("t-rotterdam", &rotterdam, "GM0599"), ("t-utrecht", &utrecht, "GM0344")] {
            app.store.execute_raw(&format!(
                "INSERT INTO trajectories (id, programme_id, organisation_id, municipality_code, participant_kind, \
                 partnership_name, year, stage, end_date, created_at, updated_at) VALUES ('{id}', 'p-test', '{org}', \
                 '{code}', 'local_government', NULL, 2026, 'intake', NULL, {now}, {now})")).await.unwrap();
        }
        // The create form offers Rotterdam's trajectory only.
        let html = app.get_as(&steering, "/regie/actieplan").await.text().await.unwrap();
        assert!(html.contains("value=\"t-rotterdam\"") && html.contains("Begeleidingstraject (2026)"), "{html}");
        assert!(!html.contains("t-utrecht"));
        // Utrecht's trajectory sent anyway: refused in Dutch, the input kept.
        let r = app.post_form(&steering, "/regie/actieplan", "/regie/actieplan", &[("title", "Samen digitaal"),
            ("starts_on", "01-01-2026"), ("ends_on", "31-12-2027"), ("trajectory_id", "t-utrecht")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Kies een begeleidingstraject van deze gemeente") && html.contains("value=\"Samen digitaal\""), "{html}");
        let r = app.post_form(&steering, "/regie/actieplan", "/regie/actieplan", &[("title", "Samen digitaal"),
            ("starts_on", "01-01-2026"), ("ends_on", "31-12-2027"), ("trajectory_id", "t-rotterdam")]).await;
        assert_eq!(r.status(), 303);
        let page = r.headers()["location"].to_str().unwrap().to_owned();
        let id = page.trim_start_matches("/regie/actieplan/").to_owned();
        assert_eq!(app.store.action_plans_of_trajectory("t-rotterdam").await.unwrap().len(), 1);

        // The edit form shows the plan as it is, with its trajectory chosen.
        let html = app.get_as(&steering, &page).await.text().await.unwrap();
        assert!(html.contains("Plan wijzigen") && html.contains("value=\"01-01-2026\"") && html.contains("value=\"t-rotterdam\" selected"), "{html}");
        // A period running backwards: 422, the typed title kept, the message at the field.
        let r = app.post_form(&steering, &page, &page, &[("title", "Samen digitaal 2026-2028"), ("starts_on", "01-01-2028"),
            ("ends_on", "31-12-2026"), ("trajectory_id", "t-rotterdam")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Samen digitaal 2026-2028\"") && html.contains("De einddatum moet na de begindatum liggen."), "{html}");
        // Another municipality's trajectory: refused in Dutch, the input kept, nothing changed.
        let r = app.post_form(&steering, &page, &page, &[("title", "Samen digitaal 2026-2028"), ("starts_on", "01-01-2026"),
            ("ends_on", "31-12-2028"), ("trajectory_id", "t-utrecht")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Kies een begeleidingstraject van deze gemeente") && html.contains("value=\"Samen digitaal 2026-2028\"") && html.contains("aria-invalid"), "{html}");
        let plan: Value = steering.get(app.url(&format!("/api/v1/action-plans/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!((plan["title"].as_str(), plan["trajectory_id"].as_str()), (Some("Samen digitaal"), Some("t-rotterdam")));
        // Saved: new title and period, no trajectory any more.
        let r = app.post_form(&steering, &page, &page, &[("title", "Samen digitaal 2026-2028"), ("starts_on", "01-01-2026"),
            ("ends_on", "31-12-2028"), ("trajectory_id", "")]).await;
        assert_eq!(r.status(), 303);
        let plan: Value = steering.get(app.url(&format!("/api/v1/action-plans/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(plan["title"], "Samen digitaal 2026-2028");
        assert_eq!(plan["ends_on"], "2028-12-31");
        assert!(plan["trajectory_id"].is_null());

        // Another municipality's steering: 404; the programme manager reads but may not write: 403.
        let other = app.signed_in("regie@utrecht.test").await;
        let fields = [("title", "Overgenomen"), ("starts_on", "01-01-2026"), ("ends_on", "31-12-2028")];
        let token = app.csrf_token(&other, "/regie/actieplan").await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        assert_eq!(other.post(app.url(&page)).form(&form).send().await.unwrap().status(), 404);
        let manager = app.signed_in(MANAGER).await;
        let token = app.csrf_token(&manager, "/regie/actieplan").await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        assert_eq!(manager.post(app.url(&page)).form(&form).send().await.unwrap().status(), 403);
        let plan: Value = steering.get(app.url(&format!("/api/v1/action-plans/{id}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(plan["title"], "Samen digitaal 2026-2028");
    };
}
