//! The HTTP handler: route, check, verify, parse, store, answer.

use bytes::Bytes;
use http::{Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use logging::error_chain;
use platforms::registry::Registry;
use platforms::{HandshakeOutcome, InboundRequest, WebhookPlatform};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use store::{FeedbackStore, UnsupportedDelivery};
use time::OffsetDateTime;
use tracing::{Instrument, error, info, info_span, warn};

/// Larger bodies are refused with 413 before any work. Meta batches stay far below.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the handler needs, built once per cold start.
pub struct App {
    platforms: RwLock<Arc<Registry>>,
    store: Arc<dyn FeedbackStore>,
    reload: Option<Reload>,
}

/// Builds the registry again from fresh secrets (rotated in SSM without a redeploy), at
/// most once a minute, when a delivery fails verification or names a platform we do not
/// serve.
pub struct Reload {
    build: Box<dyn Fn() -> BoxFuture<'static, Option<Registry>> + Send + Sync>,
    last: Mutex<Option<Instant>>,
    every: Duration,
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

impl Reload {
    /// `build` makes a registry from the secrets as they are now (`None`: could not).
    pub fn new(
        build: impl Fn() -> BoxFuture<'static, Option<Registry>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            build: Box::new(build),
            last: Mutex::new(Some(Instant::now())),
            every: Duration::from_secs(60),
        }
    }

    /// With another minimum time between reloads (tests).
    pub fn every(mut self, every: Duration) -> Self {
        self.every = every;
        self
    }

    fn due(&self) -> bool {
        let Ok(mut last) = self.last.lock() else {
            return false;
        };
        if last.is_some_and(|t| t.elapsed() < self.every) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }
}

impl App {
    /// Serve `platforms` (a route not among them answers 404), storing into `store`.
    pub fn new(platforms: Registry, store: Arc<dyn FeedbackStore>) -> Self {
        Self {
            platforms: RwLock::new(Arc::new(platforms)),
            store,
            reload: None,
        }
    }

    /// Also reload the platforms' secrets when a delivery does not verify.
    pub fn with_reload(mut self, reload: Reload) -> Self {
        self.reload = Some(reload);
        self
    }

    fn registry(&self) -> Arc<Registry> {
        match self.platforms.read() {
            Ok(r) => Arc::clone(&r),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reload the secrets if a reload is due; `true` when the registry changed.
    async fn reload(&self) -> bool {
        let Some(reload) = self.reload.as_ref().filter(|r| r.due()) else {
            return false;
        };
        let Some(fresh) = (reload.build)().await else {
            warn!("re-reading the platforms' secrets failed; keeping the ones we have");
            return false;
        };
        info!(routes = ?fresh.routes().collect::<Vec<_>>(), "platforms' secrets re-read");
        if let Ok(mut current) = self.platforms.write() {
            *current = Arc::new(fresh.keeping_state_of(&current));
        }
        true
    }
}

fn respond(status: StatusCode, content_type: &str, body: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

fn json(status: StatusCode, value: serde_json::Value) -> Response<Body> {
    respond(status, "application/json", value.to_string())
}

fn error(status: StatusCode, message: &str) -> Response<Body> {
    json(status, serde_json::json!({ "error": message }))
}

/// `/webhooks/{route}/{tail…}`, wherever API Gateway or a proxy mounted it.
fn split_route(path: &str) -> Option<(&str, Vec<String>)> {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    segments.by_ref().find(|s| *s == "webhooks")?;
    let route = segments.next()?;
    Some((route, segments.map(str::to_owned).collect()))
}

/// What became of a call, for deciding whether fresh secrets might change it.
enum Served {
    Done(Response<Body>),
    /// 404 (no such platform) or 401 (not verified): fresh secrets might help.
    Unknown(Response<Body>),
}

/// Handle one webhook call. Never fails: every outcome is a response.
/// The call as a platform sees it: its method, the path segments after the route, its
/// query parameters, headers and body.
pub fn inbound_request(
    parts: http::request::Parts,
    path_tail: Vec<String>,
    body: &[u8],
) -> InboundRequest {
    InboundRequest {
        method: parts.method,
        path_tail,
        query: parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default(),
        headers: parts.headers,
        body: Bytes::copy_from_slice(body),
    }
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    let Some((route, path_tail)) = split_route(request.uri().path()) else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "no such route; webhooks are served on /webhooks/{platform}",
        ));
    };
    let route = route.to_owned();
    let (parts, body) = request.into_parts();
    let body: &[u8] = body.as_ref();
    if body.len() > MAX_BODY_BYTES {
        warn!(bytes = body.len(), "body too large");
        return Ok(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body is larger than 1 MiB",
        ));
    }
    let inbound = inbound_request(parts, path_tail, body);
    let first = serve(app, &app.registry(), &route, &inbound).await;
    Ok(match first {
        Served::Done(response) => response,
        Served::Unknown(response) => {
            if app.reload().await {
                match serve(app, &app.registry(), &route, &inbound).await {
                    Served::Done(r) | Served::Unknown(r) => r,
                }
            } else {
                response
            }
        }
    })
}

async fn serve(app: &App, registry: &Registry, route: &str, inbound: &InboundRequest) -> Served {
    let Some(platform) = registry.get(route) else {
        return Served::Unknown(error(StatusCode::NOT_FOUND, "unknown platform"));
    };
    let span = info_span!("webhook", platform = platform.route(), method = %inbound.method);
    async {
        match inbound.method {
            Method::GET => Served::Done(handshake(platform, inbound)),
            Method::POST => deliver(app, platform, inbound).await,
            _ => Served::Done(error(
                StatusCode::METHOD_NOT_ALLOWED,
                "use POST for deliveries, GET for handshakes",
            )),
        }
    }
    .instrument(span)
    .await
}

fn handshake(platform: &dyn WebhookPlatform, inbound: &InboundRequest) -> Response<Body> {
    match platform.handshake(inbound) {
        Some(HandshakeOutcome::Accept { content_type, body }) => {
            info!("handshake accepted");
            respond(StatusCode::OK, content_type, body)
        }
        Some(HandshakeOutcome::Refuse { reason }) => {
            warn!(reason, "handshake refused");
            error(StatusCode::FORBIDDEN, "handshake refused")
        }
        Some(HandshakeOutcome::Malformed { reason }) => {
            warn!(reason, "handshake malformed");
            error(StatusCode::BAD_REQUEST, "handshake malformed")
        }
        None => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "this platform has no handshake",
        ),
    }
}

async fn deliver(app: &App, platform: &dyn WebhookPlatform, inbound: &InboundRequest) -> Served {
    if !service::headers::is_json(&inbound.headers) {
        return Served::Done(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    Served::Done(match verify_and_store(app, platform, inbound).await {
        Ok(response) => response,
        Err(Unverified::Refused(unverified)) => return Served::Unknown(unverified),
        Err(Unverified::Later(response)) => response,
    })
}

/// A delivery that did not verify.
enum Unverified {
    /// 401: the credential is wrong (fresh secrets might change that).
    Refused(Response<Body>),
    /// 503: it could not be checked now (the platform's keys are unavailable); the
    /// platform delivers again, and fresh secrets would not help.
    Later(Response<Body>),
}

/// `Err`: the answer for a delivery that did not verify.
async fn verify_and_store(
    app: &App,
    platform: &dyn WebhookPlatform,
    inbound: &InboundRequest,
) -> Result<Response<Body>, Unverified> {
    let now = OffsetDateTime::now_utc();
    let verified = match platform.verify(inbound, now).await {
        Ok(v) => v,
        Err(e) if e.is_retryable() => {
            warn!(reason = %e, "delivery not checked now; answered 503 so it is sent again");
            return Err(Unverified::Later(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the delivery cannot be verified now; please retry",
            )));
        }
        Err(e) => {
            // Why is logged for us; the sender only learns that it failed.
            warn!(reason = %e, "delivery rejected");
            return Err(Unverified::Refused(error(
                StatusCode::UNAUTHORIZED,
                "the delivery could not be verified",
            )));
        }
    };
    let parsed = platform.parse(&verified, now);
    if !parsed.invalid.is_empty() {
        return Ok(invalid(app, platform, &verified, parsed.invalid, now).await);
    }
    let outcome = match app.store.record_changes(&parsed.changes).await {
        Ok(outcome) => outcome,
        Err(e) => return Ok(storage_failed(&e, "storing feedback failed")),
    };
    if !parsed.unsupported.is_empty() {
        let delivery = UnsupportedDelivery {
            route: platform.route().to_owned(),
            body: verified.body().to_vec(),
            reasons: parsed
                .unsupported
                .iter()
                .map(|u| u.reason.clone())
                .collect(),
            received_at: now,
        };
        if let Err(e) = app.store.record_unsupported(&delivery).await {
            return Ok(storage_failed(&e, "storing an unsupported delivery failed"));
        }
        // Reasons are ours, not the sender's text, so they are safe to log.
        warn!(reasons = ?delivery.reasons, "kept an unsupported delivery for inspection");
    }
    info!(
        changes = parsed.changes.len(),
        inserted = outcome.inserted,
        updated = outcome.updated,
        unchanged = outcome.unchanged,
        unsupported = parsed.unsupported.len(),
        "delivery stored"
    );
    Ok(json(
        StatusCode::OK,
        serde_json::json!({
            "status": "stored",
            "changes": parsed.changes.len(),
            "inserted": outcome.inserted,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "unsupported": parsed.unsupported.len(),
        }),
    ))
}

/// Storage failed. Mostly a passing outage: 500, so the platform delivers again. But when
/// DynamoDB refuses the request itself, a redelivery would be refused forever (Meta retries
/// for 36 hours and may then drop the subscription): the delivery is answered 200, the
/// refusal logged and counted (`DeliveriesRefusedByStorage`) for a person to look at.
fn storage_failed(e: &store::StoreError, what: &str) -> Response<Body> {
    if e.is_permanent() {
        error!(error = %error_chain(e), "{what}: refused for good; answered 200 so it is not retried forever");
        logging::metric("webhook-ingest", "DeliveriesRefusedByStorage", 1);
        return json(
            StatusCode::OK,
            serde_json::json!({ "status": "refused", "error": "the delivery could not be stored" }),
        );
    }
    error!(error = %error_chain(e), "{what}");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error; please retry",
    )
}

/// A delivery that breaks a schema we publish: kept raw, answered 400 naming each
/// problem, so the sender can fix it.
async fn invalid(
    app: &App,
    platform: &dyn WebhookPlatform,
    verified: &platforms::VerifiedDelivery<'_>,
    problems: Vec<String>,
    now: OffsetDateTime,
) -> Response<Body> {
    let delivery = UnsupportedDelivery {
        route: platform.route().to_owned(),
        body: verified.body().to_vec(),
        reasons: problems.clone(),
        received_at: now,
    };
    if let Err(e) = app.store.record_unsupported(&delivery).await {
        return storage_failed(&e, "storing an invalid delivery failed");
    }
    warn!(problems = ?problems, "kept an invalid delivery for inspection");
    json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({ "error": "the feedback item is invalid", "problems": problems }),
    )
}

#[cfg(test)]
mod tests;
