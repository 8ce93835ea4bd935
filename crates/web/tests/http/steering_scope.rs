//! One partner's consultation hours as a steering scope, on both databases: the desk's "Spreekuur" choice and the
//! API field record the hour (only one of the help point's own hours), the rollup of consultation hours equals a
//! rebuilt one after registrations, undo, correction and import, the scope's figures equal a plain count of the
//! raw rows, and the scope follows the tenant rules (404 for another municipality or a partner without hours
//! in the chain).

use crate::steering::{assert_rollups_match, csv_rows, demo_history, raw_rows};
use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, STAFF, STEERING};
use keten_core::account::Role;
use keten_core::help_question::{Channel, Outcome, QuestionDraft, VisitDraft};
use keten_core::steering::{local_date, thousands};
use keten_store::help_questions::{HelpQuestion, Registrar, Source};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const PROGRAMME: &str = "programma@digitale-inclusie.demo.keten.nl";

/// The id of a consultation hour at a help point, by the start of its organisation's name.
async fn hour_of(app: &TestApp, point: &str, organisation: &str) -> String {
    app.store
        .desk_consultation_hours(point)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.organisation_name.starts_with(organisation))
        .unwrap_or_else(|| panic!("no hour of {organisation} at {point}"))
        .id
}

/// Registers one question at the desk as `client`, during `hour` ("" for none); returns the visit id.
async fn desk_visit(
    app: &TestApp,
    client: &reqwest::Client,
    point: &str,
    hour: &str,
    topic: &str,
    minutes: &str,
) -> String {
    let desk = format!("/balie/{point}");
    let r = app
        .post_form(
            client,
            &desk,
            &desk,
            &[
                ("q0_topic", topic),
                ("q0_minutes", minutes),
                ("pc4", "3011"),
                ("consultation_hour", hour),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        303,
        "desk registration at {point} during {hour:?}"
    );
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    location
        .split_once("bezoek=")
        .unwrap()
        .1
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

/// Registers a visit over the API `days_ago` days back, during `hour` if given.
async fn api_visit(
    app: &TestApp,
    client: &reqwest::Client,
    point: &str,
    hour: Option<&str>,
    days_ago: i64,
    topics: &[&str],
) -> reqwest::Response {
    let at = jiff::Timestamp::from_second(app.now() - days_ago * 86_400).unwrap();
    let questions: Vec<Value> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"topic": t, "minutes": 10 + i as i64 * 5}))
        .collect();
    client
        .post(app.url("/api/v1/help-questions"))
        .json(&json!({
            "help_point_id": point,
            "asked_at": at.to_string(),
            "pc4": "3012",
            "age_band": "65-74",
            "consultation_hour_id": hour,
            "questions": questions,
        }))
        .send()
        .await
        .unwrap()
}

/// Label -> values of a table in an API answer.
fn api_table(stats: &Value, key: &str) -> BTreeMap<String, Vec<Option<i64>>> {
    let Some(table) = stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
    else {
        return BTreeMap::new();
    };
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(Value::as_i64)
                    .collect(),
            )
        })
        .collect()
}

both_backends! {
    desk_and_api_record_the_consultation_hour_and_the_rollups_follow => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let ommoord = app.help_point("Bibliotheek Ommoord").await.id;
        demo_history(&app, ids, 200).await;
        let bank_central = hour_of(&app, &central, "Maasbank").await;
        let care_central = hour_of(&app, &central, "Zorgverzekeraar Rijnmond").await;
        let bank_ommoord = hour_of(&app, &ommoord, "Maasbank").await;
        let staff = app.signed_in(STAFF).await;
        let coordinator = app.signed_in(COORDINATOR).await;

        // The desk offers the help point's own hours, and no choice at a point without any.
        let html = staff.get(app.url(&format!("/balie/{central}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<label class=\"utrecht-form-label\" for=\"consultation_hour\">Spreekuur</label>"), "choice shown");
        assert!(html.contains(&format!("<option value=\"{bank_central}\">")) && html.contains(&format!("<option value=\"{care_central}\">")));
        assert!(!html.contains(&format!("value=\"{bank_ommoord}\"")), "another point's hour is not offered");
        let actor = app.actor(STAFF).await;
        let mut without = None;
        for p in app.store.desk_help_points(&actor).await.unwrap() {
            if app.store.desk_consultation_hours(&p.id).await.unwrap().is_empty() {
                without = Some(p.id);
                break;
            }
        }
        let without = without.expect("a desk help point without consultation hours");
        let html = staff.get(app.url(&format!("/balie/{without}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("name=\"q0_topic\"") && !html.contains("name=\"consultation_hour\""), "no choice without hours");

        // Another help point's hour is refused at the desk (form kept, 422) and over the API.
        let desk = format!("/balie/{central}");
        let r = app.post_form(&staff, &desk, &desk, &[("q0_topic", "bankzaken"), ("q0_minutes", "15"), ("pc4", "3024"), ("consultation_hour", &bank_ommoord), ("action", "save")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Dit spreekuur kennen we niet bij dit hulppunt.") && html.contains("value=\"3024\""), "message and typed values");
        assert!(html.contains("id=\"consultation_hour\" name=\"consultation_hour\" aria-describedby=\"consultation_hour-hint\" aria-invalid=\"true\""));
        let r = api_visit(&app, &staff, &central, Some(&bank_ommoord), 1, &["bankzaken"]).await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let r = api_visit(&app, &staff, &central, Some("no-such-hour"), 1, &["bankzaken"]).await;
        assert_eq!(r.status(), 422);

        // Registrations during hours, outside hours, an undo, a correction that moves a question to another hour,
        // and an import.
        let mut visits = Vec::new();
        for (hour, topic) in [(&bank_central, "bankzaken"), (&bank_central, "digid"), (&care_central, "zorg"), (&String::new(), "digid")] {
            visits.push(desk_visit(&app, &staff, &central, hour, topic, "20").await);
        }
        for days in [2, 9, 30] {
            assert_eq!(api_visit(&app, &staff, &ommoord, Some(&bank_ommoord), days, &["bankzaken", "digid"]).await.status(), 201);
        }
        assert_eq!(api_visit(&app, &staff, &ommoord, None, 3, &["zorg"]).await.status(), 201);
        let undo = format!("{desk}/bezoek/{}/ongedaan", visits[1]);
        assert_eq!(app.post_form(&staff, &desk, &undo, &[]).await.status(), 303);
        let moved = app.store.visit_questions(&central, &visits[2]).await.unwrap()[0].id.clone();
        let edit = format!("/balie/{central}/vragen/{moved}");
        let form = coordinator.get(app.url(&edit)).send().await.unwrap().text().await.unwrap();
        assert!(form.contains(&format!("<option value=\"{care_central}\" selected>")), "the correction form shows the hour");
        let r = app.post_form(&coordinator, &edit, &edit, &[("q0_topic", "bankzaken"), ("q0_minutes", "40"), ("consultation_hour", &bank_central)]).await;
        assert_eq!(r.status(), 303, "correction");
        let stored = app.store.help_question(std::slice::from_ref(&central), &moved).await.unwrap();
        assert_eq!(stored.consultation_hour_id.as_deref(), Some(bank_central.as_str()));
        let desk_point = app.store.desk_help_point(&app.actor(COORDINATOR).await, &central).await.unwrap();
        let imported: Vec<VisitDraft> = (0..3).map(|i| VisitDraft {
            asked_at: app.now() - (i + 5) * 86_400,
            age_band: None,
            pc4: Some("3071".into()),
            first_visit: Some(true),
            remark: None,
            consultation_hour_id: Some(bank_central.clone()),
            questions: vec![QuestionDraft {
                topic_code: "bankzaken".into(),
                agency: "bank".into(),
                kind: "other".into(),
                channel: Channel::Appointment,
                minutes: 30,
                outcome: Outcome::Solved,
                referred_to: None,
            }],
        }).collect();
        let by = Registrar { source: Source::Import, user_id: None, link_id: None };
        app.store.import_visits(&desk_point, &imported, &by, app.now(), |_| {}).await.unwrap();
        // An import naming another help point's hour is refused as a whole.
        let mut foreign = imported[0].clone();
        foreign.consultation_hour_id = Some(bank_ommoord.clone());
        assert!(app.store.import_visits(&desk_point, &[foreign], &by, app.now(), |_| {}).await.is_err());

        // The API lists the hour with each question.
        let listed: Value = staff.get(app.url(&format!("/api/v1/help-questions?help_point_id={ommoord}&limit=1000"))).send().await.unwrap().json().await.unwrap();
        let during = listed["items"].as_array().unwrap().iter().filter(|q| q["consultation_hour_id"] == bank_ommoord.as_str()).count();
        assert_eq!(during, 6, "three visits of two questions at Ommoord's bank hour");

        let rows = app.store.rollup_rows().await.unwrap();
        let kept: i64 = rows.iter().filter(|r| r[0] == "consultation").map(|r| r[14].parse::<i64>().unwrap()).sum();
        // Central: bank 1 + care moved to bank + 3 imported = 5 (the undone visit left); Ommoord: 6; and the
        // demo history's questions in consultation hours.
        let chain: Vec<String> = app.store.chain_help_points("GM0599").await.unwrap().into_iter().map(|p| p.id).collect();
        let demo = raw_rows(&app, &chain).await.into_iter()
            .filter(|q| q.source == "demo" && q.consultation_hour_id.is_some())
            .count() as i64;
        assert_eq!(kept, 11 + demo, "questions in the consultation rollup");
        assert_rollups_match(&app, "after desk, API, undo, correction and import with consultation hours").await;
    };

    a_partners_hours_as_scope_equal_a_count_of_the_raw_rows => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let ommoord = app.help_point("Bibliotheek Ommoord").await.id;
        // The demo loader counts some questions as asked in a consultation hour and builds the rollups in bulk.
        demo_history(&app, ids, 1500).await;
        let bank_central = hour_of(&app, &central, "Maasbank").await;
        let care_central = hour_of(&app, &central, "Zorgverzekeraar Rijnmond").await;
        let bank_ommoord = hour_of(&app, &ommoord, "Maasbank").await;
        let staff = app.signed_in(STAFF).await;
        let topics = ["bankzaken", "digid", "zorg", "belastingen-toeslagen"];
        for i in 0..7 {
            desk_visit(&app, &staff, &central, &bank_central, topics[i % 4], &(5 + i * 5).to_string()).await;
        }
        for i in 0..6 {
            let status = api_visit(&app, &staff, &ommoord, Some(&bank_ommoord), i * 11 + 1, &topics[..(i as usize % 3) + 1]).await.status();
            assert_eq!(status, 201);
        }
        for _ in 0..5 {
            desk_visit(&app, &staff, &central, &care_central, "zorg", "15").await;
        }
        desk_visit(&app, &staff, &central, "", "bankzaken", "10").await;

        let partners = app.store.chain_consultation_partners("GM0599").await.unwrap();
        let bank = partners.iter().find(|p| p.name.starts_with("Maasbank")).unwrap().id.clone();
        let bank_hours = [bank_central.clone(), bank_ommoord.clone()];

        // Expected: a plain loop over the raw rows of Rotterdam's chain registered during the bank's hours.
        let today = local_date(app.now());
        let first = today.checked_sub(jiff::Span::new().days(364)).unwrap();
        let chain: Vec<String> = app.store.chain_help_points("GM0599").await.unwrap().into_iter().map(|p| p.id).collect();
        let rows: Vec<HelpQuestion> = raw_rows(&app, &chain).await.into_iter()
            .filter(|q| q.consultation_hour_id.as_ref().is_some_and(|h| bank_hours.contains(h)))
            .filter(|q| { let d = local_date(q.asked_at); d >= first && d <= today })
            .collect();
        let demo = rows.iter().filter(|q| q.source == "demo").count();
        assert!(demo > 0, "the demo history has questions in the bank's hours");
        assert_eq!(rows.len() - demo, 7 + 1 + 2 + 3 + 1 + 2 + 3, "the bank's questions");
        let labels: BTreeMap<String, String> = app.store.topics().await.unwrap().into_iter().map(|t| (t.code, t.label)).collect();
        let mut by_topic: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut by_point: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_hour: BTreeMap<String, i64> = BTreeMap::new();
        let mut minutes = 0;
        for q in &rows {
            let e = by_topic.entry(labels[&q.topic_code].clone()).or_default();
            e.0 += 1;
            e.1 += q.minutes;
            minutes += q.minutes;
            *by_point.entry(q.help_point_id.clone()).or_default() += 1;
            *by_hour.entry(q.consultation_hour_id.clone().unwrap()).or_default() += 1;
        }

        let steering = app.signed_in(STEERING).await;
        let query = format!("period=custom&from={first}&to={today}&partner={bank}");
        let stats: Value = steering.get(app.url(&format!("/api/v1/stats?{query}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(stats["about"]["partner_id"], bank.as_str());
        assert_eq!(stats["about"]["questions"], rows.len() as i64);
        assert!(stats["about"]["scope_name"].as_str().unwrap().starts_with("Spreekuren van Maasbank"), "{}", stats["about"]["scope_name"]);
        let key = api_table(&stats, "key-figures");
        assert_eq!(key["Vragen"][0], Some(rows.len() as i64));
        assert_eq!(key["Minuten hulp"][0], Some(minutes));
        let api_topics = api_table(&stats, "topics");
        assert_eq!(api_topics.len(), by_topic.len(), "{api_topics:?}");
        for (label, (n, m)) in &by_topic {
            // One partner's hours are smaller than a municipality, but Rotterdam is large: no cell is hidden.
            assert_eq!((api_topics[label][0], api_topics[label][2]), (Some(*n), Some(*m)), "{label}");
        }
        let points = api_table(&stats, "help-points");
        assert_eq!(points.len(), 2);
        assert_eq!(points["Centrale Bibliotheek"][0], Some(by_point[&central]));
        assert_eq!(points["Bibliotheek Ommoord"][0], Some(by_point[&ommoord]));
        // Consultation hours ranked by use: the bank's two hours only, each a small area (under 5 hidden).
        let hours = api_table(&stats, "consultation-hours");
        assert_eq!(hours.len(), 2, "{hours:?}");
        for (label, values) in &hours {
            let id = if label.contains("Centrale Bibliotheek") { &bank_central } else { &bank_ommoord };
            let n = by_hour[id];
            assert_eq!(values[0], if n < 5 { None } else { Some(n) }, "{label}");
        }
        assert!(api_table(&stats, "running-totals").is_empty(), "running totals are the help points', not the partner's");
        assert!(api_table(&stats, "comparison").is_empty(), "no comparison with other municipalities for a partner");

        // The whole municipality counts every question, and ranks all three hours.
        let all: Value = steering.get(app.url(&format!("/api/v1/stats?period=custom&from={first}&to={today}"))).send().await.unwrap().json().await.unwrap();
        assert!(all["about"]["questions"].as_i64().unwrap() > rows.len() as i64);
        let hours = api_table(&all, "consultation-hours");
        assert!(hours.len() >= 3, "{hours:?}");
        assert!(hours.keys().filter(|l| l.starts_with("Maasbank")).count() == 2, "{hours:?}");
        assert!(hours.keys().any(|l| l.starts_with("Zorgverzekeraar Rijnmond") && l.contains("Spreekuur zorgverzekering")));

        // The page offers the partners with hours in the chain and shows the same figures; CSV too.
        let page = steering.get(app.url(&format!("/regie?{query}"))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("<option value=\"{bank}\" selected>Maasbank")), "the scope chooser");
        assert!(html.contains(&format!("{} vragen", thousands(rows.len() as i64))), "summary");
        assert!(html.contains("Spreekuren naar gebruik"));
        let csv = steering.get(app.url(&format!("/regie/download/topics.csv?{query}"))).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let csv = csv_rows(&csv.text().await.unwrap());
        for (label, (n, _)) in &by_topic {
            let row = csv.iter().find(|r| &r[0] == label).unwrap();
            assert_eq!(row[1], n.to_string(), "csv {label}");
        }
        let report = steering.get(app.url(&format!("/regie/verslag?{query}"))).send().await.unwrap();
        assert_eq!(report.status(), 200);
        assert!(report.text().await.unwrap().contains("Spreekuren van Maasbank"));
    };

    the_partner_scope_follows_the_tenant_rules => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let bank_central = hour_of(&app, &central, "Maasbank").await;
        let staff = app.signed_in(STAFF).await;
        desk_visit(&app, &staff, &central, &bank_central, "bankzaken", "10").await;
        let partners = app.store.chain_consultation_partners("GM0599").await.unwrap();
        let bank = partners.iter().find(|p| p.name.starts_with("Maasbank")).unwrap().id.clone();
        let steering = app.signed_in(STEERING).await;
        let ok = steering.get(app.url(&format!("/api/v1/stats?partner={bank}"))).send().await.unwrap();
        assert_eq!(ok.status(), 200);

        // Schiedam's steering: Rotterdam's partner scope, and the partner within its own municipality (no hours
        // there), are both 404 on every route.
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        for path in [
            format!("/regie?municipality=GM0599&partner={bank}"),
            format!("/regie?partner={bank}"),
            format!("/regie/verslag?partner={bank}"),
            format!("/regie/download/topics.csv?partner={bank}"),
            format!("/regie/download/all.xlsx?municipality=GM0599&partner={bank}"),
            format!("/api/v1/stats?partner={bank}"),
            format!("/api/v1/stats/consultation-hours?municipality=GM0599&partner={bank}"),
        ] {
            assert_eq!(other.get(app.url(&path)).send().await.unwrap().status(), 404, "{path}");
        }
        // Rotterdam's steering: an organisation without hours in the chain, or an unknown one, is 404 as well.
        let municipality = app.organisation_id("Gemeente Rotterdam").await;
        for partner in [municipality.as_str(), schiedam.as_str(), "no-such-organisation"] {
            let r = steering.get(app.url(&format!("/api/v1/stats?partner={partner}"))).send().await.unwrap();
            assert_eq!(r.status(), 404, "{partner}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
        }
        // A programme manager needs a municipality for a partner's hours; staff may not read figures at all.
        let programme = app.signed_in(PROGRAMME).await;
        assert_eq!(programme.get(app.url(&format!("/api/v1/stats?partner={bank}"))).send().await.unwrap().status(), 404);
        assert_eq!(programme.get(app.url(&format!("/api/v1/stats?municipality=GM0599&partner={bank}"))).send().await.unwrap().status(), 200);
        assert_eq!(staff.get(app.url(&format!("/api/v1/stats?partner={bank}"))).send().await.unwrap().status(), 403);
    };

    days_taken_off_a_whole_month_leave_out_what_was_asked_only_on_them => |app: TestApp| async move {
        // February less its first and last day is read as the whole month with those two days taken off
        // again (`DayRange::month_parts`): a help point, a consultation hour, a topic and an area with questions
        // on 1 February only must not show up with zero questions, nor count as a help point that registered.
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let ommoord = app.help_point("Bibliotheek Ommoord").await.id;
        let bank_ommoord = hour_of(&app, &ommoord, "Maasbank").await;
        let staff = app.signed_in(STAFF).await;
        for (point, hour, at, topic, pc4) in [
            (&ommoord, Some(&bank_ommoord), "2026-02-01T10:00:00+01:00", "zorg", "3071"),
            (&central, None, "2026-02-10T10:00:00+01:00", "digid", "3012"),
            (&ommoord, Some(&bank_ommoord), "2026-02-28T10:00:00+01:00", "zorg", "3071"),
        ] {
            let r = staff.post(app.url("/api/v1/help-questions")).json(&json!({
                "help_point_id": point, "asked_at": at, "pc4": pc4, "age_band": "65-74",
                "consultation_hour_id": hour, "questions": [{"topic": topic, "minutes": 10}],
            })).send().await.unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        let range = keten_core::steering::DayRange {
            from: keten_core::steering::day_number("2026-02-02".parse().unwrap()),
            until: keten_core::steering::day_number("2026-02-28".parse().unwrap()),
        };
        assert_eq!(range.month_parts(range.until + 1000).minus.len(), 2, "the month less two days");
        let rotterdam = keten_store::stats::StatsScope {
            municipality_code: Some("GM0599".into()),
            help_point: None,
            partner: None,
        };
        let figures = app.store.stats_figures(&rotterdam, range).await.unwrap();
        assert_eq!(figures.questions(), 1);
        let points: Vec<&str> = figures.help_points.iter().map(|p| p.help_point_id.as_str()).collect();
        assert_eq!(points, [central.as_str()]);
        let topics: Vec<&str> = figures.counts(keten_store::stats::Dimension::Topic).iter().map(|c| c.value.as_str()).collect();
        assert_eq!(topics, ["digid"]);
        let areas: Vec<&str> = figures.areas.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(areas, ["3012"]);
        assert_eq!(figures, app.store.stats_figures_from_raw_rows(&rotterdam, range).await.unwrap());
        assert!(app.store.stats_consultation_hours(&rotterdam, range).await.unwrap().is_empty());
        assert_eq!(app.store.scba_outcomes(&rotterdam, range).await.unwrap().help_points, 1);
        // The same month whole still has all three.
        let february = keten_core::steering::DayRange { from: range.from - 1, until: range.until + 1 };
        assert_eq!(app.store.stats_figures(&rotterdam, february).await.unwrap().questions(), 3);
        assert_eq!(app.store.stats_consultation_hours(&rotterdam, february).await.unwrap().len(), 1);
        assert_eq!(app.store.scba_outcomes(&rotterdam, february).await.unwrap().help_points, 2);
    };
}
