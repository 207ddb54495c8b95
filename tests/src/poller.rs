//! What the review-poller tests share: a clock the test moves by hand, and a source's
//! cursor read back.

use crate::dynamodb::TestTable;
use review_poller::config::Source;
use review_poller::poll::Clock;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// A clock that stands still until the test moves it.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    pub fn at(now: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(now)))
    }

    pub fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }

    /// Move it to `now`.
    pub fn set(&self, now: OffsetDateTime) {
        *self.0.lock().unwrap() = now;
    }

    /// It, as a poller reads the time.
    pub fn clock(&self) -> Clock {
        let this = self.clone();
        Arc::new(move || this.now())
    }
}

/// The cursor stored for `source` (there must be one).
pub async fn cursor_of(table: &TestTable, source: &Source) -> store::sources::SourceCursor {
    table
        .store()
        .source_cursor(&source.platform, &source.app)
        .await
        .unwrap()
        .expect("a cursor for the source")
}
