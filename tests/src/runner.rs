//! The local runner and `feedbackctl` as processes: built once per test binary, the
//! runner started on its own table and ports, and a wait that polls until something holds.

use crate::dynamodb::{ensure_running, port};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The workspace's root (the parent of `tests/`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A port nobody listens on at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Build the runner and the CLI (same profile as the tests), once per test binary.
pub async fn binaries() -> (PathBuf, PathBuf) {
    static BUILT: tokio::sync::OnceCell<(PathBuf, PathBuf)> = tokio::sync::OnceCell::const_new();
    BUILT
        .get_or_init(|| async {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-q", "-p", "local-runner", "-p", "feedbackctl"])
                .current_dir(workspace())
                .status()
                .await
                .unwrap();
            assert!(status.success(), "building local-runner and feedbackctl");
            // target/debug/deps/it-… → target/debug
            let dir = std::env::current_exe()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .to_path_buf();
            (dir.join("local-runner"), dir.join("feedbackctl"))
        })
        .await
        .clone()
}

/// Poll `check` every `every` until it gives a value; after `limit`, fail with `failure()`.
pub async fn eventually<T, Fut>(
    limit: Duration,
    every: Duration,
    mut check: impl FnMut() -> Fut,
    failure: impl Fn() -> String,
) -> T
where
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(start.elapsed() < limit, "{}", failure());
        tokio::time::sleep(every).await;
    }
}

/// The local runner as a process on its own table and ports, killed when dropped.
pub struct LocalRunner {
    pub child: Child,
    /// Its HTTP port (`LOCAL_PORT`).
    pub port: u16,
    pub table: String,
    /// `feedbackctl`, built with it.
    pub cli: PathBuf,
    /// Its log (standard output), named in failure messages.
    pub log: PathBuf,
    /// The environment it was started with.
    pub env: Vec<(&'static str, String)>,
}

/// How to start a [`LocalRunner`].
pub struct RunnerOptions {
    /// Variables besides the table, the ports and `RUST_LOG=info`.
    pub env: Vec<(&'static str, String)>,
    /// Run it in the workspace's root rather than the tests' directory.
    pub in_workspace: bool,
    /// The path (and query) that answers 200 once it is up.
    pub ready: &'static str,
}

/// The Meta webhook's subscription handshake: it answers once the runner is up.
pub const HANDSHAKE: &str =
    "/webhooks/meta?hub.mode=subscribe&hub.verify_token=local-verify-token&hub.challenge=7";

impl LocalRunner {
    /// Start the runner on `table` (DynamoDB Local started if needed) and wait until
    /// `options.ready` answers 200.
    pub async fn start(table: String, options: RunnerOptions) -> Self {
        ensure_running().await;
        let (runner, cli) = binaries().await;
        let http_port = free_port();
        let mut env = vec![
            ("TABLE_NAME", table.clone()),
            ("LOCAL_PORT", http_port.to_string()),
            ("LOCAL_SANDBOX_PORT", free_port().to_string()),
            ("DYNAMODB_LOCAL_PORT", port().to_string()),
            ("RUST_LOG", "info".to_owned()),
        ];
        env.extend(options.env);
        let log = std::env::temp_dir().join(format!("{table}.log"));
        let mut command = Command::new(runner);
        if options.in_workspace {
            command.current_dir(workspace());
        }
        command
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true);
        let child = command.spawn().unwrap();
        let ready = format!("http://127.0.0.1:{http_port}{}", options.ready);
        let http = reqwest::Client::new();
        eventually(
            Duration::from_secs(60),
            Duration::from_millis(200),
            || async {
                let answer = http.get(&ready).send().await;
                answer.is_ok_and(|r| r.status() == 200).then_some(())
            },
            || format!("the runner did not come up; see {}", log.display()),
        )
        .await;
        Self {
            child,
            port: http_port,
            table,
            cli,
            log,
            env,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// What a `feedbackctl` run printed, and whether it succeeded.
pub struct CliRun {
    pub ok: bool,
    /// The exit code (none when a signal ended it).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl CliRun {
    /// Run `command` to its end.
    pub async fn of(command: &mut Command) -> Self {
        let out = command.output().await.unwrap();
        Self {
            ok: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// It succeeded (else fail with what it wrote to standard error).
    pub fn succeeded(self) -> Self {
        assert!(self.ok, "{}", self.stderr);
        self
    }

    /// Its standard output holds each of `parts` (else fail showing it).
    pub fn says(&self, parts: &[&str]) {
        for part in parts {
            assert!(
                self.stdout.contains(part),
                "no {part:?} in:\n{}",
                self.stdout
            );
        }
    }

    /// Its standard output, as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
}

/// `feedbackctl --local --table <table>` against DynamoDB Local: add the arguments (and any
/// variables) and run it with [`CliRun::of`].
pub async fn feedbackctl(table: &str) -> Command {
    let (_, cli) = binaries().await;
    let mut command = Command::new(cli);
    command
        .args(["--local", "--table", table])
        .env("DYNAMODB_LOCAL_PORT", port().to_string());
    command
}
