//! A proxy in front of DynamoDB Local that records which operations pass through it (the
//! `X-Amz-Target` of each call: `DynamoDB_20120810.Query`, `….Scan`, …), so a test can
//! say "this never scans the table".

use crate::http_server::{read_body, spawn_server};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

/// The operations seen, in order (`Query`, `GetItem`, …).
#[derive(Clone, Default)]
pub struct Operations(Arc<Mutex<Vec<String>>>);

impl Operations {
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn count(&self, operation: &str) -> usize {
        self.all().iter().filter(|o| *o == operation).count()
    }
}

async fn handle(
    upstream: Arc<String>,
    client: Client<HttpConnector, Full<Bytes>>,
    seen: Operations,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    if let Some(target) = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
    {
        let op = target.rsplit('.').next().unwrap_or(target).to_owned();
        seen.0.lock().unwrap_or_else(|e| e.into_inner()).push(op);
    }
    let body = read_body(body).await;
    let uri = format!(
        "http://{upstream}{}",
        parts.uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut forward = Request::from_parts(parts, Full::new(body));
    *forward.uri_mut() = uri.parse().unwrap_or_default();
    Ok(match client.request(forward).await {
        Ok(res) => {
            let (parts, body) = res.into_parts();
            let bytes = read_body(body).await;
            Response::from_parts(parts, Full::new(bytes))
        }
        Err(_) => Response::builder()
            .status(502)
            .body(Full::new(Bytes::new()))
            .unwrap_or_default(),
    })
}

/// Start a recording proxy to `upstream` (host:port); returns its URL and what it saw.
pub async fn start(upstream: &str) -> (String, Operations) {
    let seen = Operations::default();
    let upstream = Arc::new(upstream.to_owned());
    let client = Client::builder(TokioExecutor::new()).build_http();
    let recorded = seen.clone();
    let addr = spawn_server(move |req| {
        handle(Arc::clone(&upstream), client.clone(), recorded.clone(), req)
    })
    .await;
    (format!("http://{addr}"), seen)
}
