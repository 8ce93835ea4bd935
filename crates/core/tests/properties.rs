//! Property tests of every parser of outside input (places and postcodes, opening-hours text, spreadsheets and the
//! imports of help points and historical questions) and of the programme selection. Each property runs a modest number of generated cases so the
//! suite stays fast; raise them for a longer hunt with `PROPTEST_CASES`.

use proptest::prelude::*;

/// Cases per property: `PROPTEST_CASES` when set (a longer hunt), else `default`.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        // A failure is kept as a regular regression test instead of a seed file.
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

/// A message for people: Dutch sentences end like sentences; an English or debug text would not say "Regel" etc.
fn is_sentence(message: &str) -> bool {
    let m = message.trim_end();
    !m.is_empty() && m.ends_with(['.', '?', '!']) && !m.contains("panicked")
}

mod place {
    use super::*;
    use keten_core::geo::{ResolveError, resolve_place, suggest_places};
    use keten_core::reference::{Country, PostcodeArea, postcode_area, postcode_areas};

    fn area() -> impl Strategy<Value = &'static PostcodeArea> {
        let all = postcode_areas();
        (0..all.len()).prop_map(move |i| &all[i])
    }

    /// Spaces, tabs and no-break spaces that people (and spreadsheets) put around and inside a postcode.
    fn blank() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(vec![" ", "  ", "\t"]), 0..3)
            .prop_map(|v| v.concat())
    }

    fn cased(text: &str, upper: bool) -> String {
        if upper {
            text.to_uppercase()
        } else {
            text.to_lowercase()
        }
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_text_resolves_or_says_why_in_dutch(input in any::<String>(), be in any::<bool>()) {
            let preferred = if be { Country::Be } else { Country::Nl };
            match resolve_place(&input, preferred) {
                Ok(place) => prop_assert!(!place.label.is_empty()),
                Err(e @ (ResolveError::Empty | ResolveError::NotFound { .. })) => {
                    prop_assert!(is_sentence(&e.to_string()), "{e}");
                }
            }
            prop_assert!(suggest_places(&input, 5).len() <= 5);
        }

        #[test]
        fn postcode_shaped_text_never_panics(
            prefix in prop::sample::select(vec!["", "NL", "NL-", "B-", "BE ", "b", "nl "]),
            digits in "[0-9]{0,6}",
            rest in "[ a-zA-Z,-]{0,8}",
        ) {
            let input = format!("{prefix}{digits}{rest}");
            let _ = resolve_place(&input, Country::Nl);
            let _ = suggest_places(&input, 3);
        }

        /// "3011AB", "3011 ab", " 3011 ", "NL-3011 Ab": every spelling of a reference postcode lands in its own area.
        #[test]
        fn every_reference_postcode_resolves_to_itself(
            area in area(),
            letters in "[a-zA-Z]{2}",
            with_letters in any::<bool>(),
            upper in any::<bool>(),
            with_prefix in any::<bool>(),
            before in blank(),
            between in blank(),
            after in blank(),
        ) {
            let letters = if with_letters && area.country == Country::Nl {
                cased(&letters, upper)
            } else {
                String::new()
            };
            let prefix = match (with_prefix, area.country) {
                (false, _) => "",
                (true, Country::Nl) => "NL-",
                (true, Country::Be) => "B-",
            };
            let input = format!("{before}{prefix}{}{between}{letters}{after}", area.postcode);
            let place = resolve_place(&input, area.country)
                .map_err(|e| TestCaseError::fail(format!("{input:?}: {e}")))?;
            // A Belgian postcode may span municipalities (1804: Vilvoorde and Zemst); it stands for one area.
            let own = postcode_area(area.country, &area.postcode)
                .ok_or_else(|| TestCaseError::fail(format!("{} not found", area.postcode)))?;
            prop_assert_eq!(place.country, area.country, "{:?}", input);
            prop_assert!(place.label.starts_with(&area.postcode), "{:?} -> {}", input, place.label);
            prop_assert_eq!(&place.municipality.code, &own.municipality_code, "{:?}", input);
            prop_assert_eq!(place.point, own.centre);
        }
    }
}

mod hours {
    use super::*;
    use jiff::civil::Time;
    use keten_core::opening_hours::{
        MonthlySlot, TimeSlot, WeekOfMonth, Weekday, WeeklySlot, format_recurring, format_weekly,
        parse_recurring, parse_weekly,
    };

    /// Slots of one day that do not overlap: sorted, distinct minutes paired up (10:00-12:00, 13:30-16:00).
    pub(super) fn day_slots() -> impl Strategy<Value = Vec<TimeSlot>> {
        prop::collection::btree_set(0..24 * 60i16, 0..=6).prop_map(|minutes| {
            let minutes: Vec<i16> = minutes.into_iter().collect();
            minutes
                .chunks_exact(2)
                .filter_map(|pair| {
                    let time = |m: i16| Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).ok();
                    TimeSlot::new(time(pair[0])?, time(pair[1])?).ok()
                })
                .collect()
        })
    }

    pub(super) fn week() -> impl Strategy<Value = Vec<WeeklySlot>> {
        prop::collection::vec(day_slots(), 7).prop_map(|days| {
            Weekday::ALL
                .into_iter()
                .zip(days)
                .flat_map(|(weekday, slots)| {
                    slots
                        .into_iter()
                        .map(move |slot| WeeklySlot { weekday, slot })
                })
                .collect()
        })
    }

    pub(super) fn month() -> impl Strategy<Value = Vec<MonthlySlot>> {
        prop::collection::vec(
            (
                prop::sample::select(WeekOfMonth::ALL.to_vec()),
                prop::sample::select(Weekday::ALL.to_vec()),
                day_slots(),
            ),
            0..4,
        )
        .prop_map(|days| {
            let mut out: Vec<MonthlySlot> = Vec::new();
            for (week, weekday, slots) in days {
                // One list of slots per (week, weekday): a second draw of the same day would overlap the first.
                if out.iter().any(|m| (m.week, m.weekday) == (week, weekday)) {
                    continue;
                }
                out.extend(slots.into_iter().map(|slot| MonthlySlot {
                    week,
                    weekday,
                    slot,
                }));
            }
            out.sort_unstable();
            out
        })
    }

    /// Text made of the syntax's own words, so that many inputs get far into the parser (and some parse).
    fn hours_text() -> impl Strategy<Value = String> {
        let words = vec![
            "ma",
            "di",
            "wo",
            "do",
            "vr",
            "za",
            "zo",
            "maandag",
            "din",
            "werkdagen",
            "weekend",
            "dagelijks",
            "eerste",
            "laatste",
            "2e",
            "elke",
            "van de maand",
            "-",
            "t/m",
            "tot",
            "tot en met",
            "van",
            "en",
            ",",
            ";",
            "\n",
            "gesloten",
            "geen vaste tijden",
            "9",
            "10",
            "12:30",
            "13.00",
            "9u30",
            "17uur",
            "24:00",
            "23:59",
            "0",
            "7",
            "99",
            "5",
            "uur",
            "h",
            "(",
            "é",
            "?",
            "",
        ];
        prop::collection::vec(prop::sample::select(words), 0..12).prop_map(|w| w.join(" "))
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_text_parses_or_gives_a_dutch_message(text in any::<String>()) {
            for result in [parse_weekly(&text).map(|_| ()), parse_recurring(&text).map(|_| ())] {
                if let Err(e) = result {
                    prop_assert_eq!(e.field, "hours");
                    prop_assert!(is_sentence(&e.message), "{:?} -> {:?}", text, e.message);
                }
            }
        }

        /// Whatever the parser accepts, it accepts again in the form it writes, with the same slots.
        #[test]
        fn what_parses_reads_back_the_same(text in hours_text()) {
            match parse_weekly(&text) {
                Ok(slots) => prop_assert_eq!(parse_weekly(&format_weekly(&slots)), Ok(slots)),
                Err(e) => prop_assert!(is_sentence(&e.message), "{:?} -> {:?}", text, e.message),
            }
            match parse_recurring(&text) {
                Ok((weekly, monthly)) => {
                    let again = parse_recurring(&format_recurring(&weekly, &monthly));
                    prop_assert_eq!(again, Ok((weekly, monthly)));
                }
                Err(e) => prop_assert!(is_sentence(&e.message), "{:?} -> {:?}", text, e.message),
            }
        }

        /// An end at or before the start, or two slots that overlap on a day, are refused with a Dutch message.
        #[test]
        fn impossible_times_are_refused(
            day in prop::sample::select(vec!["ma", "dinsdag", "wo", "zaterdag", "werkdagen"]),
            (start, end) in (0..24 * 60i32, 0..24 * 60i32),
            overlap in 1..60i32,
        ) {
            let clock = |m: i32| format!("{}:{:02}", m / 60, m % 60);
            let (early, late) = (start.min(end), start.max(end));
            // Backwards only in the afternoon: "9 tot 5" may one day read as 09:00-17:00, "17:00-13:30" never can.
            let backwards = (early >= 13 * 60).then(|| format!("{day} {}-{}", clock(late), clock(early)));
            let overlapping = (late - early > overlap).then(|| {
                format!("{day} {}-{} en {}-{}", clock(early), clock(late), clock(late - overlap), clock(late))
            });
            for text in backwards.into_iter().chain(overlapping) {
                for result in [parse_weekly(&text).map(|_| ()), parse_recurring(&text).map(|_| ())] {
                    let e = result.err().ok_or_else(|| TestCaseError::fail(format!("{text:?} accepted")))?;
                    prop_assert_eq!(e.field, "hours");
                    prop_assert!(is_sentence(&e.message), "{:?} -> {:?}", text, e.message);
                }
                let monthly = format!("eerste {text}");
                let e = parse_recurring(&monthly).err();
                prop_assert!(e.is_some_and(|e| is_sentence(&e.message)), "{:?}", monthly);
            }
        }

        #[test]
        fn a_weekly_schedule_round_trips(slots in week()) {
            let text = format_weekly(&slots);
            prop_assert_eq!(parse_weekly(&text), Ok(slots), "{}", text);
        }

        #[test]
        fn a_schedule_with_monthly_days_round_trips(weekly in week(), monthly in month()) {
            let text = format_recurring(&weekly, &monthly);
            prop_assert_eq!(parse_recurring(&text), Ok((weekly, monthly)), "{}", text);
        }
    }
}

mod spreadsheet {
    use super::*;
    use keten_core::spreadsheet::{Table, read_csv, read_table};

    /// A cell as the reader gives it back: trimmed.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z;,\t\"' \n\r]{0,8}",
            prop::sample::select(vec!["", "naam", "a;b", "\"", "x\ny", "\u{feff}kop", "1,5"])
                .prop_map(str::to_owned),
        ]
        .prop_map(|c| c.trim().to_owned())
    }

    /// A table as read from a sheet: every row as wide as the header, no blank rows, increasing row numbers.
    fn table() -> impl Strategy<Value = Table> {
        (1..5usize).prop_flat_map(|width| {
            (
                prop::collection::vec(cell(), width),
                prop::collection::vec((0..3usize, prop::collection::vec(cell(), width)), 0..6),
            )
                .prop_map(|(headers, rows)| {
                    let mut number = 1;
                    let rows = rows
                        .into_iter()
                        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
                        .map(|(gap, cells)| {
                            number += 1 + gap;
                            (number, cells)
                        })
                        .collect();
                    Table { headers, rows }
                })
        })
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_bytes_read_or_give_a_dutch_message(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Err(message) = read_table(&bytes) {
                prop_assert!(is_sentence(&message), "{message}");
            }
        }

        /// Bytes that start like a zip file take the Excel path.
        #[test]
        fn any_zip_shaped_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut zip = b"PK\x03\x04".to_vec();
            zip.extend(bytes);
            if let Err(message) = read_table(&zip) {
                prop_assert!(is_sentence(&message), "{message}");
            }
        }

        #[test]
        fn a_table_written_as_csv_reads_back_equal(table in table()) {
            let csv = table.to_csv();
            let again = read_csv(&csv).map_err(TestCaseError::fail)?;
            prop_assert_eq!(again, table, "{:?}", csv);
        }
    }
}

mod help_points {
    use super::*;
    use keten_core::directory::LANGUAGES;
    use keten_core::help_point_import::{Column, parse_help_points_csv, read_help_point_file};
    use keten_core::help_question::DEFAULT_TOPICS;
    use keten_core::opening_hours::{NO_FIXED_HOURS, format_recurring};
    use keten_core::organisation::{HelpPointKind, VenueKind};
    use keten_core::reference::{Country, postcode_areas};
    use keten_core::spreadsheet::Table;

    /// The lines an error may name: 1 up to the last line of the text.
    fn assert_lines_exist(text: &str) -> Result<(), TestCaseError> {
        let report = parse_help_points_csv(text);
        let last = text.matches('\n').count() + 1;
        for e in report.errors().chain(&report.warnings) {
            prop_assert!(
                (1..=last).contains(&e.line),
                "{e} in a text of {last} lines: {text:?}"
            );
            prop_assert!(is_sentence(&e.message), "{e}");
        }
        for (line, _) in &report.rows {
            prop_assert!((2..=last).contains(line), "row {line} of {last}: {text:?}");
        }
        Ok(())
    }

    /// Cells with the import's own words, separators and quotes, so rows get past the header check.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            prop::sample::select(vec![
                "",
                "3011 AB",
                "9000",
                "B-9000",
                "0000",
                "ma-vr 10-16",
                "gesloten",
                "DigiD",
                "nl, en",
                "drempelvrij",
                "a@b.nl",
                "www.x.nl",
                "010 123 45 67",
                "\"",
                "a;b",
                "Hoogstraat 1",
                "x\ny",
                "69352318",
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn header() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(Column::ALL.to_vec()).prop_map(|c| c.dutch().to_owned()),
            cell(),
        ]
    }

    fn sheet() -> impl Strategy<Value = String> {
        // Half of the sheets have the required columns, so their rows are checked too.
        let headers = prop_oneof![
            prop::collection::vec(header(), 0..8),
            prop::collection::vec(header(), 0..4).prop_map(|extra| {
                Column::ALL
                    .iter()
                    .filter(|c| c.required())
                    .map(|c| c.dutch().to_owned())
                    .chain(extra)
                    .collect()
            }),
        ];
        (
            headers,
            prop::collection::vec(prop::collection::vec(cell(), 0..9), 0..5),
            prop::sample::select(vec![";", ",", "\t"]),
            any::<bool>(),
        )
            .prop_map(|(headers, rows, sep, last_line_break)| {
                let table = Table {
                    headers,
                    rows: rows
                        .into_iter()
                        .enumerate()
                        .map(|(i, r)| (i + 2, r))
                        .collect(),
                };
                // Also the other separators, through the CSV writer's quoting rules for ';' only.
                let text = table.to_csv().replace(';', sep);
                // Files end with or without a line break.
                match last_line_break {
                    true => text,
                    false => text.trim_end_matches('\n').to_owned(),
                }
            })
    }

    fn kbo() -> impl Strategy<Value = String> {
        (0..20_000_000u64).prop_map(|n| format!("{n:08}{:02}", 97 - n % 97))
    }

    /// A row every check accepts: generated from the reference postcodes, the code lists and the hours syntax.
    fn valid_row() -> impl Strategy<Value = Vec<String>> {
        let areas = postcode_areas();
        (
            "[A-Z][a-z]{2,12}( [A-Za-z]{2,8})?",
            "[A-Z][a-z]{3,10}straat [1-9][0-9]{0,2}",
            (0..areas.len(), "[A-Z]{2}", any::<bool>()),
            (super::hours::week(), super::hours::month()).prop_map(|(weekly, monthly)| {
                match format_recurring(&weekly, &monthly) {
                    none if none.is_empty() => NO_FIXED_HOURS.to_owned(),
                    text => text,
                }
            }),
            prop::sample::subsequence(
                DEFAULT_TOPICS.iter().map(|t| t.label).collect::<Vec<_>>(),
                0..3,
            ),
            prop::sample::subsequence(LANGUAGES.iter().map(|l| l.0).collect::<Vec<_>>(), 0..3),
            prop::sample::select(HelpPointKind::ALL.to_vec()),
            prop::sample::select(VenueKind::ALL.to_vec()),
            prop::sample::subsequence(
                vec!["drempelvrij", "toilet", "ringleiding", "stille ruimte"],
                0..4,
            ),
            (
                "(0[1-9]0 [0-9]{3} [0-9]{2} [0-9]{2})?",
                "([a-z]{1,8}@[a-z]{2,8}\\.nl)?",
                "(www\\.[a-z]{2,8}\\.(nl|be))?",
            ),
            ("[A-Za-z ,.]{0,40}", "([0-9]{8})?", prop::option::of(kbo())),
        )
            .prop_map(
                move |(
                    name,
                    address,
                    (area, letters, full),
                    hours,
                    topics,
                    languages,
                    kind,
                    venue,
                    access,
                    (phone, email, website),
                    (prep, kvk, kbo),
                )| {
                    let area = &areas[area];
                    let postcode = if full && area.country == Country::Nl {
                        format!("{}{letters}", area.postcode)
                    } else {
                        area.postcode.clone()
                    };
                    Column::ALL
                        .iter()
                        .map(|column| match column {
                            Column::Name => name.clone(),
                            Column::Address => address.clone(),
                            Column::Postcode => postcode.clone(),
                            Column::City => area.place.clone(),
                            Column::Hours => hours.clone(),
                            Column::Topics => topics.join(", "),
                            Column::Languages => languages.join(", "),
                            Column::Kind => kind.as_str().to_owned(),
                            Column::Venue => venue.label().to_owned(),
                            Column::Accessibility => access.join(", "),
                            Column::Phone => phone.clone(),
                            Column::Email => email.clone(),
                            Column::Website => website.clone(),
                            Column::Preparation => prep.trim().to_owned(),
                            Column::Kvk => kvk.clone(),
                            Column::Kbo => kbo.clone().unwrap_or_default(),
                        })
                        .collect()
                },
            )
    }

    fn as_csv(rows: &[Vec<String>]) -> String {
        Table {
            headers: Column::ALL.iter().map(|c| c.dutch().to_owned()).collect(),
            rows: rows
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, r)| (i + 2, r))
                .collect(),
        }
        .to_csv()
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_text_gives_errors_on_lines_that_exist(text in any::<String>()) {
            assert_lines_exist(&text)?;
        }

        #[test]
        fn any_sheet_gives_errors_on_lines_that_exist(text in sheet()) {
            assert_lines_exist(&text)?;
        }

        #[test]
        fn any_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..300), zip in any::<bool>()) {
            let bytes = if zip { [b"PK\x03\x04".as_slice(), &bytes].concat() } else { bytes };
            match read_help_point_file(&bytes) {
                Ok((text, _)) => assert_lines_exist(&text)?,
                Err(message) => prop_assert!(is_sentence(&message), "{message}"),
            }
        }

        /// Valid rows are accepted, and the cells of what was read read back as the same help points.
        #[test]
        fn valid_rows_are_accepted_and_their_cells_round_trip(rows in prop::collection::vec(valid_row(), 1..4)) {
            // Two rows with the same name and postcode are one help point twice: keep the first.
            let mut unique: Vec<Vec<String>> = Vec::new();
            for row in rows {
                if !unique.iter().any(|u| u[0].to_lowercase() == row[0].to_lowercase() && u[2] == row[2]) {
                    unique.push(row);
                }
            }
            let text = as_csv(&unique);
            let report = parse_help_points_csv(&text);
            let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
            prop_assert!(report.is_ok(), "{:?}\n{}", errors, text);
            let cells: Vec<Vec<String>> = report.help_points().map(|r| r.cells()).collect();
            prop_assert_eq!(cells.len(), unique.len());
            let again = parse_help_points_csv(&as_csv(&cells));
            let errors: Vec<String> = again.errors().map(ToString::to_string).collect();
            prop_assert!(again.is_ok(), "{:?}", errors);
            let first: Vec<_> = report.help_points().cloned().collect();
            let second: Vec<_> = again.help_points().cloned().collect();
            prop_assert_eq!(second, first);
        }
    }
}

mod questions {
    use super::*;
    use keten_core::help_question::{Agency, Categories, DEFAULT_TOPICS, QuestionKind};
    use keten_core::help_question_import::{Field, Mapping, Vocabulary, plan};
    use keten_core::opening_hours::Region;
    use keten_core::spreadsheet::{Table, read_table};

    fn vocabulary() -> (Vocabulary, Categories) {
        let pairs = |all: Vec<(&str, &str)>| -> Vec<(String, String)> {
            all.into_iter()
                .map(|(c, l)| (c.to_owned(), l.to_owned()))
                .collect()
        };
        let v = Vocabulary {
            topics: pairs(DEFAULT_TOPICS.iter().map(|t| (t.code, t.label)).collect()),
            agencies: pairs(
                Agency::ALL
                    .iter()
                    .map(|a| (a.as_str(), a.label()))
                    .collect(),
            ),
            kinds: pairs(
                QuestionKind::ALL
                    .iter()
                    .map(|k| (k.as_str(), k.label()))
                    .collect(),
            ),
        };
        let c = Categories {
            topics: v.topics.iter().map(|(c, _)| c.clone()).collect(),
            agencies: v.agencies.iter().map(|(c, _)| c.clone()).collect(),
            kinds: v.kinds.iter().map(|(c, _)| c.clone()).collect(),
        };
        (v, c)
    }

    fn now() -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_772_442_000).unwrap_or(jiff::Timestamp::UNIX_EPOCH) // 2026-03-02
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}( [0-9]{1,2}:[0-9]{1,3})?",
            prop::sample::select(vec![
                "",
                "DigiD",
                "digid",
                "15",
                "0",
                "481",
                "ja",
                "nee",
                "Telefonisch",
                "75 of ouder",
                "3011 AB",
                "2026-03-02T10:15",
                "31-02-2026",
                "2026-03-02 25:00",
                "2026-03-02 10:é",
            ])
            .prop_map(str::to_owned),
        ]
    }

    fn table() -> impl Strategy<Value = Table> {
        let headers = prop_oneof![
            prop::sample::select(Field::ALL.to_vec()).prop_map(|f| f.name().to_owned()),
            any::<String>(),
        ];
        (
            prop::collection::vec(headers, 0..8),
            prop::collection::vec((0..3usize, prop::collection::vec(cell(), 0..9)), 0..6),
        )
            .prop_map(|(headers, rows)| {
                let mut number = 1;
                let rows = rows
                    .into_iter()
                    .map(|(gap, cells)| {
                        number += 1 + gap;
                        (number, cells)
                    })
                    .collect();
                Table { headers, rows }
            })
    }

    fn check(table: &Table) -> Result<(), TestCaseError> {
        let (v, c) = vocabulary();
        let Ok(mapping) = Mapping::build(&table.headers, &[]) else {
            return Ok(());
        };
        let result = plan(table, &mapping, &v, &c, now(), Region::Nl);
        let lines: Vec<usize> = table.rows.iter().map(|(n, _)| *n).collect();
        for e in &result.errors {
            prop_assert!(lines.contains(&e.line), "{e}: lines {lines:?}");
            prop_assert!(is_sentence(&e.message), "{e}");
        }
        for (line, _) in &result.visits {
            prop_assert!(lines.contains(line));
        }
        prop_assert_eq!(result.errors.len() + result.visits.len(), table.rows.len());
        Ok(())
    }

    fn valid_row() -> impl Strategy<Value = Vec<String>> {
        (
            (2020..=2025i16, 1..=12i8, 1..=28i8, any::<bool>()),
            prop::option::of((0..24i8, 0..60i8)),
            prop::sample::select(DEFAULT_TOPICS.iter().map(|t| t.label).collect::<Vec<_>>()),
            1..=480i64,
        )
            .prop_map(|((y, m, d, dutch), time, topic, minutes)| {
                let date = if dutch {
                    format!("{d:02}-{m:02}-{y}")
                } else {
                    format!("{y}-{m:02}-{d:02}")
                };
                let date = match time {
                    Some((h, min)) => format!("{date} {h:02}:{min:02}"),
                    None => date,
                };
                vec![date, topic.to_owned(), minutes.to_string()]
            })
    }

    proptest! {
        #![proptest_config(config(256))]

        #[test]
        fn any_table_gives_errors_on_its_own_rows(table in table()) {
            check(&table)?;
        }

        #[test]
        fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(table) = read_table(&bytes) {
                check(&table)?;
            }
        }

        /// Hand-made column choices (`--map datum="Wanneer"`) never panic; unknown fields and columns are named.
        #[test]
        fn any_mapping_is_built_or_refused_in_dutch(
            headers in prop::collection::vec(any::<String>(), 0..5),
            overrides in prop::collection::vec((any::<String>(), any::<String>()), 0..4),
        ) {
            if let Err(errors) = Mapping::build(&headers, &overrides) {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(is_sentence(&e), "{e}");
                }
            }
        }

        #[test]
        fn valid_rows_are_accepted(rows in prop::collection::vec(valid_row(), 1..6)) {
            let table = Table {
                headers: vec!["datum".into(), "onderwerp".into(), "minuten".into()],
                rows: rows.into_iter().enumerate().map(|(i, r)| (i + 2, r)).collect(),
            };
            // Through the CSV text a spreadsheet program would write.
            let table = keten_core::spreadsheet::read_csv(&table.to_csv()).map_err(TestCaseError::fail)?;
            let (v, c) = vocabulary();
            let mapping = Mapping::build(&table.headers, &[]).map_err(|e| TestCaseError::fail(e.join(" ")))?;
            let result = plan(&table, &mapping, &v, &c, now(), Region::Nl);
            prop_assert!(result.is_ok(), "{:?}", result.errors);
            prop_assert_eq!(result.visits.len(), table.rows.len());
        }
    }
}

mod selection {
    use super::*;
    use keten_core::selection::{
        Candidate, Decision, ProbabilityMethod, RefusalReason, SelectionRules, Stratum, select,
    };

    const REFUSALS: [RefusalReason; 3] = [
        RefusalReason::OverCap,
        RefusalReason::ConditionNotConfirmed,
        RefusalReason::NotEligible,
    ];

    fn candidates(max: usize) -> impl Strategy<Value = Vec<Candidate>> {
        prop::collection::vec(
            (
                0..3usize,
                0..3usize,
                0u64..1_000,
                prop::option::weighted(0.2, 0..3usize),
            ),
            0..max,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (size, region, amount, refusal))| Candidate {
                    id: format!("a{i}"),
                    stratum: Stratum::new(
                        ["klein", "middel", "groot"][size],
                        ["Noord", "Oost", "Zuid"][region],
                    ),
                    amount_cents: amount,
                    refusal: refusal.map(|r| REFUSALS[r]),
                })
                .collect()
        })
    }

    /// Every integer quota vector with `lower <= q_s <= n_s` summing to `seats` (brute force).
    fn all_quota_vectors(sizes: &[u32], lower: u32, seats: u32) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        let mut current = Vec::new();
        fn walk(
            sizes: &[u32],
            lower: u32,
            left: u32,
            current: &mut Vec<u32>,
            out: &mut Vec<Vec<u32>>,
        ) {
            let Some((&n, rest)) = sizes.split_first() else {
                if left == 0 {
                    out.push(current.clone());
                }
                return;
            };
            for q in lower.min(n)..=n.min(left) {
                current.push(q);
                walk(rest, lower, left - q, current, out);
                current.pop();
            }
        }
        walk(sizes, lower, seats, &mut current, &mut out);
        out
    }

    /// Squared distance to the proportional shares, times N² (exact, in integers).
    fn imbalance(quotas: &[u32], sizes: &[u32], seats: u32) -> i128 {
        let total: i128 = sizes.iter().map(|&n| i128::from(n)).sum();
        quotas
            .iter()
            .zip(sizes)
            .map(|(&q, &n)| {
                let d = total * i128::from(q) - i128::from(seats) * i128::from(n);
                d * d
            })
            .sum()
    }

    proptest! {
        #![proptest_config(config(256))]

        /// Never over capacity or budget, never a refused candidate, quotas kept, and the same input and seed give
        /// the same result.
        #[test]
        fn hard_rules_hold_and_draws_repeat(
            cs in candidates(14), capacity in 0u32..10, budget in prop::option::of(0u64..4_000), seed in any::<u64>()
        ) {
            let rules = SelectionRules { capacity, budget_cents: budget, seed };
            let sel = select(&cs, &rules).unwrap();
            prop_assert_eq!(&sel, &select(&cs, &rules).unwrap());
            prop_assert_eq!(sel.outcomes.len(), cs.len());
            let chosen: Vec<&Candidate> = cs
                .iter()
                .zip(&sel.outcomes)
                .filter(|(_, o)| o.decision == Decision::Selected)
                .map(|(c, _)| c)
                .collect();
            prop_assert!(chosen.len() <= capacity as usize);
            let spent: u64 = chosen.iter().map(|c| c.amount_cents).sum();
            prop_assert_eq!(spent, sel.spent_cents);
            if let Some(b) = budget {
                prop_assert!(spent <= b);
            }
            for (c, o) in cs.iter().zip(&sel.outcomes) {
                prop_assert_eq!(&c.id, &o.id);
                if let Some(reason) = c.refusal {
                    prop_assert_eq!(&o.decision, &Decision::Refused { reason });
                    prop_assert!(o.probability == 0.0);
                } else {
                    let competes = matches!(o.decision, Decision::Selected | Decision::Reserve { .. });
                    prop_assert!(competes);
                    prop_assert!((0.0..=1.0).contains(&o.probability));
                }
            }
            for q in &sel.quotas {
                prop_assert!(q.selected <= q.seats && q.seats <= q.applicants);
                let in_stratum = chosen.iter().filter(|c| c.stratum == q.stratum).count();
                prop_assert_eq!(in_stratum, q.selected as usize);
            }
            if budget.is_none() {
                let eligible = cs.iter().filter(|c| c.refusal.is_none()).count();
                prop_assert_eq!(chosen.len(), eligible.min(capacity as usize));
            }
        }

        /// Without a budget the quotas are as balanced as the best vector brute force finds (least squares to the
        /// proportional shares, one seat per stratum when capacity allows), the probabilities add up to the seats,
        /// and the smallest probability is at least that of any single most-balanced quota vector.
        #[test]
        fn balance_equals_brute_force(cs in candidates(12), capacity in 0u32..9, seed in any::<u64>()) {
            let sel = select(&cs, &SelectionRules { capacity, budget_cents: None, seed }).unwrap();
            prop_assert_eq!(sel.probability_method, ProbabilityMethod::Exact);
            let sizes: Vec<u32> = sel.quotas.iter().map(|q| q.applicants).collect();
            let seats: u32 = sel.quotas.iter().map(|q| q.seats).sum();
            let eligible: u32 = sizes.iter().sum();
            prop_assert_eq!(seats, capacity.min(eligible));
            let lower = u32::from(seats as usize >= sizes.len());
            let vectors = all_quota_vectors(&sizes, lower, seats);
            let best = vectors.iter().map(|v| imbalance(v, &sizes, seats)).min();
            let chosen: Vec<u32> = sel.quotas.iter().map(|q| q.seats).collect();
            prop_assert_eq!(Some(imbalance(&chosen, &sizes, seats)), best);
            if lower == 1 {
                prop_assert!(chosen.iter().all(|&q| q >= 1));
            }
            let total: f64 = sel.outcomes.iter().map(|o| o.probability).sum();
            prop_assert!((total - f64::from(seats)).abs() < 1e-6, "{} vs {}", total, seats);
            let min_p = sel
                .outcomes
                .iter()
                .zip(&cs)
                .filter(|(_, c)| c.refusal.is_none())
                .map(|(o, _)| o.probability)
                .fold(f64::INFINITY, f64::min);
            if let Some(best) = best {
                let single = vectors
                    .iter()
                    .filter(|v| imbalance(v, &sizes, seats) == best)
                    .map(|v| v.iter().zip(&sizes).map(|(&q, &n)| f64::from(q) / f64::from(n)).fold(f64::INFINITY, f64::min))
                    .fold(0.0, f64::max);
                prop_assert!(sizes.is_empty() || min_p >= single - 1e-9, "{} < {}", min_p, single);
            }
        }
    }

    /// The reported probabilities are the draw's real frequencies (over many seeds), ties for the last seat included.
    #[test]
    fn probabilities_match_frequencies() {
        // Sizes 1, 3, 4, 4 and 5 seats: one seat each, then the gaps ×12 are 5−12, 15−12, 20−12, 20−12: the two
        // strata of 4 tie for the last seat.
        let strata = [
            ("klein", "Noord", 1),
            ("klein", "Zuid", 3),
            ("groot", "Noord", 4),
            ("groot", "Zuid", 4),
        ];
        let mut cs = Vec::new();
        for (size, region, n) in strata {
            for i in 0..n {
                cs.push(Candidate {
                    id: format!("{size}-{region}-{i}"),
                    stratum: Stratum::new(size, region),
                    amount_cents: 0,
                    refusal: None,
                });
            }
        }
        let runs = 4_000u32;
        let mut counts = vec![0u32; cs.len()];
        for seed in 0..u64::from(runs) {
            let sel = select(
                &cs,
                &SelectionRules {
                    capacity: 5,
                    budget_cents: None,
                    seed,
                },
            )
            .unwrap();
            for (i, o) in sel.outcomes.iter().enumerate() {
                if o.decision == Decision::Selected {
                    counts[i] += 1;
                }
            }
        }
        let sel = select(
            &cs,
            &SelectionRules {
                capacity: 5,
                budget_cents: None,
                seed: 0,
            },
        )
        .unwrap();
        for (i, o) in sel.outcomes.iter().enumerate() {
            let freq = f64::from(counts[i]) / f64::from(runs);
            assert!(
                (freq - o.probability).abs() < 0.03,
                "{}: {} vs {}",
                o.id,
                freq,
                o.probability
            );
        }
        // A tie happened: some stratum's expected seats are fractional.
        assert!(
            sel.quotas.iter().any(|q| q.expected_seats.fract() > 0.0),
            "{:?}",
            sel.quotas
        );
    }
}
