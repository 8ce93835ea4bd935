//! Help questions registered at help points, and the code lists they use.

use crate::codes::code_list;

code_list! {
    /// How the resident reached the help point.
    pub enum Channel ("channel") {
        WalkIn = "walk_in", "Binnengelopen";
        Appointment = "appointment", "Op afspraak";
        Phone = "phone", "Telefonisch";
        Outreach = "outreach", "Outreachend";
    }
}

code_list! {
    /// How the question ended.
    pub enum Outcome ("outcome") {
        Solved = "solved", "Opgelost";
        PartlySolved = "partly_solved", "Deels opgelost";
        Referred = "referred", "Doorverwezen";
        NotSolved = "not_solved", "Niet opgelost";
    }
}

code_list! {
    /// Kind of question, as the national IDO monitor counts them.
    pub enum QuestionKind ("kind") {
        DigitalGovernment = "digital_government", "Digitale overheid";
        LibraryService = "library_service", "Dienst van de bibliotheek";
        Other = "other", "Anders";
    }
}

code_list! {
    /// Anonymous age band of the resident.
    pub enum AgeBand ("age_band") {
        Under18 = "0-17", "Jonger dan 18";
        From18 = "18-34", "18 tot 35";
        From35 = "35-49", "35 tot 50";
        From50 = "50-64", "50 tot 65";
        From65 = "65-74", "65 tot 75";
        From75 = "75+", "75 of ouder";
    }
}

/// Longest a single help question may take, in minutes (a working day).
pub const MAX_MINUTES: i64 = 480;

/// A topic of the default taxonomy: code, Dutch label, parent code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicSeed {
    pub code: &'static str,
    pub label: &'static str,
    pub parent: Option<&'static str>,
}

const fn topic(code: &'static str, label: &'static str, parent: Option<&'static str>) -> TopicSeed {
    TopicSeed {
        code,
        label,
        parent,
    }
}

/// The default topic taxonomy shipped with keten; an admin can extend it.
pub const DEFAULT_TOPICS: &[TopicSeed] = &[
    topic("overheid", "Overheid en regelingen", None),
    topic(
        "belastingen-toeslagen",
        "Belastingen en toeslagen",
        Some("overheid"),
    ),
    topic("digid", "DigiD", Some("overheid")),
    topic(
        "uitkering-pensioen",
        "Uitkering en pensioen",
        Some("overheid"),
    ),
    topic("zorg", "Zorg en zorgverzekering", Some("overheid")),
    topic("studie", "Studiefinanciering", Some("overheid")),
    topic("vervoer", "Rijbewijs, auto en boetes", Some("overheid")),
    topic("gemeente-zaken", "Zaken bij de gemeente", Some("overheid")),
    topic("geld", "Geld en bankzaken", None),
    topic("bankzaken", "Bankzaken", Some("geld")),
    topic("geldzaken-schulden", "Rondkomen en schulden", Some("geld")),
    topic("apparaten", "Telefoon, computer en internet", None),
    topic(
        "telefoon-tablet",
        "Telefoon of tablet instellen",
        Some("apparaten"),
    ),
    topic("email-internet", "E-mail en internet", Some("apparaten")),
    topic("veilig-online", "Veilig online", Some("apparaten")),
    topic("wonen", "Wonen en huur", None),
];

code_list! {
    /// The organisation a question concerns.
    pub enum Agency ("agency") {
        Belastingdienst = "belastingdienst", "Belastingdienst";
        Toeslagen = "toeslagen", "Dienst Toeslagen";
        Uwv = "uwv", "UWV";
        Svb = "svb", "SVB";
        Duo = "duo", "DUO";
        Cak = "cak", "CAK";
        Cbr = "cbr", "CBR";
        Ciz = "ciz", "CIZ";
        Cjib = "cjib", "CJIB";
        Rdw = "rdw", "RDW";
        Logius = "logius", "DigiD / Logius";
        Municipality = "municipality", "Gemeente";
        Bank = "bank", "Bank";
        Insurer = "insurer", "Zorgverzekeraar";
        Telecom = "telecom", "Telecomaanbieder";
        Other = "other", "Anders";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_parents_exist_and_codes_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for t in DEFAULT_TOPICS {
            assert!(codes.insert(t.code), "duplicate {}", t.code);
            if let Some(p) = t.parent {
                assert!(
                    DEFAULT_TOPICS
                        .iter()
                        .any(|x| x.code == p && x.parent.is_none())
                );
            }
        }
    }
}
