//! Programmes, what remained of issue 15, on both databases: a subsidy scheme's amounts per wave and per year
//! typed in the programme form; a programme created over the API with the form's checks; applying, reading the
//! selection, running it and overriding a decision over the API, with the role checked before the tenant.

use crate::support::TestApp;
use serde_json::{Value, json};

const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

fn scheme_form(waves: &str) -> Vec<(&str, &str)> {
    vec![
        ("kind", "subsidy_scheme"),
        ("name", "Plan Digitale Inclusie bibliotheken"),
        ("description", "Regeling in golven"),
        ("applicant_kind", "library"),
        ("opens_on", "01-01-2026"),
        ("closes_on", "31-12-2027"),
        ("budget", "1.200.000"),
        ("cap", "60.000"),
        ("cap_vat_included", "1"),
        ("vat_percent", "21"),
        ("max_participants", "15"),
        ("small_below", "20.000"),
        ("large_from", "50.000"),
        ("waves", waves),
    ]
}

both_backends! {
    the_programme_form_takes_amounts_per_wave_and_year_and_keeps_the_input_on_a_mistake => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        // A year without its amount's year, and a year twice: each line named, the input kept.
        let typed = "Kopgroep; 15; 2026: 40.000, 20.000; 01-06-2026\nFase 2; 30; 2027: 10.000, 2027: 5.000";
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &scheme_form(typed)).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Golf op regel 1: “20.000” heeft geen jaartal"), "{page}");
        assert!(page.contains("2026: 40.000, 20.000; 01-06-2026"), "input kept");
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &scheme_form("Kopgroep; 15; 2025: 10.000, 2026: 5.000\nFase 2; 30; 2027: 10.000, 2027: 5.000")).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("Golf 1 (Kopgroep): het programma opent in 2026; een bedrag voor 2025 kan niet."), "{page}");
        assert!(page.contains("Golf 2 (Fase 2): het jaar 2027 staat er twee keer in."), "{page}");

        // The scheme's table: the kopgroep spread over two years, a later phase in one sum.
        let r = app.post_form(&manager, "/programmas/nieuw", "/programmas/nieuw", &scheme_form("Kopgroep; 15; 2026: 40.000, 2027: 20.000,50; 01-06-2026\nFase 2; 30; 25.000")).await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        let id = to.trim_start_matches("/programmas/").trim_end_matches("/beheer").to_owned();
        for (who, path) in [(&manager, to.clone()), (&app.browser(), format!("/programmas/{id}"))] {
            let page = app.get_as(who, &path).await.text().await.unwrap();
            let table = page.split("Bedragen per deelnemer, per golf en per jaar").nth(1).unwrap_or_else(|| panic!("{path}: {page}"));
            let kopgroep = table.split("Kopgroep</th>").nth(1).unwrap().split("</tr>").next().unwrap();
            assert!(kopgroep.contains("€ 40.000</td>") && kopgroep.contains("€ 20.000,50</td>") && kopgroep.contains("€ 60.000,50</td>"), "{path}: {kopgroep}");
            let later = table.split("Fase 2</th>").nth(1).unwrap().split("</tr>").next().unwrap();
            assert_eq!(later.matches(">-</td>").count(), 2, "{path}: a wave in one sum has no years: {later}");
        }
        let api: Value = app.get_as(&manager, &format!("/api/v1/programmes/{id}")).await.json().await.unwrap();
        assert_eq!(api["waves"][0]["amount_cents"], 6_000_050);
        assert_eq!(api["waves"][0]["years"], json!([{"year": 2026, "amount_cents": 4_000_000}, {"year": 2027, "amount_cents": 2_000_050}]));
        assert_eq!(api["waves"][1]["years"], json!([]));
        assert_eq!(api["waves"][1]["amount_cents"], 2_500_000);
    };
}
