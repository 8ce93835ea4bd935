//! Pictograms for the topic chooser: small line drawings made for keten (24 by 24, drawn in the text colour).
//!
//! They are decoration beside a visible label (`aria-hidden`), so a topic without one of its own gets its
//! group's drawing, and a topic an admin added gets the generic one.

use keten_core::help_question::DEFAULT_TOPICS;

/// The inner SVG markup for a topic code (or `""` for "everything").
pub fn topic_icon(code: &str) -> &'static str {
    match code {
        // Four squares: everything.
        "" => {
            r#"<rect x="4" y="4" width="7" height="7" rx="1"/><rect x="13" y="4" width="7" height="7" rx="1"/><rect x="4" y="13" width="7" height="7" rx="1"/><rect x="13" y="13" width="7" height="7" rx="1"/>"#
        }
        // A sheet with a tick: government and its schemes.
        "overheid" => r#"<path d="M6 3h9l3 3v15H6z"/><path d="M9 13l2 2 4-4"/>"#,
        // A form with lines and a euro: taxes and allowances.
        "belastingen-toeslagen" => {
            r#"<path d="M6 3h9l3 3v15H6z"/><path d="M9 8h6M9 11h6"/><path d="M14.5 15.2a2.5 2.5 0 1 0 0 3.6M10.5 16.3h3M10.5 17.7h3"/>"#
        }
        // A key: DigiD.
        "digid" => r#"<circle cx="8" cy="12" r="4"/><path d="M12 12h9M18 12v3M21 12v2"/>"#,
        // A calendar with a coin: benefits and pension paid every month.
        "uitkering-pensioen" => {
            r#"<rect x="3" y="5" width="18" height="16" rx="1"/><path d="M3 9h18M8 3v4M16 3v4"/><circle cx="12" cy="15" r="3"/>"#
        }
        // A heart: care and health insurance.
        "zorg" => {
            r#"<path d="M12 20s-7-4.5-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.5-7 10-7 10z"/>"#
        }
        // A graduation cap: student finance.
        "studie" => r#"<path d="M2 9l10-5 10 5-10 5z"/><path d="M6 11v5c3 2 9 2 12 0v-5M22 9v6"/>"#,
        // A car: driving licence, car and fines.
        "vervoer" => {
            r#"<path d="M4 16v-4l2-5h12l2 5v4z"/><path d="M4 12h16"/><circle cx="8" cy="17" r="2"/><circle cx="16" cy="17" r="2"/>"#
        }
        // A town hall with a flag: matters with the municipality.
        "gemeente-zaken" => {
            r#"<path d="M4 21V10h16v11z"/><path d="M12 10V3l5 2-5 2"/><path d="M10 21v-5h4v5"/>"#
        }
        // Coins: money.
        "geld" => {
            r#"<ellipse cx="12" cy="7" rx="7" ry="3"/><path d="M5 7v5c0 1.7 3.1 3 7 3s7-1.3 7-3V7M5 12v5c0 1.7 3.1 3 7 3s7-1.3 7-3v-5"/>"#
        }
        // A bank building: roof, columns, base.
        "bankzaken" => {
            r#"<path d="M3 9l9-5 9 5z"/><path d="M5 10v8M9.5 10v8M14.5 10v8M19 10v8M3 21h18"/>"#
        }
        // A wallet: making ends meet and debts.
        "geldzaken-schulden" => {
            r#"<path d="M4 7h15v13H4z"/><path d="M4 7l11-3v3"/><path d="M14 12h5v4h-5z"/>"#
        }
        // A laptop: phone, computer and internet.
        "apparaten" => {
            r#"<rect x="5" y="5" width="14" height="10" rx="1"/><path d="M3 19h18l-2-4H5z"/>"#
        }
        // A phone: setting up a phone or tablet.
        "telefoon-tablet" => {
            r#"<rect x="7" y="2" width="10" height="20" rx="2"/><path d="M11 18h2"/>"#
        }
        // An envelope: e-mail and internet.
        "email-internet" => {
            r#"<rect x="3" y="6" width="18" height="13" rx="1"/><path d="M3 7l9 6 9-6"/>"#
        }
        // A shield with a tick: safe online.
        "veilig-online" => {
            r#"<path d="M12 3l8 3v6c0 5-4 8-8 9-4-1-8-4-8-9V6z"/><path d="M9 12l2 2 4-4"/>"#
        }
        // A house: housing and rent.
        "wonen" => {
            r#"<path d="M3 11l9-7 9 7"/><path d="M5 10v10h14V10"/><path d="M10 20v-6h4v6"/>"#
        }
        // A phone with a key: itsme, signing in to Belgian services.
        "itsme" => {
            r#"<rect x="7" y="2" width="10" height="20" rx="2"/><circle cx="12" cy="9" r="2"/><path d="M12 11v5M12 14h2"/>"#
        }
        // A screen with a euro: the tax return online (Tax-on-web).
        "tax-on-web" => {
            r#"<rect x="3" y="4" width="18" height="12" rx="1"/><path d="M8 20h8M12 16v4"/><path d="M14 8a2.5 2.5 0 1 0 0 4M9 9.5h3M9 11h3"/>"#
        }
        // A folder: one's own tax file (MyMinfin).
        "myminfin" => r#"<path d="M3 6h6l2 2h10v11H3z"/><path d="M8 13h8"/>"#,
        // A counter window: the municipality's e-loket.
        "e-loket" => {
            r#"<rect x="4" y="3" width="16" height="18" rx="1"/><rect x="7" y="7" width="10" height="6"/><path d="M7 17h10"/>"#
        }
        other => match DEFAULT_TOPICS
            .iter()
            .find(|t| t.code == other)
            .and_then(|t| t.parent)
        {
            Some(parent) => topic_icon(parent),
            // A speech bubble: some other question.
            None => r#"<path d="M4 5h16v11H9l-5 4z"/>"#,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_topic_has_a_drawing_of_its_own() {
        let generic = topic_icon("some-topic-an-admin-added");
        let mut seen = std::collections::HashSet::new();
        for t in DEFAULT_TOPICS {
            let icon = topic_icon(t.code);
            assert_ne!(icon, generic, "{}", t.code);
            assert!(seen.insert(icon), "{} shares a drawing", t.code);
        }
    }
}
