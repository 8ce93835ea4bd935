//! The finder's in-memory snapshot of the directory, rebuilt when the directory changes.

use keten_core::directory::language_index;
use keten_core::finder::{FinderEntry, FinderIndex, LanguageSet, TopicSet};
use keten_core::help_question::DEFAULT_TOPICS;
use keten_core::opening_hours::{OpeningHours, Region};
use keten_core::reference::{Country, municipality};
use keten_store::Store;
use keten_store::finder_directory::{FinderDirectory, FinderHour, FinderPoint};
use keten_store::help_point_details::Stop;
use keten_store::help_points::DirectoryVersion;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// What one index entry stands for.
#[derive(Debug, Clone, Copy)]
pub enum EntryKind {
    HelpPoint(usize),
    /// A consultation hour (index into `consultation_hours`) at a help point.
    ConsultationHour(usize, usize),
    /// A stop (index into `stops`) of a mobile or pop-up help point: its own place and hours.
    Stop(usize, usize),
}

impl EntryKind {
    /// The help point the entry belongs to.
    pub fn help_point(self) -> usize {
        match self {
            Self::HelpPoint(i) | Self::ConsultationHour(_, i) | Self::Stop(_, i) => i,
        }
    }
}

/// An immutable view of the open directory with its spatial index. Requests share
/// it through an `Arc`; a rebuild swaps in a new one. It holds only what search and
/// result lists need (see `keten_store::finder_directory`); a help point's own page
/// reads the database.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub version: DirectoryVersion,
    pub index: Option<FinderIndex>,
    pub entries: Vec<EntryKind>,
    pub help_points: Vec<FinderPoint>,
    pub consultation_hours: Vec<FinderHour>,
    /// Consultation hours per help point (indices into `consultation_hours`).
    pub hours_at: Groups,
    /// Stops of mobile help points, and per help point its stops (indices into `stops`).
    pub stops: Vec<Stop>,
    pub stops_at: Groups,
}

/// Items grouped per help point in two flat arrays: with 100,000 help points, of which few have partners' hours
/// or stops, a `Vec` per point would cost megabytes of empty vectors.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Group `g` holds `items[starts[g]..starts[g + 1]]`.
    starts: Vec<usize>,
    items: Vec<usize>,
}

impl Groups {
    /// Groups `(group, item)` pairs into `groups` groups, keeping the items' order within a group.
    fn new(groups: usize, pairs: &[(usize, usize)]) -> Self {
        let mut starts = vec![0; groups + 1];
        for &(g, _) in pairs {
            starts[g + 1] += 1;
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        let mut next = starts.clone();
        let mut items = vec![0; pairs.len()];
        for &(g, item) in pairs {
            items[next[g]] = item;
            next[g] += 1;
        }
        Self { starts, items }
    }
}

impl std::ops::Index<usize> for Groups {
    type Output = [usize];
    fn index(&self, group: usize) -> &[usize] {
        match (self.starts.get(group), self.starts.get(group + 1)) {
            (Some(&from), Some(&to)) => &self.items[from..to],
            _ => &[],
        }
    }
}

/// Topic codes to bit positions; a parent topic stands for all its children.
pub fn topic_set(codes: &[String]) -> TopicSet {
    let mut set = TopicSet::default();
    for code in codes {
        for (i, t) in DEFAULT_TOPICS.iter().enumerate() {
            if t.code == code || t.parent == Some(code.as_str()) {
                set.insert(i);
            }
        }
    }
    set
}

/// What a help point in `country` offers: like [`topic_set`], but a group it names stands only for the parts that
/// exist in its country ("overheid" in Gent covers itsme, not DigiD). Topics it names itself always count.
pub fn offered_topic_set(codes: &[String], country: Country) -> TopicSet {
    let mut set = TopicSet::default();
    for code in codes {
        for (i, t) in DEFAULT_TOPICS.iter().enumerate() {
            let by_group = t.parent == Some(code.as_str())
                && keten_core::help_question::topic_offered_in(t.code, country);
            if t.code == code || by_group {
                set.insert(i);
            }
        }
    }
    set
}

fn country_of(municipality_code: &str) -> Country {
    municipality(municipality_code).map_or(Country::Nl, |m| m.country)
}

pub fn language_set(codes: &[String]) -> LanguageSet {
    let mut set = LanguageSet::default();
    for i in codes.iter().filter_map(|c| language_index(c)) {
        set.insert(i);
    }
    set
}

/// The time zone and holidays that apply to a help point.
pub fn region_of(municipality_code: &str) -> Region {
    match municipality(municipality_code).map(|m| m.country) {
        Some(Country::Be) => Region::Be,
        _ => Region::Nl,
    }
}

impl Snapshot {
    pub fn build(version: DirectoryVersion, directory: FinderDirectory) -> Self {
        let FinderDirectory {
            help_points,
            consultation_hours,
            stops,
        } = directory;
        // Borrowed keys, dropped after the build: the snapshot needs no id lookup.
        let by_id: HashMap<&str, usize> = help_points
            .iter()
            .enumerate()
            .map(|(i, hp)| (hp.id(), i))
            .collect();
        let mut entries = Vec::new();
        let mut finder_entries = Vec::new();
        let mut entry = |location, topics: TopicSet, hp: &FinderPoint, kind| {
            finder_entries.push(FinderEntry {
                id: u32::try_from(entries.len()).unwrap_or(u32::MAX),
                location,
                topics,
                step_free: hp.step_free,
                languages: language_set(&hp.languages),
            });
            entries.push(kind);
        };
        let mut stop_pairs = Vec::new();
        let stops: Vec<Stop> = stops
            .into_iter()
            .filter_map(|mut s| {
                let &hi = by_id.get(s.help_point_id.as_str())?;
                // A stop is closed on its help point's closing days too.
                s.hours = s.hours.with_closures_of(&help_points[hi].hours);
                Some(s)
            })
            .collect();
        for (si, stop) in stops.iter().enumerate() {
            let Some(&hi) = by_id.get(stop.help_point_id.as_str()) else {
                continue;
            };
            let hp = &help_points[hi];
            stop_pairs.push((hi, si));
            entry(
                stop.location,
                offered_topic_set(&hp.topics, country_of(&hp.municipality_code)),
                hp,
                EntryKind::Stop(si, hi),
            );
        }
        let stops_at = Groups::new(help_points.len(), &stop_pairs);
        for (i, hp) in help_points.iter().enumerate() {
            // A bus or pop-up without hours of its own is found at its stops only, not at its home address.
            if !stops_at[i].is_empty() && hp.hours.is_empty() {
                continue;
            }
            entry(
                hp.location,
                offered_topic_set(&hp.topics, country_of(&hp.municipality_code)),
                hp,
                EntryKind::HelpPoint(i),
            );
        }
        let mut hour_pairs = Vec::new();
        for (ci, c) in consultation_hours.iter().enumerate() {
            let Some(&hi) = by_id.get(&*c.help_point_id) else {
                continue;
            };
            let hp = &help_points[hi];
            hour_pairs.push((hi, ci));
            entry(
                hp.location,
                offered_topic_set(&c.topics, country_of(&hp.municipality_code)),
                hp,
                EntryKind::ConsultationHour(ci, hi),
            );
        }
        drop(by_id);
        let hours_at = Groups::new(help_points.len(), &hour_pairs);
        Snapshot {
            version,
            index: Some(FinderIndex::build(finder_entries)),
            entries,
            help_points,
            consultation_hours,
            hours_at,
            stops,
            stops_at,
        }
    }

    /// Whether the entry's help point serves the municipality.
    pub fn serves(&self, entry: EntryKind, municipality_code: &str) -> bool {
        let hp = &self.help_points[entry.help_point()];
        &*hp.municipality_code == municipality_code
            || hp
                .municipalities_served
                .iter()
                .any(|c| c == municipality_code)
    }

    /// The temporary closure of help point `hp` when it is still closed at `now` (in the point's own zone).
    pub fn closed_now(
        &self,
        hp: usize,
        now: jiff::Timestamp,
    ) -> Option<&keten_store::finder_directory::TemporaryClosure> {
        let point = &self.help_points[hp];
        let closure = point.closure.as_deref()?;
        let today = now
            .to_zoned(region_of(&point.municipality_code).time_zone().clone())
            .date();
        closure.closed_on(today).then_some(closure)
    }

    /// The opening hours an entry is judged by: the point's own or the consultation hour's.
    pub fn hours_of(&self, entry: EntryKind) -> (&OpeningHours, Region) {
        match entry {
            EntryKind::HelpPoint(i) => {
                let hp = &self.help_points[i];
                (&hp.hours, region_of(&hp.municipality_code))
            }
            EntryKind::ConsultationHour(ci, hi) => (
                &self.consultation_hours[ci].hours,
                region_of(&self.help_points[hi].municipality_code),
            ),
            EntryKind::Stop(si, hi) => (
                &self.stops[si].hours,
                region_of(&self.help_points[hi].municipality_code),
            ),
        }
    }
}

/// The current snapshot, shared by all requests of this process.
#[derive(Clone, Default)]
pub struct Finder {
    current: Arc<RwLock<Arc<Snapshot>>>,
    /// When the database was last asked for the directory version; one
    /// request at a time does that, the others use the snapshot they have.
    last_check: Arc<tokio::sync::Mutex<Option<Instant>>>,
}

impl Finder {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The snapshot, after checking for directory changes at most every
    /// `interval_seconds` (changes made by other instances arrive this way).
    pub async fn current(&self, store: &Store, interval_seconds: u64) -> Arc<Snapshot> {
        if let Ok(mut last) = self.last_check.try_lock() {
            let due = last.is_none_or(|t| t.elapsed().as_secs() >= interval_seconds);
            if due {
                *last = Some(Instant::now());
                if let Err(e) = self.refresh(store).await {
                    tracing::warn!(error = %e, "finder refresh failed; serving the previous snapshot");
                }
            }
        }
        self.snapshot()
    }

    /// Rebuilds when the directory in the database differs from the snapshot.
    /// Other instances' changes arrive through the periodic call of this.
    pub async fn refresh(&self, store: &Store) -> Result<bool, keten_store::StoreError> {
        let version = store.directory_version().await?;
        if self.snapshot().index.is_some() && self.snapshot().version == version {
            return Ok(false);
        }
        let directory = store.finder_directory().await?;
        let snapshot = Arc::new(Snapshot::build(version, directory));
        if let Ok(mut current) = self.current.write() {
            *current = snapshot;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::Groups;

    #[test]
    fn groups_keep_items_per_group_in_order() {
        let groups = Groups::new(4, &[(2, 10), (0, 11), (2, 12), (3, 13), (2, 14)]);
        assert_eq!(&groups[0], &[11]);
        assert!(groups[1].is_empty());
        assert_eq!(&groups[2], &[10, 12, 14]);
        assert_eq!(&groups[3], &[13]);
        assert!(groups[4].is_empty(), "beyond the last group");
        assert!(Groups::default()[0].is_empty());
    }
}
