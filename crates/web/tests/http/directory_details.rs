//! A help point's details through HTTP on both databases: partners' hours, exceptions, served municipalities, coordinates and stops, with role and tenant checks.

use crate::support::TestApp;
use keten_core::account::Role;
use serde_json::Value;

use crate::support::demo_users::{PARTNER, STAFF, STEERING};
const SCHIEDAM: &str = "balie@bibliotheek-schiedam.test";

async fn revision(app: &TestApp) -> i64 {
    app.store.directory_version().await.unwrap().revision
}

/// A staff member of another chain's library (Schiedam).
async fn schiedam_staff(app: &TestApp) -> reqwest::Client {
    let org = app
        .help_point("Bibliotheek Schiedam Centrum")
        .await
        .organisation_id;
    app.user(SCHIEDAM, Role::Staff, &org).await;
    app.signed_in(SCHIEDAM).await
}

async fn html(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn nearest(app: &TestApp, query: &str) -> Value {
    app.browser()
        .get(app.url(&format!("/api/v1/help-points/nearest?{query}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both_backends! {
    partners_hours_are_added_edited_and_removed => |app: TestApp| async move {
        app.demo_chain().await;
        let hp = app.help_point("Bibliotheek Delfshaven").await;
        let page = format!("/beheer/hulppunten/{}/spreekuren", hp.id);
        let bank = app.store.partners_in("GM0599").await.unwrap().into_iter().find(|p| p.name == "Maasbank").unwrap();
        let staff = app.signed_in(STAFF).await;
        let form = html(&staff, &app, &page).await;
        assert!(form.contains(">Maasbank</option>"), "partners of the municipality to choose from");
        // Bad input: all messages, typed input kept.
        let bad = app.post_form(&staff, &page, &page, &[
            ("organisation_id", "not-a-partner"), ("title", "Bankuur"), ("hours", "dinsdagochtend"),
        ]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("Kies de partnerorganisatie"));
        assert!(body.contains("Kies minstens één onderwerp"));
        assert!(body.contains("value=\"dinsdagochtend\""));
        assert!(body.contains("value=\"Bankuur\""));
        let before = revision(&app).await;
        let good = app.post_form(&staff, &page, &page, &[
            ("organisation_id", bank.id.as_str()), ("title", "Bankspreekuur"), ("topics", "bankzaken"),
            ("hours", "ma 10:00-11:00"), ("appointment_needed", "1"),
        ]).await;
        assert_eq!(good.status(), 303);
        assert!(revision(&app).await > before, "the finder follows");
        // The finder shows it with the topic (the clock stands on Monday 2 March 2026, 10:00).
        let v = nearest(&app, "place=3025&topic=bankzaken&limit=5").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").unwrap();
        let hours = r["consultation_hours"].as_array().unwrap();
        assert!(hours.iter().any(|h| h["title"] == "Bankspreekuur" && h["appointment_needed"] == true), "{r}");
        // Edit: walk-in on Tuesday.
        let dir = app.store.directory().await.unwrap();
        let hour_id = dir.consultation_hours.into_iter().find(|h| h.title == "Bankspreekuur").unwrap().id;
        let edit = format!("{page}/{hour_id}");
        let form = html(&staff, &app, &edit).await;
        assert!(form.contains("value=\"ma 10:00-11:00\""));
        let saved = app.post_form(&staff, &edit, &edit, &[
            ("organisation_id", bank.id.as_str()), ("title", "Bankspreekuur"), ("topics", "bankzaken"), ("topics", "digid"),
            ("hours", "di 14:00-15:00"),
        ]).await;
        assert_eq!(saved.status(), 303);
        let dir = app.store.directory().await.unwrap();
        let h = dir.consultation_hours.iter().find(|h| h.id == hour_id).unwrap();
        assert!(!h.appointment_needed);
        assert_eq!(h.topics, ["bankzaken", "digid"]);
        assert_eq!(keten_core::opening_hours::format_weekly(&h.hours.weekly), "di 14:00-15:00");
        // A partner user cannot edit, another chain's coordinator does not find it.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url(&page)).send().await.unwrap().status(), 403);
        let other = schiedam_staff(&app).await;
        assert_eq!(other.get(app.url(&page)).send().await.unwrap().status(), 404);
        let own = format!("/beheer/hulppunten/{}/spreekuren", app.help_point("Bibliotheek Schiedam Centrum").await.id);
        let r = app.post_form(&other, &own, &format!("{edit}/verwijderen"), &[]).await;
        assert_eq!(r.status(), 404);
        // Steering of the municipality removes it.
        let steering = app.signed_in(STEERING).await;
        let r = app.post_form(&steering, &page, &format!("{edit}/verwijderen"), &[]).await;
        assert_eq!(r.status(), 303);
        assert!(app.store.directory().await.unwrap().consultation_hours.iter().all(|h| h.id != hour_id));
    };

    exceptions_close_weeks_and_add_hours => |app: TestApp| async move {
        app.demo_chain().await;
        let hp = app.help_point("Bibliotheek Delfshaven").await;
        let page = format!("/beheer/hulppunten/{}/uitzonderingen", hp.id);
        let staff = app.signed_in(STAFF).await;
        let bad = app.post_form(&staff, &page, &page, &[
            ("from", "2026-03-09"), ("to", "2026-03-01"), ("kind", "extra"), ("times", "laat"), ("reason", ""),
        ]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("De laatste dag ligt voor de eerste dag."));
        assert!(body.contains("zijn geen geldige tijden"));
        assert!(body.contains("Vul de reden in"));
        assert!(body.contains("value=\"laat\"") && body.contains("value=\"2026-03-09\""));
        // Before: Delfshaven is open on Tuesday 3 March.
        let v = nearest(&app, "place=3025&limit=10").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").unwrap().clone();
        assert!(r["next_open_start"].as_str().unwrap().starts_with("2026-03-03"), "{r}");
        let before = revision(&app).await;
        let closed = app.post_form(&staff, &page, &page, &[
            ("from", "2026-03-02"), ("to", "2026-03-08"), ("kind", "closed"), ("reason", "Voorjaarsvakantie"),
        ]).await;
        assert_eq!(closed.status(), 303);
        let extra = app.post_form(&staff, &page, &page, &[
            ("from", "2026-03-11"), ("kind", "extra"), ("times", "18:00-20:00"), ("reason", "Extra uren belastingaangifte"),
        ]).await;
        assert_eq!(extra.status(), 303);
        assert!(revision(&app).await >= before + 2);
        let v = nearest(&app, "place=3025&limit=10").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").unwrap().clone();
        assert!(r["next_open_start"].as_str().unwrap().starts_with("2026-03-10"), "closed this week: {r}");
        // Residents see both on the help point's page.
        let public = html(&app.browser(), &app, &format!("/hulppunten/{}", hp.id)).await;
        assert!(public.contains("dicht (Voorjaarsvakantie)"), "{public}");
        assert!(public.contains("extra open 18:00-20:00 (Extra uren belastingaangifte)"));
        // Editing the general details keeps the exceptions.
        let edit = format!("/beheer/hulppunten/{}", hp.id);
        let r = app.post_form(&staff, &edit, &edit, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", hp.postcode.as_str()),
            ("hours", "di, do 10:00-16:00"), ("languages", "nl"), ("status", "open"),
        ]).await;
        assert_eq!(r.status(), 303);
        // The demo's own closing days at Christmas, and the two added here.
        let demo = hp.hours.exceptions.len();
        assert_eq!(demo, 1);
        assert_eq!(app.help_point("Bibliotheek Delfshaven").await.hours.exceptions.len(), demo + 2);
        // Removing the first (the closing week, sorted by date).
        let r = app.post_form(&staff, &page, &format!("{page}/0/verwijderen"), &[]).await;
        assert_eq!(r.status(), 303);
        let left = app.help_point("Bibliotheek Delfshaven").await.hours.exceptions;
        assert_eq!(left.len(), demo + 1);
        assert_eq!(left[0].reason, "Extra uren belastingaangifte");
        assert_eq!(left[1].reason, "Dicht tussen Kerst en Oud en Nieuw");
        let r = app.post_form(&staff, &page, &format!("{page}/7/verwijderen"), &[]).await;
        assert_eq!(r.status(), 404);
        // Roles and tenants.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url(&page)).send().await.unwrap().status(), 403);
        let other = schiedam_staff(&app).await;
        assert_eq!(other.get(app.url(&page)).send().await.unwrap().status(), 404);
    };

    municipalities_served_and_coordinates => |app: TestApp| async move {
        app.demo_chain().await;
        let hp = app.help_point("Bibliotheek Delfshaven").await;
        let page = format!("/beheer/hulppunten/{}/gemeenten", hp.id);
        let staff = app.signed_in(STAFF).await;
        let bad = app.post_form(&staff, &page, &page, &[("municipalities", "GM0606, GM9999")]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("Onbekende gemeentecode: GM9999"));
        assert!(body.contains("GM0606, GM9999"), "typed input kept");
        let before = revision(&app).await;
        let ok = app.post_form(&staff, &page, &page, &[("municipalities", "gm0606")]).await;
        assert_eq!(ok.status(), 200);
        assert!(ok.text().await.unwrap().contains("Schiedam (GM0606)"));
        assert!(revision(&app).await > before);
        assert_eq!(app.help_point("Bibliotheek Delfshaven").await.municipalities_served, ["GM0599", "GM0606"]);
        // The finder's municipality filter (embeds) now includes it for Schiedam.
        let v = nearest(&app, "place=3025&municipality=GM0606&limit=20").await;
        assert!(v["results"].as_array().unwrap().iter().any(|r| r["name"] == "Bibliotheek Delfshaven"), "{v}");

        let page = format!("/beheer/hulppunten/{}/locatie", hp.id);
        let form = html(&staff, &app, &page).await;
        assert!(form.contains(&format!("value=\"{:.6}\"", hp.location.lat)), "prefilled from the postcode");
        for (lat, lon, message) in [
            ("4.46", "51.91", "niet in Nederland of België"),
            ("50.94", "6.96", "niet in Nederland of België"),
            ("noord", "4.46", "Vul de breedtegraad in als getal"),
        ] {
            let bad = app.post_form(&staff, &page, &page, &[("lat", lat), ("lon", lon)]).await;
            assert_eq!(bad.status(), 422);
            let body = bad.text().await.unwrap();
            assert!(body.contains(message), "{lat},{lon}");
            assert!(body.contains(&format!("value=\"{lat}\"")));
        }
        let ok = app.post_form(&staff, &page, &page, &[("lat", "51,9101"), ("lon", "4.4450")]).await;
        assert_eq!(ok.status(), 200);
        let moved = app.help_point("Bibliotheek Delfshaven").await;
        assert!((moved.location.lat - 51.9101).abs() < 1e-9 && (moved.location.lon - 4.445).abs() < 1e-9);
        let v = nearest(&app, "place=3025&limit=10").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").unwrap().clone();
        assert_eq!(r["lat"], 51.9101);
        // Saving the general form with the same postcode keeps the adjusted place.
        let edit = format!("/beheer/hulppunten/{}", hp.id);
        let r = app.post_form(&staff, &edit, &edit, &[
            ("name", "Bibliotheek Delfshaven"), ("street_address", "Schiedamseweg 97"), ("postcode", hp.postcode.as_str()),
            ("hours", "di 10:00-16:00"), ("languages", "nl"), ("status", "open"),
        ]).await;
        assert_eq!(r.status(), 303);
        assert!((app.help_point("Bibliotheek Delfshaven").await.location.lat - 51.9101).abs() < 1e-9);
        // Back to the postcode's centre.
        let r = app.post_form(&staff, &page, &page, &[("lat", ""), ("lon", ""), ("from_postcode", "1")]).await;
        assert_eq!(r.status(), 200);
        let centre = keten_core::reference::postcode_area(keten_core::reference::Country::Nl, &hp.postcode[..4]).unwrap().centre;
        let back = app.help_point("Bibliotheek Delfshaven").await.location;
        assert!((back.lat - centre.lat).abs() < 1e-9 && (back.lon - centre.lon).abs() < 1e-9);
        // Roles and tenants.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url(&page)).send().await.unwrap().status(), 403);
        let other = schiedam_staff(&app).await;
        assert_eq!(other.get(app.url(&page)).send().await.unwrap().status(), 404);
        let own = format!("/beheer/hulppunten/{}/gemeenten", app.help_point("Bibliotheek Schiedam Centrum").await.id);
        let r = app.post_form(&other, &own, &format!("/beheer/hulppunten/{}/gemeenten", hp.id), &[("municipalities", "")]).await;
        assert_eq!(r.status(), 404);
        assert_eq!(app.help_point("Bibliotheek Delfshaven").await.municipalities_served, ["GM0599", "GM0606"]);
    };

    monthly_partner_hours_are_kept_and_shown_in_plain_words => |app: TestApp| async move {
        app.demo_chain().await;
        let hp = app.help_point("Bibliotheek Delfshaven").await;
        let page = format!("/beheer/hulppunten/{}/spreekuren", hp.id);
        let bank = app.store.partners_in("GM0599").await.unwrap().into_iter().find(|p| p.name == "Maasbank").unwrap();
        let staff = app.signed_in(STAFF).await;
        let form = html(&staff, &app, &page).await;
        assert!(form.contains("eerste di 10:00-12:00"), "the hint shows the monthly syntax");
        let bad = app.post_form(&staff, &page, &page, &[
            ("organisation_id", bank.id.as_str()), ("title", "Bankspreekuur"), ("topics", "bankzaken"),
            ("hours", "laatste vr"),
        ]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("value=\"laatste vr\""), "typed input kept");
        assert!(body.contains("staan geen tijden"), "{body}");
        let good = app.post_form(&staff, &page, &page, &[
            ("organisation_id", bank.id.as_str()), ("title", "Bankspreekuur"), ("topics", "bankzaken"),
            ("hours", "Elke eerste dinsdag van de maand, 10:00-12:00; laatste vrijdag 14-16"),
        ]).await;
        assert_eq!(good.status(), 303);
        let dir = app.store.directory().await.unwrap();
        let h = dir.consultation_hours.iter().find(|h| h.title == "Bankspreekuur").unwrap();
        assert!(h.hours.weekly.is_empty());
        assert_eq!(h.hours.monthly.len(), 2);
        // The coordinator's list and the edit form write it back in the short syntax.
        let list = html(&staff, &app, &page).await;
        assert!(list.contains("eerste di 10:00-12:00; laatste vr 14:00-16:00"), "{list}");
        let edit = html(&staff, &app, &format!("{page}/{}", h.id)).await;
        assert!(edit.contains("value=\"eerste di 10:00-12:00; laatste vr 14:00-16:00\""));
        // Residents read it in plain words: help point page, finder results, English pages, the API.
        let expected = "Elke eerste dinsdag van de maand, 10:00-12:00; Elke laatste vrijdag van de maand, 14:00-16:00";
        let public = html(&app.browser(), &app, &format!("/hulppunten/{}", hp.id)).await;
        assert!(public.contains(expected), "{public}");
        let finder = html(&app.browser(), &app, "/?plaats=3025&onderwerp=bankzaken").await;
        assert!(finder.contains(&format!("Bankspreekuur, {expected}")), "{finder}");
        let english = html(&app.browser(), &app, &format!("/hulppunten/{}?lang=en", hp.id)).await;
        assert!(english.contains("Every first Tuesday of the month, 10:00-12:00; Every last Friday of the month, 14:00-16:00"), "{english}");
        let v = nearest(&app, "place=3025&topic=bankzaken&limit=5").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Bibliotheek Delfshaven").unwrap();
        assert!(r["consultation_hours"].as_array().unwrap().iter().any(|c| c["hours"] == expected), "{r}");
    };

    stops_of_a_mobile_help_point_are_found_at_their_own_place => |app: TestApp| async move {
        app.demo_chain().await;
        let hp = app.help_point("Vraagwijzer Stadhuis").await;
        let page = format!("/beheer/hulppunten/{}/haltes", hp.id);
        let steering = app.signed_in(STEERING).await;
        let bad = app.post_form(&steering, &page, &page, &[
            ("place_name", "Buurthuis"), ("street_address", ""), ("postcode", "0000"), ("hours", "woensdag"),
        ]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("Vul straat en huisnummer in."));
        assert!(body.contains("Vul een bestaande postcode in"));
        assert!(body.contains("value=\"woensdag\"") && body.contains("value=\"Buurthuis\""));
        let before = revision(&app).await;
        // A weekly hour in Hoogvliet (far from the town hall) and a one-off date in Schiedam.
        let r = app.post_form(&steering, &page, &page, &[
            ("place_name", "Wijkcentrum Hoogvliet"), ("street_address", "Binnenban 40"), ("postcode", "3191 HL"),
            ("hours", "ma 09:00-12:00"),
        ]).await;
        assert_eq!(r.status(), 303);
        let r = app.post_form(&steering, &page, &page, &[
            ("place_name", "Markt Schiedam"), ("street_address", "Grote Markt 1"), ("postcode", "3111 NG"),
            ("date", "2026-03-04"), ("times", "10:00-12:00"),
        ]).await;
        assert_eq!(r.status(), 303);
        assert!(revision(&app).await >= before + 2);
        // Found at the stop: the stop's place, address and hours (Monday 10:00: open now until 12:00).
        let v = nearest(&app, "place=3191&limit=3").await;
        let first = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Vraagwijzer Stadhuis").expect("the stop makes the town hall's help near Hoogvliet");
        assert_eq!(first["stop"], "Wijkcentrum Hoogvliet");
        assert_eq!(first["address"], "Binnenban 40");
        assert_eq!(first["next_open_text"], "Nu open tot 12:00");
        assert!(first["distance_km"].as_f64().unwrap() < 0.5, "{first}");
        let v = nearest(&app, "place=3111&limit=20").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Vraagwijzer Stadhuis").unwrap().clone();
        assert_eq!(r["stop"], "Markt Schiedam");
        assert!(r["next_open_start"].as_str().unwrap().starts_with("2026-03-04T09:00:00"), "{r}");
        // The finder page shows the stop's address; the help point's page lists the stops.
        let finder = html(&app.browser(), &app, "/?plaats=3191").await;
        assert!(finder.contains("Wijkcentrum Hoogvliet: Binnenban 40, 3191 HL"));
        let public = html(&app.browser(), &app, &format!("/hulppunten/{}", hp.id)).await;
        assert!(public.contains("Waar staat het hulppunt wanneer?"));
        assert!(public.contains("<strong>Markt Schiedam</strong>, Grote Markt 1, 3111 NG"), "{public}");
        // Edit one: coordinates typed by hand; then remove it.
        let stops = app.store.stops_of(&hp.id).await.unwrap();
        let hoogvliet = stops.iter().find(|s| s.place_name == "Wijkcentrum Hoogvliet").unwrap();
        let edit = format!("{page}/{}", hoogvliet.id);
        let form = html(&steering, &app, &edit).await;
        assert!(form.contains("value=\"ma 09:00-12:00\""));
        let r = app.post_form(&steering, &edit, &edit, &[
            ("place_name", "Wijkcentrum Hoogvliet"), ("street_address", "Binnenban 40"), ("postcode", "3191 HL"),
            ("hours", "ma 09:00-12:00"), ("lat", "51.8625"), ("lon", "4.3580"),
        ]).await;
        assert_eq!(r.status(), 303);
        let moved = app.store.stops_of(&hp.id).await.unwrap().into_iter().find(|s| s.id == hoogvliet.id).unwrap();
        assert!((moved.location.lat - 51.8625).abs() < 1e-9);
        // The map link and the map's marker of a result found at a stop point at the stop, not at the town hall.
        let finder = html(&app.browser(), &app, "/?plaats=3191").await;
        assert!(finder.contains("href=\"https://www.openstreetmap.org/?mlat=51.86250&#38;mlon=4.35800"), "{finder}");
        assert!(finder.contains("&#34;name&#34;:&#34;Vraagwijzer Stadhuis: Wijkcentrum Hoogvliet&#34;,&#34;lat&#34;:51.8625,&#34;lon&#34;:4.358,"), "{finder}");
        let town_hall = format!("mlat={:.5}&#38;mlon={:.5}", hp.location.lat, hp.location.lon);
        assert!(!finder.contains(&town_hall), "the depot's place is not the result's");
        // The help point page: a map link per stop and a marker per stop, next to the point's own place.
        let public = html(&app.browser(), &app, &format!("/hulppunten/{}", hp.id)).await;
        assert!(public.contains("mlat=51.86250&#38;mlon=4.35800"), "{public}");
        assert!(public.contains(&town_hall), "the town hall has hours of its own");
        assert!(public.contains("&#34;lat&#34;:51.8625,&#34;lon&#34;:4.358,"));
        assert!(public.contains("<h2 class=\"utrecht-heading-2\">Openingstijden</h2>"), "{public}");
        // Stops soonest first: Hoogvliet is open now, the market in March.
        let at = |s: &str| public.find(s).unwrap_or_else(|| panic!("{s} missing: {public}"));
        assert!(at("<strong>Wijkcentrum Hoogvliet</strong>") < at("<strong>Markt Schiedam</strong>"));
        // Without hours of its own it is only found at its stops: no link or marker at its home address.
        app.store.execute_raw(&format!("UPDATE help_points SET hours = '{{}}' WHERE id = '{}'", hp.id)).await.unwrap();
        app.store.execute_raw("UPDATE directory_revision SET revision = revision + 1").await.unwrap();
        let public = html(&app.browser(), &app, &format!("/hulppunten/{}", hp.id)).await;
        assert!(!public.contains(&town_hall), "{public}");
        assert!(public.contains("mlat=51.86250&#38;mlon=4.35800"));
        let home_marker = format!("&#34;lat&#34;:{},", serde_json::to_string(&hp.location.lat).unwrap());
        assert!(!public.contains(&home_marker), "{public}");
        // Its page opens with where it stands next, not "no opening hours known" over a week of "closed"; its
        // address is only for contact.
        assert!(public.contains("<strong>Nu open tot 12:00, bij Wijkcentrum Hoogvliet</strong>"), "{public}");
        assert!(!public.contains("Openingstijden") && !public.contains("gesloten"), "{public}");
        assert!(public.contains("Het hulppunt komt naar u toe. Op dit adres krijgt u geen hulp."));
        let at = |s: &str| public.find(s).unwrap_or_else(|| panic!("{s} missing: {public}"));
        assert!(at("Waar staat het hulppunt wanneer?") < at("<h2 class=\"utrecht-heading-2\">Contact</h2>"));
        // Roles and tenants.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url(&page)).send().await.unwrap().status(), 403);
        let other = schiedam_staff(&app).await;
        assert_eq!(other.get(app.url(&edit)).send().await.unwrap().status(), 404);
        let own = format!("/beheer/hulppunten/{}/haltes", app.help_point("Bibliotheek Schiedam Centrum").await.id);
        let r = app.post_form(&other, &own, &format!("{edit}/verwijderen"), &[]).await;
        assert_eq!(r.status(), 404);
        let r = app.post_form(&steering, &page, &format!("{edit}/verwijderen"), &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(app.store.stops_of(&hp.id).await.unwrap().len(), 1);
    };

    a_mobile_stop_has_no_partners_hours_and_keeps_its_help_points_closing_days => |app: TestApp| async move {
        app.demo_chain().await;
        let hp = app.help_point("Vraagwijzer Stadhuis").await;
        let steering = app.signed_in(STEERING).await;
        let stops = format!("/beheer/hulppunten/{}/haltes", hp.id);
        // Tuesdays in Hoogvliet; the clock stands on Monday 2 March 2026, 10:00.
        let r = app.post_form(&steering, &stops, &stops, &[
            ("place_name", "Wijkcentrum Hoogvliet"), ("street_address", "Binnenban 40"), ("postcode", "3191 HL"),
            ("hours", "di 10:00-12:00"),
        ]).await;
        assert_eq!(r.status(), 303);
        // The bank's hour is held at the town hall itself.
        let bank = app.store.partners_in("GM0599").await.unwrap().into_iter().find(|p| p.name == "Maasbank").unwrap();
        let hours = format!("/beheer/hulppunten/{}/spreekuren", hp.id);
        let r = app.post_form(&steering, &hours, &hours, &[
            ("organisation_id", bank.id.as_str()), ("title", "Bankspreekuur stadhuis"), ("topics", "bankzaken"),
            ("hours", "ma-vr 09:00-17:00"),
        ]).await;
        assert_eq!(r.status(), 303);
        let card = |html: &str| {
            let at = html.find("Vraagwijzer Stadhuis</a>").expect("listed");
            html[at..at + html[at..].find("</li>").unwrap()].to_owned()
        };
        let near_stop = html(&app.browser(), &app, "/?plaats=3191").await;
        let stop_card = card(&near_stop);
        assert!(stop_card.contains("Wijkcentrum Hoogvliet: Binnenban 40"), "{stop_card}");
        assert!(stop_card.contains("Morgen open van 10:00 tot 12:00"), "{stop_card}");
        assert!(!stop_card.contains("Bankspreekuur stadhuis"), "not held at the stop: {stop_card}");
        let v = nearest(&app, "place=3191&limit=5").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Vraagwijzer Stadhuis").unwrap().clone();
        assert_eq!(r["stop"], "Wijkcentrum Hoogvliet");
        assert_eq!(r["consultation_hours"].as_array().unwrap().len(), 0, "{r}");
        // At the town hall itself the bank's hour is listed.
        let at_home = html(&app.browser(), &app, "/?plaats=3011&onderwerp=bankzaken").await;
        assert!(card(&at_home).contains("Bankspreekuur stadhuis"));

        // The town hall's team has a day off on Tuesday 3 March: the bus does not come either.
        let exceptions = format!("/beheer/hulppunten/{}/uitzonderingen", hp.id);
        let r = app.post_form(&steering, &exceptions, &exceptions, &[
            ("from", "2026-03-03"), ("to", "2026-03-03"), ("kind", "closed"), ("reason", "Studiedag"),
        ]).await;
        assert_eq!(r.status(), 303);
        let stop_card = card(&html(&app.browser(), &app, "/?plaats=3191").await);
        assert!(!stop_card.contains("Morgen open"), "{stop_card}");
        let v = nearest(&app, "place=3191&limit=5").await;
        let r = v["results"].as_array().unwrap().iter().find(|r| r["name"] == "Vraagwijzer Stadhuis").unwrap().clone();
        assert!(r["next_open_start"].as_str().unwrap().starts_with("2026-03-10T09:00:00"), "{r}");
        // The help point's page lists the day off with the stop.
        let public = html(&app.browser(), &app, &format!("/hulppunten/{}", hp.id)).await;
        assert!(public.contains("Wijkcentrum Hoogvliet</strong>, Binnenban 40, 3191 HL: dinsdag 10:00 - 12:00; dinsdag 3 maart: dicht (Studiedag)"), "{public}");
    };
}
