//! Group commit of registrations: one writer task per process saves the visits that wait in its queue in one transaction and one commit, and answers each caller only after that commit.
//!
//! Why: every registration writes the raw rows, three rollups and the running total. One transaction per
//! visit pays a BEGIN, five statements and a COMMIT inside SQLite's single write turn (and on PostgreSQL
//! waits on the row locks of the same rollup rows). Summed over a batch, the rollup rows and the running
//! totals are a handful of upserts however many visits the batch holds, so the cost per visit falls as the
//! load rises. Batches form by themselves: while one commits, the next requests queue; a lone request is
//! saved at once, without waiting for company.

use crate::error::{Result, StoreError};
use crate::help_questions::{DeskHelpPoint, RegisteredVisit, Registrar, build_rows, insert_rows};
use keten_core::help_question::VisitDraft;
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Visits per transaction at most: a batch stays well under a few milliseconds of work, so the requests
/// behind it do not wait long. A single call with more visits (an API batch) is still one transaction.
const MAX_BATCH_VISITS: usize = 256;

/// Requests that may wait for the writer before callers wait to enqueue (back-pressure).
const QUEUE: usize = 4_096;

/// One caller's visits: saved all or nothing, in the batch's transaction.
pub(crate) struct Job {
    pub visits: Vec<(DeskHelpPoint, VisitDraft)>,
    pub by: Registrar,
    pub now: i64,
    pub reply: oneshot::Sender<Result<Vec<RegisteredVisit>>>,
}

/// The queue to this process's writer task, started on first use (inside the caller's runtime).
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupWriter {
    sender: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl GroupWriter {
    /// Hands the job to the writer task and waits until its batch has been committed.
    pub(crate) async fn save(
        &self,
        pool: &AnyPool,
        write_queue: &Arc<Mutex<()>>,
        visits: Vec<(DeskHelpPoint, VisitDraft)>,
        by: Registrar,
        now: i64,
    ) -> Result<Vec<RegisteredVisit>> {
        let sender = self.sender.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            // The task holds the pool and the write turn, not the Store: when the last Store is dropped the
            // channel closes and the task ends.
            tokio::spawn(run(pool.clone(), write_queue.clone(), receiver));
            sender
        });
        let (reply, answer) = oneshot::channel();
        let job = Job {
            visits,
            by,
            now,
            reply,
        };
        sender
            .send(job)
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?;
        // No answer means the writer stopped (its runtime shut down) before it could say.
        answer
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?
    }
}

/// The writer task: takes what waits in the queue (up to [`MAX_BATCH_VISITS`]), saves it in one
/// transaction, answers. When the batch fails, each job is tried alone, so one bad registration (a help
/// point removed a moment ago) costs only its own caller an error.
async fn run(pool: AnyPool, write_queue: Arc<Mutex<()>>, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.recv().await {
        let mut visits = first.visits.len();
        let mut jobs = vec![first];
        while visits < MAX_BATCH_VISITS {
            match receiver.try_recv() {
                Ok(job) => {
                    visits += job.visits.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let result = {
            // The other writers of help questions (imports, rebuilds) take the same turn on SQLite.
            let _turn = write_queue.lock().await;
            save_batch(&pool, &jobs).await
        };
        match result {
            Ok(saved) => {
                for (job, visits) in jobs.into_iter().zip(saved) {
                    // A caller that went away (closed connection) no longer waits; its visit is saved.
                    let _ = job.reply.send(Ok(visits));
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.pop() {
                    let _ = job.reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, jobs = jobs.len(), "group commit failed; saving one by one");
                for job in jobs {
                    let alone = {
                        let _turn = write_queue.lock().await;
                        save_batch(&pool, std::slice::from_ref(&job)).await
                    };
                    let answer =
                        alone.and_then(|mut saved| saved.pop().ok_or(StoreError::NotFound));
                    let _ = job.reply.send(answer);
                }
            }
        }
    }
}

/// Saves the jobs' visits in one transaction and returns each job's saved visits, with running totals
/// numbered in queue order.
pub(crate) async fn save_batch(pool: &AnyPool, jobs: &[Job]) -> Result<Vec<Vec<RegisteredVisit>>> {
    let mut rows = Vec::new();
    let mut saved = Vec::with_capacity(jobs.len());
    for job in jobs {
        let pairs: Vec<(&DeskHelpPoint, &VisitDraft)> =
            job.visits.iter().map(|(p, v)| (p, v)).collect();
        let (job_rows, job_saved) = build_rows(&pairs, &job.by, job.now);
        rows.extend(job_rows);
        saved.push(job_saved);
    }
    let mut tx = pool.begin().await?;
    let mut totals: HashMap<String, i64> = insert_rows(&mut tx, &rows).await?.into_iter().collect();
    tx.commit().await?;
    // Number the visits backwards from each help point's total after the batch.
    for (job, job_saved) in jobs.iter().zip(saved.iter_mut()).rev() {
        for ((point, _), visit) in job.visits.iter().zip(job_saved.iter_mut()).rev() {
            if let Some(running) = totals.get_mut(&point.id) {
                visit.running_total = *running;
                *running -= i64::try_from(visit.question_ids.len()).unwrap_or(0);
            }
        }
    }
    Ok(saved)
}
