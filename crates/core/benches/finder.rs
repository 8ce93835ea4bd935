//! The finder's spatial index at scale: 100,000 synthetic help points and consultation hours across the Netherlands
//! and Belgium, queried from random postcode centroids.
//!
//! Besides criterion's means, a plain latency measurement runs first (100,000 queries each, every query timed on its
//! own) and prints p50/p99/max, since the budget is a p99 (DESIGN.md: nearest 10 for a postcode, 100k locations,
//! p99 < 1 ms). Run with `cargo bench -p keten-core --bench finder`.

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group};
use keten_core::finder::{Filter, FinderEntry, FinderIndex, LanguageSet, TopicSet};
use keten_core::geo::Point;
use keten_core::reference::postcode_areas;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const HELP_POINTS: usize = 70_000;
const CONSULTATION_HOURS: usize = 30_000;
/// Ordinary topics 0..14: a help point offers 1 to 6 of them, a consultation hour 1 or 2.
const ORDINARY_TOPICS: usize = 14;
/// Added to an entry with probability 10 %.
const TOPIC_10_PERCENT: usize = 14;
/// Added to an entry with probability 0.5 %.
const TOPIC_RARE: usize = 15;
const LIMIT: usize = 10;

struct Fixture {
    entries: Vec<FinderEntry>,
    index: FinderIndex,
    queries: Vec<Point>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(42);
        let areas = postcode_areas();
        assert!(!areas.is_empty(), "no postcode areas");
        let mut entries = Vec::with_capacity(HELP_POINTS + CONSULTATION_HOURS);
        let extra_topics = |rng: &mut StdRng, topics: &mut TopicSet| {
            if rng.random_bool(0.10) {
                topics.insert(TOPIC_10_PERCENT);
            }
            if rng.random_bool(0.005) {
                topics.insert(TOPIC_RARE);
            }
        };
        for id in 0..HELP_POINTS {
            // Somewhere within about 1.5 km of a random postcode centroid.
            let centre = areas[rng.random_range(0..areas.len())].centre;
            let location = Point {
                lat: centre.lat + rng.random_range(-0.013..0.013),
                lon: centre.lon + rng.random_range(-0.02..0.02),
            };
            let mut topics = TopicSet::EMPTY;
            for _ in 0..rng.random_range(1..=6) {
                topics.insert(rng.random_range(0..ORDINARY_TOPICS));
            }
            extra_topics(&mut rng, &mut topics);
            let mut languages = LanguageSet::EMPTY;
            languages.insert(0);
            if rng.random_bool(0.4) {
                languages.insert(rng.random_range(1..12));
            }
            entries.push(FinderEntry {
                id: id as u32,
                location,
                topics,
                step_free: rng.random_bool(0.7),
                languages,
            });
        }
        for id in HELP_POINTS..HELP_POINTS + CONSULTATION_HOURS {
            // A partner's hour at an existing help point: the same place.
            let host = entries[rng.random_range(0..HELP_POINTS)].clone();
            let mut topics = TopicSet::EMPTY;
            for _ in 0..rng.random_range(1..=2) {
                topics.insert(rng.random_range(0..ORDINARY_TOPICS));
            }
            extra_topics(&mut rng, &mut topics);
            entries.push(FinderEntry {
                id: id as u32,
                topics,
                ..host
            });
        }
        let queries = (0..4096)
            .map(|_| areas[rng.random_range(0..areas.len())].centre)
            .collect();
        let index = FinderIndex::build(entries.clone());
        Fixture {
            entries,
            index,
            queries,
        }
    })
}

fn topic_filter(topic: usize) -> Filter<'static> {
    let mut topics = TopicSet::EMPTY;
    topics.insert(topic);
    Filter {
        topics,
        ..Filter::default()
    }
}

fn share(entries: &[FinderEntry], topic: usize) -> f64 {
    entries.iter().filter(|e| e.topics.contains(topic)).count() as f64 / entries.len() as f64
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Times `runs` queries one by one and prints p50/p99/max.
#[allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]
fn latency_percentiles() {
    let f = fixture();
    println!(
        "finder fixture: {} entries ({HELP_POINTS} help points, {CONSULTATION_HOURS} consultation hours), \
         {} postcode areas as query points; topic {TOPIC_10_PERCENT} held by {:.2} %, topic {TOPIC_RARE} by {:.2} %",
        f.index.len(),
        postcode_areas().len(),
        100.0 * share(&f.entries, TOPIC_10_PERCENT),
        100.0 * share(&f.entries, TOPIC_RARE),
    );
    let runs = 100_000;
    let cases = [
        ("no filter", Filter::default()),
        (
            "topic filter (~10 % of entries)",
            topic_filter(TOPIC_10_PERCENT),
        ),
        (
            "rare topic filter (~0.5 % of entries)",
            topic_filter(TOPIC_RARE),
        ),
    ];
    for (label, filter) in cases {
        let mut latencies = Vec::with_capacity(runs);
        let mut results = 0usize;
        for i in 0..runs {
            let from = f.queries[i % f.queries.len()];
            let start = Instant::now();
            let hits = f.index.nearest(black_box(from), black_box(&filter), LIMIT);
            latencies.push(start.elapsed());
            results += black_box(hits).len();
        }
        latencies.sort_unstable();
        println!(
            "finder latency, nearest {LIMIT}, {label}, {runs} queries one at a time: \
             p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs (mean {:.1} hits)",
            percentile(&latencies, 50.0).as_secs_f64() * 1e6,
            percentile(&latencies, 99.0).as_secs_f64() * 1e6,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e6,
            results as f64 / runs as f64,
        );
    }
}

fn bench_queries(c: &mut Criterion) {
    let f = fixture();
    let cases = [
        ("nearest10_no_filter", Filter::default()),
        ("nearest10_topic_filter", topic_filter(TOPIC_10_PERCENT)),
        ("nearest10_rare_topic", topic_filter(TOPIC_RARE)),
    ];
    for (name, filter) in cases {
        let mut i = 0;
        c.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % f.queries.len();
                f.index.nearest(black_box(f.queries[i]), &filter, LIMIT)
            });
        });
    }
}

fn bench_build(c: &mut Criterion) {
    let f = fixture();
    c.bench_function("build_100k", |b| {
        b.iter_batched(
            || f.entries.clone(),
            FinderIndex::build,
            BatchSize::LargeInput,
        );
    });
}

criterion_group!(benches, bench_queries, bench_build);

/// Writes the fixture as CSV (`entries.csv`: id, lat, lon, topics as a PostgreSQL array; `queries.csv`: id, lat,
/// lon) into `dir`, so that `scripts/bench-postgis` loads exactly the same points and queries into PostGIS.
fn dump(dir: &str) -> std::io::Result<()> {
    use std::fmt::Write as _;
    let f = fixture();
    let mut entries = String::from("id,lat,lon,topics\n");
    for e in &f.entries {
        let topics: Vec<String> = e.topics.iter().map(|t| t.to_string()).collect();
        let _ = writeln!(
            entries,
            "{},{},{},\"{{{}}}\"",
            e.id,
            e.location.lat,
            e.location.lon,
            topics.join(",")
        );
    }
    let mut queries = String::from("id,lat,lon\n");
    for (i, q) in f.queries.iter().enumerate() {
        let _ = writeln!(queries, "{},{},{}", i + 1, q.lat, q.lon);
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(format!("{dir}/entries.csv"), entries)?;
    std::fs::write(format!("{dir}/queries.csv"), queries)
}

fn main() {
    // KETEN_FINDER_DUMP=DIR: write the fixture for the PostGIS comparison and time the index on the same
    // entries, so that the comparison's ratio comes from one run.
    if let Ok(dir) = std::env::var("KETEN_FINDER_DUMP") {
        if let Err(e) = dump(&dir) {
            eprintln!("cannot write the fixture to {dir}: {e}");
            std::process::exit(1);
        }
        latency_percentiles();
        return;
    }
    // Not in `cargo test --benches` (criterion's test mode) or when only listing.
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        latency_percentiles();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
