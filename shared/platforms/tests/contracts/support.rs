//! Loading the fixtures and their sidecars; building webhook calls.
#![allow(dead_code)]

use serde::Deserialize;
use std::path::{Path, PathBuf};

pub use platforms::{InboundRequest, SecretList, VerifyError, WebhookPlatform, calls, reply};

/// The webhook calls the unit tests build, from the same file.
#[path = "../../src/testing.rs"]
pub mod testing;

/// `tests/contracts/` at the workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/contracts")
}

#[derive(Debug, Deserialize)]
pub struct Http {
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
}

#[derive(Debug, Deserialize)]
pub struct Source {
    pub url: String,
    pub title: String,
    pub read: String,
    pub kind: String,
    pub http: Option<Http>,
    pub verbatim: bool,
    #[serde(default)]
    pub changes: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// A fixture's text and its sidecar; `name` is `<platform>/<file name>`.
pub struct Fixture {
    pub name: String,
    pub text: String,
    pub source: Source,
}

impl Fixture {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", self.name))
    }

    /// An example published with `// ...` for the fields it leaves out, as JSON: those
    /// lines dropped, and the commas they leave before `}` or `]`.
    pub fn json_without_elisions(&self) -> serde_json::Value {
        serde_json::from_str(&without_elisions(&self.text))
            .unwrap_or_else(|e| panic!("{} is not JSON without its elisions: {e}", self.name))
    }

    /// The fixture as a stand-in API's answer: its status, and its text as a JSON body.
    pub fn answer(&self) -> wiremock::ResponseTemplate {
        wiremock::ResponseTemplate::new(self.status())
            .set_body_raw(self.text.clone(), "application/json")
    }

    pub fn status(&self) -> u16 {
        self.source
            .http
            .as_ref()
            .and_then(|h| h.status)
            .unwrap_or(200)
    }
}

/// `text` without its `// ...` lines and the trailing commas they leave.
pub fn without_elisions(text: &str) -> String {
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let joined = kept.join("\n");
    let mut out = String::with_capacity(joined.len());
    let chars: Vec<char> = joined.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// `result` asks for the page to be reconnected.
#[track_caller]
pub fn assert_reconnect<T: std::fmt::Debug>(result: &Result<T, reply::ReplyError>) {
    assert!(
        matches!(result, Err(reply::ReplyError::Reconnect(_))),
        "{result:?}"
    );
}

/// `result` is refused for good.
#[track_caller]
pub fn assert_rejected<T: std::fmt::Debug>(result: &Result<T, reply::ReplyError>) {
    assert!(
        matches!(result, Err(reply::ReplyError::Rejected(_))),
        "{result:?}"
    );
}

/// A header of a request we sent, as text.
pub fn sent_header<'r>(sent: &'r wiremock::Request, name: &str) -> Option<&'r str> {
    sent.headers.get(name).and_then(|v| v.to_str().ok())
}

fn sidecar_of(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    path.with_file_name(format!("{stem}.source.json"))
}

fn is_fixture(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    !name.ends_with(".source.json") && !name.ends_with(".md") && path.is_file()
}

/// One fixture by `<platform>/<file name>`.
pub fn load(name: &str) -> Fixture {
    let path = root().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let sidecar = sidecar_of(&path);
    let source: Source = serde_json::from_str(
        &std::fs::read_to_string(&sidecar).unwrap_or_else(|e| panic!("{sidecar:?}: {e}")),
    )
    .unwrap_or_else(|e| panic!("{sidecar:?}: {e}"));
    Fixture {
        name: name.to_owned(),
        text,
        source,
    }
}

/// Every fixture of a platform, sorted by name.
pub fn all(platform: &str) -> Vec<Fixture> {
    let dir = root().join(platform);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_fixture(p))
        .filter_map(|p| p.file_name()?.to_str().map(|n| format!("{platform}/{n}")))
        .collect();
    names.sort();
    names.iter().map(|n| load(n)).collect()
}

/// The fixtures of `platform` are exactly `tested` (as `<platform>/<file name>`, sorted): a
/// fixture added or removed needs its test.
pub fn assert_every_fixture_tested(platform: &str, tested: &[&str]) {
    let found: Vec<String> = all(platform).into_iter().map(|f| f.name).collect();
    assert_eq!(
        found, tested,
        "a {platform} fixture was added or removed: test it"
    );
}

#[test]
fn every_fixture_has_a_source_with_a_url_a_title_a_date_and_a_kind() {
    let mut seen = 0;
    for platform in [
        "meta",
        "google",
        "trustpilot",
        "standard",
        "google-play",
        "app-store",
        "tiktok",
        "linkedin",
        "x",
        "mastodon",
    ] {
        for f in all(platform) {
            seen += 1;
            let s = &f.source;
            assert!(s.url.starts_with("https://"), "{}: url {}", f.name, s.url);
            assert!(!s.title.trim().is_empty(), "{}: no title", f.name);
            assert!(
                time::Date::parse(
                    &s.read,
                    time::macros::format_description!("[year]-[month]-[day]")
                )
                .is_ok(),
                "{}: read {}",
                f.name,
                s.read
            );
            assert!(
                ["delivery", "answer", "request"].contains(&s.kind.as_str()),
                "{}: kind {}",
                f.name,
                s.kind
            );
            assert!(
                s.verbatim || s.changes.as_deref().is_some_and(|c| !c.trim().is_empty()),
                "{}: not verbatim, but no changes listed",
                f.name
            );
        }
        assert!(
            root().join(platform).join("README.md").is_file(),
            "{platform} has no README saying what is documented and what is assumed"
        );
    }
    assert!(seen > 0, "no fixtures found under {:?}", root());
}
