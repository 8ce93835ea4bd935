//! The steering dashboard on both databases: rollups kept by every write path equal rebuilt ones; the figures
//! on the page, in the API, the CSV and the XLSX equal a plain count over the raw rows (also after undo and
//! correction); small cells are hidden everywhere; another municipality's steering gets 404.

use crate::support::TestApp;
use crate::support::demo_users::{COORDINATOR, STAFF, STEERING};
use keten_core::account::Role;
use keten_core::help_question::{Channel, Outcome, QuestionDraft, VisitDraft};
use keten_core::steering::{day_number, local_day_hour, suppress_list, thousands};
use keten_store::help_questions::{HelpQuestion, QuestionFilter, Registrar, Source};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const PROGRAMME: &str = "programma@digitale-inclusie.demo.keten.nl";

/// Every raw row at the given help points, read page by page (no rollup involved).
pub(crate) async fn raw_rows(app: &TestApp, points: &[String]) -> Vec<HelpQuestion> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .help_questions(
                points,
                &QuestionFilter {
                    after: after.clone(),
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.created_at, last.id.clone()));
        out.extend(page);
    }
    out
}

/// Maintained rollups equal the ones `keten rollups rebuild` computes.
pub(crate) async fn assert_rollups_match(app: &TestApp, when: &str) {
    let kept = app.store.rollup_rows().await.unwrap();
    app.store.rebuild_rollups().await.unwrap();
    let rebuilt = app.store.rollup_rows().await.unwrap();
    assert!(!rebuilt.is_empty(), "{when}: no rollups at all");
    assert_eq!(kept.len(), rebuilt.len(), "{when}: row count");
    assert_eq!(kept, rebuilt, "{when}");
}

/// The dashboard's figures from the rollups equal the same figures computed from the raw rows, for the
/// nation, two municipalities (Rotterdam, and Schiedam, which Rotterdam's help points may serve), one help point
/// and one partner's consultation hours.
pub(crate) async fn assert_figures_match_raw_rows(app: &TestApp, when: &str) {
    use keten_store::stats::{Figures, StatsScope};
    fn normalized(mut f: Figures) -> Figures {
        for (_, counts) in &mut f.by {
            counts.sort_by(|a, b| b.questions.cmp(&a.questions).then(a.value.cmp(&b.value)));
        }
        f.help_points.sort_by(|a, b| {
            b.questions
                .cmp(&a.questions)
                .then(a.name.cmp(&b.name))
                .then(a.help_point_id.cmp(&b.help_point_id))
        });
        f.areas.sort();
        f.age_bands.sort();
        f
    }
    let range = |from: &str, until: &str| keten_core::steering::DayRange {
        from: day_number(from.parse().unwrap()),
        until: day_number(until.parse().unwrap()),
    };
    // A year from a month's first day; one read as whole months less a few days at both ends; a month less a
    // day at each end (`DayRange::month_parts`).
    let ranges = [
        range("2025-03-01", "2026-03-03"),
        range("2025-03-04", "2026-02-26"),
        range("2026-02-02", "2026-02-28"),
    ];
    for range in &ranges {
        assert!(
            !range
                .month_parts(day_number("2026-12-07".parse().unwrap()))
                .minus
                .is_empty()
                || range == &ranges[0],
            "{range:?} takes days off"
        );
    }
    let rotterdam = StatsScope {
        municipality_code: Some("GM0599".into()),
        help_point: None,
        partner: None,
    };
    let partner = app
        .store
        .chain_consultation_partners("GM0599")
        .await
        .unwrap();
    assert!(
        !partner.is_empty(),
        "the demo chain has partners with consultation hours"
    );
    let point = app.store.chain_help_points("GM0599").await.unwrap();
    let scopes = [
        StatsScope {
            municipality_code: None,
            ..rotterdam.clone()
        },
        rotterdam.clone(),
        StatsScope {
            municipality_code: Some("GM0606".into()),
            ..rotterdam.clone()
        },
        StatsScope {
            help_point: point.first().cloned(),
            ..rotterdam.clone()
        },
        StatsScope {
            partner: partner.first().cloned(),
            ..rotterdam.clone()
        },
    ];
    let every_point: Vec<String> = app
        .store
        .directory()
        .await
        .unwrap()
        .help_points
        .into_iter()
        .map(|p| p.id)
        .collect();
    let all_rows = raw_rows(app, &every_point).await;
    for range in ranges {
        for scope in &scopes {
            let rolled = app.store.stats_figures(scope, range).await.unwrap();
            let raw = app
                .store
                .stats_figures_from_raw_rows(scope, range)
                .await
                .unwrap();
            assert!(
                raw.questions() > 0 || range != ranges[0],
                "{when}: no questions in {scope:?}"
            );
            // The cost-benefit analysis counts the help points that registered, and the consultation hours
            // ranked by use, from the same rollup rows.
            let outcomes = app.store.scba_outcomes(scope, range).await.unwrap();
            assert_eq!(
                outcomes.help_points as usize,
                raw.help_points.len(),
                "{when}: help points that registered in {scope:?} over {range:?}"
            );
            if scope.partner.is_none() {
                let points: Vec<&str> = raw
                    .help_points
                    .iter()
                    .map(|p| p.help_point_id.as_str())
                    .collect();
                let mut expected: BTreeMap<String, (i64, i64)> = BTreeMap::new();
                for q in &all_rows {
                    let day = local_day_hour(q.asked_at).0;
                    if let Some(hour) = &q.consultation_hour_id
                        && points.contains(&q.help_point_id.as_str())
                        && range.from <= day
                        && day < range.until
                    {
                        let e = expected.entry(hour.clone()).or_default();
                        e.0 += 1;
                        e.1 += q.minutes;
                    }
                }
                let hours: BTreeMap<String, (i64, i64)> = app
                    .store
                    .stats_consultation_hours(scope, range)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|h| (h.consultation_hour_id, (h.questions, h.minutes)))
                    .collect();
                assert_eq!(
                    hours, expected,
                    "{when}: consultation hours in {scope:?} over {range:?}"
                );
            }
            assert_eq!(
                normalized(rolled),
                normalized(raw),
                "{when}: {scope:?} over {range:?}"
            );
        }
    }
}

fn location_param(r: &reqwest::Response, name: &str) -> String {
    let location = r.headers()["location"].to_str().unwrap();
    let query = location.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

const TOPICS: &[&str] = &[
    "digid",
    "bankzaken",
    "belastingen-toeslagen",
    "zorg",
    "uitkering-pensioen",
];
const PC4S: &[&str] = &["3011", "3012", "3024", "3071", ""];
const AGES: &[&str] = &["18-34", "50-64", "65-74", "75+", ""];

/// Registers a visit at the desk as `client`; returns the visit id.
async fn desk_visit(
    app: &TestApp,
    client: &reqwest::Client,
    point: &str,
    rng: &mut StdRng,
) -> String {
    let desk = format!("/balie/{point}");
    let topic = TOPICS[rng.random_range(0..TOPICS.len())];
    let minutes = [5, 10, 15, 30, 45][rng.random_range(0..5)].to_string();
    let r = app
        .post_form(
            client,
            &desk,
            &desk,
            &[
                ("q0_topic", topic),
                ("q0_minutes", &minutes),
                ("pc4", PC4S[rng.random_range(0..PC4S.len())]),
                ("age_band", AGES[rng.random_range(0..AGES.len())]),
                ("first_visit", ["yes", "no", ""][rng.random_range(0..3)]),
                ("action", "save"),
            ],
        )
        .await;
    if r.status() != 303 {
        let html = r.text().await.unwrap();
        let at = html.find("utrecht-alert").unwrap_or(0);
        panic!(
            "desk registration refused: {}",
            &html[at..(at + 600).min(html.len())]
        );
    }
    location_param(&r, "bezoek")
}

/// Registers a visit of two questions over the API, `days_ago` days back.
async fn api_visit(
    app: &TestApp,
    client: &reqwest::Client,
    point: &str,
    days_ago: i64,
    rng: &mut StdRng,
) {
    let at =
        jiff::Timestamp::from_second(app.now() - days_ago * 86_400 - rng.random_range(0..8) * 3600)
            .unwrap();
    // Two different topics: a visit counts each topic once.
    let first = rng.random_range(0..TOPICS.len());
    let second = (first + rng.random_range(1..TOPICS.len())) % TOPICS.len();
    let r = client
        .post(app.url("/api/v1/help-questions"))
        .json(&json!({
            "help_point_id": point,
            "asked_at": at.to_string(),
            "pc4": PC4S[rng.random_range(0..4)],
            "age_band": AGES[rng.random_range(0..4)],
            "first_visit": rng.random_bool(0.5),
            "questions": [
                {"topic": TOPICS[first], "minutes": rng.random_range(1..60), "outcome": "referred"},
                {"topic": TOPICS[second], "minutes": rng.random_range(1..60), "channel": "phone"}
            ]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// Corrects a question through the desk's correction form as the coordinator.
async fn correct(
    app: &TestApp,
    coordinator: &reqwest::Client,
    point: &str,
    id: &str,
    topic: &str,
    minutes: &str,
    date: &str,
) {
    let edit = format!("/balie/{point}/vragen/{id}");
    let r = app
        .post_form(
            coordinator,
            &edit,
            &edit,
            &[
                ("q0_topic", topic),
                ("q0_minutes", minutes),
                ("date", date),
                ("pc4", "3024"),
                ("age_band", "75+"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "correction");
}

/// Imports historical visits through the store's import (the path of `keten import questions` and the upload).
async fn import(app: &TestApp, point: &str, n: usize, rng: &mut StdRng) {
    let actor = app.actor(COORDINATOR).await;
    let desk = app.store.desk_help_point(&actor, point).await.unwrap();
    let visits: Vec<VisitDraft> = (0..n)
        .map(|i| VisitDraft {
            asked_at: app.now() - (i as i64 + 1) * 86_400 * 3,
            age_band: None,
            pc4: Some(PC4S[rng.random_range(0..4)].to_owned()),
            first_visit: None,
            remark: None,
            consultation_hour_id: None,
            questions: vec![QuestionDraft {
                topic_code: TOPICS[rng.random_range(0..TOPICS.len())].to_owned(),
                agency: "logius".into(),
                kind: "digital_government".into(),
                channel: Channel::WalkIn,
                minutes: 20,
                outcome: Outcome::Solved,
                referred_to: None,
            }],
        })
        .collect();
    let by = Registrar {
        source: Source::Import,
        user_id: None,
        link_id: None,
    };
    app.store
        .import_visits(&desk, &visits, &by, app.now(), |_| {})
        .await
        .unwrap();
}

/// Loads `n` generated demo questions over the year before the test clock (the demo loader's bulk path).
pub(crate) async fn demo_history(app: &TestApp, ids: Vec<String>, n: u64) {
    let chain = keten_core::demo::demo_chain();
    let loaded = keten_store::demo::LoadedChain {
        help_point_ids: ids,
    };
    let now = jiff::Timestamp::from_second(app.now()).unwrap();
    let generator = keten_core::demo::QuestionGenerator::new(&chain, now, n, 11);
    app.store
        .load_demo_questions(&loaded, generator, app.now(), |_| {})
        .await
        .unwrap();
}

pub(crate) fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

pub(crate) fn xlsx_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Label -> a value of a table in the API answer, as a decimal (rates carry one).
fn api_rates(stats: &Value, key: &str, column: usize) -> BTreeMap<String, Option<f64>> {
    let table = stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .unwrap();
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["values"][column].as_f64(),
            )
        })
        .collect()
}

/// Label -> first value of a table in the API answer.
fn api_column(stats: &Value, key: &str, column: usize) -> BTreeMap<String, Option<i64>> {
    let table = stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .unwrap();
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["values"][column].as_i64(),
            )
        })
        .collect()
}

both_backends! {
    rollups_kept_by_every_write_equal_rebuilt_ones => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let delfshaven = app.help_point("Bibliotheek Delfshaven").await.id;
        demo_history(&app, ids, 300).await;
        assert_rollups_match(&app, "after the demo loader").await;
        let staff = app.signed_in(STAFF).await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let mut rng = StdRng::seed_from_u64(14);
        let mut visits: Vec<(String, String)> = Vec::new();
        for step in 0..30 {
            let point = if rng.random_bool(0.5) { &central } else { &delfshaven };
            match rng.random_range(0..6) {
                0 | 1 => visits.push((point.clone(), desk_visit(&app, &staff, point, &mut rng).await)),
                2 => api_visit(&app, &staff, point, rng.random_range(0..40), &mut rng).await,
                3 if !visits.is_empty() => {
                    let (p, v) = visits.swap_remove(rng.random_range(0..visits.len()));
                    let desk = format!("/balie/{p}");
                    let r = app.post_form(&staff, &desk, &format!("{desk}/bezoek/{v}/ongedaan"), &[]).await;
                    assert_eq!(r.status(), 303, "undo at step {step}");
                }
                3 => import(&app, point, 3, &mut rng).await,
                4 => {
                    // Delfshaven starts or stops serving Schiedam: its questions move between the chains.
                    let page = format!("/beheer/hulppunten/{delfshaven}/gemeenten");
                    let served = if rng.random_bool(0.5) { "GM0606" } else { "" };
                    let r = app.post_form(&staff, &page, &page, &[("municipalities", served)]).await;
                    assert_eq!(r.status(), 200, "served municipalities at step {step}");
                }
                _ => {
                    let rows = raw_rows(&app, std::slice::from_ref(point)).await;
                    let q = &rows[rng.random_range(0..rows.len())];
                    let date = ["2026-03-02", "2026-02-20", "2025-12-31"][rng.random_range(0..3)];
                    correct(&app, &coordinator, point, &q.id, TOPICS[rng.random_range(0..TOPICS.len())], "25", date).await;
                }
            }
        }
        import(&app, &central, 5, &mut rng).await;
        let page = format!("/beheer/hulppunten/{delfshaven}/gemeenten");
        assert_eq!(app.post_form(&staff, &page, &page, &[("municipalities", "GM0606")]).await.status(), 200);
        assert_figures_match_raw_rows(&app, "after the random mix").await;
        assert_rollups_match(&app, "after the random mix").await;
    };

    a_help_point_moved_to_another_municipality_takes_its_questions_along => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        demo_history(&app, ids, 300).await;
        let staff = app.signed_in(STAFF).await;
        let hp = app.help_point("Bibliotheek Delfshaven").await;
        // A new postcode in Schiedam: the point now stands there (and still serves Rotterdam).
        let edit = format!("/beheer/hulppunten/{}", hp.id);
        let r = app.post_form(&staff, &edit, &edit, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Broersvest 1"), ("postcode", "3111 EA"),
            ("hours", "di 10:00-16:00"), ("languages", "nl"), ("status", "open"),
        ]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.help_point("Bibliotheek Delfshaven").await.municipality_code, "GM0606");
        assert_figures_match_raw_rows(&app, "after the move").await;
        assert_rollups_match(&app, "after the move").await;
    };

    figures_equal_a_count_of_the_raw_rows => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        demo_history(&app, ids, 1500).await;
        let staff = app.signed_in(STAFF).await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let mut rng = StdRng::seed_from_u64(3);
        let mut visits = Vec::new();
        for _ in 0..6 {
            visits.push(desk_visit(&app, &staff, &central, &mut rng).await);
            api_visit(&app, &staff, &central, rng.random_range(0..20), &mut rng).await;
        }
        // An undo and a correction move the figures too.
        let desk = format!("/balie/{central}");
        let undo = format!("{desk}/bezoek/{}/ongedaan", visits[0]);
        assert_eq!(app.post_form(&staff, &desk, &undo, &[]).await.status(), 303);
        let q = app.store.visit_questions(&central, &visits[1]).await.unwrap()[0].clone();
        correct(&app, &coordinator, &central, &q.id, "bankzaken", "35", "2026-02-20").await;

        // Expected: a plain loop over the raw rows of Rotterdam's chain in the period.
        let (from, to) = ("2025-03-03", "2026-03-02");
        let first = day_number(from.parse().unwrap());
        let last = day_number(to.parse().unwrap());
        let chain: Vec<String> = app.store.chain_help_points("GM0599").await.unwrap().into_iter().map(|p| p.id).collect();
        let rows: Vec<HelpQuestion> = raw_rows(&app, &chain).await.into_iter()
            .filter(|q| { let d = local_day_hour(q.asked_at).0; d >= first && d <= last })
            .collect();
        assert!(rows.len() > 500, "enough history: {}", rows.len());
        let labels: BTreeMap<String, String> = app.store.topics().await.unwrap().into_iter().map(|t| (t.code, t.label)).collect();
        let mut topics: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut hours: BTreeMap<i64, i64> = BTreeMap::new();
        let mut pc4: BTreeMap<String, i64> = BTreeMap::new();
        let mut minutes = 0;
        for q in &rows {
            let e = topics.entry(labels[&q.topic_code].clone()).or_default();
            e.0 += 1;
            e.1 += q.minutes;
            minutes += q.minutes;
            *hours.entry(local_day_hour(q.asked_at).1).or_default() += 1;
            if let Some(p) = &q.pc4 { *pc4.entry(p.clone()).or_default() += 1; }
        }

        let steering = app.signed_in(STEERING).await;
        let query = format!("period=custom&from={from}&to={to}");
        let stats: Value = steering.get(app.url(&format!("/api/v1/stats?{query}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(stats["about"]["municipality_code"], "GM0599");
        assert_eq!(stats["about"]["questions"], rows.len() as i64);
        let key = api_column(&stats, "key-figures", 0);
        assert_eq!(key["Vragen"], Some(rows.len() as i64));
        assert_eq!(key["Minuten hulp"], Some(minutes));
        let api_topics = api_column(&stats, "topics", 0);
        let api_minutes = api_column(&stats, "topics", 2);
        for (label, (n, m)) in &topics {
            assert_eq!(api_topics[label], Some(*n), "{label}");
            assert_eq!(api_minutes[label], Some(*m), "{label} minutes");
        }
        assert_eq!(api_topics.len(), topics.len());
        let api_hours = api_column(&stats, "hours", 0);
        for (h, n) in &hours {
            assert_eq!(api_hours[&format!("{h:02}.00 tot {:02}.00 uur", h + 1)], Some(*n));
        }
        // PC4 areas follow the cells-under-5 rule, computed here over the expected counts.
        let values: Vec<i64> = pc4.values().copied().collect();
        let hidden = suppress_list(&values);
        let api_pc4 = api_column(&stats, "pc4", 0);
        for ((area, n), hide) in pc4.iter().zip(&hidden) {
            assert_eq!(api_pc4[area], if *hide { None } else { Some(*n) }, "{area}");
        }
        // Where the target group is: per 1,000 residents of each of Rotterdam's PC4 areas (one decimal,
        // rounded half up), and the blind spots.
        let areas: Vec<_> = keten_core::reference::postcode_areas_in("GM0599").filter(|a| a.population.unwrap() > 0).collect();
        let counts: Vec<i64> = areas.iter().map(|a| pc4.get(&a.postcode).copied().unwrap_or(0)).collect();
        let target_hidden = suppress_list(&counts);
        let target = api_column(&stats, "target-group", 0);
        let rates = api_rates(&stats, "target-group", 2);
        assert_eq!(target.len(), areas.len());
        let mut blind = Vec::new();
        for ((area, n), hide) in areas.iter().zip(&counts).zip(&target_hidden) {
            let residents = i64::from(area.population.unwrap());
            assert_eq!(target[&area.postcode], if *hide { None } else { Some(*n) }, "target {}", area.postcode);
            let rate = (*n as f64 * 1000.0 / residents as f64 * 10.0 + 0.5).floor() / 10.0;
            assert_eq!(rates[&area.postcode], if *hide { None } else { Some(rate) }, "rate {}", area.postcode);
            let bands = keten_core::reference::pc4_residents_by_age_band(&area.postcode).unwrap();
            if *n == 0 && bands[4] + bands[5] >= 250 {
                blind.push(area.postcode.clone());
            }
        }
        let listed = api_column(&stats, "blind-spots", 0);
        assert_eq!(listed.len(), blind.len());
        assert!(blind.iter().all(|b| listed.contains_key(b)));

        // One table over the API alone.
        let one: Value = steering.get(app.url(&format!("/api/v1/stats/topics?{query}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(one["tables"].as_array().unwrap().len(), 1);

        // CSV and XLSX of the same table.
        let csv = steering.get(app.url(&format!("/regie/download/topics.csv?{query}"))).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let csv = csv_rows(&csv.text().await.unwrap());
        assert_eq!(csv[0][0], "Waarde");
        for (label, (n, _)) in &topics {
            let row = csv.iter().find(|r| &r[0] == label).unwrap();
            assert_eq!(row[1], n.to_string(), "csv {label}");
        }
        let xlsx = steering.get(app.url(&format!("/regie/download/topics.xlsx?{query}"))).send().await.unwrap();
        assert_eq!(xlsx.status(), 200);
        let sheet = xlsx_rows(&xlsx.bytes().await.unwrap(), "Vragen per onderwerp");
        for (label, (n, m)) in &topics {
            let row = sheet.iter().find(|r| &r[0] == label).unwrap();
            assert_eq!((row[1].as_str(), row[3].as_str()), (n.to_string().as_str(), m.to_string().as_str()), "xlsx {label}");
        }
        let all = steering.get(app.url(&format!("/regie/download/all.xlsx?{query}"))).send().await.unwrap();
        let pc4_sheet = xlsx_rows(&all.bytes().await.unwrap(), "Vragen per postcodegebied");
        for ((area, n), hide) in pc4.iter().zip(&hidden) {
            let row = pc4_sheet.iter().find(|r| &r[0] == area).unwrap();
            assert_eq!(row[1], if *hide { "< 5".to_owned() } else { n.to_string() }, "xlsx pc4 {area}");
        }

        // The page shows the same numbers.
        let page = steering.get(app.url(&format!("/regie?{query}"))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("{} vragen", thousands(rows.len() as i64))), "summary");
        for (label, (n, _)) in topics.iter().filter(|(l, _)| l.chars().all(|c| c.is_alphanumeric() || c == ' ')) {
            assert!(html.contains(&format!("scope=\"row\">{label}</th><td class=\"utrecht-table__cell keten-number\">{}</td>", thousands(*n))), "page {label}");
        }
        assert!(html.contains("href=\"/regie\">Cijfers</a>"), "in the menu");
        assert!(html.contains("Vragen per 1.000 inwoners op de kaart") && html.contains("<svg"), "the map");
        assert!(html.contains(" vragen per 1.000 inwoners</text>"), "the map's legend");
        // The same rates in the CSV and the XLSX, with one decimal.
        let csv = csv_rows(&steering.get(app.url(&format!("/regie/download/target-group.csv?{query}"))).send().await.unwrap().text().await.unwrap());
        assert_eq!(csv[0][3], "Vragen per 1.000 inwoners");
        let xlsx = steering.get(app.url(&format!("/regie/download/target-group.xlsx?{query}"))).send().await.unwrap().bytes().await.unwrap();
        let sheet = xlsx_rows(&xlsx, "Doelgroep per postcodegebied");
        for (area, rate) in &rates {
            let row = csv.iter().find(|r| &r[0] == area).unwrap();
            let cell = sheet.iter().find(|r| &r[0] == area).unwrap();
            match rate {
                Some(x) => {
                    assert_eq!(row[3].parse::<f64>().unwrap(), *x, "csv rate {area}");
                    assert_eq!(cell[3].parse::<f64>().unwrap(), *x, "xlsx rate {area}");
                    assert!(html.contains(&format!(">{}</td>", keten_core::steering::Cell::Tenths((x * 10.0).round() as i64))), "page rate {area}");
                }
                None => assert_eq!((row[3].as_str(), cell[3].as_str()), ("< 5", "< 5"), "hidden rate {area}"),
            }
        }
    };

    small_cells_are_hidden_on_the_page_in_the_api_and_in_files => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let staff = app.signed_in(STAFF).await;
        for (pc4, n) in [("3011", 12), ("3012", 3), ("3024", 7)] {
            for _ in 0..n {
                let r = staff.post(app.url("/api/v1/help-questions"))
                    .json(&json!({"help_point_id": central, "pc4": pc4, "questions": [{"topic": "digid", "minutes": 5}]}))
                    .send().await.unwrap();
                assert_eq!(r.status(), 201);
            }
        }
        let steering = app.signed_in(STEERING).await;
        let stats: Value = steering.get(app.url("/api/v1/stats/pc4")).send().await.unwrap().json().await.unwrap();
        let pc4 = api_column(&stats, "pc4", 0);
        // 3012 has 3 (hidden); 3024 is hidden too, or 3012 = total - 3011 - 3024.
        assert_eq!(pc4["3011"], Some(12));
        assert_eq!(pc4["3012"], None);
        assert_eq!(pc4["3024"], None);
        let csv = steering.get(app.url("/regie/download/pc4.csv")).send().await.unwrap().text().await.unwrap();
        assert!(csv.contains("3012,< 5") && csv.contains("3024,< 5") && csv.contains("3011,12"), "{csv}");
        let xlsx = steering.get(app.url("/regie/download/pc4.xlsx")).send().await.unwrap().bytes().await.unwrap();
        let sheet = xlsx_rows(&xlsx, "Vragen per postcodegebied");
        assert_eq!(sheet.iter().find(|r| r[0] == "3024").unwrap()[1], "< 5");
        let html = steering.get(app.url("/regie")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("scope=\"row\">3012</th><td class=\"utrecht-table__cell keten-number\">&#60; 5</td>"));
        assert!(!html.contains("scope=\"row\">3024</th><td class=\"utrecht-table__cell keten-number\">7<"));
        // Nothing a year earlier: the difference has no figure ("–"), which is not a small number ("< 5").
        let cell = "<td class=\"utrecht-table__cell keten-number\">";
        assert!(html.contains(&format!("scope=\"row\">Vragen</th>{cell}22</td>{cell}0</td>{cell}–</td>")), "no difference on the page");
        assert!(html.contains(&format!("scope=\"row\">Aandeel doorverwezen (%)</th>{cell}0</td>{cell}–</td>{cell}–</td>")), "no share of no questions");
        let key = csv_rows(&steering.get(app.url("/regie/download/key-figures.csv")).send().await.unwrap().text().await.unwrap());
        assert_eq!(key.iter().find(|r| r[0] == "Vragen").unwrap()[1..], ["22", "0", ""], "no difference in the CSV");
        let key = xlsx_rows(&steering.get(app.url("/regie/download/key-figures.xlsx")).send().await.unwrap().bytes().await.unwrap(), "Kerncijfers");
        assert_eq!(key.iter().find(|r| r[0] == "Vragen").unwrap()[1..], ["22", "0", ""], "no difference in the workbook");
        // The municipality's total is not a small area: 22 questions shown.
        assert_eq!(stats["tables"].as_array().unwrap().len(), 1, "one table only");
        let all: Value = steering.get(app.url("/api/v1/stats")).send().await.unwrap().json().await.unwrap();
        assert_eq!(api_column(&all, "key-figures", 0)["Vragen"], Some(22));
    };

    another_municipality_gets_404_and_other_roles_403 => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        assert_eq!(other.get(app.url("/regie")).send().await.unwrap().status(), 200, "own municipality");
        for path in [
            "/regie?municipality=GM0599".to_owned(),
            "/regie/download/topics.csv?municipality=GM0599".to_owned(),
            "/regie/download/all.xlsx?municipality=GM0599".to_owned(),
            "/api/v1/stats?municipality=GM0599".to_owned(),
            "/api/v1/stats/pc4?municipality=GM0599".to_owned(),
            format!("/regie?help_point={central}"),
            format!("/api/v1/stats?help_point={central}"),
            format!("/regie/download/topics.xlsx?help_point={central}"),
        ] {
            let r = other.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
        }
        let problem = other.get(app.url("/api/v1/stats?municipality=GM0599")).send().await.unwrap();
        assert_eq!(problem.headers()["content-type"], "application/problem+json");
        let bad = other.get(app.url("/api/v1/stats?period=custom&from=2026-02-30")).send().await.unwrap();
        assert_eq!(bad.status(), 422);
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url("/regie")).send().await.unwrap().status(), 403);
        assert_eq!(staff.get(app.url("/api/v1/stats")).send().await.unwrap().status(), 403);
        assert_eq!(app.browser().get(app.url("/api/v1/stats")).send().await.unwrap().status(), 401);
        // A national programme manager reads any municipality and the whole installation.
        let programme = app.signed_in(PROGRAMME).await;
        let r: Value = programme.get(app.url("/api/v1/stats?municipality=GM0599")).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["about"]["municipality_code"], "GM0599");
        let r: Value = programme.get(app.url("/api/v1/stats")).send().await.unwrap().json().await.unwrap();
        assert_eq!(r["about"]["municipality_code"], Value::Null);
        // The Rotterdam steering user sees the page with a bad period kept and explained.
        let steering = app.signed_in(STEERING).await;
        let r = steering.get(app.url("/regie?period=custom&from=2026-03-01&to=2026-02-01")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("De einddatum ligt voor de begindatum.") && html.contains("value=\"2026-02-01\""));
    };
}
