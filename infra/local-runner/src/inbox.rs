//! The staff inbox on 127.0.0.1: `/inbox` and `/api/*`, served by the tasks API's own
//! handler, with a local sign-in in place of Cognito.
//!
//! On AWS, API Gateway's JWT authorizer checks every `/api/*` request and hands the
//! verified claims to the function. Here the runner plays that part: `POST
//! /api/local-sign-in {"name": …}` gives a random token for this run only (kept in
//! memory, gone when the runner stops), and a request with one is handed to the handler
//! with claims as API Gateway would write them. A request without a valid token is
//! refused 401 before it reaches the handler, as API Gateway refuses it. This sign-in
//! exists only in the runner, which refuses to start it inside Lambda.

use bytes::Bytes;
use http::{StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use store::DynamoStore;
use tasks_api::{App, TasksApiConfig, Trust};
use tracing::warn;

/// Bodies the inbox takes are small JSON objects.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// A local sign-in lasts a working day.
const SESSION: Duration = Duration::from_secs(12 * 3600);
const MAX_NAME_CHARS: usize = 64;

/// Whether the inbox serves `path` (the webhooks get everything else).
pub fn serves(path: &str) -> bool {
    path == "/inbox" || path.starts_with("/inbox/") || path == "/api" || path.starts_with("/api/")
}

struct Session {
    name: String,
    until: Instant,
}

/// Tokens of this run: random, in memory only.
pub struct LocalSignIn {
    sessions: Mutex<HashMap<String, Session>>,
}

impl LocalSignIn {
    /// Refused inside Lambda: this sign-in takes any name, so it must never serve a
    /// deployment.
    pub fn new(get: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        if get("AWS_LAMBDA_FUNCTION_NAME").is_some_and(|v| !v.is_empty()) {
            return Err(
                "the local sign-in cannot run in Lambda (AWS_LAMBDA_FUNCTION_NAME is set)".into(),
            );
        }
        Ok(Self {
            sessions: Mutex::new(HashMap::new()),
        })
    }

    fn issue(&self, name: &str) -> Result<String, String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
        let token = hex::encode(bytes);
        let mut sessions = self.sessions.lock().map_err(|_| "sessions poisoned")?;
        let now = Instant::now();
        sessions.retain(|_, s| s.until > now);
        sessions.insert(
            token.clone(),
            Session {
                name: name.to_owned(),
                until: now + SESSION,
            },
        );
        Ok(token)
    }

    /// The name signed in with `token`, while the session lasts.
    fn name(&self, token: &str) -> Option<String> {
        let sessions = self.sessions.lock().ok()?;
        sessions
            .get(token)
            .filter(|s| s.until > Instant::now())
            .map(|s| s.name.clone())
    }
}

/// The inbox's handler and its local sign-in.
pub struct Inbox {
    app: App,
    sign_in: LocalSignIn,
    requests: AtomicU64,
}

impl Inbox {
    pub fn new(store: DynamoStore, get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let sign_in = LocalSignIn::new(&get)?;
        let config = TasksApiConfig::local(&get).map_err(|e| e.to_string())?;
        Ok(Self {
            app: App::new(store, config),
            sign_in,
            requests: AtomicU64::new(0),
        })
    }

    pub async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    json!({"error": format!("the body is larger than {MAX_BODY_BYTES} bytes")}),
                );
            }
        };
        let path = parts.uri.path().to_owned();
        if path == "/api/local-sign-in" {
            return self.sign_in(&parts.method, &body);
        }
        let claims = if path.starts_with("/api/") || path == "/api" {
            // API Gateway's part: no valid token, no call.
            let Some(name) = bearer(&parts.headers).and_then(|t| self.sign_in.name(t)) else {
                return plain(StatusCode::UNAUTHORIZED, json!({"message": "Unauthorized"}));
            };
            Some(json!({
                "iss": Trust::LOCAL_ISSUER,
                "aud": Trust::LOCAL_CLIENT_ID,
                "token_use": "id",
                "sub": format!("local:{name}"),
                "cognito:username": name,
                // Whoever runs the product on their own computer owns it (as API
                // Gateway writes a list of groups).
                "cognito:groups": "[owners]",
            }))
        } else {
            None
        };
        let Ok(text) = std::str::from_utf8(&body) else {
            return plain(
                StatusCode::BAD_REQUEST,
                json!({"error": "the body is not UTF-8 text"}),
            );
        };
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let event = api_gateway_event(&parts, text, claims, n);
        let request = match lambda_http::request::from_str(&event.to_string()) {
            Ok(r) => r,
            Err(e) => {
                warn!(error = %e, "could not build the API Gateway request");
                return plain(StatusCode::BAD_REQUEST, json!({"error": "bad request"}));
            }
        };
        let response = match tasks_api::handle(&self.app, request).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        Response::from_parts(parts, Full::new(Bytes::copy_from_slice(body.as_ref())))
    }

    fn sign_in(&self, method: &http::Method, body: &[u8]) -> Response<Full<Bytes>> {
        if method != http::Method::POST {
            return plain(
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"error": "use POST with {\"name\": …}"}),
            );
        }
        let name = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| {
                v.get("name")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return plain(
                StatusCode::BAD_REQUEST,
                json!({
                    "error": "the request is invalid",
                    "problems": [format!("name: 1 to {MAX_NAME_CHARS} characters, no control characters")],
                }),
            );
        }
        match self.sign_in.issue(&name) {
            Ok(token) => plain(
                StatusCode::OK,
                json!({"token": token, "name": name, "expires_in": SESSION.as_secs()}),
            ),
            Err(e) => {
                warn!(error = %e, "local sign-in failed");
                plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "internal error"}),
                )
            }
        }
    }
}

fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn plain(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// The request as API Gateway (HTTP API, payload 2.0) hands it to the function, with
/// the authorizer's claims when signed in.
fn api_gateway_event(
    parts: &http::request::Parts,
    body: &str,
    claims: Option<Value>,
    n: u64,
) -> Value {
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            let entry = headers
                .entry(name.as_str().to_owned())
                .or_insert_with(|| Value::String(String::new()));
            if let Value::String(existing) = entry {
                if !existing.is_empty() {
                    existing.push(',');
                }
                existing.push_str(value);
            }
        }
    }
    let path = parts.uri.path();
    let route = if path.starts_with("/api") {
        "ANY /api/{proxy+}"
    } else {
        "GET /inbox"
    };
    let now = time::OffsetDateTime::now_utc();
    let mut context = json!({
        "accountId": "local",
        "apiId": "local",
        "domainName": "127.0.0.1",
        "domainPrefix": "local",
        "http": {
            "method": parts.method.as_str(),
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or(""),
        },
        "requestId": format!("local-{n}"),
        "routeKey": route,
        "stage": "$default",
        "time": now.to_string(),
        "timeEpoch": now.unix_timestamp() * 1000,
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    json!({
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": false,
        "body": if body.is_empty() { Value::Null } else { Value::String(body.to_owned()) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_sign_in_refuses_to_start_inside_lambda() {
        let lambda = |k: &str| (k == "AWS_LAMBDA_FUNCTION_NAME").then(|| "tasks-api".to_owned());
        let refused = LocalSignIn::new(&lambda).err().unwrap_or_default();
        assert!(refused.contains("cannot run in Lambda"), "{refused}");
        assert!(LocalSignIn::new(&|_: &str| None).is_ok());
    }

    #[test]
    fn a_local_token_names_who_signed_in_and_nothing_else_passes() {
        let sign_in = LocalSignIn::new(&|_: &str| None).unwrap();
        let token = sign_in.issue("Anna").unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(sign_in.name(&token).as_deref(), Some("Anna"));
        assert_eq!(sign_in.name("0".repeat(64).as_str()), None);
        let other = LocalSignIn::new(&|_: &str| None).unwrap();
        assert_eq!(other.name(&token), None, "a token of another run");
    }

    #[test]
    fn the_inbox_takes_its_paths_and_leaves_the_webhooks_alone() {
        for path in [
            "/inbox",
            "/inbox/inbox.js",
            "/api/tasks",
            "/api/local-sign-in",
        ] {
            assert!(serves(path), "{path}");
        }
        for path in ["/webhooks/meta", "/inboxes", "/apix", "/"] {
            assert!(!serves(path), "{path}");
        }
    }
}
