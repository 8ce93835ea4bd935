//! Languages of the public pages: the Fluent catalogues in `crates/web/locales/<lang>/`, the choice per request,
//! and the wording of domain values (topics, weekdays, opening times) in the reader's language.
//!
//! Every folder under `locales/` is a language: the catalogues are compiled into the binary and found by
//! folder name, so adding a language is adding a folder of `.ftl` files with the same message keys.

use fluent_templates::Loader;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::loader::LanguageIdentifier;
use jiff::civil::{Date, Time};
use keten_core::opening_hours::{
    OpeningHours, OpeningWhen, TimeSlot, WeekOfMonth, Weekday, WeeklySlot, clock_text,
    monthly_table,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

mod catalogue {
    // The macro's expansion unwraps parse results of the compiled-in files; the unit test
    // `every_catalogue_has_every_key` loads them all, so a broken file fails the tests, not a request.
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    fluent_templates::static_loader! {
        pub static LOCALES = {
            locales: "./locales",
            fallback_language: "nl",
            // No Unicode isolation marks around arguments: pages are HTML and set `lang` themselves.
            customise: |bundle| bundle.set_use_isolating(false),
        };
    }
}

use catalogue::LOCALES;

/// The language of residents' pages when nothing else is asked for.
pub const DEFAULT: &str = "nl";
/// The cookie that remembers the resident's choice.
pub const COOKIE: &str = "keten_lang";
/// The query parameter of the language switch; share links keep it. (`taal` is the finder's
/// "help in another language" filter.)
pub const PARAM: &str = "lang";

struct Known {
    code: String,
    id: LanguageIdentifier,
}

/// The languages with a catalogue, Dutch first, the others by code.
static KNOWN: LazyLock<Vec<Known>> = LazyLock::new(|| {
    let mut known: Vec<Known> = LOCALES
        .locales()
        .map(|id| Known {
            code: id.to_string().to_lowercase(),
            id: id.clone(),
        })
        .collect();
    known.sort_by(|a, b| (a.code != DEFAULT, &a.code).cmp(&(b.code != DEFAULT, &b.code)));
    known
});

/// A language keten has a catalogue for.
#[derive(Clone, Copy)]
pub struct Lang(&'static Known);

impl PartialEq for Lang {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}
impl Eq for Lang {}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0.code)
    }
}

/// The code, as `<html lang>` wants it.
impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.code)
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang::dutch()
    }
}

impl Lang {
    /// Dutch: staff pages and the fallback for everything.
    pub fn dutch() -> Lang {
        Lang::all()
            .find(|l| l.code() == DEFAULT)
            .or_else(|| Lang::all().next())
            .unwrap_or_else(|| {
                unreachable!("the static loader refuses to build without the fallback language")
            })
    }

    pub fn all() -> impl Iterator<Item = Lang> {
        KNOWN.iter().map(Lang)
    }

    pub fn code(self) -> &'static str {
        &self.0.code
    }

    /// A language by code (`en`, `en-GB`, `NL`): exact, else by its primary subtag.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_lowercase();
        if code.is_empty() {
            return None;
        }
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        Lang::all()
            .find(|l| l.code() == code)
            .or_else(|| Lang::all().find(|l| l.code() == primary))
    }

    /// The best language for an `Accept-Language` header (`en-GB,en;q=0.9,nl;q=0.8`), if any is known.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut wanted: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|v| v.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0 && !tag.is_empty() && tag != "*").then_some((q, position, tag))
            })
            .collect();
        // Highest weight first; equal weights keep the order the browser sent.
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted
            .into_iter()
            .find_map(|(_, _, tag)| Lang::from_code(tag))
    }

    /// The message `key`; a key missing everywhere is logged and shown as itself (the tests look for that).
    pub fn t(self, key: &str) -> String {
        self.lookup(key, None)
    }

    /// The message `key` with one argument.
    pub fn t1(self, key: &str, name: &'static str, value: impl fmt::Display) -> String {
        self.t_args(key, &[(name, value.to_string())])
    }

    /// The message `key` with two arguments.
    pub fn t2(
        self,
        key: &str,
        name1: &'static str,
        value1: impl fmt::Display,
        name2: &'static str,
        value2: impl fmt::Display,
    ) -> String {
        self.t_args(
            key,
            &[(name1, value1.to_string()), (name2, value2.to_string())],
        )
    }

    /// The message `key` with text arguments.
    pub fn t_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
            .collect();
        self.lookup(key, Some(&map))
    }

    /// The message `key` if some catalogue has it (this language's, else Dutch).
    pub fn try_t(self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.0.id, key)
    }

    /// Whether this language's own catalogue has `key` (no fallback) and formats it without error
    /// given `args`: for the catalogue tests.
    pub fn has(self, key: &str, args: &[&'static str]) -> bool {
        let map: HashMap<&str, FluentValue<'_>> = args
            .iter()
            .map(|name| (*name, FluentValue::from("x")))
            .collect();
        LOCALES
            .lookup_single_language(&self.0.id, key, Some(&map))
            .is_ok()
    }

    fn lookup(
        self,
        key: &str,
        args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>,
    ) -> String {
        match LOCALES.try_lookup_complete(&self.0.id, key, args) {
            Some(text) => text,
            None => {
                tracing::warn!(
                    key,
                    lang = self.code(),
                    "message missing from every catalogue"
                );
                key.to_owned()
            }
        }
    }

    // --- domain values in words ---

    /// A topic's name: the catalogue's `topic-CODE`, else the label stored with the topic (topics an admin added).
    pub fn topic(self, code: &str, stored_label: &str) -> String {
        self.try_t(&format!("topic-{code}"))
            .unwrap_or_else(|| stored_label.to_owned())
    }

    /// `"maandag"` / `"Monday"`.
    pub fn weekday(self, day: Weekday) -> String {
        self.t(weekday_key(day))
    }

    /// `"dinsdag 3 maart"` / `"Tuesday 3 March"`, with the year when asked.
    pub fn date(self, date: Date, with_year: bool) -> String {
        let month = self.t(&format!("month-{}", date.month()));
        let weekday = self.weekday(Weekday::of(date));
        let mut args = vec![
            ("weekday", weekday),
            ("day", date.day().to_string()),
            ("month", month),
        ];
        if with_year {
            args.push(("year", date.year().to_string()));
            self.t_args("date-with-year", &args)
        } else {
            self.t_args("date", &args)
        }
    }

    /// "Nu open tot 16:00", "Open tomorrow from 10:00 to 12:30", ...
    pub fn opening(self, when: OpeningWhen) -> String {
        let times = |key: &str, start: Time, end: Time| {
            self.t2(key, "start", clock_text(start), "end", clock_text(end))
        };
        match when {
            OpeningWhen::Now { end } => self.t1("open-now", "end", clock_text(end)),
            OpeningWhen::Today { start, end } => times("open-today", start, end),
            OpeningWhen::Tomorrow { start, end } => times("open-tomorrow", start, end),
            OpeningWhen::OnDate {
                date,
                with_year,
                start,
                end,
            } => self.t_args(
                "open-on",
                &[
                    ("date", self.date(date, with_year)),
                    ("start", clock_text(start)),
                    ("end", clock_text(end)),
                ],
            ),
        }
    }

    /// One day's slots: "10:00 - 12:30 en 13:30 - 16:00", or "gesloten".
    pub fn day_slots(self, slots: &[TimeSlot]) -> String {
        if slots.is_empty() {
            return self.t("hours-closed");
        }
        slots
            .iter()
            .map(|s| format!("{} - {}", clock_text(s.start), clock_text(s.end)))
            .collect::<Vec<_>>()
            .join(&format!(" {} ", self.t("word-and")))
    }

    /// Monday to Sunday: (day name, hours in words).
    pub fn weekly_table(self, slots: &[WeeklySlot]) -> Vec<(String, String)> {
        keten_core::opening_hours::weekly_table(slots)
            .into_iter()
            .map(|(day, day_slots)| (self.weekday(day), self.day_slots(&day_slots)))
            .collect()
    }

    /// Only the open days on one line: "dinsdag 10:00 - 12:00; donderdag 14:00 - 16:00".
    pub fn weekly_line(self, slots: &[WeeklySlot]) -> String {
        keten_core::opening_hours::weekly_table(slots)
            .into_iter()
            .filter(|(_, day_slots)| !day_slots.is_empty())
            .map(|(day, day_slots)| format!("{} {}", self.weekday(day), self.day_slots(&day_slots)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// One monthly day: "Elke eerste dinsdag van de maand, 10:00-12:00" / "Every first Tuesday of the month, ...".
    pub fn monthly_line(self, week: WeekOfMonth, day: Weekday, slots: &[TimeSlot]) -> String {
        let times = slots
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(&format!(" {} ", self.t("word-and")));
        self.t_args(
            "hours-monthly",
            &[
                ("week", self.t(week_of_month_key(week))),
                ("weekday", self.weekday(day)),
                ("times", times),
            ],
        )
    }

    /// Regular hours on one line, weekly days first, then monthly ones:
    /// "dinsdag 10:00 - 12:00; Elke laatste vrijdag van de maand, 14:00-16:00".
    pub fn recurring_line(self, hours: &OpeningHours) -> String {
        let weekly = self.weekly_line(&hours.weekly);
        std::iter::once(weekly)
            .filter(|w| !w.is_empty())
            .chain(
                monthly_table(&hours.monthly)
                    .into_iter()
                    .map(|(week, day, slots)| self.monthly_line(week, day, &slots)),
            )
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A distance with one decimal in this language's way: "1,2" / "1.2".
    pub fn km(self, value: f64) -> String {
        format!("{value:.1}").replace('.', &self.t("decimal-separator"))
    }

    /// The name of a language help is given in (`ar` -> "Arabisch" / "Arabic").
    pub fn spoken_language(self, code: &str) -> String {
        self.try_t(&format!("spoken-language-{code}"))
            .unwrap_or_else(|| keten_core::directory::language_name(code).to_owned())
    }

    /// An accessibility feature by code (`step_free`).
    pub fn access_feature(self, code: &str) -> String {
        self.t(&format!("access-{code}"))
    }
}

fn weekday_key(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "weekday-mon",
        Weekday::Tue => "weekday-tue",
        Weekday::Wed => "weekday-wed",
        Weekday::Thu => "weekday-thu",
        Weekday::Fri => "weekday-fri",
        Weekday::Sat => "weekday-sat",
        Weekday::Sun => "weekday-sun",
    }
}

fn week_of_month_key(week: WeekOfMonth) -> &'static str {
    match week {
        WeekOfMonth::First => "week-of-month-1",
        WeekOfMonth::Second => "week-of-month-2",
        WeekOfMonth::Third => "week-of-month-3",
        WeekOfMonth::Fourth => "week-of-month-4",
        WeekOfMonth::Last => "week-of-month-last",
    }
}

/// The message keys the code builds at run time (topics, weekdays, months, features, languages):
/// every catalogue must have them.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys: Vec<String> = keten_core::help_question::DEFAULT_TOPICS
        .iter()
        .map(|t| format!("topic-{}", t.code))
        .collect();
    keys.extend(Weekday::ALL.iter().map(|d| weekday_key(*d).to_owned()));
    keys.extend(
        WeekOfMonth::ALL
            .iter()
            .map(|w| week_of_month_key(*w).to_owned()),
    );
    keys.extend((1..=12).map(|m| format!("month-{m}")));
    keys.extend(
        [
            "step_free",
            "accessible_toilet",
            "hearing_loop",
            "quiet_room",
        ]
        .iter()
        .map(|c| format!("access-{c}")),
    );
    keys.extend(
        keten_core::directory::LANGUAGES
            .iter()
            .map(|(c, _)| format!("spoken-language-{c}")),
    );
    keys
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn locales_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("locales")
    }

    /// Message ids defined in a folder's `.ftl` files (lines `id = ...` at the start of a line).
    fn defined_keys(dir: &Path) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                for line in std::fs::read_to_string(&path).unwrap().lines() {
                    if let Some((id, _)) = line.split_once('=') {
                        let id = id.trim_end();
                        if !id.is_empty()
                            && !line.starts_with([' ', '#', '-', '\t'])
                            && id
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                        {
                            assert!(
                                keys.insert(id.to_owned()),
                                "{id} twice in {}",
                                dir.display()
                            );
                        }
                    }
                }
            }
        }
        keys
    }

    /// Keys the templates and the web code ask for with a literal: `t("...")`, `t1("...`, `t2("...`.
    fn used_keys() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut keys = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for call in ["t(\"", "t1(\"", "t2(\""] {
                for (at, _) in text.match_indices(call) {
                    let before = text[..at].chars().last();
                    if before != Some('.') {
                        continue;
                    }
                    let rest = &text[at + call.len()..];
                    if let Some(end) = rest.find('"') {
                        keys.insert(rest[..end].to_owned());
                    }
                }
            }
        }
        keys
    }

    #[test]
    fn every_catalogue_has_every_key() {
        let languages: Vec<PathBuf> = std::fs::read_dir(locales_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        assert!(languages.len() >= 2, "Dutch and English at least");
        let mut all = BTreeSet::new();
        let mut per_language = Vec::new();
        for dir in &languages {
            let keys = defined_keys(dir);
            all.extend(keys.iter().cloned());
            per_language.push((dir.file_name().unwrap().to_string_lossy().to_string(), keys));
        }
        let used = used_keys();
        assert!(
            used.len() > 50,
            "the scan found the template keys: {used:?}"
        );
        all.extend(used);
        all.extend(dynamic_keys());
        for (code, keys) in &per_language {
            let lang = Lang::from_code(code).unwrap();
            assert_eq!(
                lang.code(),
                code,
                "the folder {code} is a compiled-in language"
            );
            let missing: Vec<&String> = all.iter().filter(|k| !keys.contains(*k)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            // Through the real loader: each message parses and formats in this very catalogue,
            // using only arguments the code passes.
            let args = [
                "weekday",
                "day",
                "month",
                "year",
                "start",
                "end",
                "date",
                "place",
                "municipality",
                "km",
                "topics",
                "topic",
                "suggestions",
                "phone",
                "languages",
                "max",
                "week",
                "times",
                "days",
                "minutes",
                "organisation",
                "point",
                "group",
                "count",
                "country",
                "gb",
                "months",
                "deposit",
                "price",
                "when",
            ];
            for key in &all {
                assert!(lang.has(key, &args), "{code}: {key} does not load");
            }
        }
        assert_eq!(Lang::all().count(), per_language.len());
    }

    #[test]
    fn accept_language_picks_the_best_known_language() {
        let code = |h: &str| Lang::from_accept_language(h).map(Lang::code);
        assert_eq!(code("en-GB,en;q=0.9,nl;q=0.8"), Some("en"));
        assert_eq!(code("de-DE,de;q=0.9,nl;q=0.5,en;q=0.4"), Some("nl"));
        assert_eq!(code("fr;q=0.9, en;q=0.95"), Some("en"));
        assert_eq!(code("de, fr"), None);
        assert_eq!(code("en;q=0, nl"), Some("nl"));
        assert_eq!(code("*"), None);
        assert_eq!(code(""), None);
        assert_eq!(Lang::from_code("EN").map(Lang::code), Some("en"));
        assert_eq!(Lang::from_code("xx"), None);
        assert_eq!(Lang::dutch().code(), "nl");
    }

    #[test]
    fn domain_values_in_both_languages() {
        let nl = Lang::from_code("nl").unwrap();
        let en = Lang::from_code("en").unwrap();
        let date = Date::new(2026, 3, 3).unwrap();
        assert_eq!(nl.date(date, false), "dinsdag 3 maart");
        assert_eq!(en.date(date, true), "Tuesday 3 March 2026");
        assert_eq!(nl.km(1.25), "1,2");
        assert_eq!(en.km(0.44), "0.4");
        assert_eq!(en.topic("digid", "DigiD"), "DigiD");
        assert_eq!(en.topic("bankzaken", "Bankzaken"), "Banking");
        assert_eq!(
            en.topic("eigen-onderwerp", "Eigen onderwerp"),
            "Eigen onderwerp"
        );
        let t = |s: &str| s.parse::<Time>().unwrap();
        let when = OpeningWhen::Tomorrow {
            start: t("10:00"),
            end: t("12:30"),
        };
        assert_eq!(nl.opening(when), "Morgen open van 10:00 tot 12:30");
        assert_eq!(en.opening(when), "Open tomorrow from 10:00 to 12:30");
        assert_eq!(
            en.opening(OpeningWhen::OnDate {
                date,
                with_year: false,
                start: t("10:00"),
                end: t("12:00")
            }),
            "Open on Tuesday 3 March from 10:00 to 12:00"
        );
        assert_eq!(
            en.monthly_line(
                WeekOfMonth::Last,
                Weekday::Fri,
                &[
                    TimeSlot::new(t("09:00"), t("10:00")).unwrap(),
                    TimeSlot::new(t("14:00"), t("16:00")).unwrap()
                ]
            ),
            "Every last Friday of the month, 09:00-10:00 and 14:00-16:00"
        );
        assert_eq!(en.spoken_language("ar"), "Arabic");
        assert_eq!(nl.spoken_language("ar"), "Arabisch");
        assert_eq!(
            en.access_feature("step_free"),
            "No stairs (wheelchair or walker)"
        );
    }

    #[test]
    fn dutch_monthly_wording_matches_core() {
        let nl = Lang::dutch();
        let slot = TimeSlot::new("10:00".parse().unwrap(), "12:00".parse().unwrap()).unwrap();
        for week in WeekOfMonth::ALL {
            assert_eq!(
                nl.monthly_line(week, Weekday::Tue, &[slot]),
                keten_core::opening_hours::describe_monthly_nl(week, Weekday::Tue, &[slot])
            );
        }
        assert_eq!(
            nl.monthly_line(WeekOfMonth::First, Weekday::Tue, &[slot]),
            "Elke eerste dinsdag van de maand, 10:00-12:00"
        );
    }

    #[test]
    fn dutch_wording_matches_core() {
        // The Dutch catalogue and core's describe_nl agree, so the API's text and the page's text are the same.
        use keten_core::opening_hours::{OpenPeriod, Region};
        let nl = Lang::dutch();
        let now: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        for (start, end) in [
            ("2026-03-02T08:00:00Z", "2026-03-02T15:00:00Z"),
            ("2026-03-02T12:30:00Z", "2026-03-02T15:00:00Z"),
            ("2026-03-03T09:00:00Z", "2026-03-03T11:00:00Z"),
            ("2026-03-05T09:00:00Z", "2026-03-05T11:00:00Z"),
            ("2027-01-05T09:00:00Z", "2027-01-05T11:00:00Z"),
        ] {
            let period = OpenPeriod {
                start: start.parse().unwrap(),
                end: end.parse().unwrap(),
                is_now: false,
            };
            assert_eq!(
                nl.opening(period.when(now, Region::Nl)),
                period.describe_nl(now, Region::Nl)
            );
        }
    }
}
