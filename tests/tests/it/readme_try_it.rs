//! The README's "Try it" commands, as a new user types them, against the local runner, with
//! samples dated six weeks ago (as if the clock had moved on since they were written):
//! every delivery is accepted, every item gets its drafted reply and its task, and every
//! staff command works without `$USER`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::process::Command;
use workspace_tests::runner::{HANDSHAKE, LocalRunner, RunnerOptions, workspace};

/// The shell commands of the README's "Try it" section, continuation lines joined.
fn try_it_commands(readme: &str) -> Vec<String> {
    let start = readme.find("### Try it").expect("a Try it section");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in section[..end].lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let line = line.trim();
        if !in_block || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.split(" # ").next().unwrap_or(line);
        match line.strip_suffix('\\') {
            Some(head) => pending.push_str(head),
            None => {
                pending.push_str(line);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    commands
}

struct Trial {
    cli: PathBuf,
    env: Vec<(&'static str, String)>,
    web: u16,
    samples: PathBuf,
}

impl Trial {
    /// `args` with the runner's port for 3000 and every sample a copy dated weeks ago.
    fn adapt(&self, args: Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        let mut next_is_file = false;
        for a in args {
            let a = a.replace("127.0.0.1:3000", &format!("127.0.0.1:{}", self.web));
            if next_is_file {
                out.push(self.aged_copy(&a).display().to_string());
            } else {
                out.push(a.clone());
            }
            next_is_file = a == "--file";
        }
        out
    }

    fn aged_copy(&self, sample: &str) -> PathBuf {
        let body = std::fs::read(workspace().join(sample)).unwrap();
        let six_weeks_ago = OffsetDateTime::now_utc() - time::Duration::weeks(6);
        let aged = platforms::sample::move_times(&body, six_weeks_ago).unwrap_or(body);
        let copy = self.samples.join(Path::new(sample).file_name().unwrap());
        std::fs::write(&copy, aged).unwrap();
        copy
    }

    async fn feedbackctl(&self, args: &[String]) -> std::process::Output {
        let mut command = Command::new(&self.cli);
        command
            .args(args)
            .current_dir(workspace())
            .env_remove("USER");
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command.output().await.unwrap()
    }

    async fn tasks(&self) -> Vec<Value> {
        let out = self
            .feedbackctl(&[
                "--local".into(),
                "tasks".into(),
                "list".into(),
                "--status".into(),
                "all".into(),
                "--json".into(),
            ])
            .await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Wait until a task of `platform` exists.
    async fn wait_for_task_of(&self, platform: &str, log: &Path) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let tasks = self.tasks().await;
            if tasks.iter().any(|t| t["platform"] == platform) {
                return tasks;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no {platform} task after 60 s: {tasks:#?}\nsee {}",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

#[tokio::test]
async fn every_try_it_command_of_the_readme_works_with_samples_written_weeks_ago() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let commands = try_it_commands(&readme);
    assert!(commands.len() >= 8, "{commands:#?}");

    let runner = LocalRunner::start(
        format!("tryit-{}", std::process::id()),
        RunnerOptions {
            env: vec![("LOCAL_POLL_SECONDS", "2".to_owned())],
            in_workspace: true,
            ready: HANDSHAKE,
        },
    )
    .await;
    let (web, log) = (runner.port, &runner.log);
    let samples = std::env::temp_dir().join(format!("{}-samples", runner.table));
    std::fs::create_dir_all(&samples).unwrap();
    let trial = Trial {
        cli: runner.cli.clone(),
        env: runner.env.clone(),
        web,
        samples,
    };
    let http = reqwest::Client::new();

    let mut signed = 0;
    for command in &commands {
        let words = shlex::split(command).unwrap_or_else(|| panic!("{command}"));
        if words.first().map(String::as_str) == Some("curl") {
            let url = words
                .iter()
                .find(|w| w.starts_with("http://127.0.0.1:3000"))
                .unwrap()
                .replace("127.0.0.1:3000", &format!("127.0.0.1:{web}"));
            let r = http.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{command}");
            continue;
        }
        let at = words
            .iter()
            .position(|w| w == "--")
            .unwrap_or_else(|| panic!("not a feedbackctl command: {command}"));
        assert!(
            words[..at].join(" ").ends_with("-p feedbackctl"),
            "{command}"
        );
        let args = trial.adapt(words[at + 1..].to_vec());
        if args.first().map(String::as_str) == Some("sign") {
            signed += 1;
        }
        let out = trial.feedbackctl(&args).await;
        assert!(
            out.status.success(),
            "{command}\n{}{}\nsee {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            log.display()
        );
        if args.first().map(String::as_str) == Some("sign") {
            // The next commands read what the responder made of it.
            let platform = match args.get(1).map(String::as_str) {
                Some("meta") => "facebook",
                Some(route) => route,
                None => panic!("{command}"),
            };
            trial.wait_for_task_of(platform, log).await;
        }
    }
    assert!(signed >= 4, "{commands:#?}");

    let tasks = trial.tasks().await;
    let platforms: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t["platform"].as_str())
        .collect();
    for p in ["facebook", "google", "trustpilot", "standard"] {
        assert!(platforms.contains(&p), "no {p} task: {tasks:#?}");
    }
    for t in &tasks {
        assert!(
            t["draft_public"]
                .as_str()
                .is_some_and(|d| !d.trim().is_empty()),
            "no drafted reply: {t:#}"
        );
    }
    // The poller read the app stores' and the Mastodon server's stand-ins.
    let out = trial
        .feedbackctl(&["--local".into(), "sources".into(), "--json".into()])
        .await;
    let sources: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    for source in [
        "google-play:com.example.bakery",
        "app-store:1234567890",
        "mastodon:trwnh@mastodon.social",
    ] {
        assert!(
            sources.iter().any(|s| format!(
                "{}:{}",
                s["platform"].as_str().unwrap_or(""),
                s["app"].as_str().unwrap_or("")
            ) == source
                && s["last_outcome"].is_string()
                && s["stored_total"].as_u64().is_some_and(|n| n > 0)),
            "{source} not polled: {sources:#?}\nsee {}",
            log.display()
        );
    }

    let resolved = tasks
        .iter()
        .find(|t| t["id"] == "facebook:777_9001")
        .unwrap();
    // The runner's sweeper may already have asked for the update.
    assert!(
        ["resolved", "update_requested"].contains(&resolved["status"].as_str().unwrap_or("")),
        "{resolved:#}"
    );
    assert_eq!(resolved["resolved_by"], "local", "{resolved:#}");
}
