//! Cold-start and warm-memory harness: the local Lambda Runtime API
//! (`workspace_tests::runtime_api`) starts a built `bootstrap`, hands it one event (any JSON: an API Gateway
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
use std::path::Path;
use std::time::{Duration, Instant};
use workspace_tests::runtime_api::{Posted, spawn, start as start_api};

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
        let mut child = spawn(Path::new(&bootstrap), &api, &env, None);
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
        let mut child = spawn(Path::new(&bootstrap), &api, &env, None);
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
