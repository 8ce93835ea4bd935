//! How referral news leaves keten, through HTTP on both databases: signed webhooks with retries, e-mail over
//! SMTP and in digests, the rate limit and languages of "Ik wil hulp", and the privacy page.

use crate::support::TestApp;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use keten_core::account::Role;
use keten_core::referral::DigestChoice;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::support::demo_users::{COORDINATOR, PARTNER, STAFF};

/// Everything personal a referral below carries: none of it may leave keten in a webhook or a mail.
const PERSONAL: [&str; 7] = [
    "Fatima",
    "Vries",
    "12345678",
    "fatima@example.org",
    "Lukt niet",
    "bankzaken",
    "3011",
];

fn referral(sees_progress: bool) -> Value {
    let mut body = crate::support::referral_body("bankzaken", "3011");
    body["sender_sees_progress"] = json!(sees_progress);
    body
}

/// A partner's system: records every message and answers with the scripted statuses, then 200.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> (Receiver, String) {
        let receiver = Receiver {
            answers: Arc::new(Mutex::new(answers.iter().copied().collect())),
            ..Receiver::default()
        };
        async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
            r.got.lock().unwrap().push((headers, body));
            let code = r.answers.lock().unwrap().pop_front().unwrap_or(200);
            StatusCode::from_u16(code).unwrap()
        }
        let app = axum::Router::new()
            .route("/keten", axum::routing::post(hook))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/keten", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn messages(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }
}

/// Checks the signature the way docs/webhooks.md tells a partner to.
fn signed_by(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let timestamp = headers["x-keten-timestamp"].to_str().unwrap();
    let signature = headers["x-keten-signature"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    signature == format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn webhook_config() -> keten_web::WebConfig {
    keten_web::WebConfig {
        // The receivers in these tests listen on 127.0.0.1.
        webhook_private_addresses: true,
        ..crate::support::test_config()
    }
}

/// The delivery worker of `keten serve`, run by hand on the app's database and clock.
async fn deliver(app: &TestApp, config: &keten_web::WebConfig) -> keten_web::webhooks::DeliveryRun {
    let state = keten_web::AppState::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        config.clone(),
    );
    keten_web::deliver_webhooks(&state).await.unwrap()
}

async fn put_webhook(
    app: &TestApp,
    client: &reqwest::Client,
    org: &str,
    url: &str,
) -> reqwest::Response {
    client
        .put(app.url(&format!("/api/v1/organisations/{org}/webhook")))
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap()
}

mod webhooks {
    use super::*;

    both_backends! {
        partners_receive_signed_events_without_personal_data => |plain: TestApp| async move {
            let config = webhook_config();
            let app = TestApp::spawn_with(plain.db, config.clone()).await;
            app.demo_chain().await;
            let bank = app.organisation_id("Maasbank").await;
            let library = app.organisation_id("Bibliotheek Rotterdam").await;
            let (bank_rx, bank_url) = Receiver::start(&[]).await;
            let (library_rx, library_url) = Receiver::start(&[]).await;

            // The bank's partner sets its webhook through the API and gets the secret once.
            let partner = app.signed_in(PARTNER).await;
            let r = put_webhook(&app, &partner, &bank, &bank_url).await;
            assert_eq!(r.status(), 201);
            assert_eq!(r.headers()["cache-control"], "no-store");
            let made: Value = r.json().await.unwrap();
            let bank_secret = made["secret"].as_str().unwrap().to_owned();
            assert!(bank_secret.starts_with("whsec_") && bank_secret.len() > 60);
            let read = partner.get(app.url(&format!("/api/v1/organisations/{bank}/webhook"))).send().await.unwrap();
            assert_eq!(read.status(), 200);
            let read = read.text().await.unwrap();
            assert!(read.contains(&bank_url) && !read.contains(&bank_secret), "{read}");
            // Changing the address keeps the secret unless asked.
            let again: Value = put_webhook(&app, &partner, &bank, &bank_url).await.json().await.unwrap();
            assert!(again.get("secret").is_none());

            // The library's coordinator sets its webhook on the page; the secret is shown there once.
            let coordinator = app.signed_in(COORDINATOR).await;
            let page = format!("/organisaties/{library}/webhook");
            let saved = app.post_form(&coordinator, &page, &page, &[("url", &library_url)]).await;
            assert_eq!(saved.status(), 200);
            let html = saved.text().await.unwrap();
            let marker = "<code class=\"keten-token\">";
            let start = html.find(marker).expect("secret shown") + marker.len();
            let library_secret = html[start..start + html[start..].find('<').unwrap()].to_owned();
            let later = coordinator.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
            assert!(later.contains(&library_url) && !later.contains(&library_secret));

            // A new referral: the bank (receiver) hears of it, the library (sender) does not need to.
            let staff = app.signed_in(STAFF).await;
            let id = app.send_referral(&staff, &referral(true)).await;
            let run = deliver(&app, &config).await;
            assert_eq!(run.delivered, 1, "{run:?}");
            let got = bank_rx.messages();
            assert_eq!(got.len(), 1);
            let (headers, body) = &got[0];
            assert!(signed_by(&bank_secret, headers, body), "signature checks out");
            assert!(!signed_by(&library_secret, headers, body), "another secret does not");
            assert!(!signed_by(&bank_secret, headers, &body.replace("sent", "accepted")), "a changed body does not");
            assert_eq!(headers["x-keten-timestamp"].to_str().unwrap(), app.now().to_string());
            assert_eq!(headers["content-type"], "application/json");
            let event: Value = serde_json::from_str(body).unwrap();
            assert_eq!(event["type"], "referral.received");
            assert_eq!(event["referral_id"], id.as_str());
            assert_eq!(event["organisation_id"], bank.as_str());
            assert_eq!(event["status"], "sent");
            assert_eq!(event["occurred_at"], "2026-03-02T09:00:00Z");
            assert_eq!(headers["x-keten-event-id"].to_str().unwrap(), event["id"].as_str().unwrap());
            assert!(library_rx.messages().is_empty());

            // The bank accepts: both hear it (the resident allowed the sender to follow progress).
            assert_eq!(app.referral_action(&partner, &id, json!({"action": "accept"})).await.status(), 200);
            assert_eq!(deliver(&app, &config).await.delivered, 2, "one for the bank, one for the library");
            let to_library = library_rx.messages();
            assert_eq!(to_library.len(), 1);
            let (headers, body) = &to_library[0];
            assert!(signed_by(&library_secret, headers, body));
            let event: Value = serde_json::from_str(body).unwrap();
            assert_eq!((event["type"].as_str(), event["status"].as_str()), (Some("referral.updated"), Some("accepted")));
            for (_, body) in bank_rx.messages().iter().chain(to_library.iter()) {
                let event: Value = serde_json::from_str(body).unwrap();
                let mut keys: Vec<&str> = event.as_object().unwrap().keys().map(String::as_str).collect();
                keys.sort_unstable();
                assert_eq!(keys, ["action", "id", "occurred_at", "organisation_id", "referral_id", "status", "type"]);
                let text = without_ids(body);
                for personal in PERSONAL {
                    assert!(!text.contains(personal), "{personal} in {body}");
                }
            }

            // Without the resident's yes, the sender hears nothing of the bank's steps.
            let hidden = app.send_referral(&staff, &referral(false)).await;
            assert_eq!(app.referral_action(&partner, &hidden, json!({"action": "accept"})).await.status(), 200);
            deliver(&app, &config).await;
            assert!(library_rx.messages().iter().all(|(_, b)| !b.contains(&hidden)));
            assert!(bank_rx.messages().iter().any(|(_, b)| b.contains(&hidden)));

            // The deliveries show on the page; another organisation's webhook is not found, staff may not keep it.
            let listed = coordinator.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
            assert!(listed.contains("Afgeleverd") && listed.contains("referral.updated"), "{listed}");
            assert_eq!(partner.get(app.url(&page)).send().await.unwrap().status(), 404);
            assert_eq!(put_webhook(&app, &partner, &library, &bank_url).await.status(), 404);
            assert_eq!(put_webhook(&app, &staff, &library, &bank_url).await.status(), 403);
            assert_eq!(staff.get(app.url(&page)).send().await.unwrap().status(), 403);

            // Removed: nothing is sent any more.
            let r = partner.delete(app.url(&format!("/api/v1/organisations/{bank}/webhook"))).send().await.unwrap();
            assert_eq!(r.status(), 204);
            assert_eq!(partner.get(app.url(&format!("/api/v1/organisations/{bank}/webhook"))).send().await.unwrap().status(), 404);
            let before = bank_rx.messages().len();
            app.send_referral(&staff, &referral(true)).await;
            deliver(&app, &config).await;
            assert_eq!(bank_rx.messages().len(), before);
        };

        a_failed_delivery_is_retried_with_back_off_then_given_up => |plain: TestApp| async move {
            let config = webhook_config();
            let app = TestApp::spawn_with(plain.db, config.clone()).await;
            app.demo_chain().await;
            let bank = app.organisation_id("Maasbank").await;
            // 500 once, then 200.
            let (rx, url) = Receiver::start(&[500]).await;
            let partner = app.signed_in(PARTNER).await;
            let secret: Value = put_webhook(&app, &partner, &bank, &url).await.json().await.unwrap();
            let secret = secret["secret"].as_str().unwrap().to_owned();
            let staff = app.signed_in(STAFF).await;
            app.send_referral(&staff, &referral(true)).await;
            let run = deliver(&app, &config).await;
            assert_eq!((run.delivered, run.retrying), (0, 1));
            let api: Value = partner.get(app.url(&format!("/api/v1/organisations/{bank}/webhook"))).send().await.unwrap().json().await.unwrap();
            let d = &api["recent_deliveries"][0];
            assert_eq!((d["status"].as_str(), d["attempts"].as_i64(), d["last_status_code"].as_i64()), (Some("pending"), Some(1), Some(500)));
            assert_eq!(d["next_attempt_at"].as_i64(), Some(app.now() + 60), "first retry after a minute");
            // Not before its time.
            app.clock.advance_seconds(59);
            assert_eq!(deliver(&app, &config).await, keten_web::webhooks::DeliveryRun::default());
            app.clock.advance_seconds(1);
            assert_eq!(deliver(&app, &config).await.delivered, 1);
            let got = rx.messages();
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].1, got[1].1, "the same event, so the receiver can drop a duplicate");
            assert_ne!(got[0].0["x-keten-timestamp"], got[1].0["x-keten-timestamp"], "signed anew");
            assert!(signed_by(&secret, &got[1].0, &got[1].1));

            // A receiver that keeps failing: after 1 min, 5 min, 30 min, 2 h and 12 h keten gives up.
            let (down, down_url) = Receiver::start(&[500; 10]).await;
            put_webhook(&app, &partner, &bank, &down_url).await;
            app.send_referral(&staff, &referral(true)).await;
            assert_eq!(deliver(&app, &config).await.retrying, 1);
            for wait in [60, 300, 1800, 7200] {
                app.clock.advance_seconds(wait - 1);
                assert_eq!(deliver(&app, &config).await.retrying, 0, "not yet after {}", wait - 1);
                app.clock.advance_seconds(1);
                assert_eq!(deliver(&app, &config).await.retrying, 1);
            }
            app.clock.advance_seconds(43_200);
            assert_eq!(deliver(&app, &config).await.failed, 1);
            assert_eq!(down.messages().len(), 6);
            app.clock.advance_seconds(7 * 86_400);
            assert_eq!(deliver(&app, &config).await, keten_web::webhooks::DeliveryRun::default());
            let page = app.signed_in(PARTNER).await.get(app.url(&format!("/organisaties/{bank}/webhook"))).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("Mislukt, gestopt") && page.contains("HTTP 500"), "{page}");
        };

        only_http_addresses_on_the_internet_are_accepted => |app: TestApp| async move {
            app.demo_chain().await;
            let bank = app.organisation_id("Maasbank").await;
            let partner = app.signed_in(PARTNER).await;
            for url in ["ftp://example.org/hook", "not an address", "http://127.0.0.1:8080/hook", "https://localhost/hook",
                        "http://10.1.2.3/hook", "http://[::1]/hook", "https://user:pw@example.org/hook", ""] {
                let r = put_webhook(&app, &partner, &bank, url).await;
                assert_eq!(r.status(), 422, "{url}");
                assert_eq!(r.headers()["content-type"], "application/problem+json");
            }
            assert_eq!(put_webhook(&app, &partner, &bank, "https://hooks.example.org/keten").await.status(), 201);
            // The page keeps what was typed and says what is wrong, in Dutch.
            let page = format!("/organisaties/{bank}/webhook");
            let r = app.post_form(&partner, &page, &page, &[("url", "ftp://example.org/x")]).await;
            assert_eq!(r.status(), 422);
            let html = r.text().await.unwrap();
            assert!(html.contains("value=\"ftp://example.org/x\"") && html.contains("moet beginnen met https://"), "{html}");
            let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
            let path = &doc["paths"]["/api/v1/organisations/{id}/webhook"];
            assert!(path["get"].is_object() && path["put"].is_object() && path["delete"].is_object());
        };
    }
}

/// Mails the sink received: (recipients, data).
type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A tiny SMTP server: accepts every mail and keeps it.
async fn smtp_sink() -> (Inbox, u16) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mails: Inbox = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let kept = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        write.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        kept.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (mails, port)
}

/// Every mail written to the folder, as text.
/// The text with every UUID blanked out: a random id may by chance hold four digits of a postcode.
fn without_ids(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let is_uuid = chars.len() - i >= 36
            && chars[i..i + 36].iter().enumerate().all(|(n, c)| {
                if [8, 13, 18, 23].contains(&n) {
                    *c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if is_uuid {
            out.push_str("<id>");
            i += 36;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Subject and body of a mail: no personal data in either (headers hold random ids, so not the whole text).
fn assert_no_personal_data(mail: &str) {
    let subject = mail
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .unwrap_or_default();
    let body = mail
        .split_once("\r\n\r\n")
        .or_else(|| mail.split_once("\n\n"))
        .map_or(mail, |(_, b)| b);
    assert!(body.contains("geen gegevens van de inwoner"), "{mail}");
    let body = without_ids(body);
    for personal in PERSONAL {
        assert!(
            !body.contains(personal) && !subject.contains(personal),
            "{personal} in {mail}"
        );
    }
}

mod mail {
    use super::*;

    both_backends! {
        a_new_referral_mail_goes_out_over_smtp => |plain: TestApp| async move {
            let (sink, port) = smtp_sink().await;
            let config = keten_web::WebConfig {
                mail: keten_web::mail::MailConfig {
                    smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
                    public_url: "https://keten.test".into(),
                    ..Default::default()
                },
                ..crate::support::test_config()
            };
            let app = TestApp::spawn_with(plain.db, config).await;
            app.demo_chain().await;
            let staff = app.signed_in(STAFF).await;
            let mut body = referral(true);
            body["phone"] = Value::Null;
            body["email"] = json!("fatima@example.org");
            let id = app.send_referral(&staff, &body).await;
            // SMTP runs in the background so that a slow mail server never slows a page.
            let mut waited = 0;
            while sink.lock().unwrap().is_empty() && waited < 100 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                waited += 1;
            }
            let mails = sink.lock().unwrap().clone();
            assert_eq!(mails.len(), 1, "one partner user at the bank");
            let (to, data) = &mails[0];
            assert_eq!(to, &vec![PARTNER.to_owned()]);
            assert!(data.contains("Subject: Nieuwe doorverwijzing"), "{data}");
            assert!(data.contains(&format!("https://keten.test/doorverwijzingen/{id}")));
            assert_no_personal_data(data);
        };

        digests_count_and_come_once_per_period_and_overdue_is_told_once => |plain: TestApp| async move {
            let dir = tempfile::tempdir().unwrap();
            let config = crate::support::mail_config(dir.path());
            let app = TestApp::spawn_with(plain.db, config.clone()).await;
            app.demo_chain().await;
            let state = keten_web::AppState::new(app.store.clone(), Arc::new(app.clock.clone()), config);
            // The bank's partner wants a daily digest, the library's desk a weekly one.
            let partner_id = app.actor(PARTNER).await.user_id.unwrap();
            app.store.set_digest_choice(&partner_id, DigestChoice::Daily, app.now()).await.unwrap();
            let staff_id = app.actor(STAFF).await.user_id.unwrap();
            app.store.set_digest_choice(&staff_id, DigestChoice::Weekly, app.now()).await.unwrap();
            let staff = app.signed_in(STAFF).await;
            let mut with_email = referral(true);
            with_email["phone"] = Value::Null;
            with_email["email"] = json!("fatima@example.org");
            for body in [referral(true), referral(false), with_email] {
                app.send_referral(&staff, &body).await;
            }
            assert!(crate::support::mails_in(dir.path()).is_empty(), "no mail per referral with a digest");

            // Three days on (Thursday): all three are overdue; that is told once, as part of the digest only
            // (nobody at the bank wants single mails).
            app.clock.advance_seconds(3 * 86_400);
            assert_eq!(keten_web::send_due_notifications(&state).await.unwrap(), 1, "the bank's daily digest");
            let all = crate::support::mails_in(dir.path());
            assert_eq!(all.len(), 1);
            assert!(all[0].contains(PARTNER) && all[0].contains("Overzicht doorverwijzingen van vandaag"));
            assert!(all[0].contains("naar u gestuurd, wachten op aannemen: 3") && all[0].contains("daarvan te laat: 3"), "{}", all[0]);
            assert_eq!(keten_web::send_due_notifications(&state).await.unwrap(), 0, "not twice a day");

            // An each-mail colleague at the bank hears of new overdue referrals once.
            let bank = app.organisation_id("Maasbank").await;
            let colleague = "collega@maasbank.test";
            app.user(colleague, Role::Partner, &bank).await;
            // Signed in again: three days outlast a session.
            let staff = app.signed_in(STAFF).await;
            let late = app.send_referral(&staff, &referral(true)).await;
            let overdue_mails = || crate::support::mails_in(dir.path()).into_iter().filter(|m| m.contains("Subject: Doorverwijzing wacht te lang")).collect::<Vec<_>>();
            // Sent on Thursday, due on Monday: overdue on Tuesday (day 8).
            app.clock.advance_seconds(5 * 86_400);
            keten_web::send_due_notifications(&state).await.unwrap();
            let told = overdue_mails();
            assert_eq!(told.len(), 1, "{told:#?}");
            assert!(told[0].contains(colleague) && told[0].contains(&late));
            app.clock.advance_seconds(86_400);
            keten_web::send_due_notifications(&state).await.unwrap();
            assert_eq!(overdue_mails().len(), 1, "told once");

            // The weekly digest: one in the week, not a second before the week is over.
            let weekly = || crate::support::mails_in(dir.path()).into_iter().filter(|m| m.contains("van deze week")).collect::<Vec<_>>();
            assert_eq!(weekly().len(), 1, "on day 8 one weekly digest (none on day 3)");
            // The library sent four, one of them for a resident who did not let it follow progress.
            assert!(weekly()[0].contains(STAFF) && weekly()[0].contains("door u gestuurd, nog niet aangenomen: 3"), "{:#?}", weekly());
            assert!(weekly()[0].contains("naar u gestuurd, wachten op aannemen: 0"), "{:#?}", weekly());
            // Day 9 now; days 10 to 14 bring no second one, day 15 (a week after day 8) does.
            for _ in 0..5 {
                app.clock.advance_seconds(86_400);
                keten_web::send_due_notifications(&state).await.unwrap();
                assert_eq!(weekly().len(), 1, "not twice in a week");
            }
            app.clock.advance_seconds(86_400);
            keten_web::send_due_notifications(&state).await.unwrap();
            assert_eq!(weekly().len(), 2, "the next week");
            for m in crate::support::mails_in(dir.path()) {
                assert_no_personal_data(&m);
            }
        };
    }
}

mod resident {
    use super::*;

    both_backends! {
        the_form_is_limited_per_client_address => |plain: TestApp| async move {
            let config = keten_web::WebConfig {
                trust_forwarded_for: true,
                ..crate::support::test_config()
            };
            let app = TestApp::spawn_with(plain.db, config).await;
            let browser = app.browser();
            let token = app.csrf_token(&browser, "/ik-wil-hulp").await;
            let post = |ip: &'static str| {
                browser
                    .post(app.url("/ik-wil-hulp"))
                    .header("x-forwarded-for", ip)
                    .form(&[("csrf_token", token.as_str()), ("resident_name", "Jan")])
                    .send()
            };
            for _ in 0..5 {
                assert_eq!(post("203.0.113.7").await.unwrap().status(), 422, "checked as usual");
            }
            let refused = post("203.0.113.7").await.unwrap();
            assert_eq!(refused.status(), 429);
            let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=120).contains(&wait), "{wait}");
            let html = refused.text().await.unwrap();
            assert!(html.contains("Even wachten") && html.contains("<html lang=\"nl\""), "{html}");
            // Another address (behind the trusted proxy) has its own budget.
            assert_eq!(post("198.51.100.2").await.unwrap().status(), 422);
        };

        ik_wil_hulp_follows_the_language_switch => |app: TestApp| async move {
            let points = app.demo_chain().await;
            let browser = app.browser();
            let dutch = browser.get(app.url("/ik-wil-hulp")).send().await.unwrap().text().await.unwrap();
            assert!(dutch.contains("Ik wil hulp") && dutch.contains(keten_core::referral::RESIDENT_CONSENT_TEXT));
            let page = format!("/ik-wil-hulp?hulppunt={}&lang=en", points[0]);
            let english = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
            assert!(english.contains("<html lang=\"en\"") && english.contains("I want help"), "{english}");
            assert!(english.contains("Banking") && english.contains("Nobody else gets my details"));
            assert!(!english.contains("Waarmee wilt u hulp"));
            // The help point page links to the form in the reader's language.
            let hp = browser.get(app.url(&format!("/hulppunten/{}?lang=en", points[0]))).send().await.unwrap().text().await.unwrap();
            assert!(hp.contains(&format!("/ik-wil-hulp?hulppunt={}&amp;lang=en", points[0])), "{hp}");
            // Errors in English, what was typed kept (the contact moment too).
            let fields = [("hulppunt", points[0].as_str()), ("topics", "digid"), ("resident_name", "Jan Jansen"),
                          ("phone", "0611111111"), ("pc4", "3011"), ("preferred_moment", "evening")];
            let refused = app.post_form(&browser, &page, "/ik-wil-hulp?lang=en", &fields).await;
            assert_eq!(refused.status(), 422);
            let html = refused.text().await.unwrap();
            assert!(html.contains("Tick the box") && html.contains("value=\"Jan Jansen\""), "{html}");
            assert!(html.contains("<option value=\"evening\" selected>In the evening"), "{html}");
            let mut agreed = fields.to_vec();
            agreed.push(("consent_given", "1"));
            let done = app.post_form(&browser, &page, "/ik-wil-hulp?lang=en", &agreed).await;
            assert_eq!(done.status(), 200);
            let html = done.text().await.unwrap();
            assert!(html.contains("What happens now?") && html.contains("Wednesday 4 March"), "{html}");
        };

        the_privacy_page_explains_referrals => |app: TestApp| async move {
            let browser = app.browser();
            let nl = browser.get(app.url("/privacy")).send().await.unwrap().text().await.unwrap();
            for text in ["Als u wordt doorverwezen", "na 90 dagen", "Uw gegevens zien of laten wissen", "Wilt u het niet meer?"] {
                assert!(nl.contains(text), "{text}");
            }
            let en = browser.get(app.url("/privacy?lang=en")).send().await.unwrap().text().await.unwrap();
            assert!(en.contains("If you are referred") && en.contains("after 90 days"));
        };
    }
}
