//! Residents' pages in Dutch and English through HTTP on both databases: header, switch, cookie, fallback.

use crate::support::TestApp;

async fn page(client: &reqwest::Client, app: &TestApp, path: &str, accept: &str) -> (u16, String) {
    let r = client
        .get(app.url(path))
        .header("accept-language", accept)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").unwrap() + "<html lang=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// Message keys of the catalogues (with a hyphen, so they cannot be ordinary words).
fn catalogue_keys() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut keys = Vec::new();
    for lang in std::fs::read_dir(root).unwrap() {
        for file in std::fs::read_dir(lang.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            for line in text.lines().filter(|l| !l.starts_with(['#', ' '])) {
                if let Some((id, _)) = line.split_once(" = ")
                    && id.contains('-')
                {
                    keys.push(id.to_owned());
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    assert!(keys.len() > 100, "{keys:?}");
    keys
}

/// A key shown as itself: the key with no letter, digit or hyphen either side.
fn raw_key_in(html: &str, keys: &[String]) -> Option<String> {
    let word =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    keys.iter()
        .find(|key| {
            html.match_indices(key.as_str()).any(|(at, _)| {
                !word(html[..at].chars().last()) && !word(html[at + key.len()..].chars().next())
            })
        })
        .cloned()
}

both_backends! {
    accept_language_english_gives_english_pages => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let client = app.browser();
        let en = "en-GB,en;q=0.9,nl;q=0.5";
        let (status, home) = page(&client, &app, "/", en).await;
        assert_eq!(status, 200);
        assert_eq!(html_lang(&home), "en");
        for expected in ["Help with digital matters, near you", "Your postcode or town", "Find help", "Skip to main content", "Setting up a phone or tablet", "Taxes and allowances"] {
            assert!(home.contains(expected), "{expected} missing: {home}");
        }
        assert!(!home.contains("Zoek hulp"), "no Dutch left on the English page");
        // The switch offers Dutch, in Dutch, marked as such.
        assert!(home.contains("href=\"/?lang=nl\" lang=\"nl\" hreflang=\"nl\">Nederlands</a>"), "{home}");

        let (_, results) = page(&client, &app, "/?plaats=3011&onderwerp=bankzaken", en).await;
        assert_eq!(html_lang(&results), "en");
        for expected in ["(municipality of Rotterdam)</h2>", "km walk", "Open now until 17:00", "Maasbank: <span lang=\"nl\">Spreekuur bankzaken</span>, Tuesday 10:00 - 12:00 (you can walk in)", "Helps with Banking.", "Banking"] {
            assert!(results.contains(expected), "{expected} missing: {results}");
        }
        assert!(results.contains("0."), "a decimal point, not a comma");

        let (_, point) = page(&client, &app, &format!("/hulppunten/{}", ids[0]), en).await;
        assert_eq!(html_lang(&point), "en");
        for expected in ["Opening hours", "Monday", "10:00 - 17:00", "Sunday</th>", "Arabic", "Is something wrong?", "What is wrong?", "Send report", "This information "] {
            assert!(point.contains(expected), "{expected} missing: {point}");
        }

        let (_, unknown) = page(&client, &app, "/?plaats=Roterdam", en).await;
        assert!(unknown.contains("We do not know this place or postcode.</p>"), "{unknown}");
        assert!(unknown.contains(">Rotterdam</a>"));
        assert!(unknown.contains("Did you mean:"));
        let (_, nowhere) = page(&client, &app, "/?plaats=Qqqqqq", en).await;
        assert!(nowhere.contains("Check the spelling"), "{nowhere}");

        let (status, missing) = page(&client, &app, "/hulppunten/does-not-exist", en).await;
        assert_eq!(status, 404);
        assert_eq!(html_lang(&missing), "en");
        assert!(missing.contains("Page not found"));

        let (_, embed) = page(&client, &app, "/inbedden?gemeente=GM0599&onderwerp=digid", en).await;
        assert_eq!(html_lang(&embed), "en");
        assert!(embed.contains("Help with digital matters in Rotterdam"));
        let (_, code) = page(&client, &app, "/inbedden/code?gemeente=GM0599", en).await;
        assert!(code.contains("Find help with digital matters in Rotterdam"), "the snippet in the page's language");
        let (_, about) = page(&client, &app, "/toegankelijkheid", en).await;
        assert!(about.contains("Everyone must be able to use this website"));
    };

    the_switch_overrides_the_header_and_is_remembered => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let client = app.browser();
        let r = client.get(app.url("/?plaats=3011&lang=nl")).header("accept-language", "en").send().await.unwrap();
        let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with("keten_lang=")).unwrap();
        assert!(cookie.starts_with("keten_lang=nl;") && cookie.contains("Max-Age="), "{cookie}");
        let html = r.text().await.unwrap();
        assert_eq!(html_lang(&html), "nl");
        assert!(html.contains("Hulp in de buurt van") && html.contains("(gemeente Rotterdam)</h2>"));
        // The switch keeps the search and swaps the language; searching again keeps the chosen language.
        assert!(html.contains("href=\"/?plaats=3011&#38;lang=en\" lang=\"en\" hreflang=\"en\">English</a>"), "{html}");
        assert!(html.contains("<input type=\"hidden\" name=\"lang\" value=\"nl\">"));
        // The cookie wins over the header on the next visit without the parameter.
        let (_, next) = page(&client, &app, "/", "en").await;
        assert_eq!(html_lang(&next), "nl");
        // Choosing English through the switch.
        let (_, english) = page(&client, &app, "/?plaats=3011&lang=en", "nl").await;
        assert_eq!(html_lang(&english), "en");
        assert!(english.contains("Keep or share this list"));
        assert!(english.contains("lang=en</code>"), "the share link keeps the language");
        let (_, after) = page(&client, &app, "/", "nl").await;
        assert_eq!(html_lang(&after), "en");
        // The report form answers in the chosen language, and its switch leads back to the help point page.
        let point = format!("/hulppunten/{}", ids[0]);
        let refused = app.post_form(&client, &point, &format!("{point}/melding"), &[("message", " ")]).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("Write briefly what is wrong (at most 1000 characters)."), "{html}");
        assert!(html.contains(&format!("href=\"{point}?lang=nl\"")), "{html}");
        let sent = app.post_form(&client, &point, &format!("{point}/melding"), &[("message", "Closed on Saturdays.")]).await;
        assert!(sent.text().await.unwrap().contains("Thank you. We pass your report on to the help point."));
    };

    unknown_languages_fall_back_to_dutch_and_staff_pages_stay_dutch => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        let (_, german) = page(&client, &app, "/", "de-DE,de;q=0.9,fr;q=0.8").await;
        assert_eq!(html_lang(&german), "nl");
        assert!(german.contains("Zoek hulp") && german.contains("Direct naar de inhoud"));
        assert!(german.contains(">English</a>"));
        let (_, odd) = page(&client, &app, "/?lang=xx", "").await;
        assert_eq!(html_lang(&odd), "nl");
        let (_, sign_in) = page(&client, &app, "/aanmelden", "en").await;
        assert_eq!(html_lang(&sign_in), "nl", "staff pages are Dutch only");
        assert!(!sign_in.contains("hreflang"), "and offer no switch");
    };

    no_page_shows_a_raw_message_key => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let keys = catalogue_keys();
        let client = app.browser();
        let point = format!("/hulppunten/{}", ids[0]);
        for accept in ["nl", "en"] {
            for path in ["/", "/?plaats=3011", "/?plaats=3011+PV&onderwerp=bankzaken&wanneer=week&drempelvrij=1", "/?plaats=Roterdam", "/?plaats=Qqqqqq", point.as_str(), "/inbedden?gemeente=GM0606", "/inbedden/code?gemeente=GM0599&onderwerp=digid", "/inbedden/code?gemeente=GM9999", "/toegankelijkheid", "/privacy", "/hulppunten/does-not-exist", "/aanmelden"] {
                let (_, html) = page(&client, &app, path, accept).await;
                assert_eq!(raw_key_in(&html, &keys), None, "{path} in {accept}");
            }
        }
    };

    topic_chooser_has_pictograms_and_visible_labels => |app: TestApp| async move {
        app.demo_chain().await;
        let client = app.browser();
        let (_, home) = page(&client, &app, "/?plaats=3011&onderwerp=digid", "nl").await;
        assert!(home.contains("<legend class=\"utrecht-form-label\">Waar wilt u hulp bij? (niet verplicht)</legend>"));
        let radios = home.matches("type=\"radio\" name=\"onderwerp\"").count();
        let dutch = keten_core::help_question::DEFAULT_TOPICS.iter()
            .filter(|t| keten_core::help_question::topic_offered_in(t.code, keten_core::reference::Country::Nl)).count();
        assert_eq!(radios, dutch + 1, "every topic offered in the Netherlands and 'Alles'");
        assert_eq!(home.matches("class=\"keten-topic__icon\"").count(), radios, "a pictogram for each");
        assert_eq!(home.matches("aria-hidden=\"true\" focusable=\"false\">").count(), radios, "decorative only");
        assert!(home.contains("value=\"digid\" checked>"), "the chosen topic stays chosen");
        assert!(home.contains("</svg> DigiD</label>"), "the label is written out");
        assert!(home.contains("</svg> Geld en bankzaken (alles)</label>"));
    };
}
