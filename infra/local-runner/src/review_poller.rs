//! The review poller on a short interval (`LOCAL_POLL_SECONDS`, 30 by default), as the
//! schedule runs it on AWS: the same code, reading the app stores' stand-ins in
//! `infra/sandbox/` (or each store's configured API).

use review_poller::poll::Poller;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tracing::info;

/// Poll every `every` until told to stop (the first run at once).
pub async fn run(poller: Arc<Poller>, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut runs = 0u64;
    loop {
        if *stop.borrow() {
            return;
        }
        runs += 1;
        let deadline = OffsetDateTime::now_utc() + time::Duration::minutes(5);
        let report = poller.run(deadline, &format!("local-run-{runs}")).await;
        if report != review_poller::poll::RunReport::default() {
            info!(?report, "review poll");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
