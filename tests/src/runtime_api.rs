//! A local Lambda Runtime API: starts a built `bootstrap` as Lambda does and hands it
//! events, collecting what it posts back. Home-made because the AWS Lambda Runtime
//! Interface Emulator ships only inside container images and as a GitHub release, which
//! no registry here serves; `infra/sam-local.sh` runs the same functions under it (through
//! `sam local`). Used by the cold-start harness and the shipped-binaries tests.

use crate::http_server::{read_body, spawn_server};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// Time given to each invocation: the responder's timeout in the template (it keeps a
/// reserve and hands a batch back when less is left).
const DEADLINE_MS: u128 = 300_000;

struct Api {
    event: Bytes,
    next_id: AtomicU64,
    responses: mpsc::UnboundedSender<Posted>,
}

/// What the function posted back: a response or an error, for invocation `id`
/// (`u64::MAX` for an init error).
#[derive(Debug)]
pub struct Posted {
    pub id: u64,
    pub ok: bool,
    pub body: Bytes,
}

impl Posted {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

async fn serve(api: Arc<Api>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if path.ends_with("/invocation/next") {
        let id = api.next_id.fetch_add(1, Ordering::SeqCst);
        let deadline = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + DEADLINE_MS;
        let res = Response::builder()
            .header("lambda-runtime-aws-request-id", id.to_string())
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-west-1:123456789012:function:local",
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
    let body = read_body(req.into_body()).await;
    let _ = api.responses.send(Posted { id, ok, body });
    Ok(Response::builder()
        .status(202)
        .body(Full::new(Bytes::new()))
        .unwrap())
}

/// A Runtime API on 127.0.0.1 handing out `event` to every `next`: its address and what
/// the function posts.
pub async fn start(event: Bytes) -> (String, mpsc::UnboundedReceiver<Posted>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let api = Arc::new(Api {
        event,
        next_id: AtomicU64::new(0),
        responses: tx,
    });
    let addr = spawn_server(move |req| serve(Arc::clone(&api), req)).await;
    (addr, rx)
}

/// Start `bootstrap` with Lambda's environment (and nothing of this process's) plus `env`;
/// its output goes to `log` (or nowhere).
pub fn spawn(
    bootstrap: &Path,
    api: &str,
    env: &[(String, String)],
    log: Option<&Path>,
) -> tokio::process::Child {
    let mut cmd = tokio::process::Command::new(bootstrap);
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "local")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/local")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .env("RUST_LOG", "error")
        .kill_on_drop(true);
    match log.and_then(|l| {
        std::fs::File::options()
            .create(true)
            .append(true)
            .open(l)
            .ok()
    }) {
        Some(file) => {
            let err = file.try_clone().unwrap();
            cmd.stdout(file).stderr(err);
        }
        None => {
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", bootstrap.display()))
}

/// One cold invocation: start `bootstrap`, hand it `event`, return what it posted.
pub async fn invoke_once(
    bootstrap: &Path,
    env: &[(String, String)],
    event: &serde_json::Value,
    log: Option<&Path>,
) -> Posted {
    let (api, mut responses) = start(Bytes::from(serde_json::to_vec(event).unwrap())).await;
    let mut child = spawn(bootstrap, &api, env, log);
    let posted = tokio::time::timeout(Duration::from_secs(60), responses.recv())
        .await
        .unwrap_or_else(|_| panic!("{} posted nothing within 60 s", bootstrap.display()))
        .expect("the API is up");
    let _ = child.kill().await;
    posted
}
