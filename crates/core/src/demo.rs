//! The demo chain: a realistic local chain around Rotterdam and a deterministic year of help questions for it.
//!
//! [`demo_chain`] describes the organisations, help points and users; [`QuestionGenerator`] streams help questions
//! with weekday, time-of-day and seasonal patterns (the tax-return peak in March and April, the summer dip, the
//! health-insurance switch in November and December). Everything here is pure: the same seed gives the same history,
//! and nothing reads the clock, the file system or the system time-zone database.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::account::Role;
use crate::directory::Accessibility;
use crate::directory_details::{ExceptionInput, StopInput};
use crate::geo;
use crate::help_question::{AgeBand, Agency, Channel, Outcome, QuestionKind};
use crate::organisation::{HelpPointKind, OrganisationKind, Sector, VenueKind};
use crate::reference::{self, Country};

/// The demo's main municipality: Rotterdam.
pub const MAIN_MUNICIPALITY: &str = "GM0599";
/// Its neighbours in the demo: Schiedam, Capelle aan den IJssel and Vlaardingen.
pub const NEIGHBOUR_MUNICIPALITIES: [&str; 3] = ["GM0606", "GM0502", "GM0622"];
/// Domain of every demo e-mail address (`regie@rotterdam.demo.keten.nl`).
pub const DEMO_EMAIL_DOMAIN: &str = "demo.keten.nl";

/// The whole demo chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoChain {
    pub organisations: Vec<DemoOrganisation>,
    pub help_points: Vec<DemoHelpPoint>,
    pub users: Vec<DemoUser>,
}

impl DemoChain {
    /// The organisation with this key.
    #[must_use]
    pub fn organisation(&self, key: &str) -> Option<&DemoOrganisation> {
        self.organisations.iter().find(|o| o.key == key)
    }
}

/// An organisation of the demo chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrganisation {
    /// Stable key within the demo, referred to by help points and users.
    pub key: &'static str,
    pub name: String,
    pub kind: OrganisationKind,
    pub sector: Sector,
    /// Home municipality (CBS code).
    pub municipality_code: &'static str,
    /// Further municipalities it is active in, besides its home (as `OrganisationDraft::active_in`).
    pub active_in: Vec<&'static str>,
}

/// A help point of the demo chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoHelpPoint {
    pub key: &'static str,
    /// Key of the operating [`DemoOrganisation`].
    pub organisation_key: &'static str,
    pub name: String,
    pub kind: HelpPointKind,
    pub venue_kind: VenueKind,
    pub street_address: String,
    /// Full Dutch postcode, `"3011 PV"`; its PC4 exists in the reference data.
    pub postcode: String,
    /// The postal place (woonplaats) of the PC4 area, e.g. `"Rotterdam"` or `"Hoogvliet Rotterdam"`.
    pub city: String,
    pub municipality_code: &'static str,
    /// Relative share of the help questions registered here.
    pub weight: u32,
}

/// A demo user: one per role. Passwords are made by whoever loads the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organisation_key: &'static str,
}

struct OrgSeed {
    key: &'static str,
    name: &'static str,
    kind: OrganisationKind,
    sector: Sector,
    home: &'static str,
    active_in: &'static [&'static str],
}

struct PointSeed {
    key: &'static str,
    organisation: &'static str,
    name: &'static str,
    kind: HelpPointKind,
    venue: VenueKind,
    street: &'static str,
    postcode: &'static str,
    city: &'static str,
    municipality: &'static str,
    weight: u32,
}

const ORGANISATIONS: &[OrgSeed] = {
    use OrganisationKind as K;
    use Sector as S;
    const NEIGHBOURS: &[&str] = &NEIGHBOUR_MUNICIPALITIES;
    const fn org(
        key: &'static str,
        name: &'static str,
        kind: OrganisationKind,
        sector: Sector,
        home: &'static str,
        active_in: &'static [&'static str],
    ) -> OrgSeed {
        OrgSeed {
            key,
            name,
            kind,
            sector,
            home,
            active_in,
        }
    }
    &[
        // The steering municipalities; Rotterdam's own desk is its Vraagwijzer.
        org(
            "gemeente-rotterdam",
            "Gemeente Rotterdam",
            K::Municipality,
            S::Public,
            "GM0599",
            &[],
        ),
        org(
            "gemeente-schiedam",
            "Gemeente Schiedam",
            K::Municipality,
            S::Public,
            "GM0606",
            &[],
        ),
        org(
            "gemeente-capelle",
            "Gemeente Capelle aan den IJssel",
            K::Municipality,
            S::Public,
            "GM0502",
            &[],
        ),
        org(
            "gemeente-vlaardingen",
            "Gemeente Vlaardingen",
            K::Municipality,
            S::Public,
            "GM0622",
            &[],
        ),
        // Libraries: the IDO network.
        org(
            "bibliotheek-rotterdam",
            "Bibliotheek Rotterdam",
            K::Library,
            S::Civil,
            "GM0599",
            &[],
        ),
        org(
            "bibliotheek-schiedam",
            "Bibliotheek Schiedam",
            K::Library,
            S::Civil,
            "GM0606",
            &[],
        ),
        org(
            "bibliotheek-capelle",
            "Bibliotheek Capelle aan den IJssel",
            K::Library,
            S::Civil,
            "GM0502",
            &[],
        ),
        org(
            "bibliotheek-vlaardingen",
            "Bibliotheek Vlaardingen",
            K::Library,
            S::Civil,
            "GM0622",
            &[],
        ),
        // Community organisations with a help point.
        org(
            "buurtwerk-oude-noorden",
            "Stichting Buurtwerk Oude Noorden",
            K::Community,
            S::Civil,
            "GM0599",
            &[],
        ),
        org(
            "moskee-spangen",
            "Stichting Moskee Spangen",
            K::Community,
            S::Civil,
            "GM0599",
            &[],
        ),
        org(
            "kerk-in-de-wijk-charlois",
            "Stichting Kerk in de Wijk Charlois",
            K::Community,
            S::Civil,
            "GM0599",
            &[],
        ),
        org(
            "digitaal-samen-hoogvliet",
            "Bewonersinitiatief Digitaal Samen Hoogvliet",
            K::Community,
            S::Citizens,
            "GM0599",
            &[],
        ),
        // Chain partners (fictional names), from every sector.
        org(
            "maasbank",
            "Maasbank",
            K::Partner,
            S::Private,
            "GM0599",
            NEIGHBOURS,
        ),
        org(
            "havenstad-telecom",
            "Havenstad Telecom",
            K::Partner,
            S::Private,
            "GM0599",
            NEIGHBOURS,
        ),
        org(
            "rijnmond-zorg",
            "Zorgverzekeraar Rijnmond Zorg",
            K::Partner,
            S::Private,
            "GM0599",
            NEIGHBOURS,
        ),
        org(
            "woonstichting-maashaven",
            "Woonstichting Maashaven",
            K::Partner,
            S::Civil,
            "GM0599",
            &["GM0606"],
        ),
        org(
            "welzijn-maasstad",
            "Stichting Welzijn Maasstad",
            K::Partner,
            S::Civil,
            "GM0599",
            &["GM0502"],
        ),
        org(
            "svb-rotterdam",
            "SVB kantoor Rotterdam",
            K::Partner,
            S::Public,
            "GM0599",
            NEIGHBOURS,
        ),
        org(
            "hogeschool-maasstad",
            "Hogeschool Maasstad, lectoraat Digitale Inclusie",
            K::Partner,
            S::Knowledge,
            "GM0599",
            &[],
        ),
        // The national programme office (also the installation's operator in the demo).
        org(
            "programmabureau",
            "Programmabureau Digitale Inclusie (demo)",
            K::NationalBody,
            S::Public,
            "GM0518",
            &[],
        ),
        // One Flemish library, so that "Gent" or "9000" finds help in the demo too (Belgian holidays, NIS code).
        org(
            "bibliotheek-gent",
            "Bibliotheek De Krook Gent",
            K::Library,
            S::Public,
            "44021",
            &[],
        ),
    ]
};

const HELP_POINTS: &[PointSeed] = {
    use HelpPointKind as H;
    use VenueKind as V;
    #[expect(clippy::too_many_arguments, reason = "a table row")]
    const fn point(
        key: &'static str,
        organisation: &'static str,
        name: &'static str,
        kind: HelpPointKind,
        venue: VenueKind,
        street: &'static str,
        postcode: &'static str,
        city: &'static str,
        municipality: &'static str,
        weight: u32,
    ) -> PointSeed {
        PointSeed {
            key,
            organisation,
            name,
            kind,
            venue,
            street,
            postcode,
            city,
            municipality,
            weight,
        }
    }
    const BR: &str = "bibliotheek-rotterdam";
    const R: &str = "Rotterdam";
    const RDAM: &str = "GM0599";
    &[
        point(
            "bieb-centrale",
            BR,
            "Centrale Bibliotheek",
            H::Ido,
            V::Library,
            "Hoogstraat 110",
            "3011 PV",
            R,
            RDAM,
            30,
        ),
        point(
            "bieb-delfshaven",
            BR,
            "Bibliotheek Delfshaven",
            H::Ido,
            V::Library,
            "Schiedamseweg 97",
            "3025 AB",
            R,
            RDAM,
            12,
        ),
        point(
            "bieb-afrikaanderwijk",
            BR,
            "Bibliotheek Afrikaanderwijk",
            H::Ido,
            V::Library,
            "Pretorialaan 120",
            "3072 EL",
            R,
            RDAM,
            12,
        ),
        point(
            "bieb-hillegersberg",
            BR,
            "Bibliotheek Hillegersberg",
            H::Ido,
            V::Library,
            "Bergse Dorpsstraat 55",
            "3054 GB",
            R,
            RDAM,
            7,
        ),
        point(
            "bieb-ommoord",
            BR,
            "Bibliotheek Ommoord",
            H::Ido,
            V::Library,
            "Hesseplaats 75",
            "3069 EA",
            R,
            RDAM,
            10,
        ),
        point(
            "bieb-zuidplein",
            BR,
            "Bibliotheek Zuidplein (Charlois)",
            H::Ido,
            V::Library,
            "Zuidplein 100",
            "3083 CW",
            R,
            RDAM,
            12,
        ),
        point(
            "bieb-ijsselmonde",
            BR,
            "Bibliotheek IJsselmonde",
            H::Ido,
            V::Library,
            "Keizerswaard 71",
            "3078 DA",
            R,
            RDAM,
            9,
        ),
        point(
            "bieb-schiedam",
            "bibliotheek-schiedam",
            "Bibliotheek Schiedam Centrum",
            H::Ido,
            V::Library,
            "Broersvest 80",
            "3111 EB",
            "Schiedam",
            "GM0606",
            11,
        ),
        point(
            "bieb-capelle",
            "bibliotheek-capelle",
            "Bibliotheek Capelle Centrum",
            H::Ido,
            V::Library,
            "Stadsplein 1",
            "2903 HA",
            "Capelle aan den IJssel",
            "GM0502",
            9,
        ),
        point(
            "bieb-vlaardingen",
            "bibliotheek-vlaardingen",
            "Bibliotheek Vlaardingen Centrum",
            H::Ido,
            V::Library,
            "Westnieuwland 10",
            "3131 VX",
            "Vlaardingen",
            "GM0622",
            10,
        ),
        point(
            "vraagwijzer-stadhuis",
            "gemeente-rotterdam",
            "Vraagwijzer Stadhuis",
            H::Other,
            V::MunicipalOffice,
            "Coolsingel 40",
            "3011 AD",
            R,
            RDAM,
            6,
        ),
        point(
            "buurthuis-oude-noorden",
            "buurtwerk-oude-noorden",
            "Buurthuis Het Oude Noorden",
            H::Digipunt,
            V::CommunityCentre,
            "Zwart Janstraat 130",
            "3035 AX",
            R,
            RDAM,
            5,
        ),
        point(
            "digipunt-moskee-spangen",
            "moskee-spangen",
            "Digipunt Moskee Spangen",
            H::Digipunt,
            V::Mosque,
            "Mathenesserweg 100",
            "3027 HE",
            R,
            RDAM,
            4,
        ),
        point(
            "digicafe-kerk-charlois",
            "kerk-in-de-wijk-charlois",
            "Digicafé Kerk in de Wijk",
            H::Digipunt,
            V::Church,
            "Charloisse Kerksingel 12",
            "3082 AM",
            R,
            RDAM,
            3,
        ),
        point(
            "digicafe-hoogvliet",
            "digitaal-samen-hoogvliet",
            "Digicafé Hoogvliet",
            H::Other,
            V::Other,
            "Binnenban 20",
            "3191 HL",
            "Hoogvliet Rotterdam",
            RDAM,
            2,
        ),
        // The library's bus: no hours of its own, found at its stops (see [`demo_stops`]).
        point(
            "digibus",
            BR,
            "Digibus van de Bibliotheek",
            H::Ido,
            V::Mobile,
            "Hoogstraat 110",
            "3011 PV",
            R,
            RDAM,
            1,
        ),
        point(
            "digipunt-de-krook",
            "bibliotheek-gent",
            "Digipunt De Krook",
            H::Digipunt,
            V::Library,
            "Miriam Makebaplein 1",
            "9000",
            "Gent",
            "44021",
            // No generated history: the demo's questions and agencies are Dutch.
            0,
        ),
    ]
};

/// (local part, organisation's mail subdomain, display name, role, organisation key)
const USERS: &[(&str, &str, &str, Role, &str)] = &[
    (
        "balie",
        "bibliotheek-rotterdam",
        "Fatima el Amrani",
        Role::Staff,
        "bibliotheek-rotterdam",
    ),
    (
        "coordinator",
        "bibliotheek-rotterdam",
        "Ruud Bakker",
        Role::Coordinator,
        "bibliotheek-rotterdam",
    ),
    (
        "partner",
        "maasbank",
        "Joost van Dijk",
        Role::Partner,
        "maasbank",
    ),
    // One partner user for every partner the routing rules send referrals to.
    (
        "partner",
        "havenstad-telecom",
        "Lotte Smit",
        Role::Partner,
        "havenstad-telecom",
    ),
    (
        "partner",
        "rijnmond-zorg",
        "Ahmed Yilmaz",
        Role::Partner,
        "rijnmond-zorg",
    ),
    (
        "partner",
        "woonstichting-maashaven",
        "Ingrid de Boer",
        Role::Partner,
        "woonstichting-maashaven",
    ),
    (
        "partner",
        "welzijn-maasstad",
        "Kees Verbeek",
        Role::Partner,
        "welzijn-maasstad",
    ),
    (
        "partner",
        "svb-rotterdam",
        "Nadia Boukhari",
        Role::Partner,
        "svb-rotterdam",
    ),
    // The municipality's own desk (Vraagwijzer) receives DigiD and government referrals; steering never does.
    (
        "vraagwijzer",
        "rotterdam",
        "Youssef Ouali",
        Role::Staff,
        "gemeente-rotterdam",
    ),
    (
        "regie",
        "rotterdam",
        "Marieke de Vries",
        Role::Steering,
        "gemeente-rotterdam",
    ),
    (
        "programma",
        "digitale-inclusie",
        "Sanne Jansen",
        Role::ProgrammeManager,
        "programmabureau",
    ),
    (
        "beheer",
        "digitale-inclusie",
        "Pieter Bakker",
        Role::Admin,
        "programmabureau",
    ),
];

/// The demo chain: Rotterdam and three neighbours, their libraries, community help points, partners from every
/// sector, a national programme office, and one user per role.
#[must_use]
pub fn demo_chain() -> DemoChain {
    let organisations = ORGANISATIONS
        .iter()
        .map(|o| DemoOrganisation {
            key: o.key,
            name: o.name.to_owned(),
            kind: o.kind,
            sector: o.sector,
            municipality_code: o.home,
            active_in: o.active_in.to_vec(),
        })
        .collect();
    let help_points = HELP_POINTS
        .iter()
        .map(|p| DemoHelpPoint {
            key: p.key,
            organisation_key: p.organisation,
            name: p.name.to_owned(),
            kind: p.kind,
            venue_kind: p.venue,
            street_address: p.street.to_owned(),
            postcode: p.postcode.to_owned(),
            city: p.city.to_owned(),
            municipality_code: p.municipality,
            weight: p.weight,
        })
        .collect();
    let users = USERS
        .iter()
        .map(|&(local, domain, name, role, organisation_key)| DemoUser {
            email: format!("{local}@{domain}.{DEMO_EMAIL_DOMAIN}"),
            display_name: name.to_owned(),
            role,
            organisation_key,
        })
        .collect();
    DemoChain {
        organisations,
        help_points,
        users,
    }
}

/// Letters PostNL uses in the letter part of a postcode (no F, I, O, Q, U or Y).
const POSTCODE_LETTERS: &[u8] = b"ABCDEGHJKLMNPRSTVWXZ";

/// Street names found in nearly every Dutch town; the generated libraries' addresses are invented from them.
const COMMON_STREETS: &[&str] = &[
    "Marktplein",
    "Kerkstraat",
    "Stationsweg",
    "Raadhuisplein",
    "Dorpsstraat",
    "Molenstraat",
    "Schoolstraat",
    "Julianastraat",
    "Wilhelminastraat",
    "Nieuwstraat",
    "Torenstraat",
    "Hoofdstraat",
];

/// The demo chain plus public libraries across the Netherlands, `help_points` in total (the demo's own 17
/// included), for benchmarks and demos at national scale. Fewer than the demo's own gives just [`demo_chain`].
///
/// Every Dutch municipality outside the demo's four gets one library (the municipality's public library, an
/// organisation of kind library and sector civil like the demo's) while the number allows, the most populous
/// first; further points go to the municipalities by population (D'Hondt: the next point goes where residents per
/// point are highest), so Amsterdam gets dozens and Vlieland one. Rotterdam and its three demo neighbours keep the
/// demo's own points and get none added. Belgian municipalities get none: the generator's residents need Dutch
/// population figures. A municipality gets at most one point per populated PC4 area, so the total stops short of
/// `help_points` beyond about 3,950 points.
///
/// Within a municipality the first point stands in the PC4 area nearest the population-weighted centre of its
/// most populous place (the central library), each next one in the area with the most residents times distance to
/// the points already chosen, so branches spread out. A point's weight is the population it serves (the residents
/// of the PC4 areas nearest to it, scaled to the municipality's 2025 population), at the demo's own rate of
/// questions per resident; the demo's weights are multiplied by 100 so that the smallest library still weighs
/// more than 1. Keys are borrowed from the reference data and cannot clash with the demo's words: an
/// organisation's key is its municipality's CBS code (`"GM0014"`), a help point's its PC4 (`"9711"`). No users are
/// added. Deterministic: the same number gives the same chain.
#[must_use]
pub fn national_chain(help_points: usize) -> DemoChain {
    let mut chain = demo_chain();
    let extra = help_points.saturating_sub(chain.help_points.len());
    if extra == 0 {
        return chain;
    }
    // The demo's weights times 100, so that a library of a few hundred residents still weighs at least 1.
    const SCALE_U32: u32 = 100;
    const SCALE: u64 = SCALE_U32 as u64;
    let demo_codes: Vec<&str> = std::iter::once(MAIN_MUNICIPALITY)
        .chain(NEIGHBOUR_MUNICIPALITIES)
        .collect();
    // Questions per resident in the demo's own municipalities, which every new library follows.
    let demo_weight: u64 = chain
        .help_points
        .iter()
        .filter(|p| demo_codes.contains(&p.municipality_code))
        .map(|p| u64::from(p.weight))
        .sum();
    let demo_population: u64 = demo_codes
        .iter()
        .filter_map(|c| reference::municipality(c))
        .map(|m| u64::from(m.population))
        .sum();
    for p in &mut chain.help_points {
        p.weight = p.weight.saturating_mul(SCALE_U32);
    }

    let candidates: Vec<(
        &'static reference::Municipality,
        Vec<&'static reference::PostcodeArea>,
    )> = reference::municipalities()
        .iter()
        .filter(|m| m.country == Country::Nl && !demo_codes.contains(&m.code.as_str()))
        .map(|m| {
            let mut areas: Vec<_> = reference::postcode_areas_in(&m.code)
                .filter(|a| a.population.unwrap_or(0) > 0)
                .collect();
            areas.sort_by(|a, b| a.postcode.cmp(&b.postcode));
            (m, areas)
        })
        .filter(|(_, areas)| !areas.is_empty())
        .collect();
    let seats = apportion(
        &candidates
            .iter()
            .map(|(m, areas)| (u64::from(m.population), areas.len()))
            .collect::<Vec<_>>(),
        extra,
    );

    for ((municipality, areas), &count) in candidates.iter().zip(&seats) {
        if count == 0 {
            continue;
        }
        let chosen = spread_over(areas, count);
        // Residents served: each populated area counts for its nearest library.
        let mut served = vec![0u64; chosen.len()];
        for area in areas {
            let nearest = chosen
                .iter()
                .enumerate()
                .map(|(i, c)| (i, geo::distance_km(c.centre, area.centre)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map_or(0, |(i, _)| i);
            served[nearest] += u64::from(area.population.unwrap_or(0));
        }
        let area_total: u64 = served.iter().sum::<u64>().max(1);
        chain.organisations.push(DemoOrganisation {
            key: municipality.code.as_str(),
            name: format!("Bibliotheek {}", municipality.name),
            kind: OrganisationKind::Library,
            sector: Sector::Civil,
            municipality_code: municipality.code.as_str(),
            active_in: Vec::new(),
        });
        for (i, area) in chosen.iter().enumerate() {
            let residents = u64::from(municipality.population) * served[i] / area_total;
            let weight = (residents * demo_weight * SCALE)
                .checked_div(demo_population)
                .unwrap_or(0)
                .max(1);
            let same_place = chosen.iter().filter(|c| c.place == area.place).count();
            let name = match (same_place, i) {
                (1, _) => format!("Bibliotheek {}", area.place),
                (_, 0) => format!("Centrale Bibliotheek {}", area.place),
                _ => format!("Bibliotheek {} ({})", area.place, area.postcode),
            };
            let number: usize = area.postcode.parse().unwrap_or(1000);
            chain.help_points.push(DemoHelpPoint {
                key: area.postcode.as_str(),
                organisation_key: municipality.code.as_str(),
                name,
                kind: HelpPointKind::Ido,
                venue_kind: VenueKind::Library,
                street_address: format!(
                    "{} {}",
                    COMMON_STREETS[number % COMMON_STREETS.len()],
                    number % 97 + 1
                ),
                postcode: invented_postcode(&area.postcode, number),
                city: area.place.clone(),
                municipality_code: municipality.code.as_str(),
                weight: u32::try_from(weight).unwrap_or(u32::MAX),
            });
        }
    }
    chain
}

/// Seats per municipality, given (population, most seats) for each: one each while `total` lasts, the most
/// populous first, then D'Hondt (the next seat goes where population per seat after it is highest). Ties go to
/// the earlier municipality, so the result is deterministic.
fn apportion(municipalities: &[(u64, usize)], total: usize) -> Vec<usize> {
    let mut seats = vec![0usize; municipalities.len()];
    let mut order: Vec<usize> = (0..municipalities.len()).collect();
    order.sort_by(|&a, &b| {
        municipalities[b]
            .0
            .cmp(&municipalities[a].0)
            .then(a.cmp(&b))
    });
    let mut left = total;
    for &i in &order {
        if left == 0 {
            break;
        }
        if municipalities[i].1 > 0 {
            seats[i] = 1;
            left -= 1;
        }
    }
    while left > 0 {
        let mut best: Option<usize> = None;
        for (i, &(population, most)) in municipalities.iter().enumerate() {
            if seats[i] == 0 || seats[i] >= most {
                continue;
            }
            // population_i / (seats_i + 1) > population_b / (seats_b + 1), in integers.
            let better = best.is_none_or(|b| {
                u128::from(population) * (seats[b] as u128 + 1)
                    > u128::from(municipalities[b].0) * (seats[i] as u128 + 1)
            });
            if better {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            break; // every municipality has a point in each of its populated areas
        };
        seats[i] += 1;
        left -= 1;
    }
    seats
}

/// `count` of a municipality's populated areas (sorted by PC4), spread out: first the area nearest the
/// population-weighted centre of the most populous place, then each time the area with the most residents
/// times the distance to the nearest area already chosen.
fn spread_over(
    areas: &[&'static reference::PostcodeArea],
    count: usize,
) -> Vec<&'static reference::PostcodeArea> {
    let population = |a: &reference::PostcodeArea| f64::from(a.population.unwrap_or(0));
    let mut places: Vec<(&str, f64, f64, f64)> = Vec::new();
    for a in areas {
        let p = population(a);
        match places.iter_mut().find(|(name, ..)| *name == a.place) {
            Some(place) => {
                place.1 += p;
                place.2 += p * a.centre.lat;
                place.3 += p * a.centre.lon;
            }
            None => places.push((a.place.as_str(), p, p * a.centre.lat, p * a.centre.lon)),
        }
    }
    let Some(&(main_place, residents, lat, lon)) = places
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)))
    else {
        return Vec::new();
    };
    let centre = geo::Point {
        lat: lat / residents.max(1.0),
        lon: lon / residents.max(1.0),
    };
    let first = areas
        .iter()
        .filter(|a| a.place == main_place)
        .min_by(|a, b| {
            geo::distance_km(a.centre, centre).total_cmp(&geo::distance_km(b.centre, centre))
        })
        .copied();
    let mut chosen: Vec<&'static reference::PostcodeArea> = first.into_iter().collect();
    while chosen.len() < count.min(areas.len()) {
        let next = areas
            .iter()
            .filter(|a| !chosen.iter().any(|c| c.postcode == a.postcode))
            .map(|a| {
                let nearest = chosen
                    .iter()
                    .map(|c| geo::distance_km(c.centre, a.centre))
                    .fold(f64::INFINITY, f64::min);
                // Two areas with one centroid still differ by their residents.
                (*a, population(a) * (nearest + 0.01))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.postcode.cmp(&a.0.postcode)));
        match next {
            Some((a, _)) => chosen.push(a),
            None => break,
        }
    }
    chosen
}

/// A full postcode in the PC4 area, letters invented from the number (never SA, SD or SS, which PostNL does
/// not use).
fn invented_postcode(pc4: &str, number: usize) -> String {
    let n = number * 7 + 13;
    let letters = POSTCODE_LETTERS.len();
    let first = POSTCODE_LETTERS[n % letters];
    let mut second = POSTCODE_LETTERS[(n / letters) % letters];
    if first == b'S' && matches!(second, b'A' | b'D' | b'S') {
        second = b'B';
    }
    format!("{pc4} {}{}", char::from(first), char::from(second))
}

/// One generated help question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoQuestion {
    /// Index into [`DemoChain::help_points`].
    pub help_point: usize,
    pub asked_at: Timestamp,
    /// A leaf topic code of `DEFAULT_TOPICS`.
    pub topic: &'static str,
    pub agency: Agency,
    pub kind: QuestionKind,
    pub channel: Channel,
    pub minutes: i64,
    pub outcome: Outcome,
    pub age_band: Option<AgeBand>,
    /// PC4 of the resident, borrowed from the reference data.
    pub pc4: Option<&'static str>,
    pub first_visit: Option<bool>,
}

/// Days of one year of history.
const YEAR_DAYS: usize = 365;
/// Each year of history has this share (in percent) of the questions of the year after it: the chain grows, so
/// the dashboard's comparison with a year earlier shows some 18% more.
const EARLIER_YEAR_PERCENT: u64 = 85;
/// The most years of history a generator spreads its questions over (the day weights stay far from overflowing).
pub const MAX_HISTORY_YEARS: u16 = 5;

/// Volume by month (January first), in percent.
const MONTH_VOLUME: [u64; 12] = [115, 100, 185, 175, 105, 95, 60, 55, 100, 100, 115, 95];

/// Share of questions with an anonymous profile: 3 in 5.
const PROFILE_RATIO: (u32, u32) = (3, 5);
/// Share of profiled residents on their first visit: 2 in 5.
const FIRST_VISIT_RATIO: (u32, u32) = (2, 5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Government,
    Money,
    Devices,
    Housing,
}

struct TopicSpec {
    code: &'static str,
    group: Group,
    /// Relative frequency in an ordinary month.
    base: u64,
    /// Seasonal factor per month (January first), in percent.
    season: [u64; 12],
    /// Takes longer than most (tax returns, debts).
    long: bool,
    /// Ends in a referral more often (debts, housing).
    referral_prone: bool,
}

const FLAT: [u64; 12] = [100; 12];

const fn spec(
    code: &'static str,
    group: Group,
    base: u64,
    season: [u64; 12],
    long: bool,
    referral_prone: bool,
) -> TopicSpec {
    TopicSpec {
        code,
        group,
        base,
        season,
        long,
        referral_prone,
    }
}

/// The leaf topics of `DEFAULT_TOPICS` with their frequency and seasonality (a test checks the codes).
const TOPICS: &[TopicSpec] = &[
    spec(
        "belastingen-toeslagen",
        Group::Government,
        150,
        [150, 110, 300, 280, 120, 80, 70, 70, 90, 90, 90, 100],
        true,
        false,
    ),
    spec(
        "digid",
        Group::Government,
        110,
        [110, 100, 140, 135, 100, 100, 90, 90, 100, 100, 100, 100],
        false,
        false,
    ),
    spec(
        "uitkering-pensioen",
        Group::Government,
        80,
        FLAT,
        false,
        false,
    ),
    spec(
        "zorg",
        Group::Government,
        90,
        [130, 100, 90, 90, 90, 90, 90, 90, 95, 100, 220, 200],
        false,
        false,
    ),
    spec(
        "studie",
        Group::Government,
        25,
        [100, 90, 80, 80, 90, 110, 130, 170, 150, 100, 90, 90],
        false,
        false,
    ),
    spec("vervoer", Group::Government, 40, FLAT, false, false),
    spec("gemeente-zaken", Group::Government, 70, FLAT, false, false),
    spec("bankzaken", Group::Money, 90, FLAT, false, false),
    spec(
        "geldzaken-schulden",
        Group::Money,
        35,
        [130, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 110],
        true,
        true,
    ),
    spec(
        "telefoon-tablet",
        Group::Devices,
        90,
        [140, 100, 100, 90, 90, 90, 100, 100, 100, 100, 100, 120],
        false,
        false,
    ),
    spec("email-internet", Group::Devices, 60, FLAT, false, false),
    spec("veilig-online", Group::Devices, 35, FLAT, false, false),
    spec("wonen", Group::Housing, 30, FLAT, false, true),
];

/// Which agency a question on this topic concerns, in this month (1 = January).
fn agency_weights(code: &str, month: usize) -> &'static [(Agency, u64)] {
    use Agency as A;
    match code {
        "belastingen-toeslagen" => match month {
            3..=5 => &[(A::Belastingdienst, 80), (A::Toeslagen, 20)],
            1 => &[(A::Toeslagen, 75), (A::Belastingdienst, 25)],
            _ => &[(A::Belastingdienst, 45), (A::Toeslagen, 55)],
        },
        "digid" => &[(A::Logius, 100)],
        "uitkering-pensioen" => &[(A::Svb, 55), (A::Uwv, 45)],
        "zorg" => match month {
            11 | 12 | 1 => &[(A::Insurer, 75), (A::Cak, 15), (A::Ciz, 10)],
            _ => &[(A::Insurer, 50), (A::Cak, 30), (A::Ciz, 20)],
        },
        "studie" => &[(A::Duo, 100)],
        "vervoer" => &[(A::Cbr, 30), (A::Rdw, 35), (A::Cjib, 35)],
        "gemeente-zaken" => &[(A::Municipality, 100)],
        "bankzaken" => &[(A::Bank, 100)],
        "geldzaken-schulden" => &[
            (A::Municipality, 45),
            (A::Cjib, 10),
            (A::Belastingdienst, 10),
            (A::Other, 35),
        ],
        "telefoon-tablet" => &[(A::Telecom, 35), (A::Other, 65)],
        "email-internet" => &[(A::Other, 85), (A::Telecom, 15)],
        "veilig-online" => &[(A::Bank, 30), (A::Logius, 10), (A::Other, 60)],
        "wonen" => &[(A::Municipality, 35), (A::Toeslagen, 20), (A::Other, 45)],
        _ => &[(A::Other, 100)],
    }
}

fn kind_weights(group: Group) -> &'static [(QuestionKind, u64)] {
    use QuestionKind as Q;
    match group {
        Group::Government => &[(Q::DigitalGovernment, 95), (Q::Other, 5)],
        Group::Money => &[
            (Q::Other, 80),
            (Q::LibraryService, 12),
            (Q::DigitalGovernment, 8),
        ],
        Group::Devices => &[
            (Q::LibraryService, 50),
            (Q::Other, 45),
            (Q::DigitalGovernment, 5),
        ],
        Group::Housing => &[(Q::DigitalGovernment, 35), (Q::Other, 65)],
    }
}

const GROUPS: [Group; 4] = [
    Group::Government,
    Group::Money,
    Group::Devices,
    Group::Housing,
];

const MINUTES_USUAL: &[(i64, u64)] = &[
    (5, 8),
    (10, 20),
    (15, 22),
    (20, 17),
    (30, 18),
    (45, 8),
    (60, 5),
    (75, 1),
    (90, 1),
];
const MINUTES_LONG: &[(i64, u64)] = &[
    (10, 6),
    (15, 12),
    (20, 15),
    (30, 25),
    (45, 20),
    (60, 14),
    (90, 5),
    (120, 3),
];
const OUTCOMES_USUAL: &[(Outcome, u64)] = &[
    (Outcome::Solved, 66),
    (Outcome::PartlySolved, 16),
    (Outcome::Referred, 10),
    (Outcome::NotSolved, 8),
];
const OUTCOMES_REFERRAL_PRONE: &[(Outcome, u64)] = &[
    (Outcome::Solved, 35),
    (Outcome::PartlySolved, 20),
    (Outcome::Referred, 38),
    (Outcome::NotSolved, 7),
];
const CHANNELS_LIBRARY: &[(Channel, u64)] = &[
    (Channel::WalkIn, 50),
    (Channel::Appointment, 40),
    (Channel::Phone, 7),
    (Channel::Outreach, 3),
];
const CHANNELS_COMMUNITY: &[(Channel, u64)] = &[
    (Channel::WalkIn, 70),
    (Channel::Appointment, 15),
    (Channel::Phone, 5),
    (Channel::Outreach, 10),
];
const AGE_BANDS: &[(AgeBand, u64)] = &[
    (AgeBand::Under18, 1),
    (AgeBand::From18, 9),
    (AgeBand::From35, 13),
    (AgeBand::From50, 20),
    (AgeBand::From65, 30),
    (AgeBand::From75, 27),
];
/// Start hour of a question (local time) on weekdays: busiest in the morning.
const HOURS_WEEKDAY: &[(u32, u64)] = &[
    (9, 14),
    (10, 20),
    (11, 19),
    (12, 9),
    (13, 10),
    (14, 13),
    (15, 10),
    (16, 5),
];
/// Saturdays: libraries only, mornings.
const HOURS_SATURDAY: &[(u32, u64)] = &[(10, 35), (11, 40), (12, 25)];

/// Europe/Amsterdam, from the opening-hours module's built-in rule.
fn time_zone() -> TimeZone {
    crate::opening_hours::Region::Nl.time_zone().clone()
}

/// A cumulative weight table: drawing is one random number and a binary search.
#[derive(Debug, Clone)]
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
    total: u64,
}

impl<T: Copy> Weighted<T> {
    /// Items with weight 0 are left out.
    fn new(pairs: impl IntoIterator<Item = (T, u64)>) -> Self {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for (item, weight) in pairs {
            if weight > 0 {
                total = total.saturating_add(weight);
                items.push(item);
                cumulative.push(total);
            }
        }
        Self {
            items,
            cumulative,
            total,
        }
    }

    fn from_table(table: &[(T, u64)]) -> Self {
        Self::new(table.iter().copied())
    }

    /// `None` only for an empty table.
    fn pick(&self, rng: &mut StdRng) -> Option<T> {
        if self.total == 0 {
            return None;
        }
        let r = rng.random_range(0..self.total);
        let i = self.cumulative.partition_point(|&c| c <= r);
        self.items.get(i).copied()
    }
}

#[derive(Debug, Clone)]
struct PointTables {
    library: bool,
    pc4: Weighted<&'static str>,
}

#[derive(Debug, Clone)]
struct MonthTables {
    /// Index into [`TOPICS`].
    topics: Weighted<usize>,
    /// Per topic (same index).
    agencies: Vec<Weighted<Agency>>,
}

#[derive(Debug, Clone, Copy)]
struct Day {
    /// Unix seconds of local midnight, valid for the day's opening hours (DST changes on Sundays, when all is shut).
    base: i64,
    /// 0 = January.
    month: usize,
    saturday: bool,
    count: u64,
}

/// Streams `count` help questions in chronological order over the 365 days before `end`, or over several such
/// years ([`QuestionGenerator::with_history`]).
///
/// Questions are spread over the days in proportion to a day weight (month, weekday, public holidays, some noise),
/// with an exact total; within a day the start times follow a morning-heavy profile between 09:00 and 17:00 local
/// time (Saturdays 10:00-13:00, libraries only; Sundays and public holidays closed). Residents' PC4 areas are drawn
/// from the help point's municipality, weighted by population and by nearness to the help point.
#[derive(Debug, Clone)]
pub struct QuestionGenerator {
    rng: StdRng,
    days: Vec<Day>,
    next_day: usize,
    day_base: i64,
    month: usize,
    saturday: bool,
    /// Sorted seconds after local midnight of the current day's questions.
    times: Vec<u32>,
    next_time: usize,
    remaining: u64,
    weekday_points: Weighted<usize>,
    saturday_points: Weighted<usize>,
    points: Vec<PointTables>,
    months: Vec<MonthTables>,
    kinds: Vec<Weighted<QuestionKind>>,
    minutes_usual: Weighted<i64>,
    minutes_long: Weighted<i64>,
    outcomes_usual: Weighted<Outcome>,
    outcomes_referral_prone: Weighted<Outcome>,
    channels_library: Weighted<Channel>,
    channels_community: Weighted<Channel>,
    ages: Weighted<AgeBand>,
    hours_weekday: Weighted<u32>,
    hours_saturday: Weighted<u32>,
}

impl QuestionGenerator {
    /// A generator of exactly `count` questions for the chain's help points (by their `weight`), dated in the 365
    /// local days before the day of `end`. Yields nothing when the chain has no help point with a weight.
    #[must_use]
    pub fn new(chain: &DemoChain, end: Timestamp, count: u64, seed: u64) -> Self {
        Self::with_history(chain, end, count, seed, 1)
    }

    /// [`QuestionGenerator::new`] over `years` years of 365 days before the day of `end` (one to
    /// [`MAX_HISTORY_YEARS`]), each year with 85% of the questions of the year after it.
    #[must_use]
    pub fn with_history(
        chain: &DemoChain,
        end: Timestamp,
        count: u64,
        seed: u64,
        years: u16,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let weekday_points = Weighted::new(
            chain
                .help_points
                .iter()
                .enumerate()
                .map(|(i, p)| (i, u64::from(p.weight))),
        );
        let saturday_points = Weighted::new(
            chain
                .help_points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.venue_kind == VenueKind::Library)
                .map(|(i, p)| (i, u64::from(p.weight))),
        );
        let points = chain
            .help_points
            .iter()
            .map(|p| PointTables {
                library: p.venue_kind == VenueKind::Library,
                pc4: pc4_table(p),
            })
            .collect();
        let months = (1..=12)
            .map(|month| MonthTables {
                topics: Weighted::new(
                    TOPICS
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (i, t.base * t.season[month - 1])),
                ),
                agencies: TOPICS
                    .iter()
                    .map(|t| Weighted::from_table(agency_weights(t.code, month)))
                    .collect(),
            })
            .collect();

        let mut days = history_days(
            end,
            usize::from(years.clamp(1, MAX_HISTORY_YEARS)),
            weekday_points.total > 0,
            saturday_points.total > 0,
            &mut rng,
        );
        let total_weight: u128 = days.iter().map(|(_, w)| u128::from(*w)).sum();
        let remaining = if total_weight == 0 { 0 } else { count };
        let mut cumulative = 0u128;
        let mut assigned = 0u64;
        for (day, weight) in &mut days {
            cumulative += u128::from(*weight);
            let target = (u128::from(count) * cumulative)
                .checked_div(total_weight)
                .map_or(0, |t| u64::try_from(t).unwrap_or(count));
            day.count = target - assigned;
            assigned = target;
        }

        Self {
            rng,
            days: days.into_iter().map(|(d, _)| d).collect(),
            next_day: 0,
            day_base: 0,
            month: 0,
            saturday: false,
            times: Vec::new(),
            next_time: 0,
            remaining,
            weekday_points,
            saturday_points,
            points,
            months,
            kinds: GROUPS
                .iter()
                .map(|&g| Weighted::from_table(kind_weights(g)))
                .collect(),
            minutes_usual: Weighted::from_table(MINUTES_USUAL),
            minutes_long: Weighted::from_table(MINUTES_LONG),
            outcomes_usual: Weighted::from_table(OUTCOMES_USUAL),
            outcomes_referral_prone: Weighted::from_table(OUTCOMES_REFERRAL_PRONE),
            channels_library: Weighted::from_table(CHANNELS_LIBRARY),
            channels_community: Weighted::from_table(CHANNELS_COMMUNITY),
            ages: Weighted::from_table(AGE_BANDS),
            hours_weekday: Weighted::from_table(HOURS_WEEKDAY),
            hours_saturday: Weighted::from_table(HOURS_SATURDAY),
        }
    }

    /// Moves to the next day and draws its sorted start times; `false` after the last day.
    fn start_next_day(&mut self) -> bool {
        let Some(day) = self.days.get(self.next_day).copied() else {
            return false;
        };
        self.next_day += 1;
        self.day_base = day.base;
        self.month = day.month;
        self.saturday = day.saturday;
        let hours = if day.saturday {
            &self.hours_saturday
        } else {
            &self.hours_weekday
        };
        self.times.clear();
        self.next_time = 0;
        for _ in 0..day.count {
            let hour = hours.pick(&mut self.rng).unwrap_or(10);
            self.times
                .push(hour * 3600 + self.rng.random_range(0..3600));
        }
        self.times.sort_unstable();
        true
    }
}

impl Iterator for QuestionGenerator {
    type Item = DemoQuestion;

    fn next(&mut self) -> Option<DemoQuestion> {
        if self.remaining == 0 {
            return None;
        }
        while self.next_time >= self.times.len() {
            if !self.start_next_day() {
                self.remaining = 0;
                return None;
            }
        }
        let seconds = self.times[self.next_time];
        self.next_time += 1;
        self.remaining -= 1;
        let asked_at = Timestamp::from_second(self.day_base + i64::from(seconds))
            .unwrap_or(Timestamp::UNIX_EPOCH);

        let rng = &mut self.rng;
        let points = if self.saturday {
            &self.saturday_points
        } else {
            &self.weekday_points
        };
        let help_point = points.pick(rng).unwrap_or(0);
        let month = &self.months[self.month];
        let topic_index = month.topics.pick(rng).unwrap_or(0);
        let topic = &TOPICS[topic_index];
        let agency = month.agencies[topic_index]
            .pick(rng)
            .unwrap_or(Agency::Other);
        let point = &self.points[help_point];
        let mut kind = self.kinds[topic.group as usize]
            .pick(rng)
            .unwrap_or(QuestionKind::Other);
        if kind == QuestionKind::LibraryService && !point.library {
            kind = QuestionKind::Other;
        }
        let channels = if point.library {
            &self.channels_library
        } else {
            &self.channels_community
        };
        let channel = channels.pick(rng).unwrap_or(Channel::WalkIn);
        let minutes = if topic.long {
            &self.minutes_long
        } else {
            &self.minutes_usual
        };
        let minutes = minutes.pick(rng).unwrap_or(15);
        let outcomes = if topic.referral_prone {
            &self.outcomes_referral_prone
        } else {
            &self.outcomes_usual
        };
        let outcome = outcomes.pick(rng).unwrap_or(Outcome::Solved);
        let (age_band, pc4, first_visit) = if rng.random_ratio(PROFILE_RATIO.0, PROFILE_RATIO.1) {
            (
                self.ages.pick(rng),
                point.pc4.pick(rng),
                Some(rng.random_ratio(FIRST_VISIT_RATIO.0, FIRST_VISIT_RATIO.1)),
            )
        } else {
            (None, None, None)
        };
        Some(DemoQuestion {
            help_point,
            asked_at,
            topic: topic.code,
            agency,
            kind,
            channel,
            minutes,
            outcome,
            age_band,
            pc4,
            first_visit,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match usize::try_from(self.remaining) {
            Ok(n) => (n, Some(n)),
            Err(_) => (usize::MAX, None),
        }
    }
}

/// Areas of Rotterdam whose residents the demo chain has not reached: many residents of 65 or over (1,200 to
/// 1,400 each), two to four kilometres from the nearest help point and off the digibus's route. No demo question
/// comes from them, so the dashboard's blind spots and the report's summary have a story in every period.
pub const UNREACHED_PC4: [&str; 3] = ["3043", "3059", "3065"];

/// Residents' PC4 areas for a help point: its municipality's areas, weighted by population (older residents
/// three times) and by nearness; none from [`UNREACHED_PC4`].
fn pc4_table(point: &DemoHelpPoint) -> Weighted<&'static str> {
    let country =
        reference::municipality(point.municipality_code).map_or(Country::Nl, |m| m.country);
    let origin = point
        .postcode
        .get(..4)
        .and_then(|pc4| reference::postcode_area(country, pc4))
        .map(|a| a.centre);
    let table = Weighted::new(
        reference::postcode_areas_in(point.municipality_code).map(|a| {
            // Most visitors of help points are older: a resident of 65 or over weighs three times
            // (CBS residents per PC4 and age), so the map shows where older residents live.
            let older =
                reference::pc4_residents_by_age_band(&a.postcode).map_or(0, |b| b[4] + b[5]);
            let population = if UNREACHED_PC4.contains(&a.postcode.as_str()) {
                0.0
            } else {
                f64::from(a.population.unwrap_or(0)) + 2.0 * f64::from(older)
            };
            let nearness = origin.map_or(1.0, |o| {
                let km = geo::distance_km(o, a.centre);
                1.0 / (1.0 + km / 2.0).powi(2)
            });
            (
                a.postcode.as_str(),
                (population * nearness * 100.0).round() as u64,
            )
        }),
    );
    if table.total > 0 {
        table
    } else {
        // No population figures (Belgium): every area equally likely.
        Weighted::new(
            reference::postcode_areas_in(point.municipality_code).map(|a| (a.postcode.as_str(), 1)),
        )
    }
}

/// The `years` times 365 local days before the day of `end`, oldest first, with their weights (0 when closed).
fn history_days(
    end: Timestamp,
    years: usize,
    open_weekdays: bool,
    open_saturdays: bool,
    rng: &mut StdRng,
) -> Vec<(Day, u64)> {
    let tz = time_zone();
    let mut date = end.to_zoned(tz.clone()).date();
    let mut days = Vec::with_capacity(YEAR_DAYS * years);
    // The latest year weighs most; the weights are relative, so each year back is scaled by 85%.
    let mut year_scale = 100u64.pow(u32::try_from(years).unwrap_or(1).saturating_sub(1));
    for back in 0..YEAR_DAYS * years {
        if back > 0 && back % YEAR_DAYS == 0 {
            year_scale = year_scale / 100 * EARLIER_YEAR_PERCENT;
        }
        let Ok(previous) = date.yesterday() else {
            break;
        };
        date = previous;
        let weekday_factor: u64 = match date.weekday() {
            Weekday::Monday => 95,
            Weekday::Tuesday => 125,
            Weekday::Wednesday => 100,
            Weekday::Thursday => 120,
            Weekday::Friday => 80,
            Weekday::Saturday => 25,
            Weekday::Sunday => 0,
        };
        let saturday = date.weekday() == Weekday::Saturday;
        let open = if saturday {
            open_saturdays
        } else {
            open_weekdays
        };
        let month = month_index(date);
        // Noise is drawn for every day, so that the sequence does not depend on which days are open.
        let noise: u64 = rng.random_range(85..=115);
        // Noon is never in a DST gap; the offset then holds from midnight to closing time on any open day.
        let base = tz
            .to_timestamp(date.at(12, 0, 0, 0))
            .ok()
            .map(|noon| noon.as_second() - 12 * 3600)
            .filter(|b| {
                Timestamp::from_second(b + 86_400).is_ok() && Timestamp::from_second(*b).is_ok()
            });
        let weight = match base {
            Some(_) if open && !is_public_holiday(date) => {
                MONTH_VOLUME[month] * weekday_factor * noise * year_scale
            }
            _ => 0,
        };
        days.push((
            Day {
                base: base.unwrap_or(0),
                month,
                saturday,
                count: 0,
            },
            weight,
        ));
    }
    days.reverse();
    days
}

fn month_index(date: Date) -> usize {
    usize::try_from(date.month()).map_or(0, |m| m.clamp(1, 12) - 1)
}

/// Dutch public holidays on which help points are closed.
fn is_public_holiday(date: Date) -> bool {
    crate::opening_hours::public_holiday(crate::opening_hours::Region::Nl, date).is_some()
}

/// What the finder shows of a demo help point: hours, topics, languages, access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoListing {
    /// Weekly hours in the spreadsheet syntax of [`crate::opening_hours::parse_weekly`].
    pub hours: &'static str,
    pub topics: &'static [&'static str],
    /// Comma-separated language codes.
    pub languages: &'static str,
    pub accessibility: Accessibility,
    pub preparation: &'static str,
}

const ALL_TOPICS: &[&str] = &["overheid", "geld", "apparaten", "wonen"];
const BRING_DIGID: &str = "Neem uw DigiD-gegevens mee, of de brief met uw activeringscode. Gaat het over post of een brief? Neem die ook mee.";

/// The listing of a demo help point, by the kind of place it is.
pub fn demo_listing(help_point: &DemoHelpPoint) -> DemoListing {
    let all_access = Accessibility {
        step_free: true,
        accessible_toilet: true,
        hearing_loop: true,
        quiet_room: false,
    };
    match (help_point.key, help_point.venue_kind) {
        ("digipunt-de-krook", _) => DemoListing {
            hours: "di-vr 10:00-12:30 en 13:30-17:00; za 10:00-13:00",
            topics: &["overheid", "geld", "apparaten"],
            languages: "nl,fr,en,tr",
            accessibility: all_access,
            preparation: "Neem uw identiteitskaart mee, met de pincode. Gaat het over een brief? Neem die ook mee.",
        },
        (_, VenueKind::Mobile) => DemoListing {
            hours: "",
            topics: &["overheid", "apparaten"],
            languages: "nl,en",
            accessibility: Accessibility {
                step_free: true,
                ..Accessibility::default()
            },
            preparation: BRING_DIGID,
        },
        ("bieb-centrale", _) => DemoListing {
            hours: "ma-vr 10:00-17:00; za 10:00-13:00",
            topics: ALL_TOPICS,
            languages: "nl,en,ar,tr",
            accessibility: Accessibility {
                quiet_room: true,
                ..all_access
            },
            preparation: BRING_DIGID,
        },
        (_, VenueKind::Library) => DemoListing {
            hours: "di, do 10:00-12:30 en 13:30-16:00; za 10:00-12:00",
            topics: ALL_TOPICS,
            languages: "nl,en",
            accessibility: all_access,
            preparation: BRING_DIGID,
        },
        (_, VenueKind::MunicipalOffice) => DemoListing {
            hours: "ma-vr 09:00-16:30",
            topics: &["overheid", "geldzaken-schulden", "wonen"],
            languages: "nl,en,ar,tr,pl",
            accessibility: all_access,
            preparation: "Neem een geldig identiteitsbewijs mee.",
        },
        (_, VenueKind::Mosque) => DemoListing {
            hours: "wo 14:00-16:00; za 11:00-13:00",
            topics: &["overheid", "apparaten"],
            languages: "nl,ar,tr,zgh",
            accessibility: Accessibility::default(),
            preparation: BRING_DIGID,
        },
        (_, VenueKind::Church) => DemoListing {
            hours: "ma 13:30-15:30",
            topics: &["apparaten", "digid", "bankzaken"],
            languages: "nl,pap",
            accessibility: Accessibility {
                step_free: true,
                ..Accessibility::default()
            },
            preparation: "Neem uw telefoon of tablet mee, met de oplader.",
        },
        _ => DemoListing {
            hours: "di 09:30-12:00; do 13:00-15:30",
            topics: &["apparaten", "overheid", "geldzaken-schulden"],
            languages: "nl,en",
            accessibility: Accessibility {
                step_free: true,
                ..Accessibility::default()
            },
            preparation: "Neem uw telefoon of tablet mee, met de oplader.",
        },
    }
}

/// Phone number and e-mail address of a demo help point (the `index`-th), invented for the demo: a local number
/// of the point's own area code and an address in the demo's mail domain, so that help point pages show both.
pub fn demo_contact(help_point: &DemoHelpPoint, index: usize) -> (String, String) {
    let belgian = crate::reference::municipality(help_point.municipality_code)
        .is_some_and(|m| m.country == crate::reference::Country::Be);
    let number = 100 + index % 900;
    let phone = if belgian {
        format!("09 {number} 12 34")
    } else {
        format!("010 {number} 12 34")
    };
    let email = format!("hulp.{}@{DEMO_EMAIL_DOMAIN}", help_point.key);
    (phone, email)
}

/// A partner's recurring hour at a demo help point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConsultationHour {
    pub help_point_key: &'static str,
    pub organisation_key: &'static str,
    pub title: &'static str,
    pub topics: &'static [&'static str],
    pub hours: &'static str,
    pub appointment_needed: bool,
}

/// Partners holding consultation hours at the demo chain's help points.
pub fn demo_consultation_hours() -> Vec<DemoConsultationHour> {
    let hour = |help_point_key, organisation_key, title, topics, hours, appointment_needed| {
        DemoConsultationHour {
            help_point_key,
            organisation_key,
            title,
            topics,
            hours,
            appointment_needed,
        }
    };
    vec![
        hour(
            "bieb-centrale",
            "maasbank",
            "Spreekuur bankzaken",
            &["bankzaken"][..],
            "di 10:00-12:00",
            false,
        ),
        hour(
            "bieb-ommoord",
            "maasbank",
            "Spreekuur internetbankieren",
            &["bankzaken"][..],
            "do 14:00-16:00",
            true,
        ),
        hour(
            "bieb-delfshaven",
            "havenstad-telecom",
            "Hulp bij uw telefoon",
            &["telefoon-tablet"][..],
            "wo 13:00-15:00",
            false,
        ),
        hour(
            "bieb-zuidplein",
            "havenstad-telecom",
            "Hulp bij uw telefoon",
            &["telefoon-tablet"][..],
            "vr 10:00-12:00",
            false,
        ),
        hour(
            "bieb-centrale",
            "rijnmond-zorg",
            "Spreekuur zorgverzekering",
            &["zorg"][..],
            "ma 13:00-15:00",
            true,
        ),
        hour(
            "bieb-afrikaanderwijk",
            "svb-rotterdam",
            "Spreekuur AOW en kinderbijslag",
            &["uitkering-pensioen"][..],
            "do 10:00-12:00",
            true,
        ),
        hour(
            "buurthuis-oude-noorden",
            "welzijn-maasstad",
            "Spreekuur geldzaken",
            &["geldzaken-schulden"][..],
            "di 13:00-15:00",
            false,
        ),
        hour(
            "bieb-hillegersberg",
            "woonstichting-maashaven",
            "Spreekuur huren en huurtoeslag",
            &["wonen", "belastingen-toeslagen"][..],
            "wo 10:00-11:30",
            false,
        ),
    ]
}

/// The stops of the demo's bus, in the form's syntax: three weekly or monthly stops where no other help point is,
/// and a one-day stop at a market two weeks after `today`.
#[must_use]
pub fn demo_stops(today: Date) -> Vec<(&'static str, StopInput)> {
    let stop = |place_name: &str, street_address: &str, postcode: &str, hours: &str| StopInput {
        place_name: place_name.to_owned(),
        street_address: street_address.to_owned(),
        postcode: postcode.to_owned(),
        hours: hours.to_owned(),
        ..StopInput::default()
    };
    let market_day = today.saturating_add(jiff::Span::new().days(14));
    vec![
        (
            "digibus",
            stop(
                "Dorpshuis Rozenburg",
                "Raadhuisplein 1",
                "3181 AB",
                "di 10:00-12:00",
            ),
        ),
        (
            "digibus",
            stop(
                "Buurthuis Pernis",
                "Pastoriedijk 40",
                "3195 AB",
                "do 13:30-15:30",
            ),
        ),
        (
            "digibus",
            stop(
                "Hoek van Holland, bij het Dorpshuis",
                "Prins Hendrikstraat 2",
                "3151 AB",
                "laatste vr 10:00-12:00",
            ),
        ),
        (
            "digibus",
            StopInput {
                date: market_day.to_string(),
                times: "10:00-14:00".to_owned(),
                ..stop(
                    "Markt Afrikaanderplein",
                    "Afrikaanderplein 1",
                    "3072 EA",
                    "",
                )
            },
        ),
    ]
}

/// Dated exceptions to a demo help point's hours, in the form's syntax, around `today`: Dutch libraries close
/// between Christmas and New Year, two branches add evenings in the tax-return season, and the Flemish library
/// closes for the Gentse Feesten. Public holidays need none: they are built in.
#[must_use]
pub fn demo_exceptions(help_point: &DemoHelpPoint, today: Date) -> Vec<ExceptionInput> {
    let mut exceptions = Vec::new();
    let year = today.year();
    let flemish = help_point.municipality_code == "44021";
    if help_point.venue_kind == VenueKind::Library && !flemish {
        exceptions.push(ExceptionInput {
            from: Date::constant(year, 12, 27).to_string(),
            to: Date::constant(year, 12, 31).to_string(),
            kind: "closed".to_owned(),
            reason: "Dicht tussen Kerst en Oud en Nieuw".to_owned(),
            ..ExceptionInput::default()
        });
    }
    if matches!(help_point.key, "bieb-zuidplein" | "bieb-ijsselmonde") {
        // The coming season: this year's until April is over, else next year's.
        let season = if today.month() <= 4 { year } else { year + 1 };
        let mut day = Date::constant(season, 3, 1);
        while day.month() <= 4 {
            if day.weekday() == Weekday::Wednesday {
                exceptions.push(ExceptionInput {
                    from: day.to_string(),
                    kind: "extra".to_owned(),
                    times: "18:00-20:00".to_owned(),
                    reason: "Extra avond voor de belastingaangifte".to_owned(),
                    ..ExceptionInput::default()
                });
            }
            day = day.tomorrow().unwrap_or(Date::MAX);
        }
    }
    if flemish {
        let festival = if today.month() <= 7 { year } else { year + 1 };
        exceptions.push(ExceptionInput {
            from: Date::constant(festival, 7, 17).to_string(),
            to: Date::constant(festival, 7, 26).to_string(),
            kind: "closed".to_owned(),
            reason: "Dicht tijdens de Gentse Feesten".to_owned(),
            ..ExceptionInput::default()
        });
    }
    exceptions
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::account::Email;
    use crate::help_question::{DEFAULT_TOPICS, MAX_MINUTES};

    fn end() -> Timestamp {
        "2026-06-15T10:00:00Z".parse().unwrap()
    }

    fn generate(count: u64, seed: u64) -> Vec<DemoQuestion> {
        QuestionGenerator::new(&demo_chain(), end(), count, seed).collect()
    }

    /// The leaf topics a Dutch help point can get questions about (the demo's history is Dutch).
    fn leaf_topics() -> HashSet<&'static str> {
        DEFAULT_TOPICS
            .iter()
            .filter(|t| !DEFAULT_TOPICS.iter().any(|c| c.parent == Some(t.code)))
            .filter(|t| crate::help_question::topic_offered_in(t.code, Country::Nl))
            .map(|t| t.code)
            .collect()
    }

    #[test]
    fn municipalities_exist() {
        for code in std::iter::once(MAIN_MUNICIPALITY).chain(NEIGHBOUR_MUNICIPALITIES) {
            let m = reference::municipality(code).unwrap();
            assert_eq!(m.country, Country::Nl);
            assert_eq!(m.province, "Zuid-Holland");
        }
    }

    #[test]
    fn organisations_are_consistent_and_cover_every_kind_and_sector() {
        let chain = demo_chain();
        let mut keys = HashSet::new();
        for o in &chain.organisations {
            assert!(keys.insert(o.key), "duplicate organisation key {}", o.key);
            let home = reference::municipality(o.municipality_code).unwrap();
            assert_eq!(home.code, o.municipality_code);
            for code in &o.active_in {
                assert!(reference::municipality(code).is_some(), "{code}");
                assert_ne!(
                    *code, o.municipality_code,
                    "active_in lists further municipalities only"
                );
            }
            if o.kind == OrganisationKind::Municipality {
                assert_eq!(o.name, format!("Gemeente {}", home.name));
                assert_eq!(o.sector, Sector::Public);
            }
            // Same rules as an admin's form.
            let active: Vec<String> = o.active_in.iter().map(|c| (*c).to_owned()).collect();
            crate::organisation::OrganisationDraft::parse(
                &o.name,
                o.kind.as_str(),
                o.sector.as_str(),
                o.municipality_code,
                &active,
            )
            .unwrap();
        }
        for kind in OrganisationKind::ALL {
            assert!(
                chain.organisations.iter().any(|o| o.kind == *kind),
                "{kind}"
            );
        }
        for sector in Sector::ALL {
            assert!(
                chain.organisations.iter().any(|o| o.sector == *sector),
                "{sector}"
            );
        }
        for code in std::iter::once(MAIN_MUNICIPALITY).chain(NEIGHBOUR_MUNICIPALITIES) {
            assert!(
                chain.organisations.iter().any(
                    |o| o.kind == OrganisationKind::Municipality && o.municipality_code == code
                )
            );
            assert!(
                chain
                    .help_points
                    .iter()
                    .any(|p| p.venue_kind == VenueKind::Library && p.municipality_code == code),
                "every municipality has a library help point: {code}"
            );
        }
    }

    /// A Dutch help point's postcode: "1234 AB" form (letters PostNL uses), a PC4 of its municipality, and its
    /// city that area's place.
    fn assert_dutch_postcode_of_its_place(p: &DemoHelpPoint) {
        let b = p.postcode.as_bytes();
        assert!(
            b.len() == 7
                && b[..4].iter().all(u8::is_ascii_digit)
                && b[0] != b'0'
                && b[4] == b' '
                && b[5..].iter().all(u8::is_ascii_uppercase)
                && !matches!(&p.postcode[5..], "SA" | "SD" | "SS"),
            "postcode {}",
            p.postcode
        );
        let area = reference::postcode_area(Country::Nl, &p.postcode[..4]).unwrap();
        assert_eq!(area.municipality_code, p.municipality_code, "{}", p.key);
        assert_eq!(area.place, p.city, "{}", p.key);
    }

    #[test]
    fn help_points_have_real_postcodes_in_their_municipality() {
        let chain = demo_chain();
        let mut keys = HashSet::new();
        for p in &chain.help_points {
            assert!(keys.insert(p.key), "duplicate help point key {}", p.key);
            let b = p.postcode.as_bytes();
            let country = reference::municipality(p.municipality_code)
                .unwrap()
                .country;
            if country == Country::Be {
                assert!(
                    b.len() == 4 && b.iter().all(u8::is_ascii_digit),
                    "{}",
                    p.postcode
                );
                let area = reference::postcode_area(Country::Be, &p.postcode).unwrap();
                assert_eq!(area.municipality_code, p.municipality_code, "{}", p.key);
                assert_eq!(p.weight, 0, "Dutch history only");
                continue;
            }
            assert_dutch_postcode_of_its_place(p);
            let org = chain.organisation(p.organisation_key).unwrap();
            assert!(
                org.municipality_code == p.municipality_code
                    || org.active_in.contains(&p.municipality_code),
                "{} operates outside its organisation's municipalities",
                p.key
            );
            assert!(p.weight > 0);
            assert!(!p.street_address.is_empty() && !p.name.is_empty());
        }
        let venues: HashSet<VenueKind> = chain.help_points.iter().map(|p| p.venue_kind).collect();
        for v in [
            VenueKind::Library,
            VenueKind::CommunityCentre,
            VenueKind::Mosque,
            VenueKind::Church,
        ] {
            assert!(venues.contains(&v), "{v}");
        }
        let central = &chain.help_points[0];
        assert_eq!(
            (
                central.street_address.as_str(),
                central.postcode.as_str(),
                central.city.as_str()
            ),
            ("Hoogstraat 110", "3011 PV", "Rotterdam")
        );
        let branches = chain
            .help_points
            .iter()
            .filter(|p| {
                p.organisation_key == central.organisation_key && p.venue_kind == VenueKind::Library
            })
            .count();
        assert!((5..=7).contains(&branches));
    }

    #[test]
    fn a_user_for_every_role_and_a_desk_for_every_routing_rule() {
        let chain = demo_chain();
        for role in Role::ALL {
            // Two staff (the library's desk and the municipality's Vraagwijzer), six partners.
            let expected = match role {
                Role::Staff => 2,
                Role::Partner => 6,
                _ => 1,
            };
            assert_eq!(
                chain.users.iter().filter(|u| u.role == *role).count(),
                expected,
                "{role}"
            );
        }
        // Every organisation the routing rules send to has someone who works its referrals.
        for rule in crate::referral::demo::demo_routing_rules() {
            assert!(
                chain
                    .users
                    .iter()
                    .any(|u| u.organisation_key == rule.organisation_key
                        && matches!(u.role, Role::Staff | Role::Coordinator | Role::Partner)),
                "nobody receives {}'s referrals",
                rule.organisation_key
            );
        }
        let kind_of = |u: &DemoUser| chain.organisation(u.organisation_key).unwrap().kind;
        for u in &chain.users {
            let email = Email::parse(&u.email).unwrap();
            assert_eq!(email.as_str(), u.email);
            assert!(u.email.ends_with(&format!(".{DEMO_EMAIL_DOMAIN}")));
            assert!(u.display_name.contains(' '));
            let kind = kind_of(u);
            match u.role {
                Role::Staff | Role::Coordinator => {
                    assert!(
                        chain
                            .help_points
                            .iter()
                            .any(|p| p.organisation_key == u.organisation_key)
                    );
                }
                Role::Steering => assert_eq!(kind, OrganisationKind::Municipality),
                Role::ProgrammeManager => assert_eq!(kind, OrganisationKind::NationalBody),
                Role::Partner => assert_eq!(kind, OrganisationKind::Partner),
                Role::Admin => {}
            }
        }
        assert!(
            chain
                .users
                .iter()
                .any(|u| u.email == "regie@rotterdam.demo.keten.nl")
        );
    }

    #[test]
    fn topic_table_uses_leaf_topics_and_agencies_exist() {
        let leaves = leaf_topics();
        let mut seen = HashSet::new();
        for t in TOPICS {
            assert!(leaves.contains(t.code), "{} is not a leaf topic", t.code);
            assert!(seen.insert(t.code));
            for month in 1..=12 {
                assert!(!agency_weights(t.code, month).is_empty());
                assert_ne!(
                    agency_weights(t.code, month),
                    &[(Agency::Other, 100)][..],
                    "{}",
                    t.code
                );
            }
        }
        assert_eq!(seen, leaves, "every leaf topic has a frequency");
        for (m, _) in MINUTES_USUAL.iter().chain(MINUTES_LONG) {
            assert!((1..=MAX_MINUTES).contains(m));
        }
    }

    #[test]
    fn exact_count_and_size_hint() {
        let chain = demo_chain();
        for count in [0, 1, 2, 7, 365, 1000, 12_345] {
            let generator = QuestionGenerator::new(&chain, end(), count, 1);
            assert_eq!(
                generator.size_hint(),
                (count as usize, Some(count as usize))
            );
            assert_eq!(generator.count() as u64, count);
        }
    }

    #[test]
    fn two_years_of_history_grow_towards_the_latest() {
        let chain = demo_chain();
        let tz = time_zone();
        let questions: Vec<DemoQuestion> =
            QuestionGenerator::with_history(&chain, end(), 40_000, 3, 2).collect();
        assert_eq!(questions.len(), 40_000);
        let last_day = end().to_zoned(tz.clone()).date().yesterday().unwrap();
        let year_ago = last_day.checked_sub(jiff::Span::new().days(365)).unwrap();
        let first_day = last_day
            .checked_sub(jiff::Span::new().days(2 * 365 - 1))
            .unwrap();
        let date = |q: &DemoQuestion| q.asked_at.to_zoned(tz.clone()).date();
        assert!(
            questions
                .iter()
                .all(|q| date(q) >= first_day && date(q) <= last_day)
        );
        let latest = questions.iter().filter(|q| date(q) > year_ago).count() as f64;
        let earlier = questions.len() as f64 - latest;
        // 100 against 85: some 18% more in the latest year (month and weekday mix differ a little).
        let growth = latest / earlier;
        assert!((1.12..1.24).contains(&growth), "{growth}");
        // The history starts early in the first of the two years.
        assert!(
            questions.first().is_some_and(
                |q| date(q) < year_ago.checked_sub(jiff::Span::new().days(300)).unwrap()
            )
        );
    }

    #[test]
    fn same_seed_same_history() {
        let a = generate(5_000, 42);
        assert_eq!(a, generate(5_000, 42));
        assert_ne!(a, generate(5_000, 43));
    }

    #[test]
    fn empty_chain_yields_nothing() {
        let mut chain = demo_chain();
        chain.help_points.clear();
        assert_eq!(QuestionGenerator::new(&chain, end(), 100, 1).count(), 0);
    }

    #[test]
    fn questions_are_chronological_in_opening_hours_and_within_the_year() {
        let tz = time_zone();
        let questions = generate(40_000, 7);
        let first_day = end()
            .to_zoned(tz.clone())
            .date()
            .checked_sub(jiff::Span::new().days(365))
            .unwrap();
        let last_day = end().to_zoned(tz.clone()).date().yesterday().unwrap();
        let mut days = HashSet::new();
        for pair in questions.windows(2) {
            assert!(pair[0].asked_at <= pair[1].asked_at);
        }
        for q in &questions {
            let local = q.asked_at.to_zoned(tz.clone());
            let date = local.date();
            assert!(date >= first_day && date <= last_day, "{local}");
            assert_ne!(date.weekday(), Weekday::Sunday, "{local}");
            assert!(!is_public_holiday(date), "{local}");
            assert!((9..17).contains(&local.hour()), "{local}");
            if date.weekday() == Weekday::Saturday {
                assert!((10..13).contains(&local.hour()), "{local}");
            }
            days.insert(date);
        }
        // Spread over (nearly) every open day of the year.
        assert!(days.len() > 290, "{}", days.len());
    }

    #[test]
    fn weekday_and_seasonal_patterns() {
        let tz = time_zone();
        let questions = generate(100_000, 3);
        let mut by_weekday: HashMap<Weekday, usize> = HashMap::new();
        let mut by_month = [0usize; 12];
        let mut tax_by_month = [0usize; 12];
        for q in &questions {
            let date = q.asked_at.to_zoned(tz.clone()).date();
            *by_weekday.entry(date.weekday()).or_default() += 1;
            let m = month_index(date);
            by_month[m] += 1;
            if q.topic == "belastingen-toeslagen" {
                tax_by_month[m] += 1;
            }
        }
        let wd = |d| by_weekday.get(&d).copied().unwrap_or(0);
        assert!(
            wd(Weekday::Tuesday) > wd(Weekday::Monday)
                && wd(Weekday::Thursday) > wd(Weekday::Wednesday)
        );
        assert!(wd(Weekday::Friday) < wd(Weekday::Monday));
        assert!(wd(Weekday::Saturday) * 3 < wd(Weekday::Friday));
        assert_eq!(wd(Weekday::Sunday), 0);

        let average = questions.len() as f64 / 12.0;
        let march_april = (by_month[2] + by_month[3]) as f64 / 2.0;
        assert!(march_april > 1.5 * average, "{by_month:?}");
        let summer = (by_month[6] + by_month[7]) as f64 / 2.0;
        assert!(summer < 0.75 * average, "{by_month:?}");

        let tax_total: usize = tax_by_month.iter().sum();
        let tax_share_year = tax_total as f64 / questions.len() as f64;
        let tax_share_spring = (tax_by_month[2] + tax_by_month[3]) as f64 / march_april / 2.0;
        assert!(
            tax_share_spring > 1.5 * tax_share_year,
            "{tax_share_spring} vs {tax_share_year}"
        );
        let tax_per_month_spring = (tax_by_month[2] + tax_by_month[3]) as f64 / 2.0;
        assert!(tax_per_month_spring > 2.5 * tax_total as f64 / 12.0);

        // Health insurance peaks at the end of the year, with the insurer as the agency.
        let zorg = |months: &[usize]| {
            questions
                .iter()
                .filter(|q| {
                    q.topic == "zorg"
                        && months.contains(&month_index(q.asked_at.to_zoned(tz.clone()).date()))
                })
                .count()
        };
        assert!(zorg(&[10, 11]) * 2 > zorg(&[8, 9]) * 3);
    }

    #[test]
    fn realistic_mix() {
        let chain = demo_chain();
        let questions = generate(50_000, 11);
        let n = questions.len() as f64;
        let share = |f: &dyn Fn(&DemoQuestion) -> bool| {
            questions.iter().filter(|q| f(q)).count() as f64 / n
        };

        let solved = share(&|q| q.outcome == Outcome::Solved);
        assert!((0.55..0.72).contains(&solved), "{solved}");
        let referred = share(&|q| q.outcome == Outcome::Referred);
        assert!((0.08..0.18).contains(&referred), "{referred}");
        let profiled = share(&|q| q.age_band.is_some());
        assert!((0.57..0.63).contains(&profiled), "{profiled}");
        let first = share(&|q| q.first_visit == Some(true)) / profiled;
        assert!((0.37..0.43).contains(&first), "{first}");
        let older =
            share(&|q| matches!(q.age_band, Some(AgeBand::From65 | AgeBand::From75))) / profiled;
        assert!(older > 0.5, "{older}");
        let usual_minutes = share(&|q| (10..=30).contains(&q.minutes));
        assert!(usual_minutes > 0.6, "{usual_minutes}");
        let digital_government = share(&|q| q.kind == QuestionKind::DigitalGovernment);
        assert!(digital_government > 0.5, "{digital_government}");

        let leaves = leaf_topics();
        let mut per_point = vec![0usize; chain.help_points.len()];
        for q in &questions {
            assert!(leaves.contains(q.topic));
            assert!((1..=MAX_MINUTES).contains(&q.minutes));
            assert_eq!(q.age_band.is_some(), q.first_visit.is_some());
            assert!(q.pc4.is_none() || q.age_band.is_some());
            let point = &chain.help_points[q.help_point];
            assert!(point.weight > 0);
            if let Some(pc4) = q.pc4 {
                let area = reference::postcode_area(Country::Nl, pc4).unwrap();
                assert_eq!(area.municipality_code, point.municipality_code);
            }
            if q.kind == QuestionKind::LibraryService {
                assert_eq!(point.venue_kind, VenueKind::Library);
            }
            let agencies = agency_weights(
                q.topic,
                month_index(q.asked_at.to_zoned(time_zone()).date()) + 1,
            );
            assert!(
                agencies.iter().any(|(a, _)| *a == q.agency),
                "{} -> {}",
                q.topic,
                q.agency
            );
            per_point[q.help_point] += 1;
        }
        // The central library is the busiest; every help point with a weight gets questions.
        let max = per_point.iter().copied().max().unwrap();
        assert_eq!(per_point[0], max);
        assert!(
            per_point
                .iter()
                .zip(&chain.help_points)
                .all(|(&c, p)| (c > 0) == (p.weight > 0)),
            "{per_point:?}"
        );
        // Topic -> agency: a few fixed mappings.
        for q in &questions {
            match q.topic {
                "digid" => assert_eq!(q.agency, Agency::Logius),
                "studie" => assert_eq!(q.agency, Agency::Duo),
                "bankzaken" => assert_eq!(q.agency, Agency::Bank),
                "gemeente-zaken" => assert_eq!(q.agency, Agency::Municipality),
                _ => {}
            }
        }
    }

    #[test]
    fn residents_mostly_live_near_their_branch() {
        let chain = demo_chain();
        let questions = generate(60_000, 5);
        let near_ommoord = ["3066", "3067", "3068", "3069"];
        let share_near = |key: &str| {
            let point = chain.help_points.iter().position(|p| p.key == key).unwrap();
            let pc4s: Vec<&str> = questions
                .iter()
                .filter(|q| q.help_point == point)
                .filter_map(|q| q.pc4)
                .collect();
            let near = pc4s.iter().filter(|p| near_ommoord.contains(p)).count();
            near as f64 / pc4s.len() as f64
        };
        // These four areas hold about 11% of Rotterdam's residents.
        let ommoord = share_near("bieb-ommoord");
        let central = share_near("bieb-centrale");
        assert!(ommoord > 0.45, "{ommoord}");
        assert!(central < 0.15, "{central}");
    }

    #[test]
    fn no_resident_of_the_unreached_areas_asks() {
        let questions = generate(60_000, 5);
        let from = |pc4: &str| questions.iter().filter(|q| q.pc4 == Some(pc4)).count();
        for pc4 in UNREACHED_PC4 {
            let older = reference::pc4_residents_by_age_band(pc4).map_or(0, |b| b[4] + b[5]);
            assert!(
                older >= 250,
                "{pc4} is a blind spot on the dashboard: {older} residents of 65 or over"
            );
            assert_eq!(from(pc4), 0, "{pc4}");
        }
        // Their neighbours still ask.
        assert!(from("3066") > 0 && from("3042") > 0);
    }

    #[test]
    fn demo_days_follow_the_public_holidays() {
        assert!(is_public_holiday(Date::constant(2025, 4, 21))); // Easter Monday
        assert!(is_public_holiday(Date::constant(2025, 4, 26))); // King's Day on Saturday
        assert!(!is_public_holiday(Date::constant(2025, 4, 28)));
        assert!(!is_public_holiday(Date::constant(2025, 12, 24)));
    }

    #[test]
    fn posix_rule_matches_the_time_zone_database() {
        let Ok(amsterdam) = TimeZone::get("Europe/Amsterdam") else {
            return; // no tz database on this machine: nothing to compare with
        };
        let ours = time_zone();
        let mut ts: Timestamp = "2020-01-01T00:30:00Z".parse().unwrap();
        let until: Timestamp = "2031-01-01T00:00:00Z".parse().unwrap();
        while ts < until {
            assert_eq!(ours.to_offset(ts), amsterdam.to_offset(ts), "{ts}");
            ts += jiff::SignedDuration::from_hours(1);
        }
    }

    #[test]
    fn demo_listings_and_consultation_hours_are_valid() {
        let chain = demo_chain();
        let topic_known = |t: &str| {
            crate::help_question::DEFAULT_TOPICS
                .iter()
                .any(|x| x.code == t)
        };
        for hp in &chain.help_points {
            let listing = demo_listing(hp);
            assert!(
                crate::opening_hours::parse_weekly(listing.hours).is_ok(),
                "{}",
                listing.hours
            );
            assert!(listing.topics.iter().all(|t| topic_known(t)));
            assert!(crate::directory::parse_languages(listing.languages).is_ok());
        }
        for c in demo_consultation_hours() {
            assert!(
                chain.help_points.iter().any(|h| h.key == c.help_point_key),
                "{}",
                c.help_point_key
            );
            assert!(
                chain
                    .organisations
                    .iter()
                    .any(|o| o.key == c.organisation_key),
                "{}",
                c.organisation_key
            );
            assert!(crate::opening_hours::parse_weekly(c.hours).is_ok());
            assert!(c.topics.iter().all(|t| topic_known(t)));
        }
    }

    #[test]
    fn national_chain_has_the_exact_count_and_a_library_in_every_municipality() {
        assert_eq!(national_chain(0), demo_chain());
        assert_eq!(national_chain(17), demo_chain());
        let chain = national_chain(700);
        assert_eq!(chain.help_points.len(), 700);
        assert_eq!(chain.users, demo_chain().users, "no users are added");
        let dutch: Vec<_> = reference::municipalities()
            .iter()
            .filter(|m| m.country == Country::Nl)
            .collect();
        assert_eq!(dutch.len(), 342);
        let mut per_municipality: HashMap<&str, usize> = HashMap::new();
        for p in &chain.help_points {
            *per_municipality.entry(p.municipality_code).or_default() += 1;
        }
        for m in &dutch {
            let count = per_municipality.get(m.code.as_str()).copied().unwrap_or(0);
            assert!(count > 0, "{} has no help point", m.name);
            let demo = std::iter::once(MAIN_MUNICIPALITY)
                .chain(NEIGHBOUR_MUNICIPALITIES)
                .any(|c| c == m.code);
            if demo {
                // The demo's own points only.
                assert_eq!(
                    count,
                    demo_chain()
                        .help_points
                        .iter()
                        .filter(|p| p.municipality_code == m.code)
                        .count()
                );
            } else {
                let library = chain.organisation(&m.code).unwrap();
                assert_eq!(library.kind, OrganisationKind::Library);
                assert_eq!(library.name, format!("Bibliotheek {}", m.name));
            }
        }
        // Bigger municipalities get more points.
        let of = |code: &str| per_municipality.get(code).copied().unwrap_or(0);
        assert!(of("GM0363") >= 20, "Amsterdam: {}", of("GM0363"));
        assert!(of("GM0363") > of("GM0344") && of("GM0344") > of("GM0096"));
        assert_eq!(of("GM0096"), 1, "Vlieland");

        // Fewer points than municipalities: the most populous get one each.
        let small = national_chain(117);
        assert_eq!(small.help_points.len(), 117);
        let smallest_served = small
            .organisations
            .iter()
            .filter(|o| o.key.starts_with("GM"))
            .map(|o| reference::municipality(o.key).unwrap().population)
            .min()
            .unwrap();
        let left_out = reference::municipalities()
            .iter()
            .filter(|m| m.country == Country::Nl && small.organisation(&m.code).is_none())
            .filter(|m| {
                !std::iter::once(MAIN_MUNICIPALITY)
                    .chain(NEIGHBOUR_MUNICIPALITIES)
                    .any(|c| c == m.code)
            })
            .map(|m| m.population)
            .max()
            .unwrap();
        assert!(smallest_served >= left_out);

        // Beyond one point per populated PC4 area the chain stops growing.
        let most = national_chain(100_000);
        assert!(
            (3_500..4_100).contains(&most.help_points.len()),
            "{}",
            most.help_points.len()
        );
        assert_eq!(national_chain(most.help_points.len() + 50), most);
    }

    #[test]
    fn national_help_points_have_real_postcodes_and_unique_keys() {
        let chain = national_chain(700);
        assert_eq!(national_chain(700), chain, "deterministic");
        let mut organisation_keys = HashSet::new();
        for o in &chain.organisations {
            assert!(
                organisation_keys.insert(o.key),
                "duplicate organisation key {}",
                o.key
            );
            let active: Vec<String> = o.active_in.iter().map(|c| (*c).to_owned()).collect();
            crate::organisation::OrganisationDraft::parse(
                &o.name,
                o.kind.as_str(),
                o.sector.as_str(),
                o.municipality_code,
                &active,
            )
            .unwrap();
        }
        let names: HashSet<&str> = chain
            .organisations
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(
            names.len(),
            chain.organisations.len(),
            "the referral loader finds organisations by name"
        );
        let mut point_keys = HashSet::new();
        for p in &chain.help_points {
            assert!(
                point_keys.insert(p.key),
                "duplicate help point key {}",
                p.key
            );
            if p.municipality_code == "44021" {
                continue;
            }
            assert_dutch_postcode_of_its_place(p);
            let org = chain.organisation(p.organisation_key).unwrap();
            assert_eq!(org.municipality_code, p.municipality_code);
            assert!(p.weight > 0 && !p.name.is_empty() && !p.street_address.is_empty());
            let listing = demo_listing(p);
            assert!(
                !listing.hours.is_empty() || p.venue_kind == VenueKind::Mobile,
                "{} is found in the finder",
                p.key
            );
        }
        // One point per PC4 area in each municipality.
        let areas: HashSet<&str> = chain
            .help_points
            .iter()
            .filter(|p| !demo_chain().help_points.iter().any(|d| d.key == p.key))
            .map(|p| &p.postcode[..4])
            .collect();
        assert_eq!(areas.len(), 700 - 17);
        // Weights follow the population: the new points weigh together about what the population outside
        // the demo's municipalities is to theirs.
        let demo_codes = [
            MAIN_MUNICIPALITY,
            NEIGHBOUR_MUNICIPALITIES[0],
            NEIGHBOUR_MUNICIPALITIES[1],
            NEIGHBOUR_MUNICIPALITIES[2],
        ];
        let weight = |inside: bool| -> f64 {
            chain
                .help_points
                .iter()
                .filter(|p| demo_codes.contains(&p.municipality_code) == inside)
                .map(|p| f64::from(p.weight))
                .sum()
        };
        let population = |inside: bool| -> f64 {
            reference::municipalities()
                .iter()
                .filter(|m| {
                    m.country == Country::Nl && demo_codes.contains(&m.code.as_str()) == inside
                })
                .map(|m| f64::from(m.population))
                .sum()
        };
        let ratio = (weight(false) / weight(true)) / (population(false) / population(true));
        assert!((0.97..1.03).contains(&ratio), "{ratio}");
    }

    #[test]
    fn national_questions_reach_most_help_points_in_order() {
        let chain = national_chain(700);
        let questions: Vec<DemoQuestion> =
            QuestionGenerator::new(&chain, end(), 100_000, 9).collect();
        assert_eq!(questions.len(), 100_000);
        for pair in questions.windows(2) {
            assert!(pair[0].asked_at <= pair[1].asked_at);
        }
        let mut per_point = vec![0usize; chain.help_points.len()];
        for q in &questions {
            per_point[q.help_point] += 1;
            let point = &chain.help_points[q.help_point];
            if let Some(pc4) = q.pc4 {
                let area = reference::postcode_area(Country::Nl, pc4).unwrap();
                assert_eq!(area.municipality_code, point.municipality_code);
            }
        }
        let reached = per_point.iter().filter(|&&n| n > 0).count();
        assert!(reached >= 680, "{reached} of 700 help points got questions");
        // Rotterdam's region holds about 5% of the residents, and gets about that share of the questions.
        let regional = questions
            .iter()
            .filter(|q| {
                let code = chain.help_points[q.help_point].municipality_code;
                code == MAIN_MUNICIPALITY || NEIGHBOUR_MUNICIPALITIES.contains(&code)
            })
            .count();
        assert!((3_500..7_000).contains(&regional), "{regional}");
    }

    #[test]
    fn demo_stops_and_exceptions_pass_the_forms_checks_and_lie_ahead() {
        use crate::directory_details::{StopDraft, parse_exception};
        use crate::opening_hours::ExceptionKind;
        let chain = demo_chain();
        let bus = chain
            .help_points
            .iter()
            .find(|p| p.key == "digibus")
            .unwrap();
        assert_eq!(bus.venue_kind, VenueKind::Mobile);
        assert!(
            demo_listing(bus).hours.is_empty(),
            "the bus is found at its stops only"
        );
        for today in [Date::constant(2026, 3, 2), Date::constant(2026, 12, 2)] {
            let stops = demo_stops(today);
            assert_eq!(stops.len(), 4);
            for (key, input) in &stops {
                assert!(chain.help_points.iter().any(|p| p.key == *key), "{key}");
                let stop = StopDraft::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
                for e in &stop.hours.exceptions {
                    assert!(e.from > today, "the market day is ahead");
                }
            }
            let mut kinds = HashSet::new();
            for p in &chain.help_points {
                for input in demo_exceptions(p, today) {
                    let e = parse_exception(&input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
                    assert!(e.to >= today, "{} {input:?} lies behind {today}", p.key);
                    assert!(!e.reason.is_empty());
                    kinds.insert(e.kind);
                }
            }
            assert!(
                kinds.contains(&ExceptionKind::Closed) && kinds.contains(&ExceptionKind::Extra)
            );
        }
        let krook = chain
            .help_points
            .iter()
            .find(|p| p.key == "digipunt-de-krook")
            .unwrap();
        assert_eq!(
            reference::municipality(krook.municipality_code)
                .unwrap()
                .country,
            Country::Be
        );
    }
}
