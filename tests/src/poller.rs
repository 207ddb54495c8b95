//! What the review-poller tests share: a poller on one source and its runs, a clock the
//! test moves by hand, a source's cursor read back, and a next page that fails once.

use crate::dynamodb::TestTable;
use platforms::polling::ReviewSource;
use platforms::reply::ReplyClient;
use review_poller::config::{Settings, Source};
use review_poller::poll::{Clock, Poller, RunReport, Store};
use service::credentials::Credentials;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

/// Credentials holding `value` in the variable `variable` and nothing else.
pub fn credential(variable: &'static str, value: &str) -> Credentials {
    let value = value.to_owned();
    Credentials::local(move |k| (k == variable).then(|| value.clone()))
}

/// A poller on `table` reading `source` through `client`, which also answers, with its
/// credential `value` in `variable`.
pub fn poller_on<C>(
    table: &TestTable,
    client: Arc<C>,
    source: Source,
    variable: &'static str,
    value: &str,
) -> Poller
where
    C: ReviewSource + ReplyClient + 'static,
{
    Poller::new(
        table.store(),
        vec![Store {
            platform: source.platform.clone(),
            reviews: client.clone(),
            client,
            credential_variable: variable,
        }],
        vec![source],
        credential(variable, value),
        Settings::default(),
    )
}

/// A run of `poller` named `id`, with five minutes to go.
pub async fn run(poller: &Poller, id: &str) -> RunReport {
    poller
        .run(OffsetDateTime::now_utc() + Duration::minutes(5), id)
        .await
}

/// `server` answers a GET of `at` whose `param` is `value` with a 503 once, then with `then`.
pub async fn fails_once_then(
    server: &MockServer,
    at: &str,
    (param, value): (&str, &str),
    then: ResponseTemplate,
) {
    let page = || {
        Mock::given(method("GET"))
            .and(path(at))
            .and(query_param(param, value))
    };
    page()
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    page()
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

/// A first run that stored one review and then failed on its source's next page: the
/// cursor stays where it was (`why`).
pub async fn assert_one_stored_then_failed(
    table: &TestTable,
    source: &Source,
    first: &RunReport,
    why: &str,
) {
    assert_eq!(
        (first.reviews_new, first.sources_failed),
        (1, 1),
        "{first:?}"
    );
    let cursor = cursor_of(table, source).await;
    assert_eq!(cursor.newest_at, None, "{why}");
}

/// Two runs of `poller`: the first stores one new review, the second none.
pub async fn assert_stored_once(poller: &Poller) {
    let first = run(poller, "run-1").await;
    let second = run(poller, "run-2").await;
    assert_eq!(
        (first.reviews_new, second.reviews_new),
        (1, 0),
        "{first:?} {second:?}"
    );
}
