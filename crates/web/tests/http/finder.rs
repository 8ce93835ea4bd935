//! The public help finder through HTTP on both databases, with the demo chain and a fixed clock.

use crate::support::TestApp;
use serde_json::Value;

/// Great-circle distance computed here, independently of keten's own code.
fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6371.0088_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

async fn nearest(app: &TestApp, query: &str) -> Value {
    let r = app
        .browser()
        .get(app.url(&format!("/api/v1/help-points/nearest?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{query}");
    r.json().await.unwrap()
}

fn names(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    nearest_first_with_great_circle_distances => |app: TestApp| async move {
        app.demo_chain().await;
        let v = nearest(&app, "place=3011%20PV&limit=5").await;
        assert_eq!(v["municipality_code"], "GM0599");
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 5);
        // Both the central library and the town hall's desk are in 3011.
        for r in &results[..2] {
            assert!(r["postcode"].as_str().unwrap().starts_with("3011"), "{r}");
        }
        // PC4 3011 centroid from the reference data (data/nl_pc4.csv).
        let (lat, lon) = (51.9197, 4.4875);
        let mut previous = 0.0;
        for r in results {
            let expected = haversine_km(lat, lon, r["lat"].as_f64().unwrap(), r["lon"].as_f64().unwrap());
            let got = r["distance_km"].as_f64().unwrap();
            assert!((got - expected).abs() < 0.002, "{} km vs {expected} km", got);
            assert!(got >= previous, "not nearest first");
            assert!(r["walking_km"].as_f64().unwrap() >= got);
            previous = got;
        }
    };

    topic_finds_partners_consultation_hours => |app: TestApp| async move {
        app.demo_chain().await;
        let v = nearest(&app, "place=3011&topic=bankzaken&limit=3").await;
        let first = &v["results"][0];
        assert_eq!(first["name"], "Centrale Bibliotheek");
        let hours = first["consultation_hours"].as_array().unwrap();
        assert_eq!(hours.len(), 1, "only the hour that matches the topic: {hours:?}");
        assert_eq!(hours[0]["organisation"], "Maasbank");
        assert_eq!(hours[0]["hours"], "dinsdag 10:00 - 12:00");
        // The page says the same in words, with walk-in or appointment.
        let html = app.browser().get(app.url("/?plaats=3011&onderwerp=bankzaken")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Maasbank: Spreekuur bankzaken, dinsdag 10:00 - 12:00 (u kunt zo binnenlopen)"), "{html}");
        // A help point that offers nothing about money is not listed for it.
        assert!(!names(&v).iter().any(|n| n.contains("Moskee")));
    };

    open_today_step_free_and_language_filters => |app: TestApp| async move {
        app.demo_chain().await;
        // The test clock stands at Monday 2 March 2026, 10:00 in Rotterdam.
        let all = names(&nearest(&app, "place=3025&limit=20").await);
        let today = names(&nearest(&app, "place=3025&open=today&limit=20").await);
        assert!(all.contains(&"Bibliotheek Delfshaven".to_owned()));
        assert!(!today.contains(&"Bibliotheek Delfshaven".to_owned()), "Delfshaven opens Tuesdays and Thursdays: {today:?}");
        assert!(today.contains(&"Centrale Bibliotheek".to_owned()));
        let step_free = names(&nearest(&app, "place=3025&step_free=true&limit=20").await);
        assert!(!step_free.iter().any(|n| n.contains("Moskee")), "{step_free:?}");
        let arabic = names(&nearest(&app, "place=3025&language=ar&limit=20").await);
        assert!(arabic.iter().any(|n| n.contains("Moskee")));
        assert!(!arabic.contains(&"Bibliotheek Delfshaven".to_owned()));
        let v = nearest(&app, "place=3011&topic=bankzaken&limit=1").await;
        assert_eq!(v["results"][0]["name"], "Centrale Bibliotheek");
        assert_eq!(v["results"][0]["next_open_text"], "Nu open tot 17:00");
        assert_eq!(v["results"][0]["next_open_end"], "2026-03-02T16:00:00Z");
    };

    unknown_places_get_suggestions_not_an_empty_page => |app: TestApp| async move {
        app.demo_chain().await;
        let html = app.browser().get(app.url("/?plaats=Roterdam")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Bedoelt u"));
        assert!(html.contains("/?plaats=Rotterdam"));
        assert!(html.contains("value=\"Roterdam\""), "the typed text stays in the field");
        let api = app.browser().get(app.url("/api/v1/help-points/nearest?place=Roterdam")).send().await.unwrap();
        assert_eq!(api.status(), 404);
        let problem: Value = api.json().await.unwrap();
        assert!(problem["suggestions"].as_array().unwrap().iter().any(|s| s == "Rotterdam"));
        let bad_topic = app.browser().get(app.url("/api/v1/help-points/nearest?place=3011&topic=astrologie")).send().await.unwrap();
        assert_eq!(bad_topic.status(), 422);
    };

    finder_page_lists_results_and_help_point_page_shows_details => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let client = app.browser();
        let html = client.get(app.url("/?plaats=3011+PV")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Hulp in de buurt van"));
        // The link carries the PC4 on to the help point's "Ik wil hulp".
        assert!(html.contains(&format!("href=\"/hulppunten/{}?pc4=3011\"", ids[0])), "{html}");
        assert!(html.contains("km lopen"));
        // The municipal desk stands at the centre of postcode 3011 itself: no "0,0 km lopen".
        let desk = html.find("Vraagwijzer Stadhuis</a>").expect("the desk is listed");
        let desk_item = &html[desk..desk + html[desk..].find("</li>").unwrap()];
        assert!(desk_item.contains("Heel dichtbij: minder dan 100 meter"), "{desk_item}");
        assert!(!html.contains("0,0 km"));
        let page = client.get(app.url(&format!("/hulppunten/{}", ids[0]))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        for expected in ["Hoogstraat 110", "maandag", "10:00 - 17:00", "Maasbank", "DigiD", "openstreetmap.org/?mlat=", "Arabisch", "Nu open tot 17:00"] {
            assert!(html.contains(expected), "{expected} missing");
        }
        assert_eq!(client.get(app.url("/hulppunten/does-not-exist")).send().await.unwrap().status(), 404);
    };

    directory_changes_reach_the_finder => |app: TestApp| async move {
        assert_eq!(nearest(&app, "place=Gent").await["results"].as_array().unwrap().len(), 0);
        let org = app.organisation("Bibliotheek Gent", "library", "civil", "44021").await;
        let hours = keten_core::opening_hours::OpeningHours::weekly(
            keten_core::opening_hours::Region::Be,
            keten_core::opening_hours::parse_weekly("ma-vr 10:00-18:00").unwrap(),
        );
        app.store.create_help_point(&keten_store::help_points::NewHelpPoint {
            organisation_id: org,
            name: "De Krook".into(),
            kind: keten_core::organisation::HelpPointKind::Digipunt,
            venue_kind: keten_core::organisation::VenueKind::Library,
            street_address: "Miriam Makebaplein 1".into(),
            postcode: "9000".into(),
            city: "Gent".into(),
            municipality_code: "44021".into(),
            location: keten_core::geo::Point { lat: 51.0478, lon: 3.7273 },
            hours,
            preparation: String::new(),
            phone: None,
            email: None,
            website: None,
            languages: vec!["nl".into(), "fr".into()],
            accessibility: Default::default(),
            topics: vec!["digid".into()],
            municipalities_served: vec![],
        }, app.now()).await.unwrap();
        let v = nearest(&app, "place=9000").await;
        assert_eq!(names(&v), ["De Krook"]);
        assert_eq!(v["results"][0]["next_open_text"], "Nu open tot 18:00");
    };

    residents_report_wrong_information_and_can_share_the_list => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let client = app.browser();
        let page = format!("/hulppunten/{}", ids[0]);
        let action = format!("{page}/melding");
        let empty = app.post_form(&client, &page, &action, &[("message", "   ")]).await;
        assert_eq!(empty.status(), 422);
        assert!(empty.text().await.unwrap().contains("Schrijf kort wat er niet klopt"));
        let long = "x".repeat(1001);
        let refused = app.post_form(&client, &page, &action, &[("message", &long)]).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains(&long), "the typed text is kept");
        let sent = app.post_form(&client, &page, &action, &[("message", "Op zaterdag is de bibliotheek dicht.")]).await;
        assert_eq!(sent.status(), 200);
        assert!(sent.text().await.unwrap().contains("Bedankt"));
        let reports = app.store.open_information_reports(&ids[0]).await.unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].0, "Op zaterdag is de bibliotheek dicht.");
        // Without the form's token nothing is stored.
        let forged = client.post(app.url(&action)).form(&[("message", "spam")]).send().await.unwrap();
        assert_eq!(forged.status(), 403);
        assert_eq!(app.store.open_information_reports(&ids[0]).await.unwrap().len(), 1);

        let html = client.get(app.url("/?plaats=3011&onderwerp=bankzaken")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Deze lijst bewaren of delen"));
        assert!(html.contains("/?plaats=3011&#38;onderwerp=bankzaken</code>"), "share link shows this list");
    };

    embeds_are_limited_to_one_municipality_and_may_be_framed => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        let r = client.get(app.url("/inbedden?gemeente=GM0606&plaats=3011")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors *"));
        let html = r.text().await.unwrap();
        assert!(html.contains("Bibliotheek Schiedam"), "{html}");
        assert!(!html.contains("Centrale Bibliotheek"), "Rotterdam's points are nearer but not Schiedam's");
        assert!(!html.contains("Inloggen voor medewerkers"), "no site header in an embed");
        assert!(html.contains("name=\"gemeente\" value=\"GM0606\""), "the form keeps the municipality");
        assert!(html.contains("class=\"keten-map\" hidden"), "the map is only an extra");
        // Other pages still refuse to be framed.
        let home = client.get(app.url("/")).send().await.unwrap();
        assert!(home.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));

        let code = client.get(app.url("/inbedden/code?gemeente=gm0599&onderwerp=digid")).send().await.unwrap().text().await.unwrap();
        assert!(code.contains("&#60;iframe src=&#34;http://"), "{code}");
        assert!(code.contains("/inbedden?gemeente=GM0599&#38;onderwerp=digid"));
        // The topic is chosen with the finder's radio tiles, each with its pictogram and written label.
        assert!(!code.contains("<select"), "no drop-down list any more");
        assert!(code.contains("<legend class=\"utrecht-form-label\">Onderwerp (niet verplicht)</legend>"));
        assert!(code.contains("type=\"radio\" name=\"onderwerp\" value=\"digid\" checked>"), "the chosen topic stays chosen");
        assert!(code.contains("type=\"radio\" name=\"onderwerp\" value=\"\">"), "'all topics' is not chosen then");
        assert_eq!(code.matches("class=\"keten-topic__icon\"").count(), keten_core::help_question::DEFAULT_TOPICS.len() + 1);
        let bad = client.get(app.url("/inbedden/code?gemeente=GM9999")).send().await.unwrap().text().await.unwrap();
        assert!(bad.contains("Deze gemeente kennen we niet"));
        assert!(bad.contains("value=\"GM9999\""));
        let api = nearest(&app, "place=3011&municipality=GM0606").await;
        assert!(names(&api).iter().all(|n| n.contains("Schiedam")), "{api}");
    };

    an_interactive_map_is_an_extra_on_top_of_the_list => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        let html = client.get(app.url("/?plaats=3011&onderwerp=bankzaken")).send().await.unwrap().text().await.unwrap();
        // The list is complete without any script...
        assert!(html.contains("Centrale Bibliotheek") && html.contains("km lopen"));
        // ...and the map container stays hidden until keten-map.js shows it.
        assert!(html.contains("class=\"keten-map\" hidden"));
        assert!(html.contains("data-tiles=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""));
        assert!(html.contains("&#34;name&#34;:&#34;Centrale Bibliotheek&#34;"), "markers as JSON");
        assert!(html.contains("src=\"/static/vendor/leaflet/dist/leaflet.js\""));
        let js = client.get(app.url("/static/keten-map.js")).send().await.unwrap();
        assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
        assert!(js.text().await.unwrap().contains("if (!window.L) { return; }"));
    };

    far_away_help_points_are_not_listed_and_the_page_gives_advice => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        // The demo chain is around Rotterdam; Groningen is about 200 km away.
        let html = client.get(app.url("/?plaats=Groningen")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("keten-result\""), "no far-away results: {html}");
        assert!(!html.contains("km lopen"), "{html}");
        assert!(html.contains("Binnen 25 km van Groningen"), "{html}");
        assert!(html.contains("Vraag bij uw gemeente of bij de bibliotheek"), "{html}");
        // Near the demo chain the list is as before.
        let near = client.get(app.url("/?plaats=3011")).send().await.unwrap().text().await.unwrap();
        assert!(near.contains("km lopen") && !near.contains("Binnen 25 km"));

        let api = nearest(&app, "place=Groningen").await;
        assert_eq!(api["results"].as_array().unwrap().len(), 0, "{api}");
        let wide = nearest(&app, "place=Groningen&max_km=400&limit=3").await;
        let results = wide["results"].as_array().unwrap();
        assert_eq!(results.len(), 3, "{wide}");
        assert!(results.iter().all(|r| r["distance_km"].as_f64().unwrap() > 100.0));
        // Every default result is within 25 km.
        let v = nearest(&app, "place=3011&limit=50").await;
        assert!(v["results"].as_array().unwrap().iter().all(|r| r["distance_km"].as_f64().unwrap() <= 25.0), "{v}");
        let small = nearest(&app, "place=3011&max_km=1&limit=50").await;
        assert!(small["results"].as_array().unwrap().len() < v["results"].as_array().unwrap().len());
        for bad in ["0", "-3", "5000", "NaN"] {
            let r = client.get(app.url(&format!("/api/v1/help-points/nearest?place=3011&max_km={bad}"))).send().await.unwrap();
            assert_eq!(r.status(), 422, "max_km={bad}");
        }
        let doc: Value = client.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let params = doc["paths"]["/api/v1/help-points/nearest"]["get"]["parameters"].as_array().unwrap();
        assert!(params.iter().any(|p| p["name"] == "max_km"), "max_km documented");
    };

    temporarily_closed_points_are_shown_marked_and_never_open_now => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Bibliotheek Delfshaven").await.id;
        let edit = format!("/beheer/hulppunten/{id}");
        let staff = app.signed_in(crate::support::demo_users::STAFF).await;
        let fields = |status: &'static str| vec![
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", "3025 AB"),
            ("hours", "ma-vr 09:00-17:00"), ("languages", "nl"), ("topics", "digid"), ("status", status),
            ("status_reason", "Verbouwing"), ("reopens_on", "2026-04-01"),
        ];
        let r = app.post_form(&staff, &edit, &edit, &fields("temporarily_closed")).await;
        assert_eq!(r.status(), 303);
        let client = app.browser();
        // Monday 2 March 2026, 10:00: the hours say open, the status says closed until 1 April.
        let html = client.get(app.url("/?plaats=3025")).send().await.unwrap().text().await.unwrap();
        let card = &html[html.find("Bibliotheek Delfshaven</a>").expect("still listed")..];
        let card = &card[..card.find("</li>").unwrap()];
        assert!(card.contains("<strong>Tijdelijk dicht</strong>: <span>Verbouwing</span>."), "{card}");
        assert!(card.contains("Weer open vanaf woensdag 1 april 2026."), "{card}");
        assert!(!card.contains("Nu open"), "{card}");
        let page = client.get(app.url(&format!("/hulppunten/{id}"))).send().await.unwrap();
        assert_eq!(page.status(), 200, "its page stays");
        let page = page.text().await.unwrap();
        assert!(page.contains("Tijdelijk dicht") && page.contains("Weer open vanaf woensdag 1 april 2026."));
        assert!(!page.contains("Nu open"));
        let en = app.browser().get(app.url(&format!("/hulppunten/{id}?lang=en"))).send().await.unwrap().text().await.unwrap();
        assert!(en.contains("Temporarily closed</strong>: <span lang=\"nl\">Verbouwing</span>"), "{en}");
        let api = nearest(&app, "place=3025&limit=20").await;
        let hit = api["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").expect("in the API").clone();
        assert_eq!(hit["status"], "temporarily_closed");
        assert_eq!(hit["status_reason"], "Verbouwing");
        assert_eq!(hit["reopens_on"], "2026-04-01");
        assert!(hit["next_open_text"].is_null(), "{hit}");
        let today = names(&nearest(&app, "place=3025&open=today&limit=20").await);
        assert!(!today.contains(&"Bibliotheek Delfshaven".to_owned()), "{today:?}");
        let html = client.get(app.url("/?plaats=3025&wanneer=vandaag")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("Bibliotheek Delfshaven</a>"));

        // Wednesday 1 April, 11:00 in Rotterdam: the expected reopening has come, the hours apply again.
        app.clock.advance_seconds(30 * 86_400);
        let api = nearest(&app, "place=3025&open=today&limit=20").await;
        let hit = api["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").expect("open again").clone();
        assert_eq!(hit["status"], "open");
        assert_eq!(hit["next_open_text"], "Nu open tot 17:00");
        let page = client.get(app.url(&format!("/hulppunten/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Nu open tot 17:00") && !page.contains("Tijdelijk dicht"), "{page}");

        // Closed for good: gone.
        let staff = app.signed_in(crate::support::demo_users::STAFF).await;
        let r = app.post_form(&staff, &edit, &edit, &fields("closed")).await;
        assert_eq!(r.status(), 303);
        assert_eq!(client.get(app.url(&format!("/hulppunten/{id}"))).send().await.unwrap().status(), 404);
        assert!(!names(&nearest(&app, "place=3025&limit=20").await).contains(&"Bibliotheek Delfshaven".to_owned()));
    };

    share_links_and_embed_code_use_the_public_address_not_the_host_header => |plain: TestApp| async move {
        let dir = tempfile::tempdir().unwrap();
        let app = TestApp::spawn_with(plain.db, crate::support::mail_config(dir.path())).await;
        app.demo_chain().await;
        let client = app.browser();
        let html = client.get(app.url("/?plaats=3011")).header("host", "evil.example").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<code>https://keten.test/?plaats=3011</code>"), "{html}");
        assert!(!html.contains("evil.example"));
        let embed = client.get(app.url("/inbedden?gemeente=GM0599&plaats=3011")).header("host", "evil.example").send().await.unwrap().text().await.unwrap();
        assert!(embed.contains("https://keten.test/inbedden?gemeente=GM0599&#38;plaats=3011"), "{embed}");
        assert!(!embed.contains("evil.example"));
        let code = client.get(app.url("/inbedden/code?gemeente=GM0599")).header("host", "evil.example").send().await.unwrap().text().await.unwrap();
        assert!(code.contains("&#60;iframe src=&#34;https://keten.test/inbedden?gemeente=GM0599"), "{code}");
        assert!(!code.contains("evil.example"));
    };

    embeds_list_a_municipalitys_points_by_name_and_know_names_and_unknown_codes => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        // A municipality and a topic, no place yet: that municipality's matching help points, by name.
        let html = client.get(app.url("/inbedden?gemeente=GM0599&onderwerp=bankzaken")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Hulppunten voor inwoners van Rotterdam"), "{html}");
        assert!(html.contains("Centrale Bibliotheek</a>"), "the bank's hour is there: {html}");
        assert!(!html.contains("Bibliotheek Schiedam"), "not Rotterdam's");
        assert!(!html.contains("Moskee"), "offers nothing about money");
        assert!(!html.contains("km lopen") && !html.contains("Heel dichtbij"), "no place, no distance");
        let listed: Vec<&str> = html.split("class=\"utrecht-link\" href=\"/hulppunten/").skip(1)
            .map(|part| { let name = &part[part.find('>').unwrap() + 1..]; &name[..name.find('<').unwrap()] }).collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert!(listed.len() >= 2, "{listed:?}");
        assert_eq!(listed, sorted, "by name");
        // Without a topic, every Rotterdam help point.
        let all = client.get(app.url("/inbedden?gemeente=GM0599")).send().await.unwrap().text().await.unwrap();
        assert!(all.contains("Moskee") && all.contains("Centrale Bibliotheek"));
        // An unknown code says so.
        let unknown = client.get(app.url("/inbedden?gemeente=GM9999")).send().await.unwrap().text().await.unwrap();
        assert!(unknown.contains("We kennen de gemeente uit deze link niet."), "{unknown}");
        // The code generator takes a name as well as a code.
        let code = client.get(app.url("/inbedden/code?gemeente=Rotterdam&onderwerp=digid")).send().await.unwrap().text().await.unwrap();
        assert!(code.contains("/inbedden?gemeente=GM0599&#38;onderwerp=digid"), "{code}");
        assert!(code.contains("Zoek hulp bij digitale zaken in Rotterdam"));
        let code = client.get(app.url("/inbedden/code?gemeente=rotterdam")).send().await.unwrap().text().await.unwrap();
        assert!(code.contains("/inbedden?gemeente=GM0599"));
        let bad = client.get(app.url("/inbedden/code?gemeente=Atlantis")).send().await.unwrap().text().await.unwrap();
        assert!(bad.contains("Deze gemeente kennen we niet"));
    };

    an_unknown_topic_is_ignored_with_a_notice_and_the_place_stays_valid => |app: TestApp| async move {
        app.demo_chain().await;
        let html = app.browser().get(app.url("/?plaats=3011&onderwerp=nonsense")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("We kennen het onderwerp uit de link niet. Daarom ziet u hulp bij alle onderwerpen."), "{html}");
        assert!(!html.contains("aria-invalid=\"true\""), "the place is fine: {html}");
        assert!(!html.contains("plaats-error"));
        assert!(html.contains("Centrale Bibliotheek</a>") && html.contains("km lopen"), "all topics are searched");
        assert!(html.contains("type=\"radio\" name=\"onderwerp\" value=\"\" checked>"), "'Alles' is chosen: {html}");
        let en = app.browser().get(app.url("/?plaats=3011&onderwerp=nonsense&lang=en")).send().await.unwrap().text().await.unwrap();
        assert!(en.contains("We do not know the topic in the link."));
        // The API still refuses it: a program should learn its mistake.
        let api = app.browser().get(app.url("/api/v1/help-points/nearest?place=3011&topic=nonsense")).send().await.unwrap();
        assert_eq!(api.status(), 422);
    };

    the_printed_list_is_a_one_page_hand_out => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        let css = client.get(app.url("/static/keten.css")).send().await.unwrap().text().await.unwrap();
        assert!(!css.contains("attr(href)"), "no link addresses printed");
        let print: String = css.split("@media print").skip(1).collect();
        for hidden in [".keten-finder .keten-page-header", ".keten-finder .keten-page-footer", ".keten-finder .keten-finder-form", ".keten-finder .keten-share__intro"] {
            assert!(print.contains(hidden), "{hidden} hidden in print");
        }
        assert!(print.contains(".keten-map { display: none; }"));
        assert!(print.contains(".keten-no-print { display: none !important; }"));
        assert!(print.contains("@page { size: A4;"));
        let html = client.get(app.url("/?plaats=3011&onderwerp=bankzaken")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<body class=\"utrecht-body keten-finder\">"));
        assert!(html.contains("class=\"utrecht-paragraph keten-finder-intro\""));
        assert!(html.contains("class=\"utrecht-link keten-no-print\" href=\"https://www.openstreetmap.org/"), "map links are not printed");
        assert_eq!(html.matches("Deze lijst staat ook op internet:").count(), 1, "the share link once");
        assert_eq!(html.matches("/?plaats=3011&#38;onderwerp=bankzaken</code>").count(), 1);
    };

    footer_words_and_a_plain_http_tile_server => |plain: TestApp| async move {
        let config = keten_web::WebConfig {
            map_tiles: "http://tegels.gemeente.local:8080/{z}/{x}/{y}.png".into(),
            ..crate::support::test_config()
        };
        let app = TestApp::spawn_with(plain.db, config).await;
        app.demo_chain().await;
        let client = app.browser();
        let r = client.get(app.url("/?plaats=3011&onderwerp=bankzaken")).send().await.unwrap();
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("img-src 'self' data: http://tegels.gemeente.local:8080;"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        let html = r.text().await.unwrap();
        assert!(html.contains("data-tiles=\"http://tegels.gemeente.local:8080/{z}/{x}/{y}.png\""));
        assert!(html.contains(">Gegevens voor websites en systemen</a>"), "plain words in the footer");
        assert!(!html.contains("Open data en API"));
        let embed = client.get(app.url("/inbedden?gemeente=GM0599&plaats=3011")).send().await.unwrap();
        let csp = embed.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("http://tegels.gemeente.local:8080;") && csp.contains("frame-ancestors *"), "{csp}");
        let en = client.get(app.url("/?plaats=3011&onderwerp=bankzaken&lang=en")).send().await.unwrap().text().await.unwrap();
        assert!(en.contains(">Data for websites and systems</a>"));
        assert!(!en.contains(" ,"), "no space before a comma: {en}");
        let id = app.help_point("Centrale Bibliotheek").await.id;
        let point = client.get(app.url(&format!("/hulppunten/{id}?lang=en"))).send().await.unwrap().text().await.unwrap();
        assert!(!point.contains(" ,"), "no space before a comma: {point}");
    };
}
