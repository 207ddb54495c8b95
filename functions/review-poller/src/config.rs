//! The poller's configuration, read once per cold start; every problem reported together.
//!
//! Sources come from the environment (`REVIEW_POLL_SOURCES`), not from page records: which
//! apps are polled is a deployment decision (it needs each app's key in SSM and grants the
//! function that key), made with the template's parameter; each app's page record (made by
//! `feedbackctl pages set` like any page) still says how it is answered.

use feedback::settings;
use feedback::{AccountId, Platform};
use platforms::app_store::AppStore;
use platforms::google_play::GooglePlay;
use platforms::mastodon::Mastodon;
use time::Duration;

/// One polled source: an app on a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub platform: Platform,
    pub app: AccountId,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.platform, self.app)
    }
}

pub struct PollerConfig {
    pub table_name: String,
    pub sources: Vec<Source>,
    /// On AWS: app keys are the SSM SecureStrings `{prefix}/{platform}/{app}`.
    pub token_ssm_prefix: Option<String>,
    pub google_play: GooglePlay,
    pub app_store: AppStore,
    pub mastodon: Mastodon,
    pub settings: Settings,
}

/// How a run paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How long a claimed source is held: longer than the function may run.
    pub lease: Duration,
    /// No new source or page is started with less than this left.
    pub stop_margin: Duration,
    /// Pages read per source per run.
    pub max_pages: u32,
    /// The schedule's period: the first backoff.
    pub period: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lease: Duration::minutes(6),
            stop_margin: Duration::seconds(20),
            max_pages: 10,
            period: Duration::minutes(10),
        }
    }
}

/// `google-play:com.example.app, app-store:1234567890, mastodon:shop@example.social`
/// (commas or blanks between).
pub fn parse_sources(value: &str) -> Result<Vec<Source>, Vec<String>> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    for entry in value
        .split([',', ' ', '\n', '\t'])
        .filter(|e| !e.is_empty())
    {
        let Some((platform, app)) = entry.split_once(':') else {
            problems.push(format!(
                "REVIEW_POLL_SOURCES: {entry:?} is not platform:app"
            ));
            continue;
        };
        let valid = match platform {
            "google-play" => platforms::google_play::is_package_name(app),
            "app-store" => platforms::app_store::is_app_id(app),
            "mastodon" => platforms::mastodon::is_account(app),
            _ => {
                problems.push(format!(
                    "REVIEW_POLL_SOURCES: {platform:?} is not polled (google-play, app-store or mastodon)"
                ));
                continue;
            }
        };
        match (valid, Platform::parse(platform), AccountId::parse(app)) {
            (true, Ok(platform), Ok(app)) => {
                let source = Source { platform, app };
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
            _ => problems.push(format!(
                "REVIEW_POLL_SOURCES: {app:?} is not an app id of {platform}"
            )),
        }
    }
    if problems.is_empty() {
        Ok(sources)
    } else {
        Err(problems)
    }
}

impl PollerConfig {
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| settings::value(&get, k);
        let mut problems = Vec::new();
        let table_name = get("TABLE_NAME");
        if table_name.is_none() {
            problems.push("TABLE_NAME is not set".to_owned());
        }
        let sources = match get("REVIEW_POLL_SOURCES").as_deref().map(parse_sources) {
            Some(Ok(s)) => s,
            Some(Err(mut p)) => {
                problems.append(&mut p);
                Vec::new()
            }
            None => Vec::new(),
        };
        let mut settings = Settings::default();
        for (name, slot, unit) in [
            ("POLL_LEASE_SECONDS", &mut settings.lease, 1),
            ("POLL_STOP_MARGIN_SECONDS", &mut settings.stop_margin, 1),
            ("POLL_PERIOD_MINUTES", &mut settings.period, 60),
        ] {
            if let Some(v) = get(name) {
                match v.parse::<u32>() {
                    Ok(n) if n > 0 => *slot = Duration::seconds(i64::from(n) * unit),
                    _ => problems.push(format!("{name} must be a whole number above 0")),
                }
            }
        }
        if let Some(v) = get("POLL_MAX_PAGES") {
            match v.parse::<u32>() {
                Ok(n) if n > 0 => settings.max_pages = n,
                _ => problems.push("POLL_MAX_PAGES must be a whole number above 0".to_owned()),
            }
        }
        let lookup = |k: &str| get(k);
        let google_play = GooglePlay::from_lookup(&lookup).map_err(|mut p| problems.append(&mut p));
        let app_store = AppStore::from_lookup(&lookup).map_err(|mut p| problems.append(&mut p));
        let mastodon = Mastodon::from_lookup(&lookup).map_err(|mut p| problems.append(&mut p));
        match (table_name, google_play, app_store, mastodon) {
            (Some(table_name), Ok(google_play), Ok(app_store), Ok(mastodon))
                if problems.is_empty() =>
            {
                Ok(Self {
                    table_name,
                    sources,
                    token_ssm_prefix: get("PAGE_TOKEN_SSM_PREFIX"),
                    google_play,
                    app_store,
                    mastodon,
                    settings,
                })
            }
            _ => Err(ConfigError(problems)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the poller's configuration is unusable: {}", .0.join("; "))]
pub struct ConfigError(pub Vec<String>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_read_from_one_variable_and_repeats_kept_once() {
        let sources =
            parse_sources("google-play:com.example.app, app-store:123 google-play:com.example.app mastodon:shop@example.social")
                .unwrap_or_default();
        let names: Vec<String> = sources.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "google-play:com.example.app",
                "app-store:123",
                "mastodon:shop@example.social"
            ]
        );
    }

    #[test]
    fn every_bad_source_is_named_at_once() {
        let problems =
            parse_sources("facebook:1 app-store:com.x nothing google-play:../x mastodon:shop")
                .err()
                .unwrap_or_default();
        assert_eq!(problems.len(), 5, "{problems:?}");
    }

    #[test]
    fn a_missing_table_and_a_bad_url_are_reported_together() {
        let problems = PollerConfig::from_lookup(|k| {
            (k == "GOOGLE_PLAY_API_URL").then(|| "http://evil.example".to_owned())
        })
        .err()
        .map(|e| e.0)
        .unwrap_or_default();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
