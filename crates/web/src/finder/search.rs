//! One search, shared by the finder page and the API: place, topic and filters to nearest help.

use super::index::{EntryKind, Snapshot, language_set, offered_topic_set, topic_set};
use crate::error::AppError;
use keten_core::finder::Filter;
pub use keten_core::finder::MAX_RESULT_KM;
use keten_core::geo::{ResolvedPlace, resolve_place, walking_distance_km};
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::opening_hours::OpenPeriod;
use keten_core::reference::Country;

/// When the resident wants to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Any,
    Today,
    ThisWeek,
}

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub place: String,
    pub topic: Option<String>,
    pub when: When,
    pub step_free: bool,
    pub language: Option<String>,
    /// Only help points that serve this municipality (CBS or NIS code).
    pub municipality: Option<String>,
    pub limit: usize,
    /// Only help points at most this far (great-circle km); see [`MAX_RESULT_KM`].
    pub max_km: f64,
}

/// One help point in the results.
#[derive(Debug, Clone)]
pub struct Found {
    pub help_point: usize,
    /// The stop of a mobile help point the resident can go to, when the hit was a stop.
    pub stop: Option<usize>,
    pub distance_km: f64,
    pub walking_km: f64,
    pub next_open: Option<OpenPeriod>,
}

#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub place: ResolvedPlace,
    pub found: Vec<Found>,
}

pub const MAX_LIMIT: usize = 50;

pub fn known_topic(code: &str) -> bool {
    DEFAULT_TOPICS.iter().any(|t| t.code == code)
}

pub fn search(
    snapshot: &Snapshot,
    query: &SearchQuery,
    now: jiff::Timestamp,
) -> Result<SearchOutcome, AppError> {
    let place =
        resolve_place(&query.place, Country::Nl).map_err(|e| AppError::from_place("place", e))?;
    if let Some(topic) = &query.topic
        && !known_topic(topic)
    {
        return Err(AppError::Validation(vec![
            keten_core::ValidationError::new("topic", format!("Onbekend onderwerp '{topic}'.")),
        ]));
    }
    let Some(index) = &snapshot.index else {
        return Ok(SearchOutcome {
            place,
            found: Vec::new(),
        });
    };
    let topics = topic_set(&query.topic.iter().cloned().collect::<Vec<_>>());
    let languages = language_set(&query.language.iter().cloned().collect::<Vec<_>>());
    let open_filter = |id: u32| -> bool {
        let Some(entry) = snapshot.entries.get(id as usize) else {
            return false;
        };
        if let Some(code) = &query.municipality
            && !snapshot.serves(*entry, code)
        {
            return false;
        }
        let (hours, _) = snapshot.hours_of(*entry);
        // A temporarily closed point is listed (marked), but never as open today or this week.
        if query.when != When::Any && snapshot.closed_now(entry.help_point(), now).is_some() {
            return false;
        }
        match query.when {
            When::Any => true,
            When::Today => hours.open_later_today(now),
            When::ThisWeek => hours.open_this_week(now),
        }
    };
    let filter = Filter {
        topics,
        step_free: query.step_free,
        languages,
        max_km: Some(query.max_km),
        accept: Some(&open_filter),
    };
    let limit = query.limit.clamp(1, MAX_LIMIT);
    // A help point can appear once for itself and once per consultation hour:
    // ask for more hits than needed and keep the first per help point.
    let hits = index.nearest(place.point, &filter, limit * 4);
    let mut found: Vec<Found> = Vec::new();
    for hit in hits {
        let Some(entry) = snapshot.entries.get(hit.id as usize).copied() else {
            continue;
        };
        let hp = entry.help_point();
        if found.len() == limit || found.iter().any(|f| f.help_point == hp) {
            continue;
        }
        let help_point = &snapshot.help_points[hp];
        let (stop, location, hours) = match entry {
            EntryKind::Stop(si, _) => (
                Some(si),
                snapshot.stops[si].location,
                &snapshot.stops[si].hours,
            ),
            _ => (None, help_point.location, &*help_point.hours),
        };
        found.push(Found {
            help_point: hp,
            stop,
            distance_km: hit.distance_km,
            walking_km: walking_distance_km(place.point, location),
            // Never "open now" while temporarily closed: the page says when it reopens instead.
            next_open: if snapshot.closed_now(hp, now).is_some() {
                None
            } else {
                hours.next_open(now)
            },
        });
    }
    Ok(SearchOutcome { place, found })
}

/// Without a place (an embed opened with a municipality and maybe a topic): the help points serving the
/// municipality that help with the topic, by name, at most [`MAX_LIMIT`]. Distances are zero: there is no place.
pub fn in_municipality(
    snapshot: &Snapshot,
    municipality_code: &str,
    topic: Option<&str>,
    now: jiff::Timestamp,
) -> Vec<Found> {
    let wanted = topic_set(&topic.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
    let country =
        keten_core::reference::municipality(municipality_code).map_or(Country::Nl, |m| m.country);
    snapshot
        .help_points
        .iter()
        .enumerate()
        .filter(|&(i, _)| snapshot.serves(EntryKind::HelpPoint(i), municipality_code))
        .filter(|&(i, hp)| {
            wanted.is_empty()
                || offered_topic_set(&hp.topics, country).intersects(wanted)
                || snapshot.hours_at[i].iter().any(|&ci| {
                    offered_topic_set(&snapshot.consultation_hours[ci].topics, country)
                        .intersects(wanted)
                })
        })
        .take(MAX_LIMIT)
        .map(|(i, hp)| Found {
            help_point: i,
            stop: None,
            distance_km: 0.0,
            walking_km: 0.0,
            next_open: if snapshot.closed_now(i, now).is_some() {
                None
            } else {
                hp.hours.next_open(now)
            },
        })
        .collect()
}
