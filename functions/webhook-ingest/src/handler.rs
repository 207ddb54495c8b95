//! The HTTP handler: route, check, verify, parse, store, answer.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, header};
use lambda_http::{Body, Request, Response};
use logging::error_chain;
use platforms::registry::Registry;
use platforms::{HandshakeOutcome, InboundRequest, WebhookPlatform};
use std::convert::Infallible;
use std::sync::Arc;
use store::{FeedbackStore, UnsupportedDelivery};
use time::OffsetDateTime;
use tracing::{Instrument, error, info, info_span, warn};

/// Larger bodies are refused with 413 before any work. Meta batches stay far below.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What the handler needs, built once per cold start.
pub struct App {
    platforms: Registry,
    store: Arc<dyn FeedbackStore>,
}

impl App {
    /// Serve `platforms` (a route not among them answers 404), storing into `store`.
    pub fn new(platforms: Registry, store: Arc<dyn FeedbackStore>) -> Self {
        Self { platforms, store }
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

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Handle one webhook call. Never fails: every outcome is a response.
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    let Some((route, path_tail)) = split_route(request.uri().path()) else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "no such route; webhooks are served on /webhooks/{platform}",
        ));
    };
    let Some(platform) = app.platforms.get(route) else {
        return Ok(error(StatusCode::NOT_FOUND, "unknown platform"));
    };
    let route = platform.route();
    let span = info_span!("webhook", platform = route, method = %request.method());
    Ok(dispatch(app, platform, path_tail, request)
        .instrument(span)
        .await)
}

async fn dispatch(
    app: &App,
    platform: &dyn WebhookPlatform,
    path_tail: Vec<String>,
    request: Request,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let body: &[u8] = body.as_ref();
    if body.len() > MAX_BODY_BYTES {
        warn!(bytes = body.len(), "body too large");
        return error(StatusCode::PAYLOAD_TOO_LARGE, "body is larger than 1 MiB");
    }
    let inbound = InboundRequest {
        method: parts.method.clone(),
        path_tail,
        query,
        headers: parts.headers,
        body: Bytes::copy_from_slice(body),
    };
    match parts.method {
        Method::GET => handshake(platform, &inbound),
        Method::POST => deliver(app, platform, &inbound).await,
        _ => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "use POST for deliveries, GET for handshakes",
        ),
    }
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
        None => error(
            StatusCode::METHOD_NOT_ALLOWED,
            "this platform has no handshake",
        ),
    }
}

async fn deliver(
    app: &App,
    platform: &dyn WebhookPlatform,
    inbound: &InboundRequest,
) -> Response<Body> {
    if !is_json(&inbound.headers) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        );
    }
    let now = OffsetDateTime::now_utc();
    let verified = match platform.verify(inbound, now).await {
        Ok(v) => v,
        Err(e) => {
            // Why is logged for us; the sender only learns that it failed.
            warn!(reason = %e, "delivery rejected");
            return error(
                StatusCode::UNAUTHORIZED,
                "the delivery could not be verified",
            );
        }
    };
    let parsed = platform.parse(&verified, now);
    if !parsed.invalid.is_empty() {
        return invalid(app, platform, &verified, parsed.invalid, now).await;
    }
    let outcome = match app.store.record_changes(&parsed.changes).await {
        Ok(outcome) => outcome,
        Err(e) => {
            error!(error = %error_chain(&e), changes = parsed.changes.len(), "storing feedback failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; please retry",
            );
        }
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
            error!(error = %error_chain(&e), "storing an unsupported delivery failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; please retry",
            );
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
    json(
        StatusCode::OK,
        serde_json::json!({
            "status": "stored",
            "changes": parsed.changes.len(),
            "inserted": outcome.inserted,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "unsupported": parsed.unsupported.len(),
        }),
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
        error!(error = %error_chain(&e), "storing an invalid delivery failed");
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error; please retry",
        );
    }
    warn!(problems = ?problems, "kept an invalid delivery for inspection");
    json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({ "error": "the feedback item is invalid", "problems": problems }),
    )
}

#[cfg(test)]
mod tests;
