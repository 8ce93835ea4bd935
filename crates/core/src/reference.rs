//! Built-in reference data: Dutch and Belgian municipalities and postcode areas, compiled into the binary from `data/`.
//!
//! The CSV files are embedded with `include_str!` and parsed once, lazily, on first use. Sources and licences are in
//! `data/README.md` (Bron: CBS, Statbel, GeoNames; CC BY 4.0). The unit tests below check the row counts, which is
//! what guarantees that every compiled-in row parses.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::geo::Point;

const NL_MUNICIPALITIES_CSV: &str = include_str!("../../../data/nl_municipalities.csv");
const NL_PC4_CSV: &str = include_str!("../../../data/nl_pc4.csv");
const NL_PC4_AGE_CSV: &str = include_str!("../../../data/nl_pc4_age.csv");
const BE_MUNICIPALITIES_CSV: &str = include_str!("../../../data/be_municipalities.csv");
const BE_POSTCODES_CSV: &str = include_str!("../../../data/be_postcodes.csv");

/// The two countries keten serves.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Country {
    /// The Netherlands.
    Nl,
    /// Belgium.
    Be,
}

impl Country {
    /// ISO 3166-1 alpha-2 code: `"NL"` or `"BE"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Nl => "NL",
            Self::Be => "BE",
        }
    }

    /// The other country.
    #[must_use]
    pub const fn other(self) -> Self {
        match self {
            Self::Nl => Self::Be,
            Self::Be => Self::Nl,
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A municipality (gemeente / lokaal bestuur).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Municipality {
    /// CBS code (`"GM0599"`) in the Netherlands, NIS code (`"44021"`) in Belgium.
    pub code: String,
    /// Dutch name (Belgium: `name_nl`, falling back to the French name when empty).
    pub name: String,
    /// French name (Belgium only).
    pub name_fr: Option<String>,
    /// Province. Empty for the 19 Brussels municipalities, which belong to no province.
    pub province: String,
    pub country: Country,
    /// Netherlands: CBS population on 1 January 2025. Belgium: Statbel population on 1 January 2020.
    pub population: u32,
    /// Netherlands: population-weighted centre of its PC4 areas. Belgium: mean of its postcode centroids.
    pub centre: Point,
}

/// A postcode area: a Dutch PC4 area (`"3011"`) or a Belgian postcode (`"9000"`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PostcodeArea {
    pub country: Country,
    /// Four digits.
    pub postcode: String,
    /// Netherlands: the place (woonplaats). Belgium: the municipality's Dutch name.
    pub place: String,
    /// Code of the municipality the area belongs to (see [`Municipality::code`]).
    pub municipality_code: String,
    /// Residents on 1 January 2021 (Netherlands only).
    pub population: Option<u32>,
    /// Approximate centroid (GeoNames, 2018).
    pub centre: Point,
}

#[derive(Deserialize)]
struct NlMunicipalityRow {
    code: String,
    name: String,
    province: String,
    lat: f64,
    lon: f64,
    population_2025: u32,
}

#[derive(Deserialize)]
struct NlPc4Row {
    pc4: String,
    place: String,
    municipality_code: String,
    population_2021: u32,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct BeMunicipalityRow {
    nis: String,
    name_nl: String,
    name_fr: String,
    province: String,
    lat: f64,
    lon: f64,
    population_2020: u32,
}

#[derive(Deserialize)]
struct BePostcodeRow {
    postcode: String,
    municipality_nis: String,
    municipality_nl: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// All reference tables with their lookup indexes, built once.
struct Tables {
    municipalities: Vec<Municipality>,
    /// Upper-cased code -> index into `municipalities`.
    municipality_by_code: HashMap<String, usize>,
    areas: Vec<PostcodeArea>,
    /// (country, postcode) -> index of the first area with that postcode.
    area_by_postcode: HashMap<(Country, String), usize>,
    /// Municipality code -> indexes into `areas`.
    areas_by_municipality: HashMap<String, Vec<usize>>,
}

/// Rows of a compiled-in CSV file. A row that does not parse is left out; the count tests catch that.
fn rows<T: serde::de::DeserializeOwned>(csv_text: &'static str) -> impl Iterator<Item = T> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .into_deserialize::<T>()
        .filter_map(Result::ok)
}

static TABLES: LazyLock<Tables> = LazyLock::new(build_tables);

fn build_tables() -> Tables {
    let mut municipalities: Vec<Municipality> = rows::<NlMunicipalityRow>(NL_MUNICIPALITIES_CSV)
        .map(|r| Municipality {
            code: r.code,
            name: r.name,
            name_fr: None,
            province: r.province,
            country: Country::Nl,
            population: r.population_2025,
            centre: Point {
                lat: r.lat,
                lon: r.lon,
            },
        })
        .collect();
    municipalities.extend(rows::<BeMunicipalityRow>(BE_MUNICIPALITIES_CSV).map(|r| {
        let name_fr = (!r.name_fr.is_empty()).then_some(r.name_fr);
        let name = if r.name_nl.is_empty() {
            name_fr.clone().unwrap_or_default()
        } else {
            r.name_nl
        };
        Municipality {
            code: r.nis,
            name,
            name_fr,
            province: r.province,
            country: Country::Be,
            population: r.population_2020,
            centre: Point {
                lat: r.lat,
                lon: r.lon,
            },
        }
    }));
    let municipality_by_code: HashMap<String, usize> = municipalities
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.to_ascii_uppercase(), i))
        .collect();

    let mut areas: Vec<PostcodeArea> = rows::<NlPc4Row>(NL_PC4_CSV)
        .map(|r| PostcodeArea {
            country: Country::Nl,
            postcode: r.pc4,
            place: r.place,
            municipality_code: r.municipality_code,
            population: Some(r.population_2021),
            centre: Point {
                lat: r.lat,
                lon: r.lon,
            },
        })
        .collect();
    areas.extend(rows::<BePostcodeRow>(BE_POSTCODES_CSV).filter_map(|r| {
        // Postcode 3381 (Glabbeek) has no coordinates in the source: rather than drop a real postcode, it gets its
        // municipality's centre. A row whose municipality is unknown as well is left out (the tests check none is).
        let centre = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => Point { lat, lon },
            _ => {
                municipalities
                    [*municipality_by_code.get(&r.municipality_nis.to_ascii_uppercase())?]
                .centre
            }
        };
        Some(PostcodeArea {
            country: Country::Be,
            postcode: r.postcode,
            place: r.municipality_nl,
            municipality_code: r.municipality_nis,
            population: None,
            centre,
        })
    }));

    let mut area_by_postcode = HashMap::with_capacity(areas.len());
    let mut areas_by_municipality: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in areas.iter().enumerate() {
        area_by_postcode
            .entry((a.country, a.postcode.clone()))
            .or_insert(i);
        areas_by_municipality
            .entry(a.municipality_code.to_ascii_uppercase())
            .or_default()
            .push(i);
    }

    Tables {
        municipalities,
        municipality_by_code,
        areas,
        area_by_postcode,
        areas_by_municipality,
    }
}

/// Upper-cased lookup key for a municipality code; a bare 4-digit Dutch code (`"0599"`) gets its `GM` prefix.
fn code_key(code: &str) -> String {
    let code = code.trim();
    if code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("GM{code}")
    } else {
        code.to_ascii_uppercase()
    }
}

/// Every municipality: the 342 Dutch ones (file order) followed by the 565 Belgian ones.
#[must_use]
pub fn municipalities() -> &'static [Municipality] {
    &TABLES.municipalities
}

/// The municipality with this code. Case-insensitive (`"GM0599"`, `"gm0599"`); a bare Dutch number (`"0599"`) is
/// accepted too. Belgian NIS codes are five digits (`"44021"`).
#[must_use]
pub fn municipality(code: &str) -> Option<&'static Municipality> {
    let t = &*TABLES;
    t.municipality_by_code
        .get(&code_key(code))
        .map(|&i| &t.municipalities[i])
}

/// The municipality with this code (as [`municipality`]) or, failing that, this name ("Rotterdam", "gent",
/// "Liège" or its Dutch name "Luik"; case-insensitive). A name that several municipalities share gives `None`.
#[must_use]
pub fn municipality_by_code_or_name(input: &str) -> Option<&'static Municipality> {
    let input = input.trim();
    if let Some(m) = municipality(input) {
        return Some(m);
    }
    let wanted = input.to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    let mut found = municipalities().iter().filter(|m| {
        m.name.to_lowercase() == wanted
            || m.name_fr
                .as_deref()
                .is_some_and(|f| f.to_lowercase() == wanted)
    });
    match (found.next(), found.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// All postcode areas: Dutch PC4 areas followed by Belgian postcodes (one per postcode and municipality).
#[must_use]
pub fn postcode_areas() -> &'static [PostcodeArea] {
    &TABLES.areas
}

/// The area of a 4-digit postcode. A Belgian postcode shared by several municipalities returns the first one listed.
#[must_use]
pub fn postcode_area(country: Country, postcode: &str) -> Option<&'static PostcodeArea> {
    let t = &*TABLES;
    t.area_by_postcode
        .get(&(country, postcode.trim().to_owned()))
        .map(|&i| &t.areas[i])
}

/// The postcode areas of a municipality (code as accepted by [`municipality`]); empty for an unknown code.
pub fn postcode_areas_in(municipality_code: &str) -> impl Iterator<Item = &'static PostcodeArea> {
    let t: &'static Tables = &TABLES;
    t.areas_by_municipality
        .get(&code_key(municipality_code))
        .into_iter()
        .flatten()
        .map(move |&i| &t.areas[i])
}

/// Residents of a Dutch PC4 area per age band of a registration, in `AgeBand::ALL` order (0-17, 18-34, 35-49,
/// 50-64, 65-74, 75+), on 1 January 2021 (CBS, rounded). CBS counts in 5-year groups, so the 15-19 group is
/// split 3:2 over "under 18" and "18-34".
#[must_use]
pub fn pc4_residents_by_age_band(pc4: &str) -> Option<[u32; 6]> {
    PC4_AGE.get(pc4.trim()).copied()
}

static PC4_AGE: LazyLock<HashMap<String, [u32; 6]>> = LazyLock::new(|| {
    let mut out: HashMap<String, [u32; 6]> = HashMap::new();
    for line in NL_PC4_AGE_CSV.lines().skip(1) {
        let mut cells = line.split(',');
        let (Some(pc4), Some(group), Some(n)) = (cells.next(), cells.next(), cells.next()) else {
            continue;
        };
        let Ok(n) = n.trim().parse::<u32>() else {
            continue;
        };
        let bands = out.entry(pc4.to_owned()).or_default();
        let lower: u32 = group
            .split(['-', '+'])
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        match lower {
            0..=14 => bands[0] += n,
            15 => {
                bands[0] += n * 3 / 5;
                bands[1] += n - n * 3 / 5;
            }
            20..=34 => bands[1] += n,
            35..=49 => bands[2] += n,
            50..=64 => bands[3] += n,
            65..=74 => bands[4] += n,
            _ => bands[5] += n,
        }
    }
    out
});

/// Whether a Dutch 4-digit postcode area with residents exists.
#[must_use]
pub fn pc4_exists(pc4: &str) -> bool {
    postcode_area(Country::Nl, pc4).is_some()
}

#[cfg(test)]
mod age_tests {
    use super::*;

    #[test]
    fn residents_per_age_band_add_up_to_the_pc4_population() {
        let bands = pc4_residents_by_age_band("3011").unwrap();
        let total: u32 = bands.iter().sum();
        let population = postcode_area(Country::Nl, "3011")
            .unwrap()
            .population
            .unwrap();
        // Both are CBS figures of 1 January 2021, rounded per cell.
        assert!(
            total.abs_diff(population) * 20 < population,
            "{total} vs {population}"
        );
        assert!(bands.iter().all(|b| *b > 0));
        assert!(pc4_residents_by_age_band("0000").is_none());
        assert!(PC4_AGE.len() > 4_000);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn count(country: Country) -> usize {
        municipalities()
            .iter()
            .filter(|m| m.country == country)
            .count()
    }

    #[test]
    fn every_row_parses() {
        assert_eq!(count(Country::Nl), 342);
        assert_eq!(count(Country::Be), 565);
        let nl_areas = postcode_areas()
            .iter()
            .filter(|a| a.country == Country::Nl)
            .count();
        let be_areas: Vec<_> = postcode_areas()
            .iter()
            .filter(|a| a.country == Country::Be)
            .collect();
        assert_eq!(nl_areas, 4053);
        assert_eq!(be_areas.len(), 1152);
        let distinct: HashSet<_> = be_areas.iter().map(|a| a.postcode.as_str()).collect();
        assert_eq!(distinct.len(), 1149);
    }

    #[test]
    fn codes_are_unique_and_indexed() {
        let codes: HashSet<_> = municipalities().iter().map(|m| m.code.as_str()).collect();
        assert_eq!(codes.len(), 342 + 565);
        for m in municipalities() {
            assert_eq!(municipality(&m.code), Some(m));
        }
    }

    #[test]
    fn population_totals_match_the_sources() {
        let nl: u64 = municipalities()
            .iter()
            .filter(|m| m.country == Country::Nl)
            .map(|m| u64::from(m.population))
            .sum();
        let be: u64 = municipalities()
            .iter()
            .filter(|m| m.country == Country::Be)
            .map(|m| u64::from(m.population))
            .sum();
        assert_eq!(nl, 18_044_027);
        assert_eq!(be, 11_492_641);
    }

    #[test]
    fn provinces() {
        let nl: HashSet<_> = municipalities()
            .iter()
            .filter(|m| m.country == Country::Nl)
            .map(|m| m.province.as_str())
            .collect();
        assert_eq!(nl.len(), 12);
        let brussels_without_province = municipalities()
            .iter()
            .filter(|m| m.country == Country::Be && m.province.is_empty())
            .count();
        assert_eq!(brussels_without_province, 19);
    }

    #[test]
    fn municipality_lookup() {
        let rotterdam = municipality("GM0599");
        assert_eq!(rotterdam.map(|m| m.name.as_str()), Some("Rotterdam"));
        assert_eq!(municipality("gm0599"), rotterdam);
        assert_eq!(municipality("0599"), rotterdam);
        assert_eq!(municipality(" GM0599 "), rotterdam);
        let gent = municipality("44021");
        assert_eq!(gent.map(|m| m.name.as_str()), Some("Gent"));
        assert_eq!(gent.map(|m| m.country), Some(Country::Be));
        let brussel = municipality("21004");
        assert_eq!(brussel.map(|m| m.name.as_str()), Some("Brussel"));
        assert_eq!(
            brussel.and_then(|m| m.name_fr.as_deref()),
            Some("Bruxelles")
        );
        assert_eq!(municipality("GM9999"), None);
        assert_eq!(municipality(""), None);
    }

    #[test]
    fn spot_checks() {
        let a = postcode_area(Country::Nl, "3011");
        assert_eq!(a.map(|a| a.place.as_str()), Some("Rotterdam"));
        assert_eq!(a.map(|a| a.municipality_code.as_str()), Some("GM0599"));
        assert_eq!(
            a.map(|a| a.centre),
            Some(Point {
                lat: 51.9197,
                lon: 4.4875
            })
        );
        let g = postcode_area(Country::Nl, "9711");
        assert_eq!(g.map(|a| a.place.as_str()), Some("Groningen"));
        assert_eq!(
            g.map(|a| a.centre),
            Some(Point {
                lat: 53.2166,
                lon: 6.5695
            })
        );
        assert_eq!(
            postcode_area(Country::Be, "9000").map(|a| a.municipality_code.as_str()),
            Some("44021")
        );
        assert!(pc4_exists("3011"));
        assert!(!pc4_exists("1234"));
        assert!(!pc4_exists("abcd"));
    }

    #[test]
    fn postcode_without_coordinates_uses_municipality_centre() {
        let a = postcode_area(Country::Be, "3381");
        let glabbeek = municipality("24137");
        assert!(a.is_some() && glabbeek.is_some());
        assert_eq!(a.map(|a| a.centre), glabbeek.map(|m| m.centre));
    }

    #[test]
    fn shared_postcode_keeps_one_area_per_municipality() {
        let rows: Vec<_> = postcode_areas()
            .iter()
            .filter(|a| a.country == Country::Be && a.postcode == "1804")
            .collect();
        assert!(rows.len() > 1);
        assert_eq!(postcode_area(Country::Be, "1804"), rows.first().copied());
    }

    #[test]
    fn every_area_belongs_to_a_known_municipality_and_vice_versa() {
        for a in postcode_areas() {
            let m = municipality(&a.municipality_code);
            assert_eq!(m.map(|m| m.country), Some(a.country), "{}", a.postcode);
        }
        for m in municipalities() {
            assert!(
                postcode_areas_in(&m.code).next().is_some(),
                "{} has no postcode area",
                m.code
            );
        }
        assert_eq!(postcode_areas_in("GM9999").count(), 0);
        assert!(
            postcode_areas_in("gm0599").all(|a| a.municipality_code == "GM0599"),
            "case-insensitive code"
        );
    }

    #[test]
    fn coordinates_are_in_range() {
        for a in postcode_areas() {
            let (lat, lon) = (a.centre.lat, a.centre.lon);
            match a.country {
                Country::Nl => assert!((50.7..53.6).contains(&lat) && (3.3..7.3).contains(&lon)),
                Country::Be => assert!((49.5..51.5).contains(&lat) && (2.5..6.4).contains(&lon)),
            }
        }
    }

    #[test]
    fn country_serialises_as_iso_code() {
        assert_eq!(Country::Nl.as_str(), "NL");
        assert_eq!(Country::Be.to_string(), "BE");
        assert_eq!(Country::Nl.other(), Country::Be);
        assert_eq!(
            serde_json::to_string(&Country::Be).ok(),
            Some("\"BE\"".into())
        );
        assert_eq!(
            serde_json::from_str::<Country>("\"NL\"").ok(),
            Some(Country::Nl)
        );
    }

    #[test]
    fn municipalities_by_code_or_name() {
        assert_eq!(
            municipality_by_code_or_name("Rotterdam").map(|m| m.code.as_str()),
            Some("GM0599")
        );
        assert_eq!(
            municipality_by_code_or_name(" rotterdam ").map(|m| m.code.as_str()),
            Some("GM0599")
        );
        assert_eq!(
            municipality_by_code_or_name("gm0599").map(|m| m.code.as_str()),
            Some("GM0599")
        );
        assert_eq!(
            municipality_by_code_or_name("Gent").map(|m| m.code.as_str()),
            Some("44021")
        );
        assert!(municipality_by_code_or_name("GM9999").is_none());
        assert!(municipality_by_code_or_name("Atlantis").is_none());
        assert!(municipality_by_code_or_name("").is_none());
    }
}
