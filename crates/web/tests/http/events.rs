//! Events with limited places on both databases: capacity and the race for the last place (exactly one gets
//! it), the waiting list moving up when someone cancels through the link (with the e-mail), the .ics of an
//! event and the programme's feed parsed back, erasure of sign-ups after the set days, forms that keep their
//! input, and roles and tenants (another programme's manager 404, anonymous only the public pages).

use crate::support::demo_users::STAFF;
use crate::support::{TestApp, mail_config, mails_in};
use keten_core::account::Role;
use serde_json::{Value, json};

const MANAGER: &str = "programma@digitale-inclusie.demo.keten.nl";

/// The first programme the demo's programme manager runs.
async fn programme(app: &TestApp) -> String {
    let actor = app.actor(MANAGER).await;
    app.store.managed_programmes(&actor).await.unwrap()[0]
        .id
        .clone()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Makes an event through the manager's form on 4 November 2026, 13:00-17:30; returns its id.
async fn new_event(
    app: &TestApp,
    manager: &reqwest::Client,
    programme: &str,
    title: &str,
    capacity: &str,
) -> String {
    let page = format!("/programmas/{programme}/evenementen");
    let r = app
        .post_form(
            manager,
            &page,
            &page,
            &[
                ("title", title),
                (
                    "description",
                    "Langs plekken waar inwoners hulp krijgen.\nMet koffie.",
                ),
                ("place", "Centrale Bibliotheek, Hoogstraat 110, Rotterdam"),
                ("date", "04-11-2026"),
                ("start", "13:00"),
                ("end", "17:30"),
                ("capacity", capacity),
                ("closes_on", ""),
                ("erase_after_days", "10"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    location(&r)
        .trim_start_matches("/evenementen/")
        .trim_end_matches("/beheer")
        .to_owned()
}

/// Signs up through the public page as an anonymous visitor.
async fn sign_up(app: &TestApp, event: &str, name: &str, email: &str) -> reqwest::Response {
    let visitor = app.browser();
    let page = format!("/evenementen/{event}");
    app.post_form(
        &visitor,
        &page,
        &page,
        &[
            ("name", name),
            ("organisation", "Bibliotheek"),
            ("email", email),
            ("consent", "1"),
        ],
    )
    .await
}

async fn sign_ups(
    app: &TestApp,
    manager: &reqwest::Client,
    programme: &str,
    event: &str,
) -> Vec<Value> {
    let r = manager
        .get(app.url(&format!(
            "/api/v1/programmes/{programme}/events/{event}/sign-ups"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The mails, with quoted-printable soft line breaks undone (a long link is broken that way).
fn mails(dir: &std::path::Path) -> Vec<String> {
    mails_in(dir)
        .into_iter()
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .collect()
}

fn with_status<'a>(list: &'a [Value], status: &str) -> Vec<&'a Value> {
    list.iter().filter(|s| s["status"] == status).collect()
}

/// Unfolds an iCalendar text (RFC 5545 3.1) into its content lines.
fn unfold(text: &str) -> Vec<String> {
    assert!(
        text.lines().all(|l| l.len() <= 76),
        "a line is longer than 75 octets"
    );
    assert!(text.contains("\r\n"), "lines end in CRLF");
    text.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value of the first `name:` line of each VEVENT.
fn values(lines: &[String], name: &str) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(str::to_owned)
        .collect()
}

both_backends! {
    racing_for_the_last_place_gives_exactly_one_place => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let programme = programme(&app).await;
        let event = new_event(&app, &manager, &programme, "Stadssafari", "2").await;
        let r = sign_up(&app, &event, "Eerste", "eerste@voorbeeld.nl").await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("U bent ingeschreven"));

        // Five visitors race for the one place left.
        let mut racers = Vec::new();
        for i in 0..5 {
            let visitor = app.browser();
            let page = app.url(&format!("/evenementen/{event}"));
            let token = app.csrf_token(&visitor, &format!("/evenementen/{event}")).await;
            racers.push(async move {
                visitor
                    .post(&page)
                    .form(&[
                        ("name", format!("Racer {i}")),
                        ("email", format!("racer{i}@voorbeeld.nl")),
                        ("consent", "1".to_owned()),
                        ("csrf_token", token),
                    ])
                    .send()
                    .await
                    .unwrap()
            });
        }
        let responses = futures_util::future::join_all(racers).await;
        let mut placed = 0;
        let mut waiting = 0;
        for r in responses {
            assert_eq!(r.status(), 200);
            let html = r.text().await.unwrap();
            if html.contains("U bent ingeschreven") { placed += 1; }
            if html.contains("U staat op de wachtlijst") { waiting += 1; }
        }
        assert_eq!((placed, waiting), (1, 4));
        let list = sign_ups(&app, &manager, &programme, &event).await;
        assert_eq!(with_status(&list, "place").len(), 2);
        assert_eq!(with_status(&list, "waiting").len(), 4);
        let events: Value = manager.get(app.url(&format!("/api/v1/programmes/{programme}/events")))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(events[0]["places_taken"], 2);
        assert_eq!(events[0]["waiting"], 4);

        // A full event says so plainly on its public page.
        let html = app.browser().get(app.url(&format!("/evenementen/{event}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Het evenement is vol"));
        // The same e-mail address twice is refused, with the input kept.
        let r = sign_up(&app, &event, "Eerste weer", "eerste@voorbeeld.nl").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("value=\"Eerste weer\""));
        // No consent: refused at the field, input kept.
        let visitor = app.browser();
        let page = format!("/evenementen/{event}");
        let r = app.post_form(&visitor, &page, &page, &[("name", "Zonder vinkje"), ("email", "z@voorbeeld.nl")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Zonder vinkje\"") && html.contains("consent-error"));

        // The manager raises the capacity to 4: the first two on the waiting list move up. Below the places
        // given is refused, with the input kept.
        let manage = format!("/evenementen/{event}/beheer");
        let page = app.get_as(&manager, &manage).await.text().await.unwrap();
        assert!(page.contains("value=\"04-11-2026\"") && page.contains("value=\"13:00\""));
        let edit = |capacity: &'static str| [
            ("title", "Stadssafari"), ("description", ""), ("place", "Centrale Bibliotheek"), ("date", "04-11-2026"),
            ("start", "13:00"), ("end", "17:30"), ("capacity", capacity), ("closes_on", ""), ("erase_after_days", "10"),
        ];
        let r = app.post_form(&manager, &manage, &manage, &edit("1")).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("al 2 mensen"));
        let r = app.post_form(&manager, &manage, &manage, &edit("4")).await;
        assert_eq!(r.status(), 303);
        let list = sign_ups(&app, &manager, &programme, &event).await;
        assert_eq!((with_status(&list, "place").len(), with_status(&list, "waiting").len()), (4, 2));
    };

    cancelling_moves_the_waiting_list_up_and_mails_the_next => |app: TestApp| async move {
        app.demo_chain().await;
        let dir = tempfile::tempdir().unwrap();
        let app = app.configured(mail_config(dir.path())).await;
        let manager = app.signed_in(MANAGER).await;
        let programme = programme(&app).await;
        let event = new_event(&app, &manager, &programme, "Sessie op het congres", "1").await;
        assert_eq!(sign_up(&app, &event, "Anna", "anna@voorbeeld.nl").await.status(), 200);
        assert_eq!(sign_up(&app, &event, "Bram", "bram@voorbeeld.nl").await.status(), 200);
        assert_eq!(sign_up(&app, &event, "Cas", "cas@voorbeeld.nl").await.status(), 200);
        let sent = mails(dir.path());
        assert_eq!(sent.len(), 3);
        let anna = sent.iter().find(|m| m.contains("To: anna@voorbeeld.nl")).unwrap();
        assert!(anna.contains("U bent ingeschreven"));
        assert!(anna.contains("text/calendar") && anna.contains("evenement.ics"));
        assert!(sent.iter().any(|m| m.contains("To: bram@voorbeeld.nl") && m.contains("wachtlijst")));
        let start = anna.find("https://keten.test/inschrijving/").unwrap() + "https://keten.test".len();
        let link: String = anna[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        assert_eq!(link.len(), "/inschrijving/".len() + 64);

        // GET only asks; POST cancels.
        let visitor = app.browser();
        let html = visitor.get(app.url(&link)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Ja, meld mij af"));
        assert_eq!(with_status(&sign_ups(&app, &manager, &programme, &event).await, "place").len(), 1);
        let token = app.csrf_token(&visitor, &link).await;
        let r = visitor.post(app.url(&link)).form(&[("csrf_token", &token)]).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("U bent afgemeld"));
        // Twice (a second press, an old tab) is fine and changes nothing.
        let r = visitor.post(app.url(&link)).form(&[("csrf_token", &token)]).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("U bent afgemeld"));

        let list = sign_ups(&app, &manager, &programme, &event).await;
        let placed = with_status(&list, "place");
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0]["name"], "Bram");
        assert_eq!(with_status(&list, "waiting")[0]["name"], "Cas");
        let sent = mails(dir.path());
        assert_eq!(sent.len(), 4);
        assert!(sent.iter().any(|m| m.contains("To: bram@voorbeeld.nl") && m.contains("U heeft nu een plaats")));

        // The manager cancels Bram: Cas moves up.
        let bram = placed[0]["id"].as_str().unwrap().to_owned();
        let manage = format!("/evenementen/{event}/beheer");
        let r = app.post_form(&manager, &manage, &format!("/evenementen/{event}/inschrijvingen/{bram}/afmelden"), &[]).await;
        assert_eq!(r.status(), 303);
        let list = sign_ups(&app, &manager, &programme, &event).await;
        assert_eq!(with_status(&list, "place")[0]["name"], "Cas");
        assert!(mails(dir.path()).iter().any(|m| m.contains("To: cas@voorbeeld.nl") && m.contains("U heeft nu een plaats")));

        // Attendance on the day: Cas came.
        let cas = with_status(&list, "place")[0]["id"].as_str().unwrap().to_owned();
        let r = manager.put(app.url(&format!("/api/v1/programmes/{programme}/events/{event}/attendance")))
            .json(&json!({"present": [cas]})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let e: Value = r.json().await.unwrap();
        assert_eq!((e["places_taken"].as_u64(), e["attended"].as_u64()), (Some(1), Some(1)));
        // Someone on no place cannot be present.
        let r = manager.put(app.url(&format!("/api/v1/programmes/{programme}/events/{event}/attendance")))
            .json(&json!({"present": [bram]})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    };

    the_ics_and_the_feed_parse_back => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let programme = programme(&app).await;
        let title = "Stadssafari, digitale inclusie; de dag voor het congres met een heel lange naam die gevouwen moet worden";
        let first = new_event(&app, &manager, &programme, title, "20").await;
        let second = new_event(&app, &manager, &programme, "Congressessie", "50").await;
        let r = app.browser().get(app.url(&format!("/evenementen/{first}/agenda.ics"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let lines = unfold(&r.text().await.unwrap());
        assert_eq!(lines[0], "BEGIN:VCALENDAR");
        assert_eq!(values(&lines, "UID"), [format!("{first}@keten")]);
        // 13:00 in Rotterdam on 4 November (winter time) is 12:00 UTC.
        assert_eq!(values(&lines, "DTSTART"), ["20261104T120000Z"]);
        assert_eq!(values(&lines, "DTEND"), ["20261104T163000Z"]);
        assert_eq!(values(&lines, "SUMMARY"), [title.replace(',', "\\,").replace(';', "\\;")]);
        assert_eq!(values(&lines, "LOCATION"), ["Centrale Bibliotheek\\, Hoogstraat 110\\, Rotterdam"]);
        assert_eq!(values(&lines, "DESCRIPTION"), ["Langs plekken waar inwoners hulp krijgen.\\nMet koffie."]);
        assert_eq!(values(&lines, "DTSTAMP").len(), 1);
        assert!(values(&lines, "DTSTAMP")[0].ends_with('Z'));

        let feed = app.browser().get(app.url(&format!("/programmas/{programme}/evenementen.ics"))).send().await.unwrap();
        assert_eq!(feed.status(), 200);
        let lines = unfold(&feed.text().await.unwrap());
        let mut uids = values(&lines, "UID");
        uids.sort();
        let mut expected = vec![format!("{first}@keten"), format!("{second}@keten")];
        expected.sort();
        assert_eq!(uids, expected);
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    };

    sign_ups_are_erased_the_set_days_after_the_event => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let programme = programme(&app).await;
        let event = new_event(&app, &manager, &programme, "Stadssafari", "1").await;
        sign_up(&app, &event, "Anna", "anna@voorbeeld.nl").await;
        sign_up(&app, &event, "Bram", "bram@voorbeeld.nl").await;
        let ends = app.store.public_event(&event).await.unwrap().ends_at;
        // Nine days after the end (erase after 10): kept.
        assert_eq!(app.store.purge_event_sign_ups(ends + 9 * 86_400).await.unwrap(), 0);
        assert_eq!(sign_ups(&app, &manager, &programme, &event).await[0]["name"], "Anna");
        assert_eq!(app.store.purge_event_sign_ups(ends + 10 * 86_400).await.unwrap(), 2);
        let list = sign_ups(&app, &manager, &programme, &event).await;
        assert_eq!(list.len(), 2);
        assert!(list.iter().all(|s| s["name"].is_null() && s["email"].is_null() && s["organisation"].is_null()));
        // The counts stay.
        let events: Value = manager.get(app.url(&format!("/api/v1/programmes/{programme}/events")))
            .send().await.unwrap().json().await.unwrap();
        assert_eq!((events[0]["places_taken"].as_u64(), events[0]["waiting"].as_u64()), (Some(1), Some(1)));
        assert_eq!(events[0]["erased"], true);
        // Nothing left to erase.
        assert_eq!(app.store.purge_event_sign_ups(ends + 11 * 86_400).await.unwrap(), 0);
    };

    roles_and_tenants => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let programme = programme(&app).await;
        let event = new_event(&app, &manager, &programme, "Stadssafari", "5").await;
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;
        for path in [
            format!("/programmas/{programme}/evenementen"),
            format!("/evenementen/{event}/beheer"),
            format!("/api/v1/programmes/{programme}/events"),
            format!("/api/v1/programmes/{programme}/events/{event}/sign-ups"),
        ] {
            assert_eq!(app.get_as(&stranger, &path).await.status(), 404, "{path}");
        }
        let staff = app.signed_in(STAFF).await;
        assert_eq!(app.get_as(&staff, &format!("/evenementen/{event}/beheer")).await.status(), 403);
        assert_eq!(app.get_as(&staff, &format!("/api/v1/programmes/{programme}/events")).await.status(), 403);
        let anonymous = app.browser();
        assert_eq!(app.get_as(&anonymous, &format!("/evenementen/{event}/beheer")).await.status(), 303);
        assert_eq!(app.get_as(&anonymous, &format!("/api/v1/programmes/{programme}/events")).await.status(), 401);
        // The public pages are public.
        assert_eq!(app.get_as(&anonymous, &format!("/evenementen/{event}")).await.status(), 200);
        assert_eq!(app.get_as(&anonymous, &format!("/evenementen/{event}/agenda.ics")).await.status(), 200);
        assert_eq!(app.get_as(&anonymous, &format!("/programmas/{programme}/evenementen.ics")).await.status(), 200);
        // An unknown cancellation link is 404.
        assert_eq!(app.get_as(&anonymous, &format!("/inschrijving/{}", "ab".repeat(32))).await.status(), 404);
        // The manager's form keeps what was typed.
        let page = format!("/programmas/{programme}/evenementen");
        let r = app.post_form(&manager, &page, &page, &[("title", "Zonder datum"), ("place", "Hal 1"), ("capacity", "10")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Zonder datum\"") && html.contains("date-error"));
    };

    the_demo_holds_a_full_safari_and_a_session_with_free_places => |app: TestApp| async move {
        app.demo_chain().await;
        app.store.load_demo_programmes("Programmabureau Digitale Inclusie (demo)", app.now()).await.unwrap();
        app.store.load_demo_events(app.now()).await.unwrap();
        let actor = app.actor(MANAGER).await;
        let front_runners = app.store.managed_programmes(&actor).await.unwrap().into_iter()
            .find(|p| p.name.starts_with("Koplopers")).unwrap();
        let events = app.store.events_of_programme(&front_runners.id).await.unwrap();
        assert_eq!(events.len(), 2);
        assert!(events[0].title.starts_with("Stadssafari"));
        assert_eq!((events[0].free(), events[0].waiting), (0, 2));
        assert!(events[1].free() > 0 && events[1].waiting == 0);
        assert_eq!(events[1].starts_at - events[0].starts_at, 86_400 - 3 * 3600);
    };

    the_api_creates_an_event_with_the_same_checks_as_the_page => |app: TestApp| async move {
        app.demo_chain().await;
        let manager = app.signed_in(MANAGER).await;
        let programme = programme(&app).await;
        let url = app.url(&format!("/api/v1/programmes/{programme}/events"));
        let body = json!({"title": "Stadssafari digitale inclusie", "description": "Langs plekken waar inwoners hulp krijgen.",
            "place": "Centrale Bibliotheek, Hoogstraat 110, Rotterdam", "date": "2026-11-04", "start": "13:00",
            "end": "17:30", "capacity": 25, "closes_on": "2026-11-01"});
        // Every problem at its field, as the page does: end before start, no places, closing after the day.
        let r = manager.post(&url).json(&json!({"title": "", "place": "Bibliotheek", "date": "2026-11-04",
            "start": "17:00", "end": "13:00", "capacity": 0, "closes_on": "2026-11-05"})).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: Value = r.json().await.unwrap();
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for field in ["title", "end", "capacity", "closes_on"] {
            assert!(fields.contains(&field), "{field}: {problem}");
        }
        assert!(problem.to_string().contains("De eindtijd moet na de begintijd liggen."));
        // Not JSON at all: a problem document too.
        let r = manager.post(&url).header("content-type", "application/json").body("{").send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.headers()["content-type"], "application/problem+json");

        let r = manager.post(&url).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let made: Value = r.json().await.unwrap();
        let event = made["id"].as_str().unwrap().to_owned();
        // 13:00 in November is 12:00 UTC; sign-up closes at the end of 1 November, local time.
        assert_eq!(made["starts_at"], "2026-11-04T12:00:00Z");
        assert_eq!(made["ends_at"], "2026-11-04T16:30:00Z");
        assert_eq!(made["sign_up_closes_at"], "2026-11-01T23:00:00Z");
        assert_eq!((made["capacity"].as_u64(), made["places_taken"].as_u64()), (Some(25), Some(0)));
        assert_eq!(made["erase_after_days"], keten_core::event::DEFAULT_ERASE_AFTER_DAYS);
        // It is a real event: in the list, on the public page, open for sign-up.
        let list: Value = manager.get(&url).send().await.unwrap().json().await.unwrap();
        assert!(list.as_array().unwrap().iter().any(|e| e["id"] == event.as_str()));
        let html = app.browser().get(app.url(&format!("/evenementen/{event}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Stadssafari digitale inclusie") && html.contains("04-11-2026 van 13:00 tot 17:30"), "{html}");
        assert_eq!(sign_up(&app, &event, "Eerste", "eerste@voorbeeld.nl").await.status(), 200);

        // Roles and tenants: steering 403, another programme's manager 404, anonymous 401.
        let steering = app.signed_in(crate::support::demo_users::STEERING).await;
        assert_eq!(steering.post(&url).json(&body).send().await.unwrap().status(), 403);
        let other = app.organisation("Mediawijs", "national_body", "public", "GM0363").await;
        app.user("manager@mediawijs.test", Role::ProgrammeManager, &other).await;
        let stranger = app.signed_in("manager@mediawijs.test").await;
        assert_eq!(stranger.post(&url).json(&body).send().await.unwrap().status(), 404);
        assert_eq!(app.browser().post(&url).json(&body).send().await.unwrap().status(), 401);
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        assert!(doc["paths"]["/api/v1/programmes/{id}/events"]["post"].is_object());
    };
}
