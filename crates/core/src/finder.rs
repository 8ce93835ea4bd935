//! The finder's in-memory spatial index: nearest help points and consultation hours for a point and a topic.
//!
//! The index is rebuilt from the directory whenever the directory changes; a query is a walk through an R-tree in
//! distance order that filters as it goes, so it costs microseconds, not a database scan. Sparse topics and
//! languages (held by at most 1/16 of the entries) also get a tree of their own, so that a rare topic does not mean
//! walking past thousands of entries that lack it (at 100,000 entries a 0.5 % topic took about 270 µs on average
//! and 2.4 ms at p99 through the main tree, 2 µs through its own). It is pure: the caller
//! turns its help points and consultation hours into [`FinderEntry`] values (with ids into its own table), and maps
//! the [`Hit`]s back.
//!
//! Points are indexed as 3D coordinates on the unit sphere, not as (lat, lon) degrees. A degree of longitude shrinks
//! with latitude (about 111 km at the equator, 68 km at 52° N, 56 km at 60° N) while a degree of latitude stays
//! about 111 km, so nearest-neighbour order in plain degrees is wrong: at Utrecht a place 0.5° north (56 km) would
//! come before a place 0.7° east (48 km). On the unit sphere the straight-line (chord) distance between two points
//! is `2 sin(θ / 2)` for the great-circle angle `θ`, which grows with `θ`: chord order is great-circle order,
//! everywhere on earth, across the antimeridian and near the poles. The distances reported are still computed with
//! [`distance_km`] on the original points, never converted back from the chord.

use std::fmt;
use std::iter::Peekable;

use rstar::RTree;
use rstar::iterators::NearestNeighborDistance2Iterator;
use rstar::primitives::GeomWithData;

use crate::geo::{Point, distance_km};

/// Mean earth radius in kilometres; must equal the radius [`distance_km`] uses (a test checks that).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Slack on unit-sphere chord lengths (about 6 mm on the ground). Rounding makes a chord and the haversine distance
/// of the same pair disagree in the last bits, around 1e-15; the slack keeps every entry whose exact distance could
/// tie with or undercut the last result in the candidate set, so ties are broken by id, not by the tree's layout.
const CHORD_SLACK: f64 = 1e-9;

macro_rules! bitset {
    ($(#[$meta:meta])* $name:ident, $bits:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name($bits);

        impl $name {
            /// How many indices fit: valid indices are `0..CAPACITY`.
            pub const CAPACITY: usize = <$bits>::BITS as usize;
            /// The empty set.
            pub const EMPTY: Self = Self(0);

            /// The set of these indices, or `None` when one is not below [`Self::CAPACITY`].
            #[must_use]
            pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Option<Self> {
                let mut set = Self::EMPTY;
                for index in indices {
                    if index >= Self::CAPACITY {
                        return None;
                    }
                    set.insert(index);
                }
                Some(set)
            }

            /// Adds an index. Returns `true` when it was added, `false` when it was already there or is not below
            /// [`Self::CAPACITY`] (then nothing changes).
            pub fn insert(&mut self, index: usize) -> bool {
                if index >= Self::CAPACITY || self.contains(index) {
                    return false;
                }
                self.0 |= 1 << index;
                true
            }

            /// Whether the set holds this index (never for an index not below [`Self::CAPACITY`]).
            #[must_use]
            pub const fn contains(self, index: usize) -> bool {
                index < Self::CAPACITY && self.0 & (1 << index) != 0
            }

            #[must_use]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// Whether the two sets share at least one index.
            #[must_use]
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            /// The number of indices in the set.
            #[must_use]
            pub const fn len(self) -> usize {
                self.0.count_ones() as usize
            }

            /// The indices in the set, smallest first.
            pub fn iter(self) -> impl Iterator<Item = usize> {
                let mut rest = self.0;
                std::iter::from_fn(move || {
                    if rest == 0 {
                        return None;
                    }
                    let index = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    Some(index)
                })
            }

            /// The smallest index in both sets.
            #[must_use]
            pub const fn first_common(self, other: Self) -> Option<usize> {
                let common = self.0 & other.0;
                if common == 0 {
                    None
                } else {
                    Some(common.trailing_zeros() as usize)
                }
            }
        }
    };
}

bitset!(
    /// A set of topic indices (`0..128`). The caller maps its topic taxonomy to indices when it builds the index.
    TopicSet,
    u128
);

bitset!(
    /// A set of language indices (`0..64`). The caller maps language codes to indices when it builds the index.
    LanguageSet,
    u64
);

/// How far (great-circle km) a help point may be to be listed for a resident.
///
/// Why 25 km: residents who need help with digital matters mostly travel on
/// foot, by bike or by bus; 25 km covers the own municipality and its
/// neighbours even in rural areas, while a list of places 100 km or more away
/// is no help at all. Past this distance the finder says nothing is near and
/// advises to ask the municipality or library.
pub const MAX_RESULT_KM: f64 = 25.0;

/// One searchable entry: a help point, or a partner's consultation hour at a help point (its own entry, so a bank's
/// hour at the library is found for "bankzaken").
#[derive(Debug, Clone, PartialEq)]
pub struct FinderEntry {
    /// Index into the caller's own table (the caller maps it to a help point or consultation hour).
    pub id: u32,
    pub location: Point,
    pub topics: TopicSet,
    pub step_free: bool,
    pub languages: LanguageSet,
}

/// What a result must satisfy. `Filter::default()` accepts everything.
#[derive(Clone, Copy, Default)]
pub struct Filter<'a> {
    /// Empty: any. Otherwise the entry must offer at least one of these topics.
    pub topics: TopicSet,
    /// Only entries that are step-free.
    pub step_free: bool,
    /// Empty: any. Otherwise the entry must speak at least one of these languages.
    pub languages: LanguageSet,
    /// Only entries at most this far (great-circle km). Negative or NaN matches nothing.
    pub max_km: Option<f64>,
    /// An extra predicate of the caller on the entry id (e.g. "open today"). It is called lazily, in distance order,
    /// only on entries that pass every other condition, and only until the result is complete.
    pub accept: Option<&'a dyn Fn(u32) -> bool>,
}

impl fmt::Debug for Filter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("topics", &self.topics)
            .field("step_free", &self.step_free)
            .field("languages", &self.languages)
            .field("max_km", &self.max_km)
            .field("accept", &self.accept.map(|_| "<fn>"))
            .finish()
    }
}

impl Filter<'_> {
    /// The conditions on the entry's own fields (cheap; everything but distance and `accept`).
    fn admits(&self, entry: &FinderEntry) -> bool {
        (self.topics.is_empty() || self.topics.intersects(entry.topics))
            && (!self.step_free || entry.step_free)
            && (self.languages.is_empty() || self.languages.intersects(entry.languages))
    }
}

/// One result of [`FinderIndex::nearest`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The entry's [`FinderEntry::id`].
    pub id: u32,
    /// Great-circle distance from the query point, by [`distance_km`].
    pub distance_km: f64,
}

/// One tree element: the unit-sphere position and the entry.
type Item = GeomWithData<[f64; 3], FinderEntry>;

/// A facet (topic or language) gets its own tree when at most this share of all entries has it: a filtered walk of
/// the main tree visits about `limit / share` entries, so for sparse facets walking only their entries is cheaper.
const SPARSE_SHARE_DENOMINATOR: usize = 16;

/// The facet trees together hold at most this many times as many elements as the main tree (rarest facets first).
const FACET_BUDGET_FACTOR: usize = 2;

/// The spatial index over the finder's entries. Build it once per directory version; queries take `&self` and can
/// run from many threads at once.
///
/// Besides the tree of all entries it keeps a tree per sparse topic and per sparse language (held by at most 1/16 of
/// the entries). A query whose topics (or languages) are all sparse walks only those trees, merged in distance
/// order, so a rare topic costs about as little as no filter.
#[derive(Debug, Clone, Default)]
pub struct FinderIndex {
    all: RTree<Item>,
    /// By topic index; `None` for a topic held by many entries (or none).
    topic_trees: Vec<Option<RTree<Item>>>,
    /// By language index, likewise.
    language_trees: Vec<Option<RTree<Item>>>,
}

/// Which trees a query walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    All,
    Topics(TopicSet),
    Languages(LanguageSet),
}

impl FinderIndex {
    /// Builds the index (bulk loading). Entries whose coordinates are not finite numbers have no place on the map and
    /// are left out.
    #[must_use]
    pub fn build(entries: Vec<FinderEntry>) -> Self {
        let items: Vec<Item> = entries
            .into_iter()
            .filter(|e| e.location.lat.is_finite() && e.location.lon.is_finite())
            .map(|e| GeomWithData::new(unit_vector(e.location), e))
            .collect();
        let mut topic_counts = [0usize; TopicSet::CAPACITY];
        let mut language_counts = [0usize; LanguageSet::CAPACITY];
        for item in &items {
            for t in item.data.topics.iter() {
                topic_counts[t] += 1;
            }
            for l in item.data.languages.iter() {
                language_counts[l] += 1;
            }
        }
        // Sparse facets, rarest first, within the budget.
        let sparse = items.len() / SPARSE_SHARE_DENOMINATOR;
        let mut facets: Vec<(usize, bool, usize)> = topic_counts
            .iter()
            .enumerate()
            .map(|(index, &count)| (count, true, index))
            .chain(
                language_counts
                    .iter()
                    .enumerate()
                    .map(|(index, &count)| (count, false, index)),
            )
            .filter(|&(count, _, _)| count > 0 && count <= sparse)
            .collect();
        facets.sort_unstable();
        let mut budget = items.len() * FACET_BUDGET_FACTOR;
        let mut topic_trees: Vec<Option<RTree<Item>>> = vec![None; TopicSet::CAPACITY];
        let mut language_trees: Vec<Option<RTree<Item>>> = vec![None; LanguageSet::CAPACITY];
        for (count, is_topic, index) in facets {
            if count > budget {
                break;
            }
            budget -= count;
            let members = items
                .iter()
                .filter(|item| {
                    if is_topic {
                        item.data.topics.contains(index)
                    } else {
                        item.data.languages.contains(index)
                    }
                })
                .cloned()
                .collect();
            let slot = if is_topic {
                &mut topic_trees[index]
            } else {
                &mut language_trees[index]
            };
            *slot = Some(RTree::bulk_load(members));
        }
        Self {
            all: RTree::bulk_load(items),
            topic_trees,
            language_trees,
        }
    }

    /// The number of entries in the index.
    #[must_use]
    pub fn len(&self) -> usize {
        self.all.size()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `limit` nearest entries matching the filter, nearest first, with great-circle km. Entries at the same
    /// distance come in order of id. Empty for a point whose coordinates are not finite.
    ///
    /// The trees are walked lazily in distance order and the walk stops as soon as the result is settled (or beyond
    /// `max_km`), so a filter that few entries match still only looks at the entries nearer than the last result.
    #[must_use]
    pub fn nearest(&self, from: Point, filter: &Filter<'_>, limit: usize) -> Vec<Hit> {
        if limit == 0 || self.is_empty() || !from.lat.is_finite() || !from.lon.is_finite() {
            return Vec::new();
        }
        // Squared chord beyond which no entry can be a result.
        let cutoff_2 = match filter.max_km {
            None => f64::INFINITY,
            Some(km) if km >= 0.0 => squared(chord_for_km(km) + CHORD_SLACK),
            Some(_) => return Vec::new(),
        };
        let query = unit_vector(from);
        match self.plan(filter) {
            Plan::All => collect(
                self.all.nearest_neighbor_iter_with_distance_2(query),
                from,
                filter,
                limit,
                cutoff_2,
            ),
            Plan::Topics(topics) => collect(
                merged(&self.topic_trees, topics.iter(), query)
                    .filter(|&(t, (item, _))| topics.first_common(item.data.topics) == Some(t))
                    .map(|(_, candidate)| candidate),
                from,
                filter,
                limit,
                cutoff_2,
            ),
            Plan::Languages(languages) => collect(
                merged(&self.language_trees, languages.iter(), query)
                    .filter(|&(l, (item, _))| {
                        languages.first_common(item.data.languages) == Some(l)
                    })
                    .map(|(_, candidate)| candidate),
                from,
                filter,
                limit,
                cutoff_2,
            ),
        }
    }

    /// The cheapest trees for this filter: the sparse trees of its topics or of its languages when every one of them
    /// has one and together they hold few entries, else the tree of all entries.
    fn plan(&self, filter: &Filter<'_>) -> Plan {
        let cost = |trees: &[Option<RTree<Item>>], indices: &mut dyn Iterator<Item = usize>| {
            let mut total = 0;
            for index in indices {
                total += trees.get(index)?.as_ref()?.size();
            }
            (total > 0 && total <= self.len() / SPARSE_SHARE_DENOMINATOR).then_some(total)
        };
        let by_topic = cost(&self.topic_trees, &mut filter.topics.iter());
        let by_language = cost(&self.language_trees, &mut filter.languages.iter());
        match (by_topic, by_language) {
            (Some(t), Some(l)) if l < t => Plan::Languages(filter.languages),
            (Some(_), _) => Plan::Topics(filter.topics),
            (None, Some(_)) => Plan::Languages(filter.languages),
            (None, None) => Plan::All,
        }
    }
}

/// The facet trees of these indices walked together in distance order; each candidate comes with the index of the
/// tree it came from (an entry with several of the facets comes once per tree).
fn merged<'t>(
    trees: &'t [Option<RTree<Item>>],
    indices: impl Iterator<Item = usize>,
    query: [f64; 3],
) -> impl Iterator<Item = (usize, (&'t Item, f64))> {
    let mut streams: Vec<(usize, Peekable<NearestNeighborDistance2Iterator<'t, Item>>)> = indices
        .filter_map(|index| {
            let tree = trees.get(index)?.as_ref()?;
            Some((
                index,
                tree.nearest_neighbor_iter_with_distance_2(query).peekable(),
            ))
        })
        .collect();
    std::iter::from_fn(move || {
        let mut best: Option<(usize, f64)> = None;
        for (i, (_, stream)) in streams.iter_mut().enumerate() {
            if let Some(&(_, d2)) = stream.peek()
                && best.is_none_or(|(_, best_d2)| d2 < best_d2)
            {
                best = Some((i, d2));
            }
        }
        let (i, _) = best?;
        let (index, stream) = &mut streams[i];
        stream.next().map(|candidate| (*index, candidate))
    })
}

/// Takes candidates in order of squared chord and returns the `limit` best that pass the filter, sorted by distance
/// and id. Stops at `cutoff_2`, or once `limit` have passed and the next candidate is farther (beyond rounding).
fn collect<'t>(
    candidates: impl Iterator<Item = (&'t Item, f64)>,
    from: Point,
    filter: &Filter<'_>,
    limit: usize,
    mut cutoff_2: f64,
) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::with_capacity(limit.min(64) + 4);
    for (item, chord_2) in candidates {
        if chord_2 > cutoff_2 {
            break;
        }
        let entry = &item.data;
        if !filter.admits(entry) {
            continue;
        }
        let km = distance_km(from, entry.location);
        if filter.max_km.is_some_and(|max| km > max) {
            continue;
        }
        if filter.accept.is_some_and(|accept| !accept(entry.id)) {
            continue;
        }
        hits.push(Hit {
            id: entry.id,
            distance_km: km,
        });
        if hits.len() == limit {
            // The result is complete up to ties: only entries as near as this one (within rounding) can still
            // change it.
            cutoff_2 = cutoff_2.min(squared(chord_2.sqrt() + CHORD_SLACK));
        }
    }
    hits.sort_by(|a, b| {
        a.distance_km
            .total_cmp(&b.distance_km)
            .then(a.id.cmp(&b.id))
    });
    hits.truncate(limit);
    hits
}

/// The point on the unit sphere (earth-centred, z towards the north pole).
fn unit_vector(p: Point) -> [f64; 3] {
    let (lat, lon) = (p.lat.to_radians(), p.lon.to_radians());
    let (sin_lat, cos_lat) = lat.sin_cos();
    let (sin_lon, cos_lon) = lon.sin_cos();
    [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat]
}

/// The unit-sphere chord of a great-circle distance (at most the diameter, 2).
fn chord_for_km(km: f64) -> f64 {
    let angle = (km / EARTH_RADIUS_KM).min(std::f64::consts::PI);
    2.0 * (angle / 2.0).sin()
}

fn squared(x: f64) -> f64 {
    x * x
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    fn point(lat: f64, lon: f64) -> Point {
        Point { lat, lon }
    }

    fn entry(id: u32, location: Point) -> FinderEntry {
        FinderEntry {
            id,
            location,
            topics: TopicSet::EMPTY,
            step_free: false,
            languages: LanguageSet::EMPTY,
        }
    }

    fn topics(indices: &[usize]) -> TopicSet {
        TopicSet::from_indices(indices.iter().copied()).unwrap_or_default()
    }

    fn languages(indices: &[usize]) -> LanguageSet {
        LanguageSet::from_indices(indices.iter().copied()).unwrap_or_default()
    }

    /// The reference: every entry, exact distances, sorted by (distance, id).
    fn brute_force(
        entries: &[FinderEntry],
        from: Point,
        filter: &Filter<'_>,
        limit: usize,
    ) -> Vec<Hit> {
        let mut hits: Vec<Hit> = entries
            .iter()
            .filter(|e| filter.topics.is_empty() || filter.topics.intersects(e.topics))
            .filter(|e| !filter.step_free || e.step_free)
            .filter(|e| filter.languages.is_empty() || filter.languages.intersects(e.languages))
            .map(|e| Hit {
                id: e.id,
                distance_km: distance_km(from, e.location),
            })
            .filter(|h| filter.max_km.is_none_or(|max| h.distance_km <= max))
            .filter(|h| filter.accept.is_none_or(|accept| accept(h.id)))
            .collect();
        hits.sort_by(|a, b| {
            a.distance_km
                .total_cmp(&b.distance_km)
                .then(a.id.cmp(&b.id))
        });
        hits.truncate(limit);
        hits
    }

    fn random_point(rng: &mut StdRng) -> Point {
        point(rng.random_range(49.5..53.6), rng.random_range(2.5..7.3))
    }

    /// Random entries across the NL/BE bounding box, a third of them sharing the place of an earlier one (consultation
    /// hours at a help point), with ids shuffled so that id order is not insertion order.
    fn random_entries(rng: &mut StdRng, n: usize) -> Vec<FinderEntry> {
        let mut ids: Vec<u32> = (0..n as u32).map(|i| i * 7 + 3).collect();
        for i in (1..ids.len()).rev() {
            ids.swap(i, rng.random_range(0..=i));
        }
        let mut entries: Vec<FinderEntry> = Vec::with_capacity(n);
        for id in ids {
            let location = if !entries.is_empty() && rng.random_bool(0.33) {
                entries[rng.random_range(0..entries.len())].location
            } else {
                random_point(rng)
            };
            let mut t = TopicSet::EMPTY;
            for _ in 0..rng.random_range(1..=4) {
                // Mostly low indices, some in the upper half of the u128 to exercise every bit.
                let index = if rng.random_bool(0.1) {
                    rng.random_range(100..128)
                } else {
                    rng.random_range(0..12)
                };
                t.insert(index);
            }
            let mut l = LanguageSet::EMPTY;
            l.insert(0);
            if rng.random_bool(0.3) {
                l.insert(rng.random_range(1..64));
            }
            entries.push(FinderEntry {
                id,
                location,
                topics: t,
                step_free: rng.random_bool(0.6),
                languages: l,
            });
        }
        entries
    }

    #[test]
    fn earth_radius_matches_geo() {
        // A quarter meridian is a quarter of the circumference.
        let quarter = distance_km(point(0.0, 0.0), point(90.0, 0.0));
        assert!((quarter - EARTH_RADIUS_KM * std::f64::consts::FRAC_PI_2).abs() < 1e-9);
        // And the chord of a distance is the straight line between the unit vectors.
        let (a, b) = (point(51.9225, 4.47917), point(52.37403, 4.88969));
        let (va, vb) = (unit_vector(a), unit_vector(b));
        let chord =
            ((va[0] - vb[0]).powi(2) + (va[1] - vb[1]).powi(2) + (va[2] - vb[2]).powi(2)).sqrt();
        assert!((chord_for_km(distance_km(a, b)) - chord).abs() < 1e-12);
        assert!((chord_for_km(1e9) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn matches_brute_force_on_random_points() {
        let mut rng = StdRng::seed_from_u64(20_240_603);
        let entries = random_entries(&mut rng, 3000);
        let index = FinderIndex::build(entries.clone());
        assert_eq!(index.len(), 3000);
        let reject_every_third = |id: u32| !id.is_multiple_of(3);
        let mut checked_nonempty = 0;
        for q in 0..1500 {
            let from = if q % 4 == 0 {
                // Exactly at an entry: distance 0 and ties.
                entries[rng.random_range(0..entries.len())].location
            } else {
                random_point(&mut rng)
            };
            let filter = Filter {
                topics: match q % 5 {
                    0 => TopicSet::EMPTY,
                    1 => topics(&[rng.random_range(0..12)]),
                    2 => topics(&[rng.random_range(100..128)]),
                    3 => topics(&[rng.random_range(0..12), rng.random_range(0..12)]),
                    // Unions of sparse topics (merged facet trees), and sparse with common.
                    _ if q % 2 == 0 => {
                        topics(&[rng.random_range(100..128), rng.random_range(100..128)])
                    }
                    _ => topics(&[rng.random_range(100..128), rng.random_range(0..12)]),
                },
                step_free: rng.random_bool(0.3),
                languages: match rng.random_range(0..10) {
                    0..3 => languages(&[rng.random_range(1..64)]),
                    3 => languages(&[rng.random_range(1..64), rng.random_range(1..64)]),
                    4 => languages(&[0, rng.random_range(1..64)]),
                    _ => LanguageSet::EMPTY,
                },
                max_km: match q % 7 {
                    0 => Some(5.0),
                    1 => Some(25.0),
                    2 => Some(0.0),
                    3 => Some(rng.random_range(0.0..400.0)),
                    _ => None,
                },
                accept: if q % 3 == 0 {
                    Some(&reject_every_third)
                } else {
                    None
                },
            };
            let limit = [1, 3, 10, 10, 50, 5000][q % 6];
            let got = index.nearest(from, &filter, limit);
            let want = brute_force(&entries, from, &filter, limit);
            assert_eq!(
                got, want,
                "query {q} from {from:?} with {filter:?}, limit {limit}"
            );
            if !got.is_empty() {
                checked_nonempty += 1;
            }
        }
        assert!(checked_nonempty > 800, "{checked_nonempty}");
    }

    #[test]
    fn sparse_topics_and_languages_walk_their_own_trees() {
        let mut rng = StdRng::seed_from_u64(11);
        let entries = random_entries(&mut rng, 3000);
        let index = FinderIndex::build(entries);
        let plan = |t: &[usize], l: &[usize]| {
            index.plan(&Filter {
                topics: topics(t),
                languages: languages(l),
                ..Filter::default()
            })
        };
        assert_eq!(plan(&[], &[]), Plan::All);
        assert_eq!(plan(&[3], &[]), Plan::All, "a common topic");
        assert_eq!(plan(&[110], &[]), Plan::Topics(topics(&[110])));
        assert_eq!(plan(&[110, 120], &[]), Plan::Topics(topics(&[110, 120])));
        assert_eq!(
            plan(&[110, 3], &[]),
            Plan::All,
            "sparse or common is common"
        );
        assert_eq!(plan(&[], &[17]), Plan::Languages(languages(&[17])));
        assert_eq!(plan(&[3], &[17]), Plan::Languages(languages(&[17])));
        assert_eq!(plan(&[], &[0, 17]), Plan::All);
        // Both sparse: the smaller side.
        let size =
            |trees: &[Option<RTree<Item>>], i: usize| trees[i].as_ref().map_or(0, RTree::size);
        let (t, l) = (
            size(&index.topic_trees, 110),
            size(&index.language_trees, 17),
        );
        assert!(t > 0 && l > 0 && t != l, "{t} {l}");
        let want = if l < t {
            Plan::Languages(languages(&[17]))
        } else {
            Plan::Topics(topics(&[110]))
        };
        assert_eq!(plan(&[110], &[17]), want);
    }

    #[test]
    fn an_entry_in_several_sparse_trees_comes_once() {
        let mut entries: Vec<FinderEntry> = (0..100)
            .map(|id| {
                let mut e = entry(id, point(50.0 + f64::from(id) * 0.01, 4.0));
                e.topics = topics(&[0]);
                e
            })
            .collect();
        for (id, lat) in [(100, 52.0), (101, 52.01)] {
            let mut e = entry(id, point(lat, 5.0));
            e.topics = topics(&[0, 100, 101]);
            e.languages = languages(&[5, 6]);
            entries.push(e);
        }
        let index = FinderIndex::build(entries);
        for filter in [
            Filter {
                topics: topics(&[100, 101]),
                ..Filter::default()
            },
            Filter {
                languages: languages(&[5, 6]),
                ..Filter::default()
            },
        ] {
            assert_ne!(index.plan(&filter), Plan::All);
            let ids: Vec<u32> = index
                .nearest(point(52.0, 5.0), &filter, 10)
                .iter()
                .map(|h| h.id)
                .collect();
            assert_eq!(ids, vec![100, 101], "{filter:?}");
        }
    }

    #[test]
    fn distances_are_great_circle_km_of_the_original_points() {
        let rotterdam = point(51.9225, 4.47917);
        let amsterdam = point(52.37403, 4.88969);
        let gent = point(51.0543, 3.7174);
        let index = FinderIndex::build(vec![
            entry(1, amsterdam),
            entry(2, gent),
            entry(3, rotterdam),
        ]);
        let hits = index.nearest(rotterdam, &Filter::default(), 10);
        let ids: Vec<u32> = hits.iter().map(|h| h.id).collect();
        assert_eq!(ids, vec![3, 1, 2]);
        assert_eq!(hits[0].distance_km, 0.0);
        // Bit for bit what geo::distance_km says; about 57.5 km and 110 km (independently known values).
        assert_eq!(hits[1].distance_km, distance_km(rotterdam, amsterdam));
        assert_eq!(hits[2].distance_km, distance_km(rotterdam, gent));
        assert!((hits[1].distance_km - 57.5).abs() < 1.5, "{hits:?}");
        assert!((hits[2].distance_km - 110.0).abs() < 3.0, "{hits:?}");
    }

    #[test]
    fn order_is_great_circle_not_degrees() {
        // At Utrecht: 0.7° east is about 48 km, 0.5° north about 56 km. In plain degrees north would look nearer.
        let utrecht = point(52.09, 5.12);
        let east = point(52.09, 5.82);
        let north = point(52.59, 5.12);
        assert!(distance_km(utrecht, east) < distance_km(utrecht, north));
        let index = FinderIndex::build(vec![entry(1, north), entry(2, east)]);
        let ids: Vec<u32> = index
            .nearest(utrecht, &Filter::default(), 2)
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(ids, vec![2, 1]);
        // Across the antimeridian: 179.9° E and 179.9° W are 22 km apart at the equator, not 360 degrees.
        let index = FinderIndex::build(vec![
            entry(1, point(0.0, 179.0)),
            entry(2, point(0.0, -179.9)),
        ]);
        let hits = index.nearest(point(0.0, 179.9), &Filter::default(), 1);
        assert_eq!(hits[0].id, 2);
        assert!((hits[0].distance_km - 22.2).abs() < 0.1, "{hits:?}");
    }

    #[test]
    fn ties_are_broken_by_id_whatever_the_input_order() {
        let library = point(52.0, 5.0);
        let ids = [40, 7, 19, 3, 25, 11];
        let mut entries: Vec<FinderEntry> = ids.iter().map(|&id| entry(id, library)).collect();
        entries.push(entry(100, point(52.2, 5.0)));
        for _ in 0..3 {
            let index = FinderIndex::build(entries.clone());
            for from in [library, point(51.5, 4.5), point(51.0, 5.0)] {
                let got: Vec<u32> = index
                    .nearest(from, &Filter::default(), 3)
                    .iter()
                    .map(|h| h.id)
                    .collect();
                assert_eq!(got, vec![3, 7, 11], "{from:?}");
            }
            entries.reverse();
            entries.rotate_left(2);
        }
    }

    #[test]
    fn empty_index_and_limit_zero() {
        let empty = FinderIndex::build(Vec::new());
        assert!(empty.is_empty());
        assert_eq!(empty.len(), 0);
        assert!(
            empty
                .nearest(point(52.0, 5.0), &Filter::default(), 10)
                .is_empty()
        );
        assert!(FinderIndex::default().is_empty());

        let calls = Cell::new(0);
        let count = |_: u32| {
            calls.set(calls.get() + 1);
            true
        };
        let index = FinderIndex::build(vec![entry(1, point(52.0, 5.0))]);
        assert!(!index.is_empty());
        let filter = Filter {
            accept: Some(&count),
            ..Filter::default()
        };
        assert!(index.nearest(point(52.0, 5.0), &filter, 0).is_empty());
        assert_eq!(calls.get(), 0);
        assert_eq!(index.nearest(point(52.0, 5.0), &filter, 1).len(), 1);
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn accept_is_lazy_and_sees_only_otherwise_matching_entries() {
        let mut rng = StdRng::seed_from_u64(7);
        let entries = random_entries(&mut rng, 5000);
        let with_topic_3: std::collections::HashSet<u32> = entries
            .iter()
            .filter(|e| e.topics.contains(3))
            .map(|e| e.id)
            .collect();
        let index = FinderIndex::build(entries.clone());
        let seen = std::cell::RefCell::new(Vec::new());
        let open_today = |id: u32| {
            seen.borrow_mut().push(id);
            id.is_multiple_of(2)
        };
        let filter = Filter {
            topics: topics(&[3]),
            accept: Some(&open_today),
            ..Filter::default()
        };
        let from = point(51.5, 5.0);
        let hits = index.nearest(from, &filter, 5);
        assert_eq!(hits.len(), 5);
        assert!(hits.iter().all(|h| h.id.is_multiple_of(2)));
        let seen = seen.into_inner();
        assert!(seen.iter().all(|id| with_topic_3.contains(id)));
        // Lazily: a handful of calls, in distance order, not one per entry.
        assert!(seen.len() < 40, "{}", seen.len());
        let by_id = |id: u32| {
            entries
                .iter()
                .find(|e| e.id == id)
                .map(|e| distance_km(from, e.location))
        };
        let distances: Vec<Option<f64>> = seen.iter().map(|&id| by_id(id)).collect();
        assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
        let reference = Filter {
            topics: topics(&[3]),
            accept: Some(&|id: u32| id.is_multiple_of(2)),
            ..Filter::default()
        };
        assert_eq!(hits, brute_force(&entries, from, &reference, 5));
    }

    #[test]
    fn max_km_bounds_the_walk() {
        let index = FinderIndex::build(vec![
            entry(1, point(52.0, 5.0)),
            entry(2, point(52.1, 5.0)),
            entry(3, point(53.0, 5.0)),
        ]);
        let within = |max_km: f64| Filter {
            max_km: Some(max_km),
            ..Filter::default()
        };
        let from = point(52.0, 5.0);
        let ids = |f: &Filter<'_>| -> Vec<u32> {
            index.nearest(from, f, 10).iter().map(|h| h.id).collect()
        };
        assert_eq!(ids(&within(0.0)), vec![1]);
        assert_eq!(ids(&within(20.0)), vec![1, 2]);
        // Exactly at the distance of entry 2: included.
        assert_eq!(
            ids(&within(distance_km(from, point(52.1, 5.0)))),
            vec![1, 2]
        );
        assert_eq!(ids(&within(f64::INFINITY)), vec![1, 2, 3]);
        assert!(ids(&within(-1.0)).is_empty());
        assert!(ids(&within(f64::NAN)).is_empty());
    }

    #[test]
    fn filters_on_topic_step_free_and_language() {
        let mut bank_hour = entry(2, point(52.0, 5.0));
        bank_hour.topics = topics(&[5]);
        bank_hour.languages = languages(&[0, 3]);
        let mut library = entry(1, point(52.0, 5.0));
        library.topics = topics(&[0, 1]);
        library.step_free = true;
        library.languages = languages(&[0]);
        let mut far = entry(3, point(52.5, 5.0));
        far.topics = topics(&[5, 127]);
        far.step_free = true;
        far.languages = languages(&[63]);
        let index = FinderIndex::build(vec![bank_hour, library, far]);
        let ids = |f: Filter<'_>| -> Vec<u32> {
            index
                .nearest(point(52.0, 5.0), &f, 10)
                .iter()
                .map(|h| h.id)
                .collect()
        };
        assert_eq!(ids(Filter::default()), vec![1, 2, 3]);
        let bank = Filter {
            topics: topics(&[5]),
            ..Filter::default()
        };
        assert_eq!(ids(bank), vec![2, 3]);
        assert_eq!(
            ids(Filter {
                step_free: true,
                ..bank
            }),
            vec![3]
        );
        assert_eq!(
            ids(Filter {
                topics: topics(&[1, 127]),
                ..Filter::default()
            }),
            vec![1, 3]
        );
        assert_eq!(
            ids(Filter {
                languages: languages(&[3, 63]),
                ..Filter::default()
            }),
            vec![2, 3]
        );
        assert!(
            ids(Filter {
                topics: topics(&[9]),
                ..Filter::default()
            })
            .is_empty()
        );
    }

    #[test]
    fn entries_and_queries_without_finite_coordinates() {
        let index = FinderIndex::build(vec![
            entry(1, point(f64::NAN, 5.0)),
            entry(2, point(52.0, f64::INFINITY)),
            entry(3, point(52.0, 5.0)),
        ]);
        assert_eq!(index.len(), 1);
        assert_eq!(
            index.nearest(point(50.0, 4.0), &Filter::default(), 5).len(),
            1
        );
        assert!(
            index
                .nearest(point(f64::NAN, 4.0), &Filter::default(), 5)
                .is_empty()
        );
    }

    #[test]
    fn bitsets() {
        let mut t = TopicSet::EMPTY;
        assert!(t.is_empty());
        assert!(t.insert(0));
        assert!(t.insert(127));
        assert!(!t.insert(127));
        assert!(!t.insert(128));
        assert_eq!(t.len(), 2);
        assert!(t.contains(0) && t.contains(127));
        assert!(!t.contains(1) && !t.contains(128) && !t.contains(usize::MAX));
        assert_eq!(TopicSet::from_indices([0, 127, 0]), Some(t));
        assert_eq!(TopicSet::from_indices([3, 128]), None);
        assert_eq!(TopicSet::from_indices([]), Some(TopicSet::EMPTY));
        assert_eq!(t.iter().collect::<Vec<_>>(), vec![0, 127]);
        assert_eq!(t.first_common(topics(&[5, 127])), Some(127));
        assert_eq!(t.first_common(topics(&[5])), None);
        assert!(t.intersects(topics(&[127, 5])));
        assert!(!t.intersects(topics(&[5])));
        assert_eq!(TopicSet::CAPACITY, 128);
        assert_eq!(LanguageSet::CAPACITY, 64);
        assert_eq!(
            LanguageSet::from_indices([63]).map(LanguageSet::len),
            Some(1)
        );
        assert_eq!(LanguageSet::from_indices([64]), None);
        assert!(std::mem::size_of::<FinderEntry>() <= 48);
    }
}
