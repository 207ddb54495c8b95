//! Fault injection: an HTTP proxy in front of DynamoDB Local that fails a share of the
//! calls, the ways DynamoDB fails: 500s, throttling, and answers that come too late (after
//! the write was applied, so a retry meets its own earlier write).

use crate::http_server::{read_body, spawn_server};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A small deterministic generator, so a failing run can be repeated.
pub struct Dice(std::sync::Mutex<u64>);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(std::sync::Mutex::new(seed.max(1)))
    }

    /// A number in 0..n.
    pub fn roll(&self, n: u64) -> u64 {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s % n
    }
}

#[derive(Default)]
pub struct FaultStats {
    pub calls: AtomicU64,
    /// Capacity units DynamoDB reported consumed, in thousandths: reads and writes. Counted
    /// by a proxy without faults (it asks for `ReturnConsumedCapacity` on every call that
    /// takes it).
    pub read_milli_units: AtomicU64,
    pub write_milli_units: AtomicU64,
    pub server_errors: AtomicU64,
    pub throttles: AtomicU64,
    pub late_answers: AtomicU64,
}

impl FaultStats {
    pub fn injected(&self) -> u64 {
        self.server_errors.load(Ordering::SeqCst)
            + self.throttles.load(Ordering::SeqCst)
            + self.late_answers.load(Ordering::SeqCst)
    }
}

struct Proxy {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    dice: Dice,
    percent: u64,
    late_by: Duration,
    stats: Arc<FaultStats>,
}

fn dynamodb_error(status: StatusCode, kind: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amzn-errortype", kind)
        .body(Full::new(Bytes::from(format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected fault"}}"#
        ))))
        .unwrap_or_default()
}

/// The operations that report consumed capacity, and whether they read.
fn capacity_operation(target: &str) -> Option<bool> {
    let operation = target.rsplit('.').next()?;
    match operation {
        "GetItem" | "Query" | "Scan" | "BatchGetItem" | "TransactGetItems" => Some(true),
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems" => {
            Some(false)
        }
        _ => None,
    }
}

/// The capacity units an answer reports (one object, or one per table).
fn consumed_units(answer: &[u8]) -> f64 {
    let Ok(answer) = serde_json::from_slice::<serde_json::Value>(answer) else {
        return 0.0;
    };
    let units = |c: &serde_json::Value| c["CapacityUnits"].as_f64().unwrap_or(0.0);
    match &answer["ConsumedCapacity"] {
        serde_json::Value::Array(all) => all.iter().map(units).sum(),
        one => units(one),
    }
}

async fn forward(
    proxy: &Proxy,
    mut parts: http::request::Parts,
    mut body: Bytes,
) -> Response<Full<Bytes>> {
    // Measuring (no faults): ask for the capacity each call consumes, and count it. A
    // proxy that injects faults leaves requests as they are.
    let reads = parts
        .headers
        .get("x-amz-target")
        .and_then(|t| t.to_str().ok())
        .and_then(capacity_operation)
        .filter(|_| proxy.percent == 0);
    if reads.is_some()
        && let Ok(serde_json::Value::Object(mut request)) = serde_json::from_slice(&body)
    {
        request
            .entry("ReturnConsumedCapacity")
            .or_insert_with(|| "TOTAL".into());
        if let Ok(bytes) = serde_json::to_vec(&request) {
            body = Bytes::from(bytes);
            parts
                .headers
                .insert(http::header::CONTENT_LENGTH, body.len().into());
        }
    }
    let uri = format!(
        "http://{}{}",
        proxy.upstream,
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut req = Request::from_parts(parts, Full::new(body));
    *req.uri_mut() = uri.parse().unwrap_or_default();
    match proxy.client.request(req).await {
        Ok(res) => {
            let (parts, body) = res.into_parts();
            let bytes = read_body(body).await;
            if let Some(reads) = reads {
                let milli = (consumed_units(&bytes) * 1000.0).round() as u64;
                let counter = if reads {
                    &proxy.stats.read_milli_units
                } else {
                    &proxy.stats.write_milli_units
                };
                counter.fetch_add(milli, Ordering::SeqCst);
            }
            Response::from_parts(parts, Full::new(bytes))
        }
        Err(_) => dynamodb_error(StatusCode::BAD_GATEWAY, "InternalServerError"),
    }
}

async fn handle(
    proxy: Arc<Proxy>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    proxy.stats.calls.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = req.into_parts();
    let body = read_body(body).await;
    if proxy.dice.roll(100) >= proxy.percent {
        return Ok(forward(&proxy, parts, body).await);
    }
    Ok(match proxy.dice.roll(4) {
        0 => {
            proxy.stats.server_errors.fetch_add(1, Ordering::SeqCst);
            dynamodb_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError")
        }
        1 => {
            // Applied, then reported as failed.
            proxy.stats.server_errors.fetch_add(1, Ordering::SeqCst);
            let _ = forward(&proxy, parts, body).await;
            dynamodb_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError")
        }
        2 => {
            proxy.stats.throttles.fetch_add(1, Ordering::SeqCst);
            dynamodb_error(StatusCode::BAD_REQUEST, "ThrottlingException")
        }
        _ => {
            // Applied, but the answer comes after the client gave up.
            proxy.stats.late_answers.fetch_add(1, Ordering::SeqCst);
            let res = forward(&proxy, parts, body).await;
            tokio::time::sleep(proxy.late_by).await;
            res
        }
    })
}

/// Start a proxy to `upstream` (host:port) failing `percent` % of calls; returns its URL.
pub async fn start_proxy(
    upstream: &str,
    percent: u64,
    seed: u64,
    late_by: Duration,
) -> (String, Arc<FaultStats>) {
    let stats = Arc::new(FaultStats::default());
    let proxy = Arc::new(Proxy {
        upstream: upstream.to_owned(),
        client: Client::builder(TokioExecutor::new()).build_http(),
        dice: Dice::new(seed),
        percent,
        late_by,
        stats: Arc::clone(&stats),
    });
    let addr = spawn_server(move |req| handle(Arc::clone(&proxy), req)).await;
    (format!("http://{addr}"), stats)
}
