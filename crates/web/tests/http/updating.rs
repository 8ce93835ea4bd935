//! While an update finishes in the background (the steering rollups recomputed), every page and API answers "come
//! back in a few minutes" with 503 and `Retry-After`, except the public directory, which residents still search;
//! the probes say so; afterwards keten serves as usual.

use crate::support::TestApp;
use crate::support::demo_users::STEERING;
use std::sync::Arc;

/// A second server on the test app's database whose update gate the test holds.
async fn gated(app: &TestApp) -> (keten_web::updating::UpdateGate, String) {
    let state = keten_web::AppState::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        crate::support::test_config(),
    );
    let gate = state.updating.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(keten_web::serve(listener, state, std::future::pending()));
    (gate, address)
}

both_backends! {
    while_updating_every_page_and_api_asks_to_come_back_later => |app: TestApp| async move {
        app.demo_chain().await;
        let (gate, address) = gated(&app).await;
        gate.close();
        let client = reqwest::Client::new();
        let get = |path: &str, language: &str| {
            client.get(format!("{address}{path}")).header("Accept-Language", language).send()
        };

        // A resident still finds help: the finder, a help point's page (without the forms it could not send now)
        // and the open data only read the directory.
        let page = get("/?plaats=3011", "nl").await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Centrale Bibliotheek"));
        let point = app.help_point("Centrale Bibliotheek").await;
        let html = get(&format!("/hulppunten/{}", point.id), "nl").await.unwrap().text().await.unwrap();
        assert!(html.contains("Over een paar minuten kunt u hier weer melden wat er niet klopt."), "{html}");
        assert!(!html.contains("action=\"/hulppunten/") && !html.contains("href=\"/ik-wil-hulp"), "{html}");
        assert_eq!(get("/hsds/services", "nl").await.unwrap().status(), 200);
        assert_eq!(get("/api/v1/help-points/nearest?place=3011", "nl").await.unwrap().status(), 200);

        // What writes waits, in Dutch and in English: "Ik wil hulp", a report sent anyway.
        let page = get("/ik-wil-hulp", "nl").await.unwrap();
        assert_eq!(page.status(), 503);
        assert_eq!(page.headers()["retry-after"], "60");
        let html = page.text().await.unwrap();
        assert!(html.contains("keten wordt bijgewerkt. Over een paar minuten kunt u verder."), "{html}");
        let english = get("/ik-wil-hulp", "en").await.unwrap().text().await.unwrap();
        assert!(english.contains("keten is being updated"), "{english}");
        // A report form opened before the update (its token from the other server of this database) and sent now.
        let resident = app.browser();
        let token = app.csrf_token(&resident, &format!("/hulppunten/{}", point.id)).await;
        let report = resident.post(format!("{address}/hulppunten/{}/melding", point.id))
            .form(&[("message", "De tijden kloppen niet"), ("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(report.status(), 503);

        // A policy officer who was signed in before the update.
        let officer = app.signed_in(STEERING).await;
        let dashboard = officer.get(format!("{address}/regie")).send().await.unwrap();
        assert_eq!(dashboard.status(), 503);
        assert_eq!(dashboard.headers()["retry-after"], "60");
        let html = dashboard.text().await.unwrap();
        assert!(html.contains("Even geduld"), "{html}");

        // An API client of the figures: a problem document.
        let api = get("/api/v1/stats/key-figures", "nl").await.unwrap();
        assert_eq!(api.status(), 503);
        assert_eq!(api.headers()["retry-after"], "60");
        assert_eq!(api.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = api.json().await.unwrap();
        assert_eq!(problem["type"], "urn:keten:problem:updating");
        assert_eq!(problem["status"], 503);
        assert!(problem["detail"].as_str().unwrap().contains("bijgewerkt"), "{problem}");

        // The probes: alive, not ready; the style sheet still comes, so the page looks like keten.
        assert_eq!(get("/healthz", "nl").await.unwrap().status(), 200);
        let ready = get("/readyz", "nl").await.unwrap();
        assert_eq!(ready.status(), 503);
        assert_eq!(ready.text().await.unwrap(), "updating");
        assert_eq!(get("/static/keten.css", "nl").await.unwrap().status(), 200);

        // Done: as usual.
        gate.open();
        let page = get("/?plaats=3011", "nl").await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers().get("retry-after").is_none());
        assert_eq!(get("/readyz", "nl").await.unwrap().status(), 200);
        let html = get(&format!("/hulppunten/{}", point.id), "nl").await.unwrap().text().await.unwrap();
        assert!(html.contains("href=\"/ik-wil-hulp") && html.contains("/melding\""), "{html}");
        assert_eq!(officer.get(format!("{address}/regie")).send().await.unwrap().status(), 200);
    };
}
