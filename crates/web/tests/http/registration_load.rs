//! Many registrations at once, on both databases and from two server processes: each acknowledged visit is
//! stored exactly once, running totals never repeat, a failing registration costs only its own caller, and
//! the rollups kept by the group commit equal rebuilt ones, also while a help point changes the municipalities
//! it serves.

use crate::steering::{assert_rollups_match, raw_rows};
use crate::support::TestApp;
use crate::support::demo_users::STAFF;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use tokio::task::JoinSet;

const TOPICS: &[&str] = &["digid", "bankzaken", "belastingen-toeslagen", "zorg"];
const PC4S: &[&str] = &["3011", "3012", "3024", "3071"];
const AGES: &[&str] = &["18-34", "50-64", "65-74", "75+"];

/// The i-th visit of the load: varied topics, days, hours, profiles; every fifth request is a batch of three.
fn body(i: usize, point: &str, now: i64, pc4: Option<&str>) -> Value {
    let visit = |j: usize| {
        let at = jiff::Timestamp::from_second(
            now - ((i + j) % 5) as i64 * 86_400 - (j % 7) as i64 * 3600,
        )
        .unwrap();
        let mut questions =
            vec![json!({"topic": TOPICS[(i + j) % TOPICS.len()], "minutes": 5 + (i % 30)})];
        if i.is_multiple_of(3) {
            questions.push(json!({"topic": TOPICS[(i + j + 1) % TOPICS.len()], "minutes": 10, "outcome": "referred"}));
        }
        json!({
            "help_point_id": point,
            "asked_at": at.to_string(),
            "pc4": pc4.unwrap_or(PC4S[(i + j) % PC4S.len()]),
            "age_band": AGES[i % AGES.len()],
            "first_visit": i.is_multiple_of(2),
            "questions": questions,
        })
    };
    if i % 5 == 4 {
        json!([visit(0), visit(1), visit(2)])
    } else {
        visit(0)
    }
}

/// Sends `n` registrations at once, alternating between the two apps and the two help points; returns each
/// request's status and answer.
async fn load(
    apps: [&TestApp; 2],
    client: &reqwest::Client,
    points: &[String; 2],
    n: usize,
    poisoned: impl Fn(usize) -> bool,
) -> Vec<(usize, u16, Value)> {
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let url = apps[i % 2].url("/api/v1/help-questions");
        let body = body(
            i,
            &points[(i / 2) % 2],
            apps[0].now(),
            poisoned(i).then_some("9999"),
        );
        let client = client.clone();
        tasks.spawn(async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let answer = r.json::<Value>().await.unwrap_or(Value::Null);
            (i, status, answer)
        });
    }
    let mut out = Vec::new();
    while let Some(done) = tasks.join_next().await {
        out.push(done.unwrap());
    }
    out
}

/// Checks the acknowledged visits against the stored rows: each question id stored exactly once, nothing
/// stored that was not acknowledged, and per help point the running totals of the visits tile 1..=total.
async fn assert_acknowledged_stored_once(
    app: &TestApp,
    points: &[String; 2],
    answers: &[(usize, u16, Value)],
) {
    let mut acknowledged: BTreeSet<String> = BTreeSet::new();
    let mut ranges: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for (i, status, answer) in answers {
        if *status != 201 {
            continue;
        }
        let point = &points[(i / 2) % 2];
        for visit in answer["visits"].as_array().unwrap() {
            let ids = visit["question_ids"].as_array().unwrap();
            for id in ids {
                assert!(
                    acknowledged.insert(id.as_str().unwrap().to_owned()),
                    "id {id} answered twice"
                );
            }
            let last = visit["running_total"].as_i64().unwrap();
            ranges
                .entry(point.clone())
                .or_default()
                .push((last - ids.len() as i64 + 1, last));
        }
    }
    let stored = raw_rows(app, points).await;
    let stored_ids: BTreeSet<String> = stored.iter().map(|q| q.id.clone()).collect();
    assert_eq!(stored.len(), stored_ids.len(), "a question stored twice");
    assert_eq!(
        stored_ids, acknowledged,
        "stored and acknowledged questions differ"
    );
    for (point, mut r) in ranges {
        r.sort();
        let mut next = 1;
        for (from, to) in &r {
            assert_eq!(
                *from, next,
                "running totals at {point} overlap or skip: {r:?}"
            );
            next = to + 1;
        }
        let total = stored.iter().filter(|q| q.help_point_id == point).count() as i64;
        assert_eq!(next - 1, total, "last running total at {point}");
    }
}

both_backends! {
    concurrent_registrations_are_stored_once_with_exact_rollups => |app: TestApp| async move {
        app.demo_chain().await;
        let points = [
            app.help_point("Centrale Bibliotheek").await.id,
            app.help_point("Bibliotheek Delfshaven").await.id,
        ];
        // A second server process on the same database: two writer tasks compete for the database.
        let sibling = app.sibling().await;
        let staff = app.signed_in(STAFF).await;
        let answers = load([&app, &sibling], &staff, &points, 240, |_| false).await;
        for (i, status, answer) in &answers {
            assert_eq!(*status, 201, "request {i}: {answer}");
        }
        assert_acknowledged_stored_once(&app, &points, &answers).await;
        assert_rollups_match(&app, "after 240 concurrent registrations").await;
    };

    municipalities_served_change_while_registrations_run => |app: TestApp| async move {
        app.demo_chain().await;
        let points = [
            app.help_point("Centrale Bibliotheek").await.id,
            app.help_point("Bibliotheek Delfshaven").await.id,
        ];
        let sibling = app.sibling().await;
        let staff = app.signed_in(STAFF).await;
        // Delfshaven starts and stops serving Schiedam and Vlaardingen while visits to it are being registered:
        // each visit must land in the municipalities it served when the visit was stored.
        let page = format!("/beheer/hulppunten/{}/gemeenten", points[1]);
        let toggles = async {
            for i in 0..24 {
                let served = ["GM0606", "", "GM0606, GM0622"][i % 3];
                let r = app.post_form(&staff, &page, &page, &[("municipalities", served)]).await;
                assert_eq!(r.status(), 200, "change {i}");
            }
        };
        let (answers, ()) = tokio::join!(load([&app, &sibling], &staff, &points, 240, |_| false), toggles);
        for (i, status, answer) in &answers {
            assert_eq!(*status, 201, "request {i}: {answer}");
        }
        assert_acknowledged_stored_once(&app, &points, &answers).await;
        assert_rollups_match(&app, "after registrations beside changes of the municipalities served").await;
    };

    a_failing_registration_in_a_batch_costs_only_its_own_caller => |app: TestApp| async move {
        app.demo_chain().await;
        let points = [
            app.help_point("Centrale Bibliotheek").await.id,
            app.help_point("Bibliotheek Delfshaven").await.id,
        ];
        // The database refuses postcode 9999 (as it would refuse a row after a help point was removed between
        // the check and the commit): such a visit fails in the writer, among the others of its batch.
        match app.db {
            crate::support::Db::Sqlite => app.store.execute_raw(
                "CREATE TRIGGER refuse_9999 BEFORE INSERT ON help_questions WHEN NEW.pc4 = '9999' \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            ).await.unwrap(),
            crate::support::Db::Postgres => {
                app.store.execute_raw(
                    "CREATE FUNCTION refuse_9999() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN IF NEW.pc4 = '9999' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$",
                ).await.unwrap();
                app.store.execute_raw(
                    "CREATE TRIGGER refuse_9999 BEFORE INSERT ON help_questions \
                     FOR EACH ROW EXECUTE FUNCTION refuse_9999()",
                ).await.unwrap();
            }
        }
        let staff = app.signed_in(STAFF).await;
        let poisoned = |i: usize| i % 7 == 3;
        let answers = load([&app, &app], &staff, &points, 140, poisoned).await;
        for (i, status, answer) in &answers {
            if poisoned(*i) {
                assert_eq!(*status, 500, "request {i} should fail: {answer}");
            } else {
                assert_eq!(*status, 201, "request {i}: {answer}");
            }
        }
        assert_acknowledged_stored_once(&app, &points, &answers).await;
        assert_rollups_match(&app, "after a batch with failing members").await;
    };
}
