//! The store's limit for the registration desk: how fast the same one-question
//! visits go straight into the database (raw insert, one transaction each) and
//! through `register_visit` (the store part of the HTTP path), with the
//! concurrency of the HTTP load script. SQLite always; PostgreSQL when
//! `KETEN_BENCH_POSTGRES=postgres://...` is set.
#![allow(clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use keten_core::help_question::{Channel, Outcome, QuestionDraft, VisitDraft};
use keten_store::Store;
use keten_store::help_questions::{DeskHelpPoint, NewHelpQuestion, Registrar, Source};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Parallel writers, as `wrk -c16` in scripts/bench-registrations.
fn concurrency() -> u64 {
    std::env::var("KETEN_BENCH_CONCURRENCY")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(16)
}

async fn prepared(url: &str) -> (Store, DeskHelpPoint) {
    let store = Store::connect(url).await.expect("database");
    store.migrate().await.expect("migrate");
    let chain = keten_core::demo::demo_chain();
    let hashes = vec!["x".to_owned(); chain.users.len()];
    let loaded = store
        .load_demo_chain(&chain, &hashes, 1_772_442_000)
        .await
        .expect("demo chain");
    let id = loaded.help_point_ids[0].clone();
    let point = DeskHelpPoint {
        id,
        name: "bench".into(),
        organisation_id: String::new(),
        municipality_code: "GM0599".into(),
    };
    (store, point)
}

fn row(point: &DeskHelpPoint, now: i64) -> NewHelpQuestion {
    let id = uuid::Uuid::new_v4().to_string();
    NewHelpQuestion {
        visit_id: id.clone(),
        id,
        help_point_id: point.id.clone(),
        asked_at: now,
        topic_code: "digid".into(),
        agency: "logius".into(),
        kind: "digital_government".into(),
        channel: Channel::WalkIn,
        minutes: 15,
        outcome: Outcome::Solved,
        age_band: None,
        pc4: Some("3011".into()),
        first_visit: None,
        registered_by: None,
        created_at: now,
        source: Source::Api,
        registration_link_id: None,
        referred_to: None,
        remark: None,
        consultation_hour_id: None,
    }
}

fn visit(now: i64) -> VisitDraft {
    VisitDraft {
        asked_at: now,
        age_band: None,
        pc4: Some("3011".into()),
        first_visit: None,
        remark: None,
        consultation_hour_id: None,
        questions: vec![QuestionDraft {
            topic_code: "digid".into(),
            agency: "logius".into(),
            kind: "digital_government".into(),
            channel: Channel::WalkIn,
            minutes: 15,
            outcome: Outcome::Solved,
            referred_to: None,
        }],
    }
}

/// Runs `iters` writes over `concurrency()` tasks and returns the wall time.
fn run<F, Fut>(rt: &tokio::runtime::Runtime, iters: u64, write: Arc<F>) -> Duration
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    rt.block_on(async move {
        let tasks = concurrency().min(iters.max(1));
        let start = Instant::now();
        let mut handles = Vec::new();
        for t in 0..tasks {
            let write = write.clone();
            let n = iters / tasks + u64::from(t < iters % tasks);
            handles.push(tokio::spawn(async move {
                for _ in 0..n {
                    write().await;
                }
            }));
        }
        for h in handles {
            h.await.expect("task");
        }
        start.elapsed()
    })
}

fn backend(c: &mut Criterion, name: &str, url: &str) {
    // Pools belong to the runtime that made them: one runtime for setup and measuring.
    let (store, point) = rt_handle().block_on(prepared(url));
    let mut group = c.benchmark_group(format!("registrations/{name}"));
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));
    let now = 1_772_442_000;
    {
        let (store, point) = (store.clone(), point.clone());
        group.bench_function("raw_insert", move |b| {
            let write = {
                let (store, point) = (store.clone(), point.clone());
                Arc::new(move || {
                    let (store, row) = (store.clone(), row(&point, now));
                    async move {
                        store
                            .insert_help_questions(std::slice::from_ref(&row))
                            .await
                            .expect("insert");
                    }
                })
            };
            b.iter_custom(|iters| run(&rt_handle(), iters, write.clone()));
        });
    }
    {
        let (store, point) = (store.clone(), point.clone());
        group.bench_function("register_visit", move |b| {
            let write = {
                let (store, point) = (store.clone(), point.clone());
                Arc::new(move || {
                    let (store, point) = (store.clone(), point.clone());
                    async move {
                        let by = Registrar {
                            source: Source::Api,
                            user_id: None,
                            link_id: None,
                        };
                        store
                            .register_visit(&point, &visit(now), &by, now)
                            .await
                            .expect("register");
                    }
                })
            };
            b.iter_custom(|iters| run(&rt_handle(), iters, write.clone()));
        });
    }
    group.finish();
}

/// One runtime for the whole bench run, shared by the measuring closures.
fn rt_handle() -> Arc<tokio::runtime::Runtime> {
    static RT: std::sync::OnceLock<Arc<tokio::runtime::Runtime>> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        Arc::new(
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime"),
        )
    })
    .clone()
}

fn registrations(c: &mut Criterion) {
    let file = std::env::temp_dir().join(format!("keten-bench-{}.db", uuid::Uuid::new_v4()));
    backend(c, "sqlite", &format!("sqlite://{}", file.display()));
    // With the file its write-ahead log and shared memory, which stay when the pool is not closed first.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    if let Ok(url) = std::env::var("KETEN_BENCH_POSTGRES") {
        backend(c, "postgres", &url);
    }
}

criterion_group!(benches, registrations);
criterion_main!(benches);
