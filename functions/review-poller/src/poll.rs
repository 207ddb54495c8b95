//! One run: every source in turn, each claimed, read newest first down to its cursor,
//! stored with the webhooks' idempotent write, then its cursor advanced (or its failure
//! kept), until the time left is low.

use crate::config::{Settings, Source};
use crate::cursor::{Position, backoff};
use feedback::{FeedbackChange, Platform};
use platforms::polling::ReviewSource;
use platforms::reply::{ReplyClient, ReplyError};
use service::credentials::{CredentialError, Credentials};
use std::sync::Arc;
use store::sources::{RunFailure, SourceCursor};
use store::{DynamoStore, FeedbackStore};
use time::OffsetDateTime;
use tracing::{info, warn};

/// The function's name in metrics.
pub const FUNCTION: &str = "review-poller";

/// A polled platform: its list reader and its client (for the access token).
#[derive(Clone)]
pub struct Store {
    pub platform: Platform,
    pub reviews: Arc<dyn ReviewSource>,
    pub client: Arc<dyn ReplyClient>,
    /// Locally, the variable holding an app's key.
    pub credential_variable: &'static str,
}

/// What a run did, counted (and emitted as metrics).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    pub sources_polled: u64,
    pub reviews_new: u64,
    pub reviews_updated: u64,
    pub reviews_unusable: u64,
    /// Another run holds the source.
    pub sources_busy: u64,
    /// Waiting out a backoff, or flagged for reconnecting.
    pub sources_waiting: u64,
    pub sources_reconnect: u64,
    pub sources_rate_limited: u64,
    pub sources_failed: u64,
    /// Sources not started, or stopped between pages, for lack of time.
    pub sources_deferred: u64,
}

impl RunReport {
    pub fn emit_metrics(&self) {
        for (name, value) in [
            ("SourcesPolled", self.sources_polled),
            ("ReviewsStored", self.reviews_new),
            ("ReviewsUpdated", self.reviews_updated),
            ("ReviewsUnusable", self.reviews_unusable),
            ("SourcesBusy", self.sources_busy),
            ("SourcesNeedReconnect", self.sources_reconnect),
            ("SourcesRateLimited", self.sources_rate_limited),
            ("SourcesFailed", self.sources_failed),
            ("SourcesDeferred", self.sources_deferred),
        ] {
            if value > 0 {
                logging::metric(FUNCTION, name, value);
            }
        }
    }
}

/// The clock, injected so tests can run out of time.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

pub struct Poller {
    store: DynamoStore,
    stores: Vec<Store>,
    sources: Vec<Source>,
    keys: Credentials,
    settings: Settings,
    clock: Clock,
    /// Who holds a lease (one per invocation).
    owner_prefix: String,
}

enum Ended {
    /// Reached the cursor or the end of the list: the cursor moves.
    Complete(Position, u64),
    /// Stopped for time or the page cap: what was read is stored, the cursor stays.
    Incomplete(u64),
}

impl Poller {
    pub fn new(
        store: DynamoStore,
        stores: Vec<Store>,
        sources: Vec<Source>,
        keys: Credentials,
        settings: Settings,
    ) -> Self {
        Self {
            store,
            stores,
            sources,
            keys,
            settings,
            clock: Arc::new(OffsetDateTime::now_utc),
            owner_prefix: std::env::var("AWS_LAMBDA_LOG_STREAM_NAME")
                .unwrap_or_else(|_| format!("local-{}", std::process::id())),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    fn time_left(&self, deadline: OffsetDateTime) -> bool {
        deadline - self.now() > self.settings.stop_margin
    }

    /// Poll every source once, starting none once less than the stop margin is left
    /// before `deadline`. `run_id` tells this run's leases from another's.
    pub async fn run(&self, deadline: OffsetDateTime, run_id: &str) -> RunReport {
        let mut report = RunReport::default();
        let owner = format!("{}/{run_id}", self.owner_prefix);
        for (i, source) in self.sources.iter().enumerate() {
            if !self.time_left(deadline) {
                report.sources_deferred += (self.sources.len() - i) as u64;
                info!(left = self.sources.len() - i, "stopping: little time left");
                break;
            }
            if let Err(e) = self
                .poll_source(source, &owner, deadline, &mut report)
                .await
            {
                report.sources_failed += 1;
                warn!(source = %source, error = %logging::error_chain(&e), "the table could not be used");
            }
        }
        report.emit_metrics();
        report
    }

    async fn poll_source(
        &self,
        source: &Source,
        owner: &str,
        deadline: OffsetDateTime,
        report: &mut RunReport,
    ) -> Result<(), store::StoreError> {
        let Some(platform) = self.stores.iter().find(|s| s.platform == source.platform) else {
            report.sources_failed += 1;
            warn!(source = %source, "no client for this platform");
            return Ok(());
        };
        let now = self.now();
        if let Some(page) = self.store.page(&source.platform, &source.app).await?
            && page.needs_reconnect
        {
            report.sources_waiting += 1;
            return Ok(());
        }
        if let Some(cursor) = self
            .store
            .source_cursor(&source.platform, &source.app)
            .await?
            && cursor.retry_after.is_some_and(|at| at > now)
        {
            report.sources_waiting += 1;
            return Ok(());
        }
        let Some(claimed) = self
            .store
            .claim_source(
                &source.platform,
                &source.app,
                owner,
                now,
                self.settings.lease,
            )
            .await?
        else {
            report.sources_busy += 1;
            return Ok(());
        };
        report.sources_polled += 1;
        match self
            .read(platform, source, &claimed, deadline, report)
            .await
        {
            Ok(Ended::Complete(next, stored)) => {
                let next = SourceCursor {
                    newest_at: next.newest_at,
                    newest_ids: next.newest_ids,
                    ..claimed.clone()
                };
                self.store
                    .finish_source_run(&claimed, &next, owner, "ok", stored, self.now())
                    .await?;
            }
            Ok(Ended::Incomplete(stored)) => {
                report.sources_deferred += 1;
                self.store
                    .finish_source_run(&claimed, &claimed, owner, "incomplete", stored, self.now())
                    .await?;
            }
            Err(failure) => {
                let failures = claimed.failures.saturating_add(1);
                let now = self.now();
                let failure = match failure {
                    Failure::Reconnect(reason) => {
                        report.sources_reconnect += 1;
                        platform.client.forget_access_token(&source.app);
                        self.store
                            .mark_page_reconnect(&source.platform, &source.app, &reason, now)
                            .await?;
                        RunFailure {
                            outcome: "reconnect",
                            error: reason,
                            retry_after: None,
                        }
                    }
                    Failure::Later {
                        rate_limited,
                        reason,
                    } => {
                        if rate_limited {
                            report.sources_rate_limited += 1;
                        } else {
                            report.sources_failed += 1;
                        }
                        RunFailure {
                            outcome: if rate_limited {
                                "rate_limited"
                            } else {
                                "failed"
                            },
                            error: reason,
                            retry_after: Some(now + backoff(failures, self.settings.period)),
                        }
                    }
                };
                warn!(source = %source, outcome = failure.outcome, error = %failure.error, "polling failed");
                self.store
                    .fail_source_run(&source.platform, &source.app, owner, &failure, now)
                    .await?;
            }
        }
        Ok(())
    }

    async fn read(
        &self,
        platform: &Store,
        source: &Source,
        claimed: &SourceCursor,
        deadline: OffsetDateTime,
        report: &mut RunReport,
    ) -> Result<Ended, Failure> {
        let key = self
            .keys
            .get(
                &source.platform,
                &source.app,
                None,
                platform.credential_variable,
            )
            .await
            .map_err(|e| match e {
                CredentialError::Missing(_)
                | CredentialError::Denied(_)
                | CredentialError::BadSource(_) => Failure::Reconnect(e.to_string()),
                CredentialError::Unavailable(_) => Failure::Later {
                    rate_limited: false,
                    reason: e.to_string(),
                },
            })?;
        let token = platform.client.access_token(&source.app, &key).await?;
        let position = Position {
            newest_at: claimed.newest_at,
            newest_ids: claimed.newest_ids.clone(),
        };
        let mut seen = Vec::new();
        let mut next_page: Option<String> = None;
        let mut stored = 0;
        for page_number in 0..self.settings.max_pages {
            if page_number > 0 && !self.time_left(deadline) {
                return Ok(Ended::Incomplete(stored));
            }
            let page = platform
                .reviews
                .list_page(&source.app, next_page.as_deref(), &token)
                .await?;
            report.reviews_unusable += page.unusable.len() as u64;
            for reason in &page.unusable {
                warn!(source = %source, reason, "a listed review is unusable");
            }
            let reached = page
                .reviews
                .iter()
                .any(|r| position.covers(r.written_at, r.feedback.item_id.as_str()));
            let changes: Vec<FeedbackChange> = page
                .reviews
                .iter()
                .filter(|r| !position.covers(r.written_at, r.feedback.item_id.as_str()))
                .flat_map(|r| r.changes())
                .collect();
            let outcome =
                self.store
                    .record_changes(&changes)
                    .await
                    .map_err(|e| Failure::Later {
                        rate_limited: false,
                        reason: logging::error_chain(&e),
                    })?;
            report.reviews_new += outcome.inserted as u64;
            report.reviews_updated += outcome.updated as u64;
            stored += outcome.inserted as u64;
            seen.extend(
                page.reviews
                    .iter()
                    .map(|r| (r.written_at, r.feedback.item_id.as_str().to_owned())),
            );
            next_page = page.next;
            if reached || next_page.is_none() {
                return Ok(Ended::Complete(advance(&position, &seen), stored));
            }
        }
        // The page cap: a source seen for the first time starts from its newest pages (no
        // back-fill of its whole history); a known one read again from the top next run.
        if position.newest_at.is_none() {
            Ok(Ended::Complete(advance(&position, &seen), stored))
        } else {
            Ok(Ended::Incomplete(stored))
        }
    }
}

fn advance(position: &Position, seen: &[(OffsetDateTime, String)]) -> Position {
    position.advanced(seen.iter().map(|(at, id)| (*at, id.as_str())))
}

enum Failure {
    Reconnect(String),
    Later { rate_limited: bool, reason: String },
}

impl From<ReplyError> for Failure {
    fn from(e: ReplyError) -> Self {
        match e {
            ReplyError::Reconnect(reason) => Failure::Reconnect(reason),
            ReplyError::Transient(reason) if reason.contains("rate limited") => Failure::Later {
                rate_limited: true,
                reason,
            },
            other => Failure::Later {
                rate_limited: false,
                reason: other.to_string(),
            },
        }
    }
}
