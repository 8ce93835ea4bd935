//! Organisation numbers (KvK, KBO) and the coordinators' spreadsheet import through HTTP on both databases.

use crate::support::TestApp;
use keten_core::account::Role;

use crate::support::demo_users::{ADMIN, COORDINATOR, PARTNER, STAFF};
const SCHIEDAM: &str = "balie@bibliotheek-schiedam.test";

async fn count_points(app: &TestApp) -> usize {
    app.store.directory().await.unwrap().help_points.len()
}

/// Sends a CSV file the way a browser's upload form does (multipart, token in the query).
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    organisation_id: &str,
    csv: &str,
    action: &str,
) -> reqwest::Response {
    upload_file(
        app,
        client,
        organisation_id,
        ("punten.csv", "text/csv", csv.as_bytes()),
        action,
    )
    .await
}

/// [`upload`] for any file: name, content type and bytes.
async fn upload_file(
    app: &TestApp,
    client: &reqwest::Client,
    organisation_id: &str,
    (file_name, content_type, bytes): (&str, &str, &[u8]),
    action: &str,
) -> reqwest::Response {
    let token = app.csrf_token(client, "/beheer/hulppunten/inlezen").await;
    let boundary = "----ketentestgrens";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"organisation_id\"\r\n\r\n{organisation_id}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(
        format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"actie\"\r\n\r\n{action}\r\n--{boundary}--\r\n").as_bytes(),
    );
    client
        .post(app.url(&format!("/beheer/hulppunten/inlezen?csrf_token={token}")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn hidden_content(html: &str) -> String {
    let start = html.find("name=\"inhoud\" value=\"").unwrap() + "name=\"inhoud\" value=\"".len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#10;", "\n")
        .replace("&#x0a;", "\n")
        .replace("&#59;", ";")
        .replace("&#x3b;", ";")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

both_backends! {
    organisation_numbers_are_checked_kept_and_shown => |app: TestApp| async move {
        app.demo_chain().await;
        let admin = app.signed_in(ADMIN).await;
        let bad = app.post_form(&admin, "/beheer", "/beheer/organisaties", &[
            ("name", "Bibliotheek Gent"), ("kind", "library"), ("sector", "civil"), ("municipality_code", "44021"),
            ("kvk_number", "1234"), ("kbo_number", "0203.201.341"),
        ]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("Een KvK-nummer heeft 8 cijfers"));
        assert!(body.contains("Het controlegetal (de laatste 2 cijfers) klopt niet"));
        assert!(body.contains("value=\"1234\"") && body.contains("value=\"0203.201.341\""), "typed input kept");
        let good = app.post_form(&admin, "/beheer", "/beheer/organisaties", &[
            ("name", "Bibliotheek Gent"), ("kind", "library"), ("sector", "civil"), ("municipality_code", "44021"),
            ("kbo_number", "BE 0203 201 340"),
        ]).await;
        assert_eq!(good.status(), 303);
        let page = good.headers()["location"].to_str().unwrap().to_owned();
        let html = admin.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<dd>0203.201.340</dd>"), "{html}");

        // Staff of an organisation keep its numbers; others may not.
        let library = app.help_point("Centrale Bibliotheek").await.organisation_id;
        let page = format!("/organisaties/{library}");
        let action = format!("{page}/nummers");
        let staff = app.signed_in(STAFF).await;
        let before = app.store.directory_version().await.unwrap().revision;
        let bad = app.post_form(&staff, &page, &action, &[("kvk_number", "6935231"), ("kbo_number", "")]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("6935231&#39; is geen KvK-nummer"), "{body}");
        assert!(body.contains("value=\"6935231\""));
        let ok = app.post_form(&staff, &page, &action, &[("kvk_number", "6935 2318"), ("kbo_number", "")]).await;
        assert_eq!(ok.status(), 200);
        assert!(ok.text().await.unwrap().contains("<dd>69352318</dd>"));
        assert!(app.store.directory_version().await.unwrap().revision > before);
        let partner = app.signed_in(PARTNER).await;
        let html = partner.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<dd>69352318</dd>"), "partners of the chain see the number");
        assert!(!html.contains("Nummers opslaan"), "but get no form");
        let token = app.csrf_token(&partner, &format!("/organisaties/{}", app.help_point("Bibliotheek Delfshaven").await.organisation_id)).await;
        let r = partner.post(app.url(&action)).form(&[("csrf_token", token.as_str()), ("kvk_number", "11112222")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let schiedam = app.help_point("Bibliotheek Schiedam Centrum").await.organisation_id;
        app.user(SCHIEDAM, Role::Staff, &schiedam).await;
        let other = app.signed_in(SCHIEDAM).await;
        let r = app.post_form(&other, &format!("/organisaties/{schiedam}"), &action, &[("kvk_number", "11112222")]).await;
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
        let api: serde_json::Value = staff.get(app.url(&format!("/api/v1/organisations/{library}"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(api["kvk_number"], "69352318");
    };

    coordinators_import_a_spreadsheet_after_a_dry_run => |app: TestApp| async move {
        app.demo_chain().await;
        let central = app.help_point("Centrale Bibliotheek").await;
        let library = central.organisation_id.clone();
        let staff = app.signed_in(STAFF).await;
        let page = staff.get(app.url("/beheer/hulppunten/inlezen")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("<option value=\"{library}\" selected>")), "own organisation preselected");
        assert!(!page.contains("Maasbank"), "only organisations the coordinator may add to");
        let points = count_points(&app).await;
        // Errors per row; nothing stored, also when asked to import.
        let broken = "naam;adres;postcode;openingstijden;kvk\n\
                      Bieb Noord;Straat 1;3035;ma 10:00-12:00;\n\
                      Bieb Kapot;Straat 2;0000;maandag;\n\
                      Bieb Vreemd;Straat 3;3011;ma 10:00-12:00;11112222\n";
        let r = upload(&app, &staff, &library, broken, "inlezen").await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Er is niets opgeslagen."));
        assert!(html.contains("<td class=\"utrecht-table__cell\">3</td><td class=\"utrecht-table__cell\">postcode</td>"), "{html}");
        assert!(html.contains("Geen organisatie heeft nummer 11112222."));
        assert_eq!(count_points(&app).await, points);
        // A clean file: the dry run stores nothing and offers the import.
        let good = "naam;adres;postcode;openingstijden;onderwerpen\n\
                    Bieb Noord;Straat 1;3035;ma 10:00-12:00;digid\n\
                    Centrale Bibliotheek;Hoogstraat 110;3011 PV;di 10:00-12:00;\n";
        let r = upload(&app, &staff, &library, good, "controleren").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("2 regels gelezen, 2 goed, 0 met fouten; 1 nieuw, 1 aangepast."), "{html}");
        assert!(html.contains("<td class=\"utrecht-table__cell\">Nieuw</td>"), "{html}");
        assert!(html.contains("Wordt aangepast: openingstijden, onderwerpen"), "{html}");
        assert!(html.contains("Alles inlezen"));
        assert_eq!(count_points(&app).await, points);
        let before = app.store.directory_version().await.unwrap().revision;
        let content = hidden_content(&html);
        assert_eq!(content, good, "the file travels unchanged");
        let r = app.post_form(&staff, "/beheer/hulppunten/inlezen", "/beheer/hulppunten/inlezen/opslaan", &[
            ("organisation_id", library.as_str()), ("inhoud", content.as_str()),
        ]).await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("1 hulppunt opgeslagen en 1 aangepast."));
        assert_eq!(count_points(&app).await, points + 1);
        assert!(app.store.directory_version().await.unwrap().revision > before);
        // The existing help point took the file's hours and (empty) topics; what the file does not hold stayed.
        let central_after = app.help_point("Centrale Bibliotheek").await;
        assert_eq!(central_after.hours.weekly.len(), 1);
        assert!(central_after.topics.is_empty());
        assert_eq!(central_after.hours.exceptions, central.hours.exceptions, "dated exceptions stay");
        assert_eq!(central_after.location, central.location);
        assert_eq!(central_after.languages, central.languages);
        assert_eq!(central_after.last_checked_at, central.last_checked_at, "an import is no check by a person");
        let v: serde_json::Value = app.browser().get(app.url("/api/v1/help-points/nearest?place=3035&limit=3")).send().await.unwrap().json().await.unwrap();
        assert!(v["results"].as_array().unwrap().iter().any(|r| r["name"] == "Bieb Noord"));
        // Another organisation by its KvK number: refused for staff of the library.
        let bank = app.store.partners_in("GM0599").await.unwrap().into_iter().find(|p| p.name == "Maasbank").unwrap();
        let admin = app.signed_in(ADMIN).await;
        let r = app.post_form(&admin, &format!("/organisaties/{}", bank.id), &format!("/organisaties/{}/nummers", bank.id), &[("kvk_number", "11112222")]).await;
        assert_eq!(r.status(), 200);
        let theirs = "naam;adres;postcode;openingstijden;kvk\nBankpunt;Straat 9;3011;ma 10:00-12:00;11112222\n";
        let r = upload(&app, &staff, &library, theirs, "inlezen").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("U mag geen hulppunten toevoegen voor Maasbank."));
        // The admin may, straight away, and the row goes to the bank.
        let r = upload(&app, &admin, "", theirs, "inlezen").await;
        assert_eq!(r.status(), 200);
        let dir = app.store.directory().await.unwrap();
        assert_eq!(dir.help_points.iter().find(|h| h.name == "Bankpunt").unwrap().organisation_id, bank.id);
        // No file, and a partner user.
        let r = upload(&app, &staff, &library, "", "controleren").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Kies een bestand"));
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url("/beheer/hulppunten/inlezen")).send().await.unwrap().status(), 403);
        let token = app.csrf_token(&partner, "/").await;
        let r = partner.post(app.url("/beheer/hulppunten/inlezen/opslaan")).form(&[("csrf_token", token.as_str()), ("organisation_id", library.as_str()), ("inhoud", good)]).send().await.unwrap();
        assert_eq!(r.status(), 403);
    };

    api_tokens_are_shown_once_listed_and_revoked => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.help_point("Centrale Bibliotheek").await.organisation_id;
        let page = format!("/organisaties/{library}/api-sleutels");
        // Coordinators keep their organisation's tokens; staff do not (issue 18).
        assert_eq!(app.signed_in(STAFF).await.get(app.url(&page)).send().await.unwrap().status(), 403);
        let staff = app.signed_in(COORDINATOR).await;
        let bad = app.post_form(&staff, &page, &page, &[("name", " "), ("role", "admin")]).await;
        assert_eq!(bad.status(), 422);
        let body = bad.text().await.unwrap();
        assert!(body.contains("Geef de sleutel een naam"));
        assert!(body.contains("Kies een rol die u zelf in deze organisatie heeft."), "a coordinator cannot mint an admin token");
        let made = app.post_form(&staff, &page, &page, &[("name", "Agenda-koppeling"), ("role", "staff")]).await;
        assert_eq!(made.status(), 200);
        assert_eq!(made.headers()["cache-control"], "no-store");
        let body = made.text().await.unwrap();
        let start = body.find("<code class=\"keten-token\">").unwrap() + "<code class=\"keten-token\">".len();
        let token = body[start..start + body[start..].find('<').unwrap()].to_owned();
        let me = |token: String| {
            let app = &app;
            async move {
                app.browser().get(app.url("/api/v1/me")).header("authorization", format!("Bearer {token}")).send().await.unwrap().status()
            }
        };
        assert_eq!(me(token.clone()).await, 200);
        // Listed without the token itself.
        let list = staff.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Agenda-koppeling") && list.contains("In gebruik"));
        assert!(!list.contains(&token), "shown once");
        // A partner user, and another chain's staff, cannot manage them.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url(&page)).send().await.unwrap().status(), 403);
        let schiedam = app.help_point("Bibliotheek Schiedam Centrum").await.organisation_id;
        app.user(SCHIEDAM, Role::Staff, &schiedam).await;
        let other = app.signed_in(SCHIEDAM).await;
        assert_eq!(other.get(app.url(&page)).send().await.unwrap().status(), 404);
        let marker = format!("{page}/");
        let at = list.find(&marker).unwrap() + marker.len();
        let id = list[at..at + list[at..].find('/').unwrap()].to_owned();
        let r = app.post_form(&other, &format!("/organisaties/{schiedam}/api-sleutels"), &format!("{page}/{id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 404);
        assert_eq!(me(token.clone()).await, 200);
        // Revoked: the API refuses it.
        let r = app.post_form(&staff, &page, &format!("{page}/{id}/intrekken"), &[]).await;
        assert_eq!(r.status(), 303);
        assert_eq!(me(token.clone()).await, 401);
        let list = staff.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Ingetrokken op"));
    };

    coordinators_download_their_help_points_and_read_the_file_in_again => |app: TestApp| async move {
        app.demo_chain().await;
        let coordinator = app.signed_in(COORDINATOR).await;
        let list = coordinator.get(app.url("/beheer/hulppunten")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("href=\"/beheer/hulppunten/hulppunten.xlsx\""), "{list}");
        let r = coordinator.get(app.url("/beheer/hulppunten/hulppunten.csv")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("hulppunten.csv"));
        let csv = r.text().await.unwrap();
        let table = keten_core::spreadsheet::read_csv(&csv).unwrap();
        assert_eq!(&table.headers[..5], ["naam", "adres", "postcode", "plaats", "openingstijden"]);
        let central = app.help_point("Centrale Bibliotheek").await;
        let row = &table.rows.iter().find(|(_, cells)| cells[0] == "Centrale Bibliotheek").unwrap().1;
        assert_eq!(row[2], central.postcode);
        assert_eq!(row[4], keten_core::opening_hours::format_recurring(&central.hours.weekly, &central.hours.monthly));
        assert!(!csv.contains("Digipunt Moskee Spangen"), "only the help points the coordinator keeps");

        // The Excel file holds the same rows and reads in again without a single error.
        let r = coordinator.get(app.url("/beheer/hulppunten/hulppunten.xlsx")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], XLSX);
        let xlsx = r.bytes().await.unwrap();
        let sheet = keten_core::spreadsheet::read_table(&xlsx).unwrap();
        assert_eq!(sheet.headers, table.headers);
        assert_eq!(sheet.rows, table.rows);
        let points = count_points(&app).await;
        let r = upload_file(&app, &coordinator, &central.organisation_id, ("hulppunten.xlsx", XLSX, &xlsx), "controleren").await;
        let html = r.text().await.unwrap();
        let n = table.rows.len();
        assert!(html.contains(&format!("{n} regels gelezen, {n} goed, 0 met fouten; {n} ongewijzigd.")), "{html}");
        assert!(!html.contains("Alles inlezen"), "nothing to store");
        assert_eq!(count_points(&app).await, points);

        // A new row in Excel: stored after the check, its spreadsheet row number in messages.
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (col, header) in (0u16..).zip(["naam", "adres", "postcode", "openingstijden"]) {
            ws.write_string(0, col, header).unwrap();
        }
        for (col, cell) in (0u16..).zip(["Bieb Excel", "Straat 7", "3035 AB", "do 13:00-16:00"]) {
            ws.write_string(1, col, cell).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let r = upload_file(&app, &coordinator, &central.organisation_id, ("nieuw.xlsx", XLSX, &bytes), "controleren").await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let content = hidden_content(&html);
        let r = app.post_form(&coordinator, "/beheer/hulppunten/inlezen", "/beheer/hulppunten/inlezen/opslaan", &[
            ("organisation_id", central.organisation_id.as_str()), ("inhoud", content.as_str()),
        ]).await;
        assert!(r.text().await.unwrap().contains("1 hulppunt opgeslagen"));
        assert_eq!(count_points(&app).await, points + 1);
        let r = upload_file(&app, &coordinator, &central.organisation_id, ("kapot.xlsx", XLSX, b"PK\x03\x04 kapot"), "controleren").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Het Excel-bestand is niet te lezen"));

        // Partners keep no help points, and nobody signed out gets the file.
        let partner = app.signed_in(PARTNER).await;
        assert_eq!(partner.get(app.url("/beheer/hulppunten/hulppunten.xlsx")).send().await.unwrap().status(), 403);
        let anonymous = app.browser().get(app.url("/beheer/hulppunten/hulppunten.csv")).send().await.unwrap();
        assert_ne!(anonymous.status(), 200);
        assert!(!anonymous.text().await.unwrap().contains("Centrale Bibliotheek"));
    };

    help_point_coordinators_import_for_their_own_organisation => |app: TestApp| async move {
        app.demo_chain().await;
        let library = app.help_point("Centrale Bibliotheek").await.organisation_id;
        let coordinator = app.signed_in(COORDINATOR).await;
        let page = coordinator.get(app.url("/beheer/hulppunten/inlezen")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("<option value=\"{library}\" selected>")), "{page}");
        assert!(!page.contains("Maasbank"));
        let points = count_points(&app).await;
        let csv = "naam;adres;postcode;openingstijden;onderwerpen\nBieb Oost;Straat 4;3067;wo 10:00-12:00;digid\n";
        let r = upload(&app, &coordinator, &library, csv, "inlezen").await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("1 hulppunt opgeslagen"));
        assert_eq!(count_points(&app).await, points + 1);
        let dir = app.store.directory().await.unwrap();
        assert_eq!(dir.help_points.iter().find(|h| h.name == "Bieb Oost").unwrap().organisation_id, library);
        // Another organisation's: still refused.
        let mosque = app.help_point("Digipunt Moskee Spangen").await.organisation_id;
        let r = upload(&app, &coordinator, &mosque, "naam;adres;postcode;openingstijden\nX;Straat 5;3011;ma 10:00-12:00\n", "inlezen").await;
        assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
        assert_eq!(count_points(&app).await, points + 1);
    };
}
