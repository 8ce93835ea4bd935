//! The steering dashboard's later parts on both databases: referral lead times and the overdue share,
//! comparisons with other municipalities, the council report and the national view; expected figures are
//! computed here from what the test itself did or from raw rows, never from the rollups.

use crate::support::TestApp;
use crate::support::demo_users::{PARTNER, STAFF, STEERING};
use keten_core::steering::local_date;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Label -> the values of one table of an API answer (decimals kept).
fn api_table(stats: &Value, key: &str) -> BTreeMap<String, Vec<Option<f64>>> {
    let table = stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .unwrap_or_else(|| panic!("no table {key}"));
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
                    .map(Value::as_f64)
                    .collect(),
            )
        })
        .collect()
}

async fn stats(app: &TestApp, client: &reqwest::Client, query: &str) -> Value {
    let r = client
        .get(app.url(&format!("/api/v1/stats?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.unwrap()
}

/// Median (midpoint of the two middle ones, rounded down) and 90th percentile (nearest rank) in hours with
/// one decimal, written out plainly.
fn expected_times(mut seconds: Vec<i64>) -> (f64, f64) {
    seconds.sort();
    let n = seconds.len();
    let median = if n % 2 == 1 {
        seconds[n / 2]
    } else {
        (seconds[n / 2 - 1] + seconds[n / 2]) / 2
    };
    let rank = ((n as f64) * 0.9).ceil() as usize;
    let p90 = seconds[rank - 1];
    let hours = |s: i64| ((s as f64) / 360.0 + 0.5).floor() / 10.0;
    (hours(median), hours(p90))
}

both_backends! {
    referral_lead_times_and_overdue_share_follow_the_referrals => |app: TestApp| async move {
        app.demo_chain().await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let today = local_date(app.now());
        let mut sent = Vec::new();
        for i in 0..8 {
            let mut body = crate::support::referral_body("bankzaken", "3011");
            body["phone"] = json!(format!("06 1234567{i}"));
            sent.push((app.send_referral(&staff, &body).await, app.now()));
            app.clock.advance_seconds(60 * (i + 1));
        }
        // Seven are accepted after different waits; the eighth never is.
        let mut accepted = Vec::new();
        for (i, (id, at)) in sent.iter().take(7).enumerate() {
            app.clock.advance_seconds(1_800 + 600 * i as i64);
            let r = app.referral_action(&partner, id, json!({"action": "accept"})).await;
            assert_eq!(r.status(), 200);
            accepted.push((id.clone(), *at, app.now()));
        }
        let mut completed = Vec::new();
        let complete = |n: usize| {
            let (id, sent_at, accepted_at) = accepted[n].clone();
            let app = &app;
            let partner = &partner;
            async move {
                app.clock.advance_seconds(2_400 + 300 * n as i64);
                let r = app.referral_action(partner, &id, json!({"action": "contact_attempt", "reached": true})).await;
                assert_eq!(r.status(), 200);
                let r = app.referral_action(partner, &id, json!({"action": "complete", "outcome": "solved"})).await;
                assert_eq!(r.status(), 200);
                (sent_at, accepted_at, app.now())
            }
        };
        for n in 0..4 {
            completed.push(complete(n).await);
        }
        let steering = app.signed_in(STEERING).await;
        let query = format!("period=custom&from={today}&to={}", today.tomorrow().unwrap());
        let v = stats(&app, &steering, &query).await;
        let lead = api_table(&v, "referral-lead-times");
        let to_accept: Vec<i64> = accepted.iter().map(|(_, s, a)| a - s).collect();
        let (median, p90) = expected_times(to_accept.clone());
        assert_eq!(lead["Van versturen tot aannemen"], vec![Some(7.0), Some(median), Some(p90)]);
        // Four completed: counted, but a median of four would describe single residents.
        assert_eq!(lead["Van aannemen tot afgerond"], vec![Some(4.0), None, None]);
        assert_eq!(lead["Van versturen tot afgerond"], vec![Some(4.0), None, None]);
        completed.push(complete(4).await);
        let v = stats(&app, &steering, &query).await;
        let lead = api_table(&v, "referral-lead-times");
        let (m, p) = expected_times(completed.iter().map(|(_, a, c)| c - a).collect());
        assert_eq!(lead["Van aannemen tot afgerond"], vec![Some(5.0), Some(m), Some(p)]);
        let (m, p) = expected_times(completed.iter().map(|(s, _, c)| c - s).collect());
        assert_eq!(lead["Van versturen tot afgerond"], vec![Some(5.0), Some(m), Some(p)]);
        let overdue = api_table(&v, "referral-overdue");
        assert_eq!(overdue["Verstuurd"][0], Some(8.0));
        assert_eq!(overdue["Niet voor de termijn aangenomen of afgewezen"], vec![Some(0.0), Some(0.0)]);
        // A week later the eighth is past its deadline (two working days): 1 of 8, 13%.
        app.clock.advance_seconds(7 * 86_400);
        let steering = app.signed_in(STEERING).await;
        let v = stats(&app, &steering, &query).await;
        let overdue = api_table(&v, "referral-overdue");
        assert_eq!(overdue["Niet voor de termijn aangenomen of afgewezen"], vec![Some(1.0), Some(13.0)]);
        // The page and the CSV carry the same figures, hours with a decimal comma.
        let html = steering.get(app.url(&format!("/regie?{query}"))).send().await.unwrap().text().await.unwrap();
        let text = |x: f64| format!("{:.1}", x).replace('.', ",");
        assert!(html.contains(&format!("scope=\"row\">Van versturen tot aannemen</th><td class=\"utrecht-table__cell keten-number\">7</td><td class=\"utrecht-table__cell keten-number\">{}</td><td class=\"utrecht-table__cell keten-number\">{}</td>", text(median), text(p90))), "page");
        let csv = steering.get(app.url(&format!("/regie/download/referral-lead-times.csv?{query}"))).send().await.unwrap().text().await.unwrap();
        assert!(csv.contains(&format!("Van versturen tot aannemen,7,{median:.1},{p90:.1}")), "{csv}");
        assert!(csv.contains("Van aannemen tot afgerond,5,"), "{csv}");
    };
}
