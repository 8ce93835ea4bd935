//! A municipality against others: questions per 1,000 residents of its neighbours (approximated by the nearest centres), of municipalities of its size class on the same installation, and of the installation as a whole; totals only, and only of municipalities with at least 5 questions.

use super::{MIN_CELL, per_thousand_tenths};
use crate::geo::distance_km;
use crate::reference::{self, Municipality};
use std::collections::BTreeMap;

/// How many nearest municipalities stand for the neighbours (there is no adjacency data).
pub const NEIGHBOURS: usize = 6;

/// Size classes by residents (the CBS classes), as (lowest population, Dutch label).
pub const SIZE_CLASSES: [(u32, &str); 8] = [
    (0, "minder dan 5.000 inwoners"),
    (5_000, "5.000 tot 10.000 inwoners"),
    (10_000, "10.000 tot 20.000 inwoners"),
    (20_000, "20.000 tot 50.000 inwoners"),
    (50_000, "50.000 tot 100.000 inwoners"),
    (100_000, "100.000 tot 150.000 inwoners"),
    (150_000, "150.000 tot 250.000 inwoners"),
    (250_000, "250.000 inwoners of meer"),
];

/// The size class (index into [`SIZE_CLASSES`]) of a population.
#[must_use]
pub fn size_class(population: u32) -> usize {
    SIZE_CLASSES
        .iter()
        .rposition(|(lowest, _)| population >= *lowest)
        .unwrap_or(0)
}

/// The label of a size class.
#[must_use]
pub fn size_class_label(class: usize) -> &'static str {
    SIZE_CLASSES.get(class).map_or("", |c| c.1)
}

/// The `n` municipalities of the same country whose centres lie nearest to this one's, nearest first.
#[must_use]
pub fn nearest_municipalities(code: &str, n: usize) -> Vec<&'static Municipality> {
    let Some(own) = reference::municipality(code) else {
        return Vec::new();
    };
    let mut others: Vec<(f64, &'static Municipality)> = reference::municipalities()
        .iter()
        .filter(|m| m.code != own.code && m.country == own.country)
        .map(|m| (distance_km(own.centre, m.centre), m))
        .collect();
    others.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
    others.into_iter().take(n).map(|(_, m)| m).collect()
}

/// Questions, residents and the rate of one line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub questions: i64,
    pub residents: i64,
    /// Questions per 1,000 residents in tenths.
    pub rate_tenths: Option<i64>,
}

impl Line {
    fn new(questions: i64, residents: i64) -> Line {
        Line {
            questions,
            residents,
            rate_tenths: u32::try_from(residents)
                .ok()
                .and_then(|r| per_thousand_tenths(questions, r)),
        }
    }
}

/// The comparison of one municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub own: Line,
    /// Neighbours with at least 5 questions: (name, line), nearest first.
    pub neighbours: Vec<(String, Line)>,
    /// How many of the nearest municipalities were left out for having fewer than 5 questions.
    pub neighbours_left_out: usize,
    pub size_class: usize,
    /// Other municipalities of the same size class with at least 5 questions, together; `None` when there are none.
    pub same_size: Option<(usize, Line)>,
    /// Every municipality of the installation with at least 5 questions, together (the installation's figure).
    pub installation: Option<(usize, Line)>,
}

/// Compares `code` with others, from questions per municipality's chain (a help point serving two
/// municipalities counts in both). Municipalities with fewer than [`MIN_CELL`] questions appear in no line but
/// the own one.
#[must_use]
pub fn compare(code: &str, questions: &BTreeMap<String, i64>) -> Option<Comparison> {
    let own = reference::municipality(code)?;
    let count = |c: &str| questions.get(c).copied().unwrap_or(0);
    let enough = |m: &Municipality| count(&m.code) >= MIN_CELL;
    let nearest = nearest_municipalities(code, NEIGHBOURS);
    let neighbours: Vec<(String, Line)> = nearest
        .iter()
        .filter(|m| enough(m))
        .map(|m| {
            (
                m.name.clone(),
                Line::new(count(&m.code), i64::from(m.population)),
            )
        })
        .collect();
    let class = size_class(own.population);
    let group = |members: Vec<&Municipality>| {
        let n = members.len();
        (n > 0).then(|| {
            let q = members.iter().map(|m| count(&m.code)).sum();
            let r = members.iter().map(|m| i64::from(m.population)).sum();
            (n, Line::new(q, r))
        })
    };
    let taking_part: Vec<&Municipality> = questions
        .keys()
        .filter_map(|c| reference::municipality(c))
        .filter(|m| m.country == own.country && enough(m))
        .collect();
    Some(Comparison {
        own: Line::new(count(code), i64::from(own.population)),
        neighbours_left_out: nearest.len() - neighbours.len(),
        neighbours,
        size_class: class,
        same_size: group(
            taking_part
                .iter()
                .copied()
                .filter(|m| m.code != own.code && size_class(m.population) == class)
                .collect(),
        ),
        installation: group(taking_part),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_follow_the_cbs_bounds() {
        assert_eq!(size_class(4_999), 0);
        assert_eq!(size_class(5_000), 1);
        assert_eq!(size_class(149_999), 5);
        assert_eq!(size_class(670_000), 7);
        assert_eq!(size_class_label(7), "250.000 inwoners of meer");
    }

    #[test]
    fn neighbours_are_the_nearest_centres_of_the_same_country() {
        let near = nearest_municipalities("GM0599", NEIGHBOURS);
        assert_eq!(near.len(), NEIGHBOURS);
        let codes: Vec<&str> = near.iter().map(|m| m.code.as_str()).collect();
        assert!(
            codes.contains(&"GM0606"),
            "Schiedam borders Rotterdam: {codes:?}"
        );
        assert!(!codes.contains(&"GM0599"));
        let rdam = reference::municipality("GM0599").unwrap();
        let d: Vec<f64> = near
            .iter()
            .map(|m| distance_km(rdam.centre, m.centre))
            .collect();
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "nearest first");
        assert!(nearest_municipalities("GM9999", 3).is_empty());
    }

    #[test]
    fn only_municipalities_with_five_questions_are_compared() {
        let near = nearest_municipalities("GM0599", NEIGHBOURS);
        let mut q = BTreeMap::new();
        q.insert("GM0599".to_owned(), 3);
        q.insert(near[0].code.clone(), 40);
        q.insert(near[1].code.clone(), 4);
        q.insert("GM0518".to_owned(), 100);
        let c = compare("GM0599", &q).unwrap();
        assert_eq!(c.own.questions, 3, "the own municipality is always shown");
        assert_eq!(c.neighbours.len(), 1);
        assert_eq!(c.neighbours[0].0, near[0].name);
        assert_eq!(c.neighbours_left_out, NEIGHBOURS - 1);
        let den_haag = reference::municipality("GM0518").unwrap();
        let (n, line) = c.same_size.clone().unwrap();
        assert_eq!(
            (n, line.questions, line.residents),
            (1, 100, i64::from(den_haag.population))
        );
        let (n, line) = c.installation.unwrap();
        assert_eq!(
            (n, line.questions),
            (2, 140),
            "Rotterdam (3) and the neighbour with 4 are left out"
        );
        assert_eq!(
            line.rate_tenths,
            per_thousand_tenths(140, u32::try_from(line.residents).unwrap())
        );
    }
}
