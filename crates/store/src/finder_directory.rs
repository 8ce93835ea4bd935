//! The open part of the directory as residents see it: the finder's compact in-memory read model and one help point's page.
//!
//! The finder keeps every open help point and consultation hour in memory. With full [`HelpPoint`] rows that took
//! about 160 MB of heap at 100,000 help points, over the 100 MB budget for the whole process, so the finder gets only
//! what search and result lists need, and values that repeat across points (a city, a municipality, a topic list,
//! a library chain's opening hours) are shared instead of copied. Rows are streamed into that shape, so the full
//! rows never sit in memory all at once either. A help point's own page reads its full row from the database.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures_util::TryStreamExt;
use keten_core::geo::Point;
use keten_core::opening_hours::OpeningHours;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::help_point_details::Stop;
use crate::help_points::{ConsultationHour, HelpPoint, parse_hours};
use keten_core::directory::HelpPointStatus;

/// A list of codes (topics, languages, municipalities) shared by every point with the same list.
pub type Codes = Arc<[String]>;

/// A help point's id, name, street address and postcode in one allocation. With 100,000 help points, four boxed
/// strings per point cost about 10 MB more (pointers, allocator headers, rounding) of the 100 MB budget.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PointTexts {
    text: Box<str>,
    /// Where the id, the name and the street address end in `text`; the postcode is the rest.
    ends: [u32; 3],
}

impl PointTexts {
    fn new(id: &str, name: &str, street_address: &str, postcode: &str) -> Self {
        let mut text =
            String::with_capacity(id.len() + name.len() + street_address.len() + postcode.len());
        let mut ends = [0u32; 3];
        for (end, part) in ends.iter_mut().zip([id, name, street_address]) {
            text.push_str(part);
            *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        text.push_str(postcode);
        Self {
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// Part `i` (0 = id, 1 = name, 2 = street address, 3 = postcode).
    fn part(&self, i: usize) -> &str {
        let bound = |j: usize| self.ends.get(j).map_or(self.text.len(), |&e| e as usize);
        let start = if i == 0 { 0 } else { bound(i - 1) };
        self.text.get(start..bound(i)).unwrap_or_default()
    }
}

/// An open help point as the finder holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct FinderPoint {
    texts: PointTexts,
    pub city: Arc<str>,
    pub municipality_code: Arc<str>,
    pub location: Point,
    pub hours: Arc<OpeningHours>,
    pub topics: Codes,
    pub languages: Codes,
    /// Further municipalities served besides the one it sits in.
    pub municipalities_served: Codes,
    pub step_free: bool,
    /// Set when the point is temporarily closed (status `temporarily_closed`).
    pub closure: Option<Box<TemporaryClosure>>,
}

impl FinderPoint {
    pub fn id(&self) -> &str {
        self.texts.part(0)
    }

    pub fn name(&self) -> &str {
        self.texts.part(1)
    }

    pub fn street_address(&self) -> &str {
        self.texts.part(2)
    }

    pub fn postcode(&self) -> &str {
        self.texts.part(3)
    }
}

/// Why and until when a help point is temporarily closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryClosure {
    pub reason: Option<String>,
    /// Expected reopening (a date in the point's own time zone); from then on its hours apply again.
    pub reopens_on: Option<jiff::civil::Date>,
}

impl TemporaryClosure {
    /// The closure of a help point with this status, reason and stored reopening date (YYYY-MM-DD).
    pub fn of(
        status: HelpPointStatus,
        reason: Option<&str>,
        reopens_on: Option<&str>,
    ) -> Option<Self> {
        (status == HelpPointStatus::TemporarilyClosed).then(|| TemporaryClosure {
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned),
            reopens_on: reopens_on.and_then(|d| d.trim().parse().ok()),
        })
    }

    /// Whether the point is still closed on `today`.
    pub fn closed_on(&self, today: jiff::civil::Date) -> bool {
        keten_core::directory::closed_by_status(
            HelpPointStatus::TemporarilyClosed,
            self.reopens_on,
            today,
        )
    }
}

/// A partner's consultation hour at an open help point, as the finder holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct FinderHour {
    pub help_point_id: Box<str>,
    pub organisation_name: Arc<str>,
    pub title: Arc<str>,
    pub topics: Codes,
    pub hours: Arc<OpeningHours>,
    pub appointment_needed: bool,
}

/// Everything the finder searches: open help points (ordered by name), their consultation hours and stops.
#[derive(Debug, Clone, Default)]
pub struct FinderDirectory {
    pub help_points: Vec<FinderPoint>,
    pub consultation_hours: Vec<FinderHour>,
    pub stops: Vec<Stop>,
}

/// One open help point with its partners' hours and stops, for its public page.
#[derive(Debug, Clone)]
pub struct PublicHelpPoint {
    pub help_point: HelpPoint,
    pub consultation_hours: Vec<ConsultationHour>,
    pub stops: Vec<Stop>,
}

/// Hands out one shared copy per distinct value.
#[derive(Default)]
struct Shared {
    strings: HashSet<Arc<str>>,
    /// By the comma-separated list as stored or joined by the database.
    lists: HashMap<String, Codes>,
    hours: HashMap<String, Arc<OpeningHours>>,
}

impl Shared {
    fn string(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.strings.insert(shared.clone());
        shared
    }

    /// A comma-separated list of codes (none for NULL).
    fn list(&mut self, joined: Option<&str>) -> Codes {
        let joined = joined.unwrap_or_default();
        if let Some(shared) = self.lists.get(joined) {
            return shared.clone();
        }
        let codes: Vec<String> = joined
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let shared: Codes = Arc::from(codes);
        self.lists.insert(joined.to_owned(), shared.clone());
        shared
    }

    /// Opening hours by their stored JSON: equal JSON, one parsed copy.
    fn hours(&mut self, json: String) -> Result<Arc<OpeningHours>> {
        if let Some(shared) = self.hours.get(&json) {
            return Ok(shared.clone());
        }
        let shared = Arc::new(parse_hours(&json)?);
        self.hours.insert(json, shared.clone());
        Ok(shared)
    }
}

#[derive(sqlx::FromRow)]
struct PointRow {
    id: String,
    name: String,
    street_address: String,
    postcode: String,
    city: String,
    municipality_code: String,
    lat: f64,
    lon: f64,
    hours: String,
    languages: String,
    step_free: i64,
    topics: Option<String>,
    served: Option<String>,
    status: String,
    status_reason: Option<String>,
    reopens_on: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HourRow {
    help_point_id: String,
    organisation_name: String,
    title: String,
    hours: String,
    appointment_needed: i64,
    topics: Option<String>,
}

// The SQL below says `status <> 'closed'`: the stored code of [`HelpPointStatus::Closed`] (a test checks it).
// Temporarily closed points stay visible, marked as such; only inactive (closed) ones are hidden.
impl Store {
    /// The open directory in the finder's compact shape.
    pub async fn finder_directory(&self) -> Result<FinderDirectory> {
        let mut shared = Shared::default();
        // Only code literals go into the SQL text. Topic lists come joined from the database, so that no per-point map is built here just to be thrown away.
        let sql = format!(
            "SELECT h.id, h.name, h.street_address, h.postcode, h.city, h.municipality_code, h.lat, h.lon, \
             h.hours, h.languages, h.step_free, h.status, h.status_reason, h.reopens_on, \
             (SELECT {topics} FROM help_point_topics t WHERE t.help_point_id = h.id) AS topics, \
             (SELECT {served} FROM help_point_municipalities m WHERE m.help_point_id = h.id) AS served \
             FROM help_points h WHERE h.status <> 'closed' ORDER BY h.name, h.id",
            topics = self.comma_list("t.topic_code"),
            served = self.comma_list("m.municipality_code"),
        );
        let mut help_points = Vec::new();
        let mut rows = sqlx::query_as::<_, PointRow>(sqlx::AssertSqlSafe(sql)).fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let status: HelpPointStatus = r
                .status
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("help point status {}", r.status)))?;
            let closure =
                TemporaryClosure::of(status, r.status_reason.as_deref(), r.reopens_on.as_deref())
                    .map(Box::new);
            help_points.push(FinderPoint {
                closure,
                topics: shared.list(r.topics.as_deref()),
                municipalities_served: shared.list(r.served.as_deref()),
                languages: shared.list(Some(&r.languages)),
                texts: PointTexts::new(&r.id, &r.name, &r.street_address, &r.postcode),
                city: shared.string(&r.city),
                municipality_code: shared.string(&r.municipality_code),
                location: Point {
                    lat: r.lat,
                    lon: r.lon,
                },
                hours: shared.hours(r.hours)?,
                step_free: r.step_free != 0,
            });
        }
        drop(rows);
        help_points.shrink_to_fit();

        let sql = format!(
            "SELECT c.help_point_id, o.name AS organisation_name, c.title, c.hours, c.appointment_needed, \
             (SELECT {topics} FROM consultation_hour_topics t WHERE t.consultation_hour_id = c.id) AS topics \
             FROM consultation_hours c JOIN organisations o ON o.id = c.organisation_id \
             JOIN help_points h ON h.id = c.help_point_id WHERE h.status <> 'closed' \
             ORDER BY c.help_point_id, c.title, c.id",
            topics = self.comma_list("t.topic_code"),
        );
        let mut consultation_hours = Vec::new();
        let mut rows = sqlx::query_as::<_, HourRow>(sqlx::AssertSqlSafe(sql)).fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            consultation_hours.push(FinderHour {
                topics: shared.list(r.topics.as_deref()),
                help_point_id: r.help_point_id.into(),
                organisation_name: shared.string(&r.organisation_name),
                title: shared.string(&r.title),
                hours: shared.hours(r.hours)?,
                appointment_needed: r.appointment_needed != 0,
            });
        }
        drop(rows);
        consultation_hours.shrink_to_fit();

        let stops = crate::help_point_details::all_stops(&self.pool).await?;
        Ok(FinderDirectory {
            help_points,
            consultation_hours,
            stops,
        })
    }

    /// A help point residents may see (open or temporarily closed) with its partners' hours and stops; `NotFound`
    /// when it does not exist or is closed (inactive).
    pub async fn public_help_point(&self, id: &str) -> Result<PublicHelpPoint> {
        let help_point = self.help_point(id).await?;
        if help_point.status == HelpPointStatus::Closed {
            return Err(StoreError::NotFound);
        }
        Ok(PublicHelpPoint {
            consultation_hours: self.directory_consultation_hours(Some(id)).await?,
            stops: self.stops_of(id).await?,
            help_point,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_names_the_closed_status_by_its_stored_code() {
        assert_eq!(HelpPointStatus::Closed.as_str(), "closed");
    }

    #[test]
    fn equal_values_are_shared() {
        let mut shared = Shared::default();
        let a = shared.string("Rotterdam");
        let b = shared.string("Rotterdam");
        assert!(Arc::ptr_eq(&a, &b));
        let x = shared.list(Some("bankzaken,digid"));
        let y = shared.list(Some("bankzaken,digid"));
        let z = shared.list(Some("bankzaken"));
        assert!(Arc::ptr_eq(&x, &y));
        assert!(!Arc::ptr_eq(&x, &z));
        assert_eq!(&*x, ["bankzaken".to_owned(), "digid".to_owned()]);
        assert!(shared.list(None).is_empty());
        assert!(shared.list(Some("")).is_empty());
        let json = r#"{"weekly":[],"exceptions":[]}"#;
        let h1 = shared.hours(json.to_owned()).unwrap();
        let h2 = shared.hours(json.to_owned()).unwrap();
        assert!(Arc::ptr_eq(&h1, &h2));
        assert!(shared.hours("no json".to_owned()).is_err());
    }

    #[test]
    fn point_texts_give_back_each_part() {
        let t = PointTexts::new("hp-1", "Bibliotheek Zuidplein (Charlois)", "", "3083 CW");
        assert_eq!(
            [t.part(0), t.part(1), t.part(2), t.part(3)],
            ["hp-1", "Bibliotheek Zuidplein (Charlois)", "", "3083 CW"]
        );
        let t = PointTexts::new("", "Café Één", "Kouter 1", "");
        assert_eq!(
            [t.part(1), t.part(2), t.part(3)],
            ["Café Één", "Kouter 1", ""]
        );
    }
}
