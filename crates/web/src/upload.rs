//! Reading uploaded spreadsheets off the async workers, bounded in size and rows (in core) and in time (here).

use std::time::Duration;

/// The longest a spreadsheet may take to read. Within the size and row limits of
/// `keten_core::spreadsheet` a real file takes well under a second.
pub(crate) const PARSE_SECONDS: u64 = 20;

/// Runs `work` (parsing an upload) on the blocking thread pool, so that a slow or hostile file never holds up
/// the workers that answer every other request (issue 18: a zip bomb stalled `/healthz` for 13 s). The error is
/// a Dutch sentence for the upload page; a parse that panics or overruns is one too, never a 500.
pub(crate) async fn off_worker<T, F>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, String> + Send + 'static,
{
    let task = tokio::task::spawn_blocking(work);
    match tokio::time::timeout(Duration::from_secs(PARSE_SECONDS), task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "reading an upload failed");
            Err(
                "Het bestand kon niet worden gelezen. Sla het op als CSV en probeer het opnieuw."
                    .into(),
            )
        }
        // The thread finishes on its own: the size and row limits bound its work.
        Err(_) => Err(format!(
            "Het lezen van het bestand duurde langer dan {PARSE_SECONDS} seconden. Splits het in kleinere bestanden of sla het op als CSV."
        )),
    }
}
