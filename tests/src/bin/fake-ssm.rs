//! A stand-in for SSM's `GetParameters` on 127.0.0.1, for measuring what reading the
//! platforms' secrets adds to the ingest function's cold start (`bench/run`) without AWS.
//!
//! ```text
//! fake-ssm --port 4566 --param /stack/secrets/META_APP_SECRETS=local-app-secret ...
//! ```
//! Answers `AmazonSSM.GetParameters` (AWS JSON 1.1) with the parameters it was given;
//! names it does not hold come back as `InvalidParameters`, as SSM answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;

async fn answer(
    params: Arc<HashMap<String, String>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let asked: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let names: Vec<String> = asked["Names"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    let (found, missing): (Vec<_>, Vec<_>) =
        names.into_iter().partition(|n| params.contains_key(n));
    let answer = json!({
        "Parameters": found.iter().map(|n| json!({
            "Name": n, "Type": "SecureString", "Value": params[n], "Version": 1,
            "ARN": format!("arn:aws:ssm:eu-west-1:123456789012:parameter{n}"), "DataType": "text"
        })).collect::<Vec<_>>(),
        "InvalidParameters": missing,
    });
    let mut response = Response::new(Full::new(Bytes::from(answer.to_string())));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    Ok(response)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut port = 4566u16;
    let mut params = HashMap::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).expect("--port N"),
            "--param" => {
                let kv = args.next().expect("--param NAME=VALUE");
                let (k, v) = kv.split_once('=').expect("--param NAME=VALUE");
                params.insert(k.to_owned(), v.to_owned());
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let params = Arc::new(params);
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("port free");
    println!("fake SSM on 127.0.0.1:{port}");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let params = Arc::clone(&params);
        tokio::spawn(async move {
            let service = service_fn(move |req| answer(Arc::clone(&params), req));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
