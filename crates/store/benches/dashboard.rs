//! The steering dashboard's figures for a whole year, read from the rollups, against the same figures computed
//! from the raw rows in the same run (the baseline: what the page would cost without rollups), for the nation,
//! the municipality with the most questions, Rotterdam and one of its help points. Prints p50 and p99 per figure
//! and the speed-up.
//!
//! `KETEN_BENCH_QUESTIONS` (default 1,000,000) questions of demo history, spread over `KETEN_BENCH_HELP_POINTS`
//! (default 700: the demo chain and public libraries in every Dutch municipality, so that "nation" is the whole
//! country; `keten_core::demo::national_chain`) help points; SQLite always, PostgreSQL too when
//! `KETEN_BENCH_POSTGRES=postgres://...` points at an empty database (`KETEN_BENCH_ONLY_POSTGRES=1` leaves SQLite
//! out: at 10,000,000 questions each backend takes the better part of an hour). `KETEN_BENCH_ROUNDS` (default 20)
//! rounds from the rollups after one untimed round that warms the caches (printed apart as "cold": right after
//! a load its pages may not be in memory yet), a quarter of that (at least 3) from the raw rows. Under
//! `cargo test --benches` the run is tiny: 2,000 questions over 40 help points.
#![allow(clippy::expect_used, clippy::print_stdout)]

use keten_core::demo::{DemoChain, national_chain};
use keten_core::steering::{DayRange, local_day_hour};
use keten_store::Store;
use keten_store::stats::StatsScope;
use std::collections::HashSet;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// p50 and p99 of the timings (nearest rank).
fn percentiles(mut timings: Vec<Duration>) -> (Duration, Duration) {
    timings.sort();
    let rank = |p: f64| {
        let i = ((p * timings.len() as f64).ceil() as usize).clamp(1, timings.len()) - 1;
        timings[i]
    };
    (rank(0.50), rank(0.99))
}

async fn loaded(url: &str, chain: &DemoChain, questions: u64) -> (Store, String) {
    let store = Store::connect(url).await.expect("database");
    store.migrate().await.expect("migrate");
    let hashes = vec!["x".to_owned(); chain.users.len()];
    let now = jiff::Timestamp::from_second(1_772_442_000).expect("clock");
    let loaded = store
        .load_demo_chain(chain, &hashes, now.as_second())
        .await
        .expect("demo chain");
    let started = Instant::now();
    let generator = keten_core::demo::QuestionGenerator::new(chain, now, questions, 2026);
    store
        .load_demo_questions(&loaded, generator, now.as_second(), |_| {})
        .await
        .expect("demo questions");
    println!(
        "  loaded {questions} questions (raw rows and rollups) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (store, loaded.help_point_ids[0].clone())
}

async fn backend(name: &str, url: &str, chain: &DemoChain, questions: u64, rounds: u64) {
    println!("{name}:");
    let (store, first_point) = loaded(url, chain, questions).await;
    let today = local_day_hour(1_772_442_000).0;
    let year = DayRange {
        from: today - 365,
        until: today + 1,
    };
    let rotterdam = StatsScope {
        municipality_code: Some("GM0599".into()),
        help_point: None,
        partner: None,
    };
    let point = store
        .chain_help_points("GM0599")
        .await
        .expect("help points")
        .into_iter()
        .find(|p| p.id == first_point);
    // Spread over the country, the municipality with the most questions is Amsterdam, not the demo's Rotterdam.
    let largest = store
        .stats_questions_per_municipality(year)
        .await
        .expect("questions per municipality")
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or_else(|| "GM0599".to_owned(), |(code, _)| code);
    let mut scopes = vec![(
        "nation".to_owned(),
        StatsScope {
            municipality_code: None,
            ..rotterdam.clone()
        },
    )];
    if largest != "GM0599" {
        let name = keten_core::reference::municipality(&largest)
            .map_or_else(|| largest.clone(), |m| m.name.clone());
        scopes.push((
            name,
            StatsScope {
                municipality_code: Some(largest),
                ..rotterdam.clone()
            },
        ));
    }
    scopes.push(("Rotterdam".to_owned(), rotterdam.clone()));
    scopes.push((
        "one help point".to_owned(),
        StatsScope {
            help_point: point,
            ..rotterdam.clone()
        },
    ));
    println!(
        "  {:<16} {:>10} {:>12} {:>12} {:>12} {:>12} {:>12} {:>9}",
        "scope", "questions", "cold", "rollup p50", "rollup p99", "raw p50", "raw p99", "speed-up"
    );
    for (label, scope) in scopes {
        let t = Instant::now();
        store.stats_figures(&scope, year).await.expect("rollups");
        let cold = t.elapsed();
        let mut rolled = Vec::new();
        let mut figures = None;
        for _ in 0..rounds {
            let t = Instant::now();
            figures = Some(store.stats_figures(&scope, year).await.expect("rollups"));
            rolled.push(t.elapsed());
        }
        let mut raw = Vec::new();
        let mut raw_figures = None;
        for _ in 0..(rounds / 4).max(3) {
            let t = Instant::now();
            raw_figures = Some(
                store
                    .stats_figures_from_raw_rows(&scope, year)
                    .await
                    .expect("raw rows"),
            );
            raw.push(t.elapsed());
        }
        let count = figures.as_ref().map(|f| f.questions()).unwrap_or_default();
        assert_eq!(
            count,
            raw_figures.map(|f| f.questions()).unwrap_or_default(),
            "the rollups and the raw rows disagree for {label}"
        );
        let (r50, r99) = percentiles(rolled);
        let (w50, w99) = percentiles(raw);
        println!(
            "  {label:<16} {count:>10} {:>9.1} ms {:>9.1} ms {:>9.1} ms {:>9.1} ms {:>9.1} ms {:>8.0}x",
            cold.as_secs_f64() * 1e3,
            r50.as_secs_f64() * 1e3,
            r99.as_secs_f64() * 1e3,
            w50.as_secs_f64() * 1e3,
            w99.as_secs_f64() * 1e3,
            w50.as_secs_f64() / r50.as_secs_f64().max(1e-9)
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing and gets a tiny run.
    let benching = std::env::args().any(|a| a == "--bench");
    let questions = env_number(
        "KETEN_BENCH_QUESTIONS",
        if benching { 1_000_000 } else { 2_000 },
    );
    let help_points = env_number("KETEN_BENCH_HELP_POINTS", if benching { 700 } else { 40 });
    let rounds = env_number("KETEN_BENCH_ROUNDS", if benching { 20 } else { 2 });
    let chain = national_chain(usize::try_from(help_points).unwrap_or(usize::MAX));
    // The demo's Flemish point gets no questions: count the municipalities the history covers.
    let municipalities: HashSet<&str> = chain
        .help_points
        .iter()
        .filter(|p| p.weight > 0)
        .map(|p| p.municipality_code)
        .collect();
    println!(
        "{questions} questions over {} help points ({} with a history) in {} municipalities",
        chain.help_points.len(),
        chain.help_points.iter().filter(|p| p.weight > 0).count(),
        municipalities.len()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let only_postgres = std::env::var_os("KETEN_BENCH_ONLY_POSTGRES").is_some();
    rt.block_on(async {
        if !only_postgres {
            sqlite(&chain, questions, rounds).await;
        }
        if let Ok(url) = std::env::var("KETEN_BENCH_POSTGRES") {
            backend("PostgreSQL", &url, &chain, questions, rounds).await;
        }
    });
}

/// The run on a throw-away SQLite file.
async fn sqlite(chain: &DemoChain, questions: u64, rounds: u64) {
    let file = std::env::temp_dir().join(format!("keten-dashboard-{}.db", uuid::Uuid::new_v4()));
    backend(
        "SQLite",
        &format!("sqlite://{}", file.display()),
        chain,
        questions,
        rounds,
    )
    .await;
    // With the file its write-ahead log and shared memory, which stay when the pool is not closed first.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}
