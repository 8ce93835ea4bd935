//! Geography: points and distances, and the place resolver that turns a postcode or place name into a point.
//!
//! The resolver works on the compiled-in reference data ([`crate::reference`]). Its name index is built once, on
//! first use; resolving one input is a hash lookup and takes microseconds.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::LazyLock;

use crate::reference::{self, Country, Municipality};

/// A point in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

/// Mean earth radius (IUGG), in kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Ratio of walking-route length to straight-line distance (the "circuity" of a street network). Published values for
/// towns are mostly between about 1.2 and 1.4; 1.3 is an assumed middle value, not measured here. It serves to show
/// "about N km walking"; it is not a route.
const WALKING_DETOUR_FACTOR: f64 = 1.3;

/// Great-circle distance in kilometres (haversine formula).
#[must_use]
pub fn distance_km(a: Point, b: Point) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Estimated walking distance in kilometres: the great-circle distance times a detour factor of 1.3.
#[must_use]
pub fn walking_distance_km(a: Point, b: Point) -> f64 {
    distance_km(a, b) * WALKING_DETOUR_FACTOR
}

/// How precise a resolved point is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// A full Dutch postcode (`3011 AB`). Not produced today: only PC4 centroids are available, so a full postcode
    /// resolves with [`Precision::Postcode4`].
    Postcode6,
    /// A 4-digit postcode area (Dutch PC4 or Belgian postcode).
    Postcode4,
    /// A place (woonplaats): the population-weighted centre of its PC4 areas.
    Place,
    /// A municipality: its centre.
    Municipality,
}

/// The outcome of [`resolve_place`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResolvedPlace {
    /// What to show: `"3011 Rotterdam"`, `"3011 AB Rotterdam"` (the letters as given), `"9000 Gent"`, `"Rotterdam"`,
    /// `"Liège"`.
    pub label: String,
    /// The place alone, without a postcode: `"Rotterdam"`, `"Gent"`, `"Liège"`.
    pub place: String,
    pub point: Point,
    pub municipality: &'static Municipality,
    pub precision: Precision,
    pub country: Country,
}

/// Why an input could not be resolved. The messages are Dutch, in plain language (B1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResolveError {
    #[error("Vul een plaats of postcode in.")]
    Empty,
    #[error("{}", not_found_message(suggestions))]
    NotFound {
        input: String,
        /// Real place or municipality names that look like the input (at most 5).
        suggestions: Vec<String>,
    },
}

fn not_found_message(suggestions: &[String]) -> String {
    match suggestions {
        [] => "We kennen deze plaats of postcode niet. Kijk of u het goed hebt geschreven. \
               U kunt ook een postcode met 4 cijfers proberen, zoals 3011."
            .to_owned(),
        [one] => format!("We kennen deze plaats of postcode niet. Bedoelt u misschien: {one}?"),
        [init @ .., last] => format!(
            "We kennen deze plaats of postcode niet. Bedoelt u misschien: {} of {last}?",
            init.join(", ")
        ),
    }
}

/// Maximum number of suggestions in [`ResolveError::NotFound`].
const MAX_SUGGESTIONS: usize = 5;

/// Resolves a postcode or place name to a point.
///
/// Accepted: a 4-digit postcode (`"3011"`, `"9000"`), optionally with the two Dutch letters (`"3011 AB"`,
/// `"3011ab"`) and/or a place after it (`"3011 Rotterdam"`, ignored), optionally with a country prefix that forces
/// the country (`"NL-3011"`, `"B-9000"`, `"BE 9000"`); a place or municipality name in Dutch or French, case- and
/// diacritics-insensitive (`"rotterdam "`, `"Liege"`, `"Bruxelles"`), and a few common aliases (`"Den Bosch"`).
///
/// A postcode that exists in both countries resolves to `preferred`; one that exists in one country only resolves
/// there. A name found in both countries resolves to `preferred` too.
///
/// # Errors
/// [`ResolveError::Empty`] for empty input, [`ResolveError::NotFound`] (with suggestions) otherwise.
pub fn resolve_place(input: &str, preferred: Country) -> Result<ResolvedPlace, ResolveError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ResolveError::Empty);
    }
    if let Some(postcode) = parse_postcode(trimmed) {
        return resolve_postcode(&postcode, preferred).ok_or_else(|| ResolveError::NotFound {
            input: trimmed.to_owned(),
            suggestions: Vec::new(),
        });
    }
    let key = normalise(trimmed);
    if key.is_empty() {
        return Err(ResolveError::NotFound {
            input: trimmed.to_owned(),
            suggestions: Vec::new(),
        });
    }
    let index = &*NAME_INDEX;
    match index.best.get(&key) {
        Some(best) => {
            let target = &index.targets[best[usize::from(preferred == Country::Be)]];
            Ok(ResolvedPlace {
                label: target.label.clone(),
                place: target.label.clone(),
                point: target.point,
                municipality: target.municipality,
                precision: target.precision,
                country: target.municipality.country,
            })
        }
        None => Err(ResolveError::NotFound {
            input: trimmed.to_owned(),
            suggestions: suggest_normalised(&key, MAX_SUGGESTIONS),
        }),
    }
}

/// Up to `limit` real place and municipality names that look like `input`: exact and prefix matches first, then
/// names within a small edit distance (typing errors, swapped letters); larger places first among equals.
#[must_use]
pub fn suggest_places(input: &str, limit: usize) -> Vec<String> {
    suggest_normalised(&normalise(input), limit)
}

// ---------------------------------------------------------------------------------------------------------------
// Postcodes

struct PostcodeInput<'a> {
    /// Forced by a prefix (`NL-`, `B-`, `BE`).
    country: Option<Country>,
    digits: &'a str,
    /// The two letters of a full Dutch postcode, when given (as typed).
    letters: Option<&'a str>,
}

/// Recognises postcode-shaped input. `None` means: not a postcode, try it as a name.
fn parse_postcode(s: &str) -> Option<PostcodeInput<'_>> {
    let (country, rest) = strip_country_prefix(s);
    let digits = rest.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let after = &rest[4..];
    let after_trimmed = after.trim_start();
    let b = after_trimmed.as_bytes();
    let letters = (b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_alphabetic()
        && b.get(2)
            .is_none_or(|c| c.is_ascii_whitespace() || *c == b','))
    .then(|| &after_trimmed[..2]);
    // "3011", "3011 AB", "3011AB", "3011 Rotterdam", "3011, Rotterdam"; not "30111" or "3011Rotterdam".
    let well_formed = after.is_empty()
        || letters.is_some()
        || after.starts_with(|c: char| c.is_whitespace() || c == ',');
    well_formed.then_some(PostcodeInput {
        country,
        digits,
        letters,
    })
}

/// Splits off a country prefix (`NL`, `BE`, `B`, followed by `-`, spaces or directly the digits).
fn strip_country_prefix(s: &str) -> (Option<Country>, &str) {
    for (prefix, country) in [("NL", Country::Nl), ("BE", Country::Be), ("B", Country::Be)] {
        if let Some(head) = s.get(..prefix.len())
            && head.eq_ignore_ascii_case(prefix)
        {
            let rest =
                s[prefix.len()..].trim_start_matches(|c: char| c == '-' || c.is_whitespace());
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return (Some(country), rest);
            }
        }
    }
    (None, s)
}

fn resolve_postcode(p: &PostcodeInput<'_>, preferred: Country) -> Option<ResolvedPlace> {
    let order = match (p.country, p.letters.is_some()) {
        // Letters exist only in Dutch postcodes.
        (Some(Country::Be), true) => return None,
        (Some(c), _) => [Some(c), None],
        (None, true) => [Some(Country::Nl), None],
        (None, false) => [Some(preferred), Some(preferred.other())],
    };
    let area = order
        .into_iter()
        .flatten()
        .find_map(|c| reference::postcode_area(c, p.digits))?;
    let municipality = reference::municipality(&area.municipality_code)?;
    // The resident's own postcode stays in the label ("3011 AB Rotterdam"): a heading with "3011 Rotterdam"
    // reads as if keten did not understand what was typed.
    let postcode = match p.letters {
        Some(letters) => format!("{} {}", area.postcode, letters.to_ascii_uppercase()),
        None => area.postcode.clone(),
    };
    Some(ResolvedPlace {
        label: format!("{postcode} {}", area.place),
        place: area.place.clone(),
        point: area.centre,
        municipality,
        // Only PC4 centroids exist, so "3011 AB" is as precise as "3011".
        precision: Precision::Postcode4,
        country: area.country,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Names

/// Common names that differ from the official one, as facts: alias -> official name in the reference data. An
/// alias is used only when the data does not already know the name (the PC4 data has the place "Den Haag").
const ALIASES: &[(&str, &str)] = &[
    ("Den Haag", "'s-Gravenhage"),
    ("Den Bosch", "'s-Hertogenbosch"),
];

/// Places closer than this to the largest group of the same name are taken as one place that straddles a
/// municipal border; farther ones are different places with the same name (Hengelo Ov. and Hengelo Gld.).
const SAME_PLACE_KM: f64 = 10.0;

#[derive(Clone)]
struct Target {
    label: String,
    point: Point,
    municipality: &'static Municipality,
    precision: Precision,
    population: u32,
}

#[derive(Clone, Copy)]
struct Candidate {
    target: usize,
    /// Matched through a name without its parenthetical ("Bergen" for "Bergen (NH.)").
    weak: bool,
}

struct SuggestEntry {
    key: Vec<char>,
    display: String,
    population: u32,
}

struct NameIndex {
    targets: Vec<Target>,
    /// Normalised name -> best target for preferred NL (index 0) and preferred BE (index 1).
    best: HashMap<String, [usize; 2]>,
    suggestions: Vec<SuggestEntry>,
}

static NAME_INDEX: LazyLock<NameIndex> = LazyLock::new(build_name_index);

#[derive(Default, Clone, Copy)]
struct Sums {
    population: u64,
    weighted_lat: f64,
    weighted_lon: f64,
    n: u32,
    lat: f64,
    lon: f64,
}

impl Sums {
    fn add(&mut self, other: Self) {
        self.population += other.population;
        self.weighted_lat += other.weighted_lat;
        self.weighted_lon += other.weighted_lon;
        self.n += other.n;
        self.lat += other.lat;
        self.lon += other.lon;
    }

    /// Population-weighted centre; plain mean when nobody lives there.
    fn centre(&self) -> Point {
        if self.population > 0 {
            let p = self.population as f64;
            Point {
                lat: self.weighted_lat / p,
                lon: self.weighted_lon / p,
            }
        } else {
            let n = f64::from(self.n.max(1));
            Point {
                lat: self.lat / n,
                lon: self.lon / n,
            }
        }
    }
}

/// Places from the PC4 data: one target per place name (see [`SAME_PLACE_KM`]).
fn place_targets() -> Vec<Target> {
    // (place, municipality code) -> sums, in first-seen order for deterministic output.
    let mut groups: Vec<(&'static str, &'static str, Sums)> = Vec::new();
    let mut group_index: HashMap<(&'static str, &'static str), usize> = HashMap::new();
    for area in reference::postcode_areas()
        .iter()
        .filter(|a| a.country == Country::Nl)
    {
        let pop = u64::from(area.population.unwrap_or(0));
        let add = Sums {
            population: pop,
            weighted_lat: area.centre.lat * pop as f64,
            weighted_lon: area.centre.lon * pop as f64,
            n: 1,
            lat: area.centre.lat,
            lon: area.centre.lon,
        };
        let key = (area.place.as_str(), area.municipality_code.as_str());
        let i = *group_index.entry(key).or_insert_with(|| {
            groups.push((key.0, key.1, Sums::default()));
            groups.len() - 1
        });
        groups[i].2.add(add);
    }
    let mut by_place: Vec<(&'static str, Vec<usize>)> = Vec::new();
    let mut place_index: HashMap<&'static str, usize> = HashMap::new();
    for (i, (place, _, _)) in groups.iter().enumerate() {
        let j = *place_index.entry(place).or_insert_with(|| {
            by_place.push((place, Vec::new()));
            by_place.len() - 1
        });
        by_place[j].1.push(i);
    }
    by_place
        .into_iter()
        .filter_map(|(place, members)| {
            let top = members
                .iter()
                .copied()
                .max_by_key(|&i| (groups[i].2.population, Reverse(i)))?;
            let top_centre = groups[top].2.centre();
            let mut sums = Sums::default();
            for &i in &members {
                if distance_km(groups[i].2.centre(), top_centre) <= SAME_PLACE_KM {
                    sums.add(groups[i].2);
                }
            }
            Some(Target {
                label: place.to_owned(),
                point: sums.centre(),
                municipality: reference::municipality(groups[top].1)?,
                precision: Precision::Place,
                population: u32::try_from(sums.population).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// The name without a trailing parenthetical: "Bergen (NH.)" -> "Bergen".
fn without_parenthetical(name: &str) -> Option<&str> {
    let (head, _) = name.split_once(" (")?;
    Some(head)
}

fn build_name_index() -> NameIndex {
    let mut targets: Vec<Target> = Vec::new();
    let mut candidates: HashMap<String, Vec<Candidate>> = HashMap::new();
    let mut add = |targets: &mut Vec<Target>, key_name: &str, weak: bool, target: Target| {
        let key = normalise(key_name);
        if key.is_empty() {
            return;
        }
        targets.push(target);
        candidates.entry(key).or_default().push(Candidate {
            target: targets.len() - 1,
            weak,
        });
    };
    let municipality_target = |m: &'static Municipality, label: &str| Target {
        label: label.to_owned(),
        point: m.centre,
        municipality: m,
        precision: Precision::Municipality,
        population: m.population,
    };
    for m in reference::municipalities() {
        add(
            &mut targets,
            &m.name,
            false,
            municipality_target(m, &m.name),
        );
        if let Some(short) = without_parenthetical(&m.name) {
            add(&mut targets, short, true, municipality_target(m, &m.name));
        }
        if let Some(fr) = &m.name_fr
            && normalise(fr) != normalise(&m.name)
        {
            add(&mut targets, fr, false, municipality_target(m, fr));
        }
    }
    for place in place_targets() {
        let label = place.label.clone();
        if let Some(short) = without_parenthetical(&label) {
            add(&mut targets, short, true, place.clone());
        }
        add(&mut targets, &label, false, place);
    }
    for (alias, official) in ALIASES {
        let (alias_key, official_key) = (normalise(alias), normalise(official));
        if let Some(list) = candidates.get(&official_key).cloned()
            && let Entry::Vacant(e) = candidates.entry(alias_key)
        {
            e.insert(list);
        }
    }

    let best = candidates
        .iter()
        .filter_map(|(key, list)| {
            let pick = |preferred: Country| {
                list.iter()
                    .min_by_key(|c| rank(c, list, &targets, preferred))
                    .map(|c| c.target)
            };
            Some((key.clone(), [pick(Country::Nl)?, pick(Country::Be)?]))
        })
        .collect();

    let mut suggestions: Vec<SuggestEntry> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let labels = targets.iter().map(|t| (t.label.as_str(), t.population));
    let aliases = ALIASES.iter().filter_map(|(alias, official)| {
        let list = candidates.get(&normalise(official))?;
        let population = list.iter().map(|c| targets[c.target].population).max()?;
        Some((*alias, population))
    });
    for (display, population) in labels.chain(aliases) {
        match seen.entry(display.to_owned()) {
            Entry::Occupied(e) => {
                let s = &mut suggestions[*e.get()];
                s.population = s.population.max(population);
            }
            Entry::Vacant(e) => {
                e.insert(suggestions.len());
                suggestions.push(SuggestEntry {
                    key: normalise(display).chars().collect(),
                    display: display.to_owned(),
                    population,
                });
            }
        }
    }

    NameIndex {
        targets,
        best,
        suggestions,
    }
}

/// Ranks the candidates for one name (lower is better): the preferred country first; then a place whose
/// municipality bears the same name (the city Rotterdam over the municipality Rotterdam: a closer point), then a
/// municipality, then a place, then a place and then a municipality matched without its parenthetical ("Bergen"
/// for "Bergen (NH)"); then by population.
fn rank(
    c: &Candidate,
    list: &[Candidate],
    targets: &[Target],
    preferred: Country,
) -> (bool, u8, Reverse<u32>) {
    let t = &targets[c.target];
    let kind = match (t.precision, c.weak) {
        (Precision::Municipality, false) => 1,
        (Precision::Municipality, true) => 4,
        (_, true) => 3,
        _ => {
            let eponymous = list.iter().any(|o| {
                let ot = &targets[o.target];
                !o.weak
                    && ot.precision == Precision::Municipality
                    && ot.municipality.code == t.municipality.code
            });
            if eponymous { 0 } else { 2 }
        }
    };
    (
        t.municipality.country != preferred,
        kind,
        Reverse(t.population),
    )
}

/// Lower-case, diacritics removed, every run of non-alphanumerics (spaces, hyphens, apostrophes, dots) turned into
/// one space, trimmed: "'s-Hertogenbosch" -> "s hertogenbosch", "Liège" -> "liege".
pub(crate) fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    let mut push = |out: &mut String, c: char| {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    };
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => push(&mut out, 'a'),
            'ç' => push(&mut out, 'c'),
            'è' | 'é' | 'ê' | 'ë' => push(&mut out, 'e'),
            'ì' | 'í' | 'î' | 'ï' => push(&mut out, 'i'),
            'ñ' => push(&mut out, 'n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => push(&mut out, 'o'),
            'ù' | 'ú' | 'û' | 'ü' => push(&mut out, 'u'),
            'ý' | 'ÿ' => push(&mut out, 'y'),
            'ĳ' => {
                push(&mut out, 'i');
                push(&mut out, 'j');
            }
            'æ' => {
                push(&mut out, 'a');
                push(&mut out, 'e');
            }
            'œ' => {
                push(&mut out, 'o');
                push(&mut out, 'e');
            }
            _ => push(&mut out, c),
        }
    }
    out
}

/// Edit distance allowed for a (normalised) input of this length.
fn max_distance(len: usize) -> usize {
    match len {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

fn suggest_normalised(key: &str, limit: usize) -> Vec<String> {
    if key.is_empty() || limit == 0 {
        return Vec::new();
    }
    let input: Vec<char> = key.chars().collect();
    let max = max_distance(input.len());
    let mut rows = OsaRows::default();
    let mut scored: Vec<(usize, Reverse<u32>, &'static str)> = NAME_INDEX
        .suggestions
        .iter()
        .filter_map(|s| {
            let score = if s.key == input {
                0
            } else if input.len() >= 2 && s.key.starts_with(&input) {
                1
            } else {
                1 + rows.distance(&input, &s.key, max)?
            };
            Some((score, Reverse(s.population), s.display.as_str()))
        })
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, d)| d.to_owned())
        .collect()
}

/// Reusable rows for the optimal-string-alignment distance (Levenshtein plus swapping two adjacent letters).
#[derive(Default)]
struct OsaRows {
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

impl OsaRows {
    /// The distance between `a` and `b`, or `None` when it exceeds `max`.
    fn distance(&mut self, a: &[char], b: &[char], max: usize) -> Option<usize> {
        if a.len().abs_diff(b.len()) > max {
            return None;
        }
        let n = b.len();
        for row in [&mut self.before, &mut self.previous, &mut self.current] {
            row.clear();
            row.resize(n + 1, 0);
        }
        for (j, cell) in self.previous.iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            self.current[0] = i;
            let mut row_min = i;
            for j in 1..=n {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (self.previous[j] + 1)
                    .min(self.current[j - 1] + 1)
                    .min(self.previous[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(self.before[j - 2] + 1);
                }
                self.current[j] = d;
                row_min = row_min.min(d);
            }
            if row_min > max {
                return None;
            }
            std::mem::swap(&mut self.before, &mut self.previous);
            std::mem::swap(&mut self.previous, &mut self.current);
        }
        let d = self.previous[n];
        (d <= max).then_some(d)
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn ok(input: &str, preferred: Country) -> ResolvedPlace {
        match resolve_place(input, preferred) {
            Ok(r) => r,
            Err(e) => panic!("{input:?} did not resolve: {e}"),
        }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn distances() {
        let rotterdam = Point {
            lat: 51.9225,
            lon: 4.47917,
        };
        let amsterdam = Point {
            lat: 52.37403,
            lon: 4.88969,
        };
        let d = distance_km(rotterdam, amsterdam);
        assert!(close(d, 57.5, 1.5), "{d}");
        // Reference values: geodesic distances on the WGS84 ellipsoid (Karney's algorithm, geographiclib 2.0,
        // `Geodesic.WGS84.Inverse`), a different model from keten's sphere; the sphere stays within 0.5 %.
        let at = |lat, lon| Point { lat, lon };
        for (from, to, geodesic_km) in [
            (rotterdam, amsterdam, 57.566_046),
            (at(51.0543, 3.7174), at(50.8503, 4.3517), 50.016_799), // Gent - Brussel
            (at(50.8514, 5.6910), at(53.2194, 6.5665), 270.239_912), // Maastricht - Groningen
            (rotterdam, at(51.9315, 4.47917), 1.001_394),           // 0.009 degrees north
        ] {
            let sphere = distance_km(from, to);
            assert!(
                (sphere - geodesic_km).abs() / geodesic_km < 0.005,
                "{sphere} against {geodesic_km}"
            );
        }
        assert!(close(distance_km(amsterdam, rotterdam), d, 1e-9));
        assert!(close(distance_km(rotterdam, rotterdam), 0.0, 1e-9));
        assert!(close(
            walking_distance_km(rotterdam, amsterdam),
            d * 1.3,
            1e-9
        ));
        // One degree of latitude is about 111.2 km.
        let a = Point {
            lat: 50.0,
            lon: 4.0,
        };
        let b = Point {
            lat: 51.0,
            lon: 4.0,
        };
        assert!(close(distance_km(a, b), 111.2, 0.1));
        // Antipodes: half the circumference, no NaN.
        let far = distance_km(
            Point { lat: 0.0, lon: 0.0 },
            Point {
                lat: 0.0,
                lon: 180.0,
            },
        );
        assert!(close(far, std::f64::consts::PI * EARTH_RADIUS_KM, 1e-6));
    }

    #[test]
    fn resolved_municipality_centres_are_sane() {
        let r = ok("Rotterdam", Country::Nl);
        let a = ok("Amsterdam", Country::Nl);
        let d = distance_km(r.point, a.point);
        assert!(close(d, 57.0, 3.0), "{d}");
    }

    #[test]
    fn pc4() {
        for (input, label) in [
            ("3011", "3011 Rotterdam"),
            (" 3011 ", "3011 Rotterdam"),
            ("3011 AB", "3011 AB Rotterdam"),
            ("3011AB", "3011 AB Rotterdam"),
            ("3011 ab", "3011 AB Rotterdam"),
            ("3011 AB Rotterdam", "3011 AB Rotterdam"),
            ("3011 Rotterdam", "3011 Rotterdam"),
            ("NL-3011", "3011 Rotterdam"),
        ] {
            let r = ok(input, Country::Nl);
            assert_eq!(r.label, label, "{input}");
            assert_eq!(
                r.point,
                Point {
                    lat: 51.9197,
                    lon: 4.4875
                }
            );
            assert_eq!(r.municipality.code, "GM0599");
            assert_eq!(r.precision, Precision::Postcode4);
            assert_eq!(r.country, Country::Nl);
        }
        let g = ok("9711", Country::Nl);
        assert_eq!(g.label, "9711 Groningen");
        assert_eq!(
            g.point,
            Point {
                lat: 53.2166,
                lon: 6.5695
            }
        );
        assert_eq!(g.municipality.name, "Groningen");
    }

    #[test]
    fn belgian_postcodes() {
        let g = ok("9000", Country::Be);
        assert_eq!(g.label, "9000 Gent");
        assert_eq!(g.municipality.code, "44021");
        assert_eq!(g.country, Country::Be);
        assert_eq!(g.precision, Precision::Postcode4);
        for input in ["B-9000", "BE 9000", "be-9000", "B9000"] {
            assert_eq!(ok(input, Country::Nl).municipality.code, "44021", "{input}");
        }
        // 3381 has no coordinates of its own: its municipality's centre.
        let glabbeek = ok("3381", Country::Be);
        assert_eq!(glabbeek.point, glabbeek.municipality.centre);
    }

    #[test]
    fn codes_in_both_countries_follow_preference_or_prefix() {
        let both = reference::postcode_areas()
            .iter()
            .filter(|a| a.country == Country::Be)
            .filter(|a| reference::pc4_exists(&a.postcode))
            .map(|a| a.postcode.as_str())
            .collect::<std::collections::HashSet<_>>();
        assert_eq!(both.len(), 389);
        let code = *both.iter().min().unwrap_or(&"");
        assert_eq!(ok(code, Country::Nl).country, Country::Nl);
        assert_eq!(ok(code, Country::Be).country, Country::Be);
        assert_eq!(ok(&format!("NL-{code}"), Country::Be).country, Country::Nl);
        assert_eq!(ok(&format!("B-{code}"), Country::Nl).country, Country::Be);
        assert_eq!(ok(&format!("BE {code}"), Country::Nl).country, Country::Be);
        assert_eq!(ok(&format!("{code} AB"), Country::Be).country, Country::Nl);
    }

    #[test]
    fn code_in_one_country_resolves_there() {
        // 9000 is Belgian only, 3011 Dutch only.
        assert!(!reference::pc4_exists("9000"));
        assert_eq!(ok("9000", Country::Nl).country, Country::Be);
        assert!(reference::postcode_area(Country::Be, "3011").is_none());
        assert_eq!(ok("3011", Country::Be).country, Country::Nl);
        // A forced country is not left.
        assert!(resolve_place("B-3011", Country::Nl).is_err());
        assert!(resolve_place("NL-9000", Country::Nl).is_err());
        assert!(resolve_place("B-9000 AB", Country::Nl).is_err());
    }

    #[test]
    fn names() {
        for input in ["Rotterdam", "rotterdam ", "ROTTERDAM", "  Rotterdam"] {
            let r = ok(input, Country::Nl);
            assert_eq!(r.label, "Rotterdam");
            assert_eq!(r.municipality.code, "GM0599");
            assert_eq!(r.precision, Precision::Place);
            assert!(
                distance_km(
                    r.point,
                    Point {
                        lat: 51.92,
                        lon: 4.48
                    }
                ) < 5.0
            );
        }
        let gent = ok("Gent", Country::Nl);
        assert_eq!(
            (gent.municipality.code.as_str(), gent.country),
            ("44021", Country::Be)
        );
        assert_eq!(gent.precision, Precision::Municipality);
        assert_eq!(ok("Antwerpen", Country::Nl).municipality.code, "11002");
        let fr = ok("Bruxelles", Country::Nl);
        assert_eq!(
            (fr.label.as_str(), fr.municipality.code.as_str()),
            ("Bruxelles", "21004")
        );
        assert_eq!(ok("Brussel", Country::Be).municipality.code, "21004");
        for input in ["Liège", "Liege", "liege", "LIÈGE", "Luik"] {
            assert_eq!(ok(input, Country::Nl).municipality.code, "62063", "{input}");
        }
        assert_eq!(ok("Liege", Country::Nl).label, "Liège");
        let z = ok("Zwijndrecht", Country::Be);
        assert_eq!(z.municipality.code, "GM0642");
        assert_eq!(
            ok("Braine-l'Alleud", Country::Be).municipality.code,
            "25014"
        );
    }

    #[test]
    fn the_hague_and_den_bosch() {
        for input in [
            "'s-Gravenhage",
            "’s-Gravenhage",
            "s Gravenhage",
            "Den Haag",
            "den haag",
        ] {
            assert_eq!(
                ok(input, Country::Nl).municipality.code,
                "GM0518",
                "{input}"
            );
        }
        for input in ["'s-Hertogenbosch", "Den Bosch", "den bosch"] {
            let r = ok(input, Country::Nl);
            assert_eq!(r.municipality.code, "GM0796", "{input}");
            assert_eq!(r.label, "'s-Hertogenbosch");
        }
    }

    #[test]
    fn same_name_in_two_places_takes_the_larger_not_a_midpoint() {
        // Hengelo (Overijssel) and Hengelo (Gelderland, municipality Bronckhorst).
        let h = ok("Hengelo", Country::Nl);
        assert_eq!(h.municipality.code, "GM0164", "Hengelo (O.)");
        assert!(distance_km(h.point, h.municipality.centre) < 5.0);
        // A place that straddles a border: Klarenbeek (Apeldoorn and Voorst), one point between them.
        let k = ok("Klarenbeek", Country::Nl);
        assert_eq!(k.municipality.name, "Apeldoorn");
        assert_eq!(k.precision, Precision::Place);
        // A name in both countries follows the preference: Bergen (NL) and Bergen/Mons (BE).
        assert_eq!(ok("Bergen", Country::Nl).country, Country::Nl);
        assert_eq!(ok("Bergen", Country::Be).country, Country::Be);
        let nh = ok("Bergen (NH.)", Country::Be);
        assert_eq!(nh.municipality.code, "GM0373");
        assert_eq!(
            nh.label, "Bergen (NH)",
            "the place, more precise than the municipality"
        );
        assert_eq!(ok("Bergen", Country::Nl).municipality.code, "GM0373");
        assert_eq!(ok("Stein", Country::Nl).municipality.code, "GM0971");
        assert_eq!(ok("Rijswijk", Country::Nl).municipality.code, "GM0603");
    }

    #[test]
    fn every_name_resolves_to_itself() {
        for m in reference::municipalities() {
            let r = ok(&m.name, m.country);
            assert_eq!(r.country, m.country, "{}", m.name);
        }
        for a in reference::postcode_areas() {
            let r = ok(&a.place, a.country);
            assert_eq!(r.country, a.country, "{}", a.place);
            let p = ok(&a.postcode, a.country);
            let first = reference::postcode_area(a.country, &a.postcode)
                .map(|f| f.municipality_code.as_str());
            assert_eq!(Some(p.municipality.code.as_str()), first, "{}", a.postcode);
        }
    }

    #[test]
    fn empty() {
        assert_eq!(resolve_place("", Country::Nl), Err(ResolveError::Empty));
        assert_eq!(resolve_place(" \t ", Country::Be), Err(ResolveError::Empty));
        assert_eq!(
            ResolveError::Empty.to_string(),
            "Vul een plaats of postcode in."
        );
    }

    fn not_found(input: &str) -> (String, Vec<String>) {
        match resolve_place(input, Country::Nl) {
            Err(e @ ResolveError::NotFound { .. }) => {
                let message = e.to_string();
                match e {
                    ResolveError::NotFound { suggestions, .. } => (message, suggestions),
                    ResolveError::Empty => (message, Vec::new()),
                }
            }
            other => panic!("{input:?}: expected NotFound, got {other:?}"),
        }
    }

    #[test]
    fn unknown_input_gets_suggestions() {
        let (message, suggestions) = not_found("Roterdam");
        assert!(
            suggestions.iter().any(|s| s == "Rotterdam"),
            "{suggestions:?}"
        );
        assert_eq!(suggestions.first().map(String::as_str), Some("Rotterdam"));
        assert!(suggestions.len() <= 5);
        assert!(
            message.starts_with(
                "We kennen deze plaats of postcode niet. Bedoelt u misschien: Rotterdam"
            )
        );
        assert!(message.ends_with('?'));
        let (_, suggestions) = not_found("Gnet");
        assert!(suggestions.iter().any(|s| s == "Gent"), "{suggestions:?}");
        let (_, suggestions) = not_found("Amsterdm");
        assert_eq!(suggestions.first().map(String::as_str), Some("Amsterdam"));
        for input in ["1234 XY", "1234", "abc", "30111", "###", "NL-0000"] {
            let (message, suggestions) = not_found(input);
            assert!(suggestions.len() <= 5, "{input}");
            assert!(
                message.starts_with("We kennen deze plaats of postcode niet."),
                "{input}"
            );
        }
        let err = ResolveError::NotFound {
            input: "x".into(),
            suggestions: vec!["A".into(), "B".into(), "C".into()],
        };
        assert_eq!(
            err.to_string(),
            "We kennen deze plaats of postcode niet. Bedoelt u misschien: A, B of C?"
        );
    }

    #[test]
    fn suggestions() {
        let s = suggest_places("rotter", 5);
        assert_eq!(s.first().map(String::as_str), Some("Rotterdam"));
        assert!(suggest_places("Rotterdam", 3).len() <= 3);
        assert_eq!(suggest_places("Rotterdam", 1), vec!["Rotterdam".to_owned()]);
        assert!(suggest_places("", 5).is_empty());
        assert!(suggest_places("Rotterdam", 0).is_empty());
        assert!(
            suggest_places("Den Bos", 5)
                .iter()
                .any(|s| s == "Den Bosch")
        );
        assert!(suggest_places("Lieje", 5).iter().any(|s| s == "Liège"));
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalise("  'S-Hertogenbosch "), "s hertogenbosch");
        assert_eq!(normalise("Liège"), "liege");
        assert_eq!(normalise("Braine-l’Alleud"), "braine l alleud");
        assert_eq!(normalise("Bergen (NH.)"), "bergen nh");
        assert_eq!(normalise("Súdwest-Fryslân"), "sudwest fryslan");
        assert_eq!(normalise("--"), "");
    }

    #[test]
    fn edit_distance() {
        let d = |a: &str, b: &str, max| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            OsaRows::default().distance(&a, &b, max)
        };
        assert_eq!(d("gnet", "gent", 3), Some(1));
        assert_eq!(d("roterdam", "rotterdam", 3), Some(1));
        assert_eq!(d("kitten", "sitting", 3), Some(3));
        assert_eq!(d("kitten", "sitting", 2), None);
        assert_eq!(d("", "abc", 3), Some(3));
        assert_eq!(d("abc", "abc", 0), Some(0));
    }
}
