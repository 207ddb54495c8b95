//! Cold-start and warm-memory harness: a small local implementation of the Lambda Runtime
//! API that starts a built `bootstrap`, hands it one event (any JSON: an API Gateway
//! request for the ingest, a DynamoDB stream batch for the responder), and times process
//! start → response posted.
//!
//! ```text
//! coldstart --bootstrap target/release/webhook-ingest --event infra/events/meta-handshake.json \
//!           [--runs 20] [--warm 1000] [--env KEY=VALUE]...
//! coldstart --bootstrap target/release/feedback-responder \
//!           --event infra/events/stream-modify-only.json --env TABLE_NAME=feedback ...
//! ```
//! Prints one JSON object: cold-start times (median, min, max, all), the body the function
//! posted on its first cold start and, with `--warm N`, the peak RSS (VmHWM) after N warm
//! invocations of one process. A function that reports an error (at init or for the event)
//! fails the run, with the error it posted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

struct RuntimeApi {
    event: Bytes,
    next_id: AtomicU64,
    responses: mpsc::UnboundedSender<Posted>,
}

/// What the function posted back: a response or an error, for invocation `id`
/// (`u64::MAX` for an init error).
struct Posted {
    id: u64,
    ok: bool,
    body: Bytes,
}

async fn serve(
    api: Arc<RuntimeApi>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if path.ends_with("/invocation/next") {
        let id = api.next_id.fetch_add(1, Ordering::SeqCst);
        let deadline = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 30_000;
        let res = Response::builder()
            .header("lambda-runtime-aws-request-id", id.to_string())
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-west-1:123456789012:function:bench",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            )
            .body(Full::new(api.event.clone()))
            .unwrap();
        return Ok(res);
    }
    let ok = path.ends_with("/response");
    let id = path
        .split('/')
        .rev()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    let body = req
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let _ = api.responses.send(Posted { id, ok, body });
    Ok(Response::builder()
        .status(202)
        .body(Full::new(Bytes::new()))
        .unwrap())
}

async fn start_api(event: Bytes) -> (String, mpsc::UnboundedReceiver<Posted>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::unbounded_channel();
    let api = Arc::new(RuntimeApi {
        event,
        next_id: AtomicU64::new(0),
        responses: tx,
    });
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let api = Arc::clone(&api);
            tokio::spawn(async move {
                let svc = service_fn(move |req| serve(Arc::clone(&api), req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, rx)
}

fn spawn(bootstrap: &str, api: &str, env: &[(String, String)]) -> tokio::process::Child {
    let mut cmd = tokio::process::Command::new(bootstrap);
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the bootstrap starts")
}

fn check(posted: &Posted) {
    assert!(
        posted.ok,
        "the function reported an error{}: {}",
        if posted.id == u64::MAX {
            " at init"
        } else {
            ""
        },
        String::from_utf8_lossy(&posted.body)
    );
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut bootstrap, mut event, mut runs, mut warm) =
        (String::new(), String::new(), 20usize, 0usize);
    let mut env = Vec::new();
    while let Some(a) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match a.as_str() {
            "--bootstrap" => bootstrap = value(),
            "--event" => event = value(),
            "--runs" => runs = value().parse().expect("--runs N"),
            "--warm" => warm = value().parse().expect("--warm N"),
            "--env" => {
                let kv = value();
                let (k, v) = kv.split_once('=').expect("--env KEY=VALUE");
                env.push((k.to_owned(), v.to_owned()));
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let event = Bytes::from(std::fs::read(&event).expect("the event file"));

    let mut cold = Vec::new();
    let mut first_response = None;
    for _ in 0..runs {
        let (api, mut responses) = start_api(event.clone()).await;
        let start = Instant::now();
        let mut child = spawn(&bootstrap, &api, &env);
        let posted = tokio::time::timeout(Duration::from_secs(30), responses.recv())
            .await
            .expect("a response within 30 s")
            .expect("the API is up");
        let elapsed = start.elapsed();
        check(&posted);
        cold.push(elapsed.as_secs_f64() * 1000.0);
        first_response.get_or_insert(posted.body);
        let _ = child.kill().await;
    }
    cold.sort_by(f64::total_cmp);

    let mut peak = None;
    let mut warm_ms = None;
    if warm > 0 {
        let (api, mut responses) = start_api(event.clone()).await;
        let mut child = spawn(&bootstrap, &api, &env);
        let start = Instant::now();
        for _ in 0..warm {
            let posted = tokio::time::timeout(Duration::from_secs(30), responses.recv())
                .await
                .expect("a response")
                .expect("the API is up");
            check(&posted);
        }
        warm_ms = Some(start.elapsed().as_secs_f64() * 1000.0 / warm as f64);
        peak = child.id().and_then(peak_rss_kib);
        let _ = child.kill().await;
    }
    let median = if cold.is_empty() {
        0.0
    } else {
        cold[cold.len() / 2]
    };
    println!(
        "{}",
        serde_json::json!({
            "bootstrap": bootstrap,
            "runs": runs,
            "cold_ms_median": median,
            "cold_ms_min": cold.first(),
            "cold_ms_max": cold.last(),
            "cold_ms": cold,
            "response": first_response.map(|b| String::from_utf8_lossy(&b).into_owned()),
            "warm_invocations": warm,
            "warm_ms_mean": warm_ms,
            "peak_rss_kib": peak,
        })
    );
}
