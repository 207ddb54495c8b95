//! The SLA sweeper on a short interval (`LOCAL_SWEEP_SECONDS`, 10 by default), as the
//! schedule runs it on AWS: the same code, sends through the dry-run sink unless
//! `LOCAL_REPLIES=send`.

use sla_sweeper::Sweeper;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tracing::{info, warn};

/// Sweep every `every` until told to stop.
pub async fn run(sweeper: Arc<Sweeper>, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        match Box::pin(sweeper.sweep(OffsetDateTime::now_utc(), None)).await {
            Ok(summary) if summary != sla_sweeper::Summary::default() => {
                info!(?summary, "sweep");
            }
            Ok(_) => {}
            Err(e) => {
                warn!(error = %logging::error_chain(&e), "sweep failed; next one tries again")
            }
        }
    }
}
