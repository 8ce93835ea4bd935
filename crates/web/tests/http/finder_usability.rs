//! What residents stumbled on in the finder and on help point pages (issue 20, points 1-12, 25, 29), through HTTP
//! on both databases.

use crate::support::TestApp;
use serde_json::Value;

async fn page(app: &TestApp, path: &str) -> String {
    let r = app.browser().get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// The result cards of a finder page, in order.
fn cards(html: &str) -> Vec<&str> {
    html.split("<li class=\"keten-card keten-result\">")
        .skip(1)
        .map(|c| &c[..c.find("</ol>").unwrap_or(c.len())])
        .collect()
}

/// The error box of a finder page.
fn alert(html: &str) -> &str {
    let start = html.find("id=\"plaats-error\"").expect("an error box");
    let rest = &html[start..];
    &rest[..rest.find("</div>").unwrap()]
}

both_backends! {
    results_come_before_the_form_and_take_the_focus => |app: TestApp| async move {
        app.demo_chain().await;
        let html = page(&app, "/?plaats=3011").await;
        let heading = html.find("id=\"resultaten-kop\" tabindex=\"-1\"").expect("a focusable results heading");
        let form = html.find("<form class=\"utrecht-form keten-finder-form\"").expect("the form");
        assert!(heading < form, "the results come before the form");
        assert!(html.contains("<h2 class=\"utrecht-heading-2 keten-finder-again\">Zoek opnieuw</h2>"));
        // Without JavaScript the form's address brings the answer into view; with it, focus moves there.
        assert!(html.contains("method=\"get\" action=\"/#resultaten\""), "{html}");
        assert!(html.contains("<section class=\"keten-answer\" id=\"resultaten\""));
        assert!(html.contains("<script src=\"/static/keten-finder.js\" defer></script>"));
        let js = app.browser().get(app.url("/static/keten-finder.js")).send().await.unwrap();
        assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
        assert!(js.text().await.unwrap().contains("heading.focus()"));
        // An error comes first too.
        let html = page(&app, "/?plaats=Roterdam").await;
        assert!(html.find("id=\"plaats-error\"").unwrap() < html.find("keten-finder-form").unwrap());
        // Before a search: the form, no answer and no script.
        let start = page(&app, "/").await;
        assert!(!start.contains("resultaten-kop") && !start.contains("keten-finder.js"));
        assert!(!start.contains("Zoek opnieuw"));
    };

    an_empty_place_says_what_to_fill_in => |app: TestApp| async move {
        app.demo_chain().await;
        let html = page(&app, "/?plaats=&onderwerp=digid").await;
        assert!(alert(&html).contains("Vul uw postcode of woonplaats in."), "{html}");
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("type=\"radio\" name=\"onderwerp\" value=\"digid\" checked>"), "the topic is kept");
        let en = page(&app, "/?plaats=+&lang=en").await;
        assert!(alert(&en).contains("Fill in your postcode or town."), "{en}");
        let embed = page(&app, "/inbedden?plaats=").await;
        assert!(alert(&embed).contains("Vul uw postcode of woonplaats in."));
        // Opening the page is not a search.
        assert!(!page(&app, "/").await.contains("plaats-error"));
        assert!(!page(&app, "/?onderwerp=digid").await.contains("plaats-error"));
    };

    an_unknown_place_gets_one_suggestion_or_one_piece_of_advice => |app: TestApp| async move {
        app.demo_chain().await;
        let html = page(&app, "/?plaats=Roterdam").await;
        let box_ = alert(&html);
        assert_eq!(box_.matches("Bedoelt u").count(), 1, "{box_}");
        assert_eq!(box_.matches(">Rotterdam</a>").count(), 1, "the suggestion once: {box_}");
        assert!(!box_.contains("misschien"), "not in a sentence as well: {box_}");
        assert!(box_.contains("href=\"/?plaats=Rotterdam&amp;onderwerp=#resultaten\""), "{box_}");
        let html = page(&app, "/?plaats=xyz123").await;
        let box_ = alert(&html);
        assert!(box_.contains("We kennen deze plaats of postcode niet."), "{box_}");
        assert_eq!(box_.matches("Kijk of").count() + box_.matches("probeer").count(), 2, "one sentence of advice: {box_}");
        assert!(!box_.contains("heeft"), "one form of the verb: {box_}");
        let en = page(&app, "/?plaats=xyz123&lang=en").await;
        assert_eq!(alert(&en).matches("Check").count(), 1, "{en}");
    };

    the_heading_keeps_the_postcode_as_typed => |app: TestApp| async move {
        app.demo_chain().await;
        let html = page(&app, "/?plaats=3011ab").await;
        assert!(html.contains("Hulp in de buurt van 3011 AB Rotterdam (gemeente Rotterdam)"), "{html}");
        let plain = page(&app, "/?plaats=3011").await;
        assert!(plain.contains("Hulp in de buurt van 3011 Rotterdam (gemeente Rotterdam)"));
        let api: Value = app.browser().get(app.url("/api/v1/help-points/nearest?place=3011%20AB")).send().await.unwrap().json().await.unwrap();
        assert_eq!(api["place"], "3011 AB Rotterdam");
    };

    the_chosen_topic_shows_on_each_card_and_points_naming_it_come_first => |app: TestApp| async move {
        app.demo_chain().await;
        let html = page(&app, "/?plaats=3011&onderwerp=digid").await;
        let list = cards(&html);
        assert!(list.len() >= 5, "{html}");
        // The church names DigiD; it is further away than the libraries, which name only "Overheid en regelingen".
        assert!(list[0].contains("Digicafé Kerk in de Wijk</a>"), "{}", list[0]);
        assert!(list[0].contains("<strong>Helpt met DigiD.</strong>"), "{}", list[0]);
        let library = list.iter().find(|c| c.contains("Centrale Bibliotheek</a>")).expect("the library is listed");
        assert!(library.contains("Helpt met Overheid en regelingen. Vraag of zij ook helpen met DigiD."), "{library}");
        // Toeslagen: only Hillegersberg names it (a partner's hour there); the others cover the group, nearest first.
        let html = page(&app, "/?plaats=3011&onderwerp=belastingen-toeslagen").await;
        let list = cards(&html);
        assert!(list[0].contains("Bibliotheek Hillegersberg</a>") && list[0].contains("<strong>Helpt met Belastingen en toeslagen.</strong>"), "{}", list[0]);
        assert!(list[1..].iter().all(|c| c.contains("Vraag of zij ook helpen met Belastingen en toeslagen.")), "{html}");
        assert!(list[1].contains("Vraagwijzer Stadhuis</a>"), "then nearest first: {}", list[1]);
        // The bank's hour at the library names banking.
        let html = page(&app, "/?plaats=3011&onderwerp=bankzaken").await;
        let library = cards(&html).into_iter().find(|c| c.contains("Centrale Bibliotheek</a>")).unwrap();
        assert!(library.contains("<strong>Helpt met Bankzaken.</strong>"), "{library}");
        let en = page(&app, "/?plaats=3011&onderwerp=digid&lang=en").await;
        assert!(en.contains("<strong>Helps with DigiD.</strong>"));
        // Without a topic the card lists what the point helps with, as before.
        assert!(page(&app, "/?plaats=3011").await.contains("Helpt met: "));
    };

    only_short_distances_say_walking => |app: TestApp| async move {
        app.demo_chain().await;
        let api: Value = app.browser().get(app.url("/api/v1/help-points/nearest?place=3011")).send().await.unwrap().json().await.unwrap();
        let html = page(&app, "/?plaats=3011").await;
        let list = cards(&html);
        let mut far = 0;
        for r in api["results"].as_array().unwrap() {
            let name = r["name"].as_str().unwrap();
            let km = r["walking_km"].as_f64().unwrap();
            let card = list.iter().find(|c| c.contains(&format!("{name}</a>"))).unwrap();
            let words = format!("Ongeveer {} km", format!("{km:.1}").replace('.', ","));
            if km > 2.0 {
                far += 1;
                assert!(card.contains(&format!("{words}<br>")), "{card}");
                assert!(!card.contains("km lopen"), "{card}");
            } else if km >= 0.1 {
                assert!(card.contains(&format!("{words} lopen<br>")), "{card}");
            }
        }
        assert!(far >= 3, "{api}");
    };

    help_point_pages_show_phone_and_e_mail_of_the_demo => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Centrale Bibliotheek").await.id;
        let html = page(&app, &format!("/hulppunten/{id}")).await;
        assert!(html.contains("Telefoon: 010 "), "{html}");
        assert!(html.contains("href=\"mailto:hulp.bieb-centrale@demo.keten.nl\""), "{html}");
        let gent = app.help_point("Digipunt De Krook").await;
        assert!(gent.phone.unwrap().starts_with("09 "), "a Belgian number in Gent");
    };

    the_help_point_hand_out_leaves_out_forms_and_links => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Centrale Bibliotheek").await.id;
        let html = page(&app, &format!("/hulppunten/{id}")).await;
        assert!(html.contains("<body class=\"utrecht-body keten-help-point\">"));
        for part in ["<section class=\"keten-report keten-no-print\"", "<p class=\"utrecht-paragraph keten-no-print\"><a class=\"utrecht-link\" href=\"/ik-wil-hulp?",
                     "<p class=\"utrecht-paragraph keten-no-print\"><a class=\"utrecht-link\" href=\"https://www.openstreetmap.org/",
                     "<p class=\"utrecht-paragraph keten-no-print\"><a class=\"utrecht-link\" href=\"/\">"] {
            assert!(html.contains(part), "{part} is not printed");
        }
        let css = page(&app, "/static/keten.css").await;
        let print: String = css.split("@media print").skip(1).collect();
        assert!(print.contains(".keten-help-point .keten-page-header"), "no menu on paper");
        assert!(print.contains(".keten-help-point .keten-page-footer"), "no footer on paper");
    };

    the_english_page_does_not_call_an_english_form_dutch => |app: TestApp| async move {
        let ids = app.demo_chain().await;
        let html = page(&app, &format!("/hulppunten/{}?lang=en", ids[0])).await;
        assert!(html.contains(">I want help: call or e-mail me back</a>"), "{html}");
        assert!(!html.contains("form in Dutch"));
    };

    ik_wil_hulp_carries_the_topic_and_postcode_and_keeps_the_digits => |app: TestApp| async move {
        app.demo_chain().await;
        let id = app.help_point("Centrale Bibliotheek").await.id;
        let html = page(&app, "/?plaats=3011+AB&onderwerp=digid").await;
        let link = format!("href=\"/hulppunten/{id}?onderwerp=digid&#38;pc4=3011\"");
        assert!(html.contains(&link), "{html}");
        let point = page(&app, &format!("/hulppunten/{id}?onderwerp=digid&pc4=3011")).await;
        let form = format!("/ik-wil-hulp?hulppunt={id}&amp;onderwerp=digid&amp;pc4=3011");
        assert!(point.contains(&format!("href=\"{form}\"")), "{point}");
        // Made-up values are not carried on.
        let odd = page(&app, &format!("/hulppunten/{id}?onderwerp=astrologie&pc4=30x1")).await;
        assert!(odd.contains(&format!("href=\"/ik-wil-hulp?hulppunt={id}\"")), "{odd}");
        let path = form.replace("&amp;", "&");
        let html = page(&app, &path).await;
        assert!(html.contains("id=\"topic-digid\" name=\"topics\" value=\"digid\" checked>"), "{html}");
        assert!(html.contains("id=\"pc4\" name=\"pc4\"") && html.contains("value=\"3011\""), "{html}");
        // A Dutch help point offers no Flemish services; the form without a help point offers every topic.
        assert!(!html.contains("value=\"itsme\""), "{html}");
        let gent = app.help_point("Digipunt De Krook").await.id;
        let flemish = page(&app, &format!("/ik-wil-hulp?hulppunt={gent}")).await;
        assert!(flemish.contains("value=\"itsme\"") && !flemish.contains("value=\"digid\""), "{flemish}");
        let any = page(&app, "/ik-wil-hulp").await;
        assert!(any.contains("value=\"itsme\"") && any.contains("value=\"digid\""), "{any}");
        // "3011AB" in the PC4 field: the digits are kept and the request arrives.
        let browser = app.browser();
        let fields = [("hulppunt", id.as_str()), ("topics", "digid"), ("resident_name", "Jan Jansen"),
                      ("phone", "0611111111"), ("pc4", "3011AB"), ("consent_given", "1")];
        let done = app.post_form(&browser, &path, "/ik-wil-hulp", &fields).await;
        assert_eq!(done.status(), 200);
        assert!(done.text().await.unwrap().contains("Wij hebben uw vraag"));
        let wrong = [("hulppunt", id.as_str()), ("topics", "digid"), ("resident_name", "Jan Jansen"),
                     ("phone", "0611111111"), ("pc4", "30111"), ("consent_given", "1")];
        let refused = app.post_form(&browser, &path, "/ik-wil-hulp", &wrong).await;
        assert_eq!(refused.status(), 422, "not a postcode: still a message");
    };

    a_favicon_is_served => |app: TestApp| async move {
        let r = app.browser().get(app.url("/favicon.ico")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/x-icon");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
        let svg = app.browser().get(app.url("/static/favicon.svg")).send().await.unwrap();
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
        assert!(svg.text().await.unwrap().starts_with("<svg"));
        let html = page(&app, "/").await;
        assert!(html.contains("<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"));
    };

    the_data_page_explains_the_api_in_plain_words => |app: TestApp| async move {
        let home = page(&app, "/").await;
        assert!(home.contains("<a href=\"/gegevens\">Gegevens voor websites en systemen</a>"), "{home}");
        let r = app.browser().get(app.url("/gegevens")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(!csp.contains("unsafe"), "the viewer runs under the usual policy: {csp}");
        let html = r.text().await.unwrap();
        for text in ["<h1 class=\"utrecht-heading-1\">Gegevens voor websites en systemen</h1>", "Een API is", "HSDS 3.0",
                     "href=\"/api/openapi.json\"", "href=\"/inbedden/code\"", "<code>/api/v1/help-points/nearest</code>",
                     "<code>/hsds/services</code></td>", "src=\"/static/vendor/swagger-ui-dist/swagger-ui-bundle.js\"",
                     "src=\"/static/keten-api-docs.js\"", "id=\"api-viewer\" hidden"] {
            assert!(html.contains(text), "{text}: {html}");
        }
        // Without JavaScript the list of operations is there, with the summaries of the document.
        let doc: Value = app.browser().get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let summary = doc["paths"]["/api/v1/help-points/nearest"]["get"]["summary"].as_str().unwrap();
        assert!(html.contains(summary), "{summary}");
        let js = app.browser().get(app.url("/static/keten-api-docs.js")).send().await.unwrap();
        assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
        assert!(js.text().await.unwrap().contains("SwaggerUIBundle"));
        let en = page(&app, "/gegevens?lang=en").await;
        assert!(en.contains("<h1 class=\"utrecht-heading-1\">Data for websites and systems</h1>") && en.contains("An API is"));
        assert!(en.contains("<a href=\"/gegevens?lang=en\">Data for websites and systems</a>"));
    };

    topics_follow_the_residents_country => |app: TestApp| async move {
        app.demo_chain().await;
        let radio = |code: &str| format!("name=\"onderwerp\" value=\"{code}\"");
        // Before a place is known, every topic; after, the place's own.
        let start = page(&app, "/").await;
        assert!(start.contains(&radio("digid")) && start.contains(&radio("itsme")));
        let gent = page(&app, "/?plaats=Gent&onderwerp=digid").await;
        assert!(gent.contains("DigiD is er niet in België. U ziet hulp bij Overheid en regelingen."), "{gent}");
        assert!(gent.contains("Digipunt De Krook</a>"), "{gent}");
        let notice = gent.find("DigiD is er niet in België").unwrap();
        assert!(gent.find("id=\"resultaten-kop\"").unwrap() < notice, "the notice is under the heading the page opens at");
        assert!(!gent.contains("ook helpen met DigiD"), "{gent}");
        for belgian in ["itsme", "tax-on-web", "myminfin", "e-loket"] {
            assert!(gent.contains(&radio(belgian)), "{belgian}");
        }
        for dutch in ["digid", "belastingen-toeslagen", "studie"] {
            assert!(!gent.contains(&radio(dutch)), "{dutch} is not offered in Belgium");
        }
        let itsme = page(&app, "/?plaats=9000&onderwerp=itsme").await;
        assert!(itsme.contains("Helpt met Overheid en regelingen. Vraag of zij ook helpen met itsme (inloggen in België)."), "{itsme}");
        let rotterdam = page(&app, "/?plaats=3011").await;
        assert!(rotterdam.contains(&radio("digid")) && !rotterdam.contains(&radio("itsme")));
        // The API keeps the topic and does not offer the Flemish point for DigiD.
        for (query, listed) in [("place=Gent&topic=digid", false), ("place=Gent&topic=itsme", true), ("place=Gent&topic=overheid", true)] {
            let v: Value = app.browser().get(app.url(&format!("/api/v1/help-points/nearest?{query}"))).send().await.unwrap().json().await.unwrap();
            let found = v["results"].as_array().unwrap().iter().any(|r| r["name"] == "Digipunt De Krook");
            assert_eq!(found, listed, "{query}: {v}");
        }
        let en = page(&app, "/?plaats=Gent&onderwerp=digid&lang=en").await;
        assert!(en.contains("DigiD does not exist in Belgium. You see help with Government and benefits."), "{en}");
    };

    share_links_use_the_requests_address_without_a_public_url => |app: TestApp| async move {
        app.demo_chain().await;
        let html = page(&app, "/?plaats=3011").await;
        assert!(html.contains(&format!("<code>{}</code>", app.url("/?plaats=3011"))), "{html}");
        assert!(!html.contains("localhost:8080"));
        let client = app.browser();
        let named = client.get(app.url("/?plaats=3011")).header("host", "hulp.gemeente.example").send().await.unwrap().text().await.unwrap();
        assert!(named.contains("<code>http://hulp.gemeente.example/?plaats=3011</code>"), "{named}");
        let code = client.get(app.url("/inbedden/code?gemeente=GM0599")).header("host", "hulp.gemeente.example").send().await.unwrap().text().await.unwrap();
        assert!(code.contains("&#60;iframe src=&#34;http://hulp.gemeente.example/inbedden?gemeente=GM0599"), "{code}");
        // A Host header that is no host name falls back to the default address rather than into the page.
        let odd = client.get(app.url("/?plaats=3011")).header("host", "x/y").send().await.unwrap().text().await.unwrap();
        assert!(odd.contains("<code>http://localhost:8080/?plaats=3011</code>"), "{odd}");
    };
}
