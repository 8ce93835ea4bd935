//! While an update finishes in the background (the steering rollups recomputed), every page and API answers "come
//! back in a few minutes" with 503 and `Retry-After`; the probes say so; afterwards keten serves as usual.

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

        // A resident, in Dutch and in English.
        let page = get("/?plaats=3011", "nl").await.unwrap();
        assert_eq!(page.status(), 503);
        assert_eq!(page.headers()["retry-after"], "60");
        let html = page.text().await.unwrap();
        assert!(html.contains("keten wordt bijgewerkt. Over een paar minuten kunt u verder."), "{html}");
        let english = get("/?plaats=3011", "en").await.unwrap().text().await.unwrap();
        assert!(english.contains("keten is being updated"), "{english}");

        // A policy officer who was signed in before the update.
        let officer = app.signed_in(STEERING).await;
        let dashboard = officer.get(format!("{address}/regie")).send().await.unwrap();
        assert_eq!(dashboard.status(), 503);
        assert_eq!(dashboard.headers()["retry-after"], "60");
        let html = dashboard.text().await.unwrap();
        assert!(html.contains("Even geduld"), "{html}");

        // An API client: a problem document.
        let api = get("/api/v1/help-points/nearest?place=3011", "nl").await.unwrap();
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
        assert_eq!(get("/api/v1/help-points/nearest?place=3011", "nl").await.unwrap().status(), 200);
        assert_eq!(officer.get(format!("{address}/regie")).send().await.unwrap().status(), 200);
    };
}
