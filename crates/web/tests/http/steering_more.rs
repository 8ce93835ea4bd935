//! The steering dashboard's later parts on both databases: referral lead times and the overdue share,
//! comparisons with other municipalities, the council report and the national view; expected figures are
//! computed here from what the test itself did or from raw rows, never from the rollups.

use crate::support::TestApp;
use crate::support::demo_users::{PARTNER, STAFF, STEERING};
use keten_core::account::Role;

const PROGRAMME: &str = "programma@digitale-inclusie.demo.keten.nl";
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

/// Questions per municipality's chain in `[first, last]` (local days), by a plain loop over the raw rows.
async fn chain_counts(
    app: &TestApp,
    codes: &[&str],
    first: i64,
    last: i64,
) -> BTreeMap<String, i64> {
    use keten_core::steering::local_day_hour;
    let mut out = BTreeMap::new();
    for code in codes {
        let chain: Vec<String> = app
            .store
            .chain_help_points(code)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let n = if chain.is_empty() {
            0
        } else {
            crate::steering::raw_rows(app, &chain)
                .await
                .iter()
                .filter(|q| (first..=last).contains(&local_day_hour(q.asked_at).0))
                .count() as i64
        };
        out.insert((*code).to_owned(), n);
    }
    out
}

fn rate(questions: i64, residents: u32) -> f64 {
    (questions as f64 * 10_000.0 / residents as f64 + 0.5).floor() / 10.0
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

    the_municipality_is_compared_with_neighbours_its_size_class_and_the_installation => |app: TestApp| async move {
        use keten_core::reference::{municipalities, municipality};
        use keten_core::steering::day_number;
        let ids = app.demo_chain().await;
        crate::steering::demo_history(&app, ids, 2000).await;
        // Den Haag, Rotterdam's size-class peer, has no help point of its own in the demo: Delfshaven serves it.
        let delfshaven = app.help_point("Bibliotheek Delfshaven").await.id;
        let page = format!("/beheer/hulppunten/{delfshaven}/gemeenten");
        let staff = app.signed_in(STAFF).await;
        assert_eq!(app.post_form(&staff, &page, &page, &[("municipalities", "GM0518")]).await.status(), 200);
        let (from, to) = ("2025-03-03", "2026-03-02");
        let (first, last) = (day_number(from.parse().unwrap()), day_number(to.parse().unwrap()));
        // Every municipality the demo's help points are in or serve, counted from the raw rows.
        let codes: Vec<&str> = municipalities().iter().filter(|m| m.country == keten_core::reference::Country::Nl).map(|m| m.code.as_str()).collect();
        let mut counts = chain_counts(&app, &["GM0599", "GM0606", "GM0502", "GM0622", "GM0518"], first, last).await;
        // Municipalities without help points of the demo have no questions.
        for c in &codes { counts.entry((*c).to_owned()).or_insert(0); }
        let rotterdam = municipality("GM0599").unwrap();
        // The neighbours: the six nearest centres, by a plain loop.
        let mut by_distance: Vec<(f64, &str)> = codes.iter().filter(|c| **c != "GM0599").map(|c| {
            let m = municipality(c).unwrap();
            (keten_core::geo::distance_km(rotterdam.centre, m.centre), *c)
        }).collect();
        by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
        let neighbours: Vec<&str> = by_distance.iter().take(6).map(|x| x.1).filter(|c| counts[*c] >= 5).collect();
        assert!(!neighbours.is_empty(), "the demo has questions in a neighbour");

        let steering = app.signed_in(STEERING).await;
        let v = stats(&app, &steering, &format!("period=custom&from={from}&to={to}")).await;
        let table = api_table(&v, "comparison");
        let own = &table["Rotterdam (deze gemeente)"];
        assert_eq!(own[1], Some(counts["GM0599"] as f64));
        assert_eq!(own[0], Some(rate(counts["GM0599"], rotterdam.population)));
        for code in &neighbours {
            let m = municipality(code).unwrap();
            let row = &table[&format!("{} (buurgemeente)", m.name)];
            assert_eq!(row, &vec![Some(rate(counts[*code], m.population)), Some(counts[*code] as f64), Some(m.population as f64)], "{code}");
        }
        let neighbour_rows = table.keys().filter(|k| k.ends_with("(buurgemeente)")).count();
        assert_eq!(neighbour_rows, neighbours.len(), "no neighbour under 5 questions");
        // Den Haag is Rotterdam's only size-class peer with questions in the demo.
        let den_haag = municipality("GM0518").unwrap();
        assert!(counts["GM0518"] >= 5);
        let peers = &table["1 andere gemeente met 250.000 inwoners of meer op deze installatie"];
        assert_eq!(peers[0], Some(rate(counts["GM0518"], den_haag.population)));
        // The installation: every municipality with at least 5 questions, together.
        let taking_part: Vec<&str> = counts.iter().filter(|(_, n)| **n >= 5).map(|(c, _)| c.as_str()).collect();
        let q: i64 = taking_part.iter().map(|c| counts[*c]).sum();
        let r: u32 = taking_part.iter().map(|c| municipality(c).unwrap().population).sum();
        let all = &table[&format!("Alle {} gemeenten op deze installatie", taking_part.len())];
        assert_eq!(all[0], Some(rate(q, r)));
        assert_eq!(all[1], Some(q as f64));
        // On the page with its caveat; not for one help point.
        let html = steering.get(app.url(&format!("/regie?period=custom&from={from}&to={to}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Buurgemeenten zijn bij benadering"));
        assert!(html.contains("Vergeleken met andere gemeenten"));
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let one = stats(&app, &steering, &format!("period=custom&from={from}&to={to}&help_point={central}")).await;
        assert!(!one["tables"].as_array().unwrap().iter().any(|t| t["key"] == "comparison"));
        let csv = steering.get(app.url(&format!("/regie/download/comparison.csv?period=custom&from={from}&to={to}"))).send().await.unwrap().text().await.unwrap();
        assert!(csv.contains(&format!("Rotterdam (deze gemeente),{:.1},{}", rate(counts["GM0599"], rotterdam.population), counts["GM0599"])), "{csv}");
    };

    the_council_report_says_in_words_what_the_figures_say => |app: TestApp| async move {
        use keten_core::steering::{day_number, local_day_hour, thousands};
        let ids = app.demo_chain().await;
        crate::steering::demo_history(&app, ids, 2000).await;
        let (from, to) = ("2025-07-01", "2025-09-30");
        let (first, last) = (day_number(from.parse().unwrap()), day_number(to.parse().unwrap()));
        let chain: Vec<String> = app.store.chain_help_points("GM0599").await.unwrap().into_iter().map(|p| p.id).collect();
        let rows: Vec<_> = crate::steering::raw_rows(&app, &chain).await.into_iter()
            .filter(|q| (first..=last).contains(&local_day_hour(q.asked_at).0)).collect();
        assert!(rows.len() > 100, "enough questions: {}", rows.len());
        let mut topics: BTreeMap<String, i64> = BTreeMap::new();
        let mut pc4: BTreeMap<String, i64> = BTreeMap::new();
        for q in &rows {
            *topics.entry(q.topic_code.clone()).or_default() += 1;
            if let Some(p) = &q.pc4 { *pc4.entry(p.clone()).or_default() += 1; }
        }
        let most = topics.values().max().unwrap();
        let largest = topics.iter().find(|(_, n)| *n == most).unwrap().0.clone();
        let label = app.store.topics().await.unwrap().into_iter().find(|t| t.code == largest).unwrap().label;
        // Blind spots: areas with residents, no question, at least 250 residents of 65 or over; most first.
        let mut blind: Vec<(u32, String)> = keten_core::reference::postcode_areas_in("GM0599")
            .filter(|a| a.population.unwrap_or(1) > 0 && !pc4.contains_key(&a.postcode))
            .filter_map(|a| {
                let b = keten_core::reference::pc4_residents_by_age_band(&a.postcode).unwrap_or_default();
                (b[4] + b[5] >= 250).then(|| (b[4] + b[5], a.postcode.clone()))
            })
            .collect();
        blind.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let named: Vec<String> = blind.into_iter().take(3).map(|b| b.1).collect();

        let steering = app.signed_in(STEERING).await;
        let query = format!("period=custom&from={from}&to={to}");
        let r = steering.get(app.url(&format!("/regie/verslag?{query}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let at = html.find("data-summary>").unwrap() + "data-summary>".len();
        let summary: String = html[at..at + html[at..].find("</p>").unwrap()].split_whitespace().collect::<Vec<_>>().join(" ");
        // A year earlier the demo has no questions yet: no percentage.
        let mut expected = format!("In het derde kwartaal van 2025 stelden inwoners {} vragen. De meeste vragen gingen over {}.", thousands(rows.len() as i64), label.to_lowercase().replace('&', "&#38;"));
        match named.as_slice() {
            [] => {}
            [a] => expected.push_str(&format!(" In {a} wonen veel 65-plussers die nog niet zijn bereikt.")),
            [a, b] => expected.push_str(&format!(" In {a} en {b} wonen veel 65-plussers die nog niet zijn bereikt.")),
            [a, b, c, ..] => expected.push_str(&format!(" In {a}, {b} en {c} wonen veel 65-plussers die nog niet zijn bereikt.")),
        }
        assert_eq!(summary, expected);
        // Key figures with last year's, the charts and the map, a page per section on paper.
        assert!(html.contains("Gemeente Rotterdam") && html.contains("1 juli 2025 tot en met 30 september 2025"));
        assert!(html.contains(&format!("scope=\"row\">Vragen</th><td class=\"utrecht-table__cell keten-number\">{}</td><td class=\"utrecht-table__cell keten-number\">0</td>", thousands(rows.len() as i64))));
        assert!(html.contains("id=\"kaart-doelgroep\"") && html.contains("id=\"grafiek-topics\""));
        assert_eq!(html.matches("class=\"keten-report__page\"").count(), 4);
        let css = steering.get(app.url("/static/keten.css")).send().await.unwrap().text().await.unwrap();
        assert!(css.contains(".keten-report__page { break-after: page; }") && css.contains("size: A4"));
        // The same facts in the API.
        let v = stats(&app, &steering, &query).await;
        assert_eq!(v["summary"]["largest_topic_code"], largest.as_str());
        assert_eq!(v["summary"]["change_percent"], Value::Null);
        assert_eq!(v["summary"]["blind_spots"], json!(named));
        // The dashboard links to it; another municipality's steering gets 404, staff 403.
        let page = steering.get(app.url(&format!("/regie?{query}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("href=\"/regie/verslag?municipality=GM0599&#38;period=custom"));
        let schiedam = app.organisation_id("Gemeente Schiedam").await;
        app.user("regie@schiedam.test", keten_core::account::Role::Steering, &schiedam).await;
        let other = app.signed_in("regie@schiedam.test").await;
        assert_eq!(other.get(app.url("/regie/verslag")).send().await.unwrap().status(), 200, "its own report");
        let central = app.help_point("Centrale Bibliotheek").await.id;
        for path in ["/regie/verslag?municipality=GM0599".to_owned(), format!("/regie/verslag?help_point={central}")] {
            assert_eq!(other.get(app.url(&path)).send().await.unwrap().status(), 404, "{path}");
        }
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url("/regie/verslag")).send().await.unwrap().status(), 403);
    };

    the_national_view_per_province_and_size_class_hides_small_cells => |app: TestApp| async move {
        use keten_core::reference::municipality;
        use keten_core::steering::{day_number, local_day_hour, suppress_list};
        let ids = app.demo_chain().await;
        crate::steering::demo_history(&app, ids, 1500).await;
        let (from, to) = ("2025-03-03", "2026-03-02");
        let (first, last) = (day_number(from.parse().unwrap()), day_number(to.parse().unwrap()));
        // Every question once, at the municipality its help point stands in: a plain loop over the raw rows.
        let mut points: BTreeMap<String, String> = BTreeMap::new();
        for code in ["GM0599", "GM0606", "GM0502", "GM0622", "GM0518", "44021"] {
            for p in app.store.chain_help_points(code).await.unwrap() {
                points.insert(p.id, p.municipality_code);
            }
        }
        assert!(points.len() > 5);
        let mut by_province: BTreeMap<String, i64> = BTreeMap::new();
        let mut by_class: BTreeMap<usize, i64> = BTreeMap::new();
        for (id, code) in &points {
            let m = municipality(code).unwrap();
            let n = crate::steering::raw_rows(&app, std::slice::from_ref(id)).await.iter()
                .filter(|q| (first..=last).contains(&local_day_hour(q.asked_at).0)).count() as i64;
            if n == 0 { continue; }
            *by_province.entry(if m.province.is_empty() { "Brussel".into() } else { m.province.clone() }).or_default() += n;
            *by_class.entry(keten_core::steering::compare::size_class(m.population)).or_default() += n;
        }
        let programme = app.signed_in(PROGRAMME).await;
        let v = stats(&app, &programme, &format!("period=custom&from={from}&to={to}")).await;
        let provinces = api_table(&v, "provinces");
        let values: Vec<i64> = by_province.values().copied().collect();
        for ((name, n), hide) in by_province.iter().zip(suppress_list(&values)) {
            assert_eq!(provinces[name][0], if hide { None } else { Some(*n as f64) }, "{name}");
        }
        assert_eq!(provinces.len(), by_province.len());
        let classes = api_table(&v, "size-classes");
        assert_eq!(classes.len(), by_class.len());
        let values: Vec<i64> = by_class.values().copied().collect();
        for ((class, n), hide) in by_class.iter().zip(suppress_list(&values)) {
            let label = format!("{}. {}", class + 1, keten_core::steering::compare::size_class_label(*class));
            assert_eq!(classes[&label][0], if hide { None } else { Some(*n as f64) }, "{label}");
        }
        // The page: programme managers and admins; steering of any municipality gets 404, like another's figures.
        let r = programme.get(app.url(&format!("/regie/landelijk?period=custom&from={from}&to={to}&municipality=GM0599"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Cijfers: Alle gemeenten") && html.contains("data-table=\"provinces\"") && html.contains("data-table=\"size-classes\""));
        assert!(html.contains("Zuid-Holland"));
        let steering = app.signed_in(STEERING).await;
        assert_eq!(steering.get(app.url("/regie/landelijk")).send().await.unwrap().status(), 404);
        let r = steering.get(app.url("/api/v1/stats/provinces")).send().await.unwrap();
        let own: Value = r.json().await.unwrap();
        assert_eq!(own["tables"].as_array().unwrap().len(), 0, "a municipality's figures have no provinces");
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url("/regie/landelijk")).send().await.unwrap().status(), 404);
    };
    a_regional_programme_manager_reads_the_municipalities_of_its_programmes_only => |app: TestApp| async move {
        app.demo_chain().await;
        // A province's library service (not a national body) runs a call: Schiedam was chosen, with Vlaardingen in
        // its dossier; Rotterdam applied and waits.
        let service = app.organisation("Bibliotheekservice Zuid-Holland", "community", "civil", "GM0599").await;
        let waiting = app.organisation("Wijkteam Rotterdam", "community", "civil", "GM0599").await;
        app.store.execute_raw(&format!(
            "INSERT INTO programmes (id, organisation_id, kind, name, description, applicant_kind, opens_on, closes_on, \
             budget_cents, cap_cents, cap_vat_included, vat_percent, max_participants, excluded_programmes, small_below, \
             large_from, created_at, updated_at) VALUES ('regio', '{service}', 'call', 'Regio', '', 'municipality', \
             '2026-01-01', '2026-02-01', 0, 0, 0, 21, 10, '', 0, 0, 0, 0)")).await.unwrap();
        for (id, org, code, status) in [("chosen", &service, "GM0606", "selected"), ("waits", &waiting, "GM0599", "submitted")] {
            app.store.execute_raw(&format!(
                "INSERT INTO applications (id, programme_id, organisation_id, municipality_code, status, amount_cents, \
                 amount_vat_included, proposal, helix_partners, submitted_at, updated_at) VALUES ('{id}', 'regio', '{org}', \
                 '{code}', '{status}', 0, 0, '', '', 0, 0)")).await.unwrap();
        }
        app.store.execute_raw(&format!(
            "INSERT INTO application_members (application_id, organisation_id, municipality_code, member_role) \
             VALUES ('chosen', '{waiting}', 'GM0622', 'member')")).await.unwrap();
        app.user("regio@bibliotheekservice.example", Role::ProgrammeManager, &service).await;
        let manager = app.signed_in("regio@bibliotheekservice.example").await;
        let get = |path: &str| manager.get(app.url(path)).send();
        // Its first municipality, a choice of its two, no national view.
        let html = get("/regie").await.unwrap().text().await.unwrap();
        assert!(html.contains("Cijfers: Gemeente Schiedam"), "{html}");
        assert!(html.contains("<option value=\"GM0622\">Vlaardingen</option>") && !html.contains("value=\"GM0599\""), "{html}");
        assert!(!html.contains("/regie/landelijk"), "{html}");
        assert_eq!(get("/regie?municipality=GM0622").await.unwrap().status(), 200);
        let v: Value = get("/api/v1/stats/key-figures").await.unwrap().json().await.unwrap();
        assert_eq!(v["about"]["municipality_code"], "GM0606", "{v}");
        // Rotterdam only applied, and the nation is the national body's: 404, like another municipality's figures.
        for path in ["/regie?municipality=GM0599", "/regie/landelijk", "/api/v1/stats/key-figures?municipality=GM0599",
                     "/regie/verslag?municipality=GM0599", "/regie/download/all.xlsx?municipality=GM0599"] {
            assert_eq!(get(path).await.unwrap().status(), 404, "{path}");
        }
        // The national body's programme manager still reads the nation.
        let national = app.signed_in(PROGRAMME).await;
        assert_eq!(national.get(app.url("/regie/landelijk")).send().await.unwrap().status(), 200);
        assert_eq!(national.get(app.url("/regie?municipality=GM0599")).send().await.unwrap().status(), 200);
    };
}
