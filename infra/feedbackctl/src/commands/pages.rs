//! `pages set / show / list` (and `pages check`, in [`super::check`]).

use super::{Result, Words, page_of, store_err};
use crate::cli::{Cli, PageCommand, PageSettingsArgs};
use crate::output::{json, table, table_of};
use feedback::page::{PageConfig, PageRecord, ReplyMode, Secret};
use feedback::{AccountId, Platform};
use serde::Serialize;
use serde_json::Value;
use store::DynamoStore;
use time::OffsetDateTime;
use triage::{PageSettings, TemplateSet};

pub(super) async fn run(cli: &Cli, store: &DynamoStore, cmd: &PageCommand) -> Result<()> {
    match cmd {
        PageCommand::Set { page, settings } => {
            let (platform, account) = page_of(page)?;
            let (config, new_key) = config_of(settings)?;
            if settings.crisis.is_some() {
                let by = super::who(
                    cli,
                    &crate::cli::By {
                        by: settings.by.clone(),
                    },
                )
                .await?;
                let ended = store
                    .end_crisis(&platform, &account, &by, OffsetDateTime::now_utc())
                    .await
                    .map_err(|e| store_err(cli, e))?;
                if !cli.json {
                    match ended {
                        store::spikes::CrisisEnd::Ended(_) => println!(
                            "Crisis on {platform}:{account} ended by {by}: automatic replies resume as set; drafts held meanwhile still wait for approval."
                        ),
                        store::spikes::CrisisEnd::NotInCrisis => {
                            println!("{platform}:{account} is not in a crisis.")
                        }
                    }
                }
                if config == PageConfig::default() && !settings.reconnected {
                    return show(cli, store, &platform, &account).await;
                }
            }
            if config == PageConfig::default() && !settings.reconnected {
                return Err(
                    "nothing to set: give at least one option (see feedbackctl pages set --help)"
                        .into(),
                );
            }
            // Written whatever is stored now: one person, one command (the inbox checks
            // that nobody changed the page since it was read).
            let texts = super::Texts::load()?;
            texts
                .staff(store)
                .update_page(
                    &platform,
                    &account,
                    &staff::PageChange {
                        set: config,
                        clear_reconnect: settings.reconnected,
                        check: staff::ReadCheck::None,
                        ..Default::default()
                    },
                    OffsetDateTime::now_utc(),
                )
                .await
                .map_err(|e| super::staff_err(cli, e))?;
            if !cli.json {
                println!("Saved {platform}:{account}.");
                if let Some(key) = &new_key {
                    println!(
                        "The webhook events are signed with this key; give it to the receiver now (it is not shown again):\n\n  {}\n",
                        key.expose()
                    );
                }
            } else if let Some(key) = &new_key {
                println!(
                    "{}",
                    json(&serde_json::json!({"notify_webhook_secret": key.expose()}))
                );
            }
            show(cli, store, &platform, &account).await
        }
        PageCommand::Show { page } => {
            let (platform, account) = page_of(page)?;
            show(cli, store, &platform, &account).await
        }
        PageCommand::List => list(cli, store).await,
        PageCommand::Check {
            page,
            stack,
            env_file,
        } => {
            super::check::run(
                cli,
                store,
                page.as_deref(),
                stack.as_deref(),
                env_file.as_deref(),
            )
            .await
        }
    }
}

/// A new `whsec_` key: 32 random bytes.
fn new_webhook_key() -> Words<Secret> {
    use base64::Engine;
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot make a key (no /dev/urandom: {e}); give one with --notify-webhook-secret whsec_…"))?;
    Ok(Secret::new(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )))
}

/// A notification URL to store: https (or http on this machine), or "" to remove it.
/// Never echoed: it holds the target's token.
fn notify_url(flag: &str, value: &Option<String>) -> Words<Option<Secret>> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(Some(Secret::new(""))),
        Some(v)
            if platforms::destination::is_allowed_url(
                v.trim(),
                platforms::destination::on_lambda(),
            ) =>
        {
            Ok(Some(Secret::new(v.trim())))
        }
        Some(_) => Err(format!(
            "{flag}: give an https:// URL (or \"\" to remove it)"
        )),
    }
}

/// What `pages set` stores: only the options given; and a webhook key made for it.
fn config_of(s: &PageSettingsArgs) -> Words<(PageConfig, Option<Secret>)> {
    if let Some(source) = &s.token_source
        && !["env:", "file:", "ssm:"]
            .iter()
            .any(|p| source.starts_with(p))
    {
        // Not echoed: it may be the token itself.
        return Err(
            "--token-source: use env:NAME, file:/path or ssm:/name (never the token itself)".into(),
        );
    }
    let templates = match &s.templates {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--templates {}: {e}", path.display()))?;
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| format!("--templates {}: not JSON: {e}", path.display()))?;
            TemplateSet::with_overrides(Some(&value))
                .map_err(|e| format!("--templates {}: {e}", path.display()))?;
            Some(value.to_string())
        }
    };
    let mut new_key = None;
    let notify_webhook_secret = match s.notify_webhook_secret.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(Secret::new("")),
        Some("new") => {
            let key = new_webhook_key()?;
            new_key = Some(key.clone());
            Some(key)
        }
        Some(key) => {
            // Not echoed: it is the key.
            platforms::standard::StandardWebhooks::new(&[key])
                .map_err(|e| format!("--notify-webhook-secret: {e} (or use `new` to make one)"))?;
            Some(Secret::new(key))
        }
    };
    let config = PageConfig {
        brand_name: s.brand.clone(),
        default_language: s.language.map(|l| l.code().to_owned()),
        mode: s.mode,
        thank_positive: s.thank_positive,
        sla_hours: s.sla_hours,
        signature: s.signature.clone(),
        contact: s.contact.clone(),
        max_age_hours: s.max_age_hours,
        token_source: s.token_source.clone(),
        templates,
        notify_slack_url: notify_url("--notify-slack-url", &s.notify_slack_url)?,
        notify_teams_url: notify_url("--notify-teams-url", &s.notify_teams_url)?,
        notify_webhook_url: notify_url("--notify-webhook-url", &s.notify_webhook_url)?,
        notify_webhook_secret,
        resolved_reply: s.resolved_reply,
        update_request_delay_hours: s.update_request_delay_hours,
        boldness: s.boldness,
        spike_min_complaints: s.spike_min_complaints,
        spike_factor: s.spike_factor,
        spike_hold: s.spike_hold,
    };
    Ok((config, new_key))
}

/// A secret URL as staff may see it: that it is set, and its host.
fn shown_url(url: &Option<Secret>) -> Option<String> {
    url.as_ref().map(|u| {
        match reqwest::Url::parse(u.expose())
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
        {
            Some(host) => format!("set ({host})"),
            None => "set".to_owned(),
        }
    })
}

async fn list(cli: &Cli, store: &DynamoStore) -> Result<()> {
    let pages = store.pages().await.map_err(|e| store_err(cli, e))?;
    if cli.json {
        println!("{}", json(&pages));
    } else if pages.is_empty() {
        println!("No pages configured: pages without configuration use the deployment's defaults.");
    } else {
        let dash = || "–".to_owned();
        let header = ["PAGE", "BRAND", "LANG", "MODE", "SLA H", "NOTIFY", "TOKEN"];
        let table = table_of(&header, &pages, |p| {
            let c = &p.record.config;
            vec![
                format!("{}:{}", p.platform, p.account_id),
                c.brand_name.clone().unwrap_or_else(dash),
                c.default_language.clone().unwrap_or_else(dash),
                c.mode.map_or_else(dash, |m| m.as_str().to_owned()),
                c.sla_hours.map_or_else(dash, |h| h.to_string()),
                {
                    let targets: Vec<&str> = store::notify::targets(c)
                        .iter()
                        .map(|t| t.as_str())
                        .collect();
                    if targets.is_empty() {
                        dash()
                    } else {
                        targets.join(",")
                    }
                },
                if p.record.needs_reconnect {
                    "RECONNECT".into()
                } else {
                    "ok".into()
                },
            ]
        });
        println!("{table}");
    }
    Ok(())
}

/// A page's effective configuration: what it sets over the defaults.
#[derive(Debug, Serialize)]
struct PageShow {
    page: String,
    configured: bool,
    brand_name: String,
    default_language: &'static str,
    mode: ReplyMode,
    thank_positive: bool,
    sla_hours: u32,
    signature: String,
    contact: String,
    max_age_hours: u32,
    token_source: Option<String>,
    templates_overridden: bool,
    needs_reconnect: bool,
    reconnect_reason: Option<String>,
    /// Notification targets: whether each is set (and its host), never the URL or key.
    notify_slack: Option<String>,
    notify_teams: Option<String>,
    notify_webhook: Option<String>,
    notify_webhook_secret_set: bool,
    resolved_reply: bool,
    /// `None`: the deployment's delay (24 hours unless set otherwise).
    update_request_delay_hours: Option<u32>,
    /// How readily unsure items are held for a person.
    boldness: &'static str,
    spike_min_complaints: u32,
    spike_factor: u32,
    spike_hold: bool,
    /// A spike not yet ended by a person (README, "Crisis hold").
    crisis: Option<feedback::page::Crisis>,
    #[serde(with = "time::serde::rfc3339::option")]
    crisis_ended_at: Option<OffsetDateTime>,
    crisis_ended_by: Option<String>,
}

impl PageShow {
    fn new(platform: &Platform, account: &AccountId, record: Option<PageRecord>) -> Self {
        let configured = record.is_some();
        let record = record.unwrap_or_default();
        let s = PageSettings::from_config(&record.config, &PageSettings::default());
        PageShow {
            page: format!("{platform}:{account}"),
            configured,
            brand_name: s.brand_name,
            default_language: s.default_language.code(),
            mode: s.mode,
            thank_positive: s.thank_positive,
            sla_hours: s.sla_hours,
            signature: s.signature,
            contact: s.contact,
            max_age_hours: s.max_age_hours,
            notify_slack: shown_url(&record.config.notify_slack_url),
            notify_teams: shown_url(&record.config.notify_teams_url),
            notify_webhook: shown_url(&record.config.notify_webhook_url),
            notify_webhook_secret_set: record.config.notify_webhook_secret.is_some(),
            resolved_reply: record.config.resolved_reply.unwrap_or(false),
            update_request_delay_hours: record.config.update_request_delay_hours,
            boldness: s.boldness.as_str(),
            spike_min_complaints: record
                .config
                .spike_min_complaints
                .unwrap_or(feedback::page::SPIKE_MIN_COMPLAINTS),
            spike_factor: record
                .config
                .spike_factor
                .unwrap_or(feedback::page::SPIKE_FACTOR),
            spike_hold: record.config.spike_hold != Some(false),
            crisis: record.crisis.clone(),
            crisis_ended_at: record.crisis_ended_at,
            crisis_ended_by: record.crisis_ended_by.clone(),
            token_source: record.config.token_source,
            templates_overridden: record.config.templates.is_some(),
            needs_reconnect: record.needs_reconnect,
            reconnect_reason: record.reconnect_reason,
        }
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_owned());
        [
            ("page", self.page.clone()),
            ("configured", self.configured.to_string()),
            ("brand_name", self.brand_name.clone()),
            ("default_language", self.default_language.to_owned()),
            ("mode", self.mode.as_str().to_owned()),
            ("thank_positive", self.thank_positive.to_string()),
            ("sla_hours", self.sla_hours.to_string()),
            ("signature", self.signature.clone()),
            ("contact", self.contact.clone()),
            ("max_age_hours", self.max_age_hours.to_string()),
            ("token_source", or_dash(&self.token_source)),
            (
                "templates_overridden",
                self.templates_overridden.to_string(),
            ),
            ("needs_reconnect", self.needs_reconnect.to_string()),
            ("reconnect_reason", or_dash(&self.reconnect_reason)),
            ("notify_slack", or_dash(&self.notify_slack)),
            ("notify_teams", or_dash(&self.notify_teams)),
            ("notify_webhook", or_dash(&self.notify_webhook)),
            (
                "notify_webhook_secret",
                if self.notify_webhook_secret_set {
                    "set"
                } else {
                    "–"
                }
                .to_owned(),
            ),
            ("resolved_reply", self.resolved_reply.to_string()),
            (
                "update_request_delay_hours",
                self.update_request_delay_hours
                    .map_or_else(|| "deployment default".to_owned(), |h| h.to_string()),
            ),
            ("boldness", self.boldness.to_owned()),
            (
                "spike_min_complaints",
                self.spike_min_complaints.to_string(),
            ),
            ("spike_factor", self.spike_factor.to_string()),
            ("spike_hold", self.spike_hold.to_string()),
            (
                "crisis",
                self.crisis.as_ref().map_or_else(
                    || "–".to_owned(),
                    |c| {
                        format!(
                            "since {} ({}){}; end it: feedbackctl pages set {} --crisis off",
                            c.since,
                            c.reason,
                            if c.hold {
                                ", replies held"
                            } else {
                                ", alert only"
                            },
                            self.page
                        )
                    },
                ),
            ),
            (
                "last_crisis_ended",
                match (&self.crisis_ended_at, &self.crisis_ended_by) {
                    (Some(at), by) => format!("{at} by {}", by.as_deref().unwrap_or("?")),
                    _ => "–".to_owned(),
                },
            ),
        ]
        .into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect()
    }
}

async fn show(
    cli: &Cli,
    store: &DynamoStore,
    platform: &Platform,
    account: &AccountId,
) -> Result<()> {
    let record = store
        .page(platform, account)
        .await
        .map_err(|e| store_err(cli, e))?;
    let page = PageShow::new(platform, account, record);
    if cli.json {
        println!("{}", json(&page));
    } else {
        println!("{}", table(&["SETTING", "VALUE"], page.rows()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage::Language;

    #[test]
    fn set_stores_only_what_was_given() {
        let config = config_of(&PageSettingsArgs {
            brand: Some("Zon".into()),
            language: Some(Language::Nl),
            mode: Some(ReplyMode::Approval),
            sla_hours: Some(4),
            ..PageSettingsArgs::default()
        });
        assert_eq!(
            config,
            Ok((
                PageConfig {
                    brand_name: Some("Zon".into()),
                    default_language: Some("nl".into()),
                    mode: Some(ReplyMode::Approval),
                    sla_hours: Some(4),
                    ..PageConfig::default()
                },
                None
            ))
        );
        assert_eq!(
            config_of(&PageSettingsArgs::default()),
            Ok((PageConfig::default(), None))
        );
    }

    #[test]
    fn a_token_source_is_never_the_token() {
        for ok in ["env:META_PAGE_TOKEN", "file:/run/token", "ssm:/guard/page"] {
            let args = PageSettingsArgs {
                token_source: Some(ok.into()),
                ..PageSettingsArgs::default()
            };
            assert!(config_of(&args).is_ok(), "{ok}");
        }
        let args = PageSettingsArgs {
            token_source: Some("EAAB-secret-token".into()),
            ..PageSettingsArgs::default()
        };
        let err = config_of(&args).err().unwrap_or_default();
        assert!(!err.contains("EAAB"), "the token is not echoed: {err}");
    }

    #[test]
    fn boldness_is_stored_as_set() {
        let args = PageSettingsArgs {
            boldness: Some(feedback::page::Boldness::Cautious),
            ..PageSettingsArgs::default()
        };
        let (config, _) = config_of(&args).unwrap();
        assert_eq!(config.boldness, Some(feedback::page::Boldness::Cautious));
    }

    #[test]
    fn show_fills_in_the_defaults() {
        let platform = Platform::from_static("facebook");
        let account = AccountId::parse("1029384756").unwrap();
        let unconfigured = PageShow::new(&platform, &account, None);
        assert!(!unconfigured.configured);
        assert_eq!(unconfigured.mode, PageSettings::default().mode);
        let record = PageRecord {
            config: PageConfig {
                default_language: Some("de".into()),
                templates: Some("{}".into()),
                ..PageConfig::default()
            },
            needs_reconnect: true,
            reconnect_reason: Some("token expired".into()),
            reconnect_since: None,
            recent_replies: Vec::new(),
            ..PageRecord::default()
        };
        let page = PageShow::new(&platform, &account, Some(record));
        let value: Value = serde_json::from_str(&json(&page)).unwrap();
        assert_eq!(value["page"], "facebook:1029384756");
        assert_eq!(value["configured"], true);
        assert_eq!(value["default_language"], "de");
        assert_eq!(value["mode"], "auto");
        assert_eq!(value["templates_overridden"], true);
        assert_eq!(value["needs_reconnect"], true);
        assert_eq!(value["reconnect_reason"], "token expired");
        assert_eq!(value["boldness"], "balanced");
        assert_eq!(page.rows().len(), 26);
    }

    #[test]
    fn notification_targets_are_stored_but_never_shown() {
        let args = PageSettingsArgs {
            notify_slack_url: Some("https://hooks.slack.com/services/T0/B0/sekrit".into()),
            notify_webhook_url: Some("https://example.com/hooks?token=sekrit".into()),
            notify_webhook_secret: Some("new".into()),
            ..PageSettingsArgs::default()
        };
        let (config, key) = config_of(&args).unwrap();
        let key = key.expect("a new key is made");
        assert!(key.expose().starts_with("whsec_"));
        assert_eq!(config.notify_webhook_secret.as_ref(), Some(&key));
        let record = PageRecord {
            config,
            ..PageRecord::default()
        };
        let page = PageShow::new(
            &Platform::from_static("facebook"),
            &AccountId::parse("1").unwrap(),
            Some(record),
        );
        let shown = format!("{}{:?}", json(&page), page.rows());
        assert!(
            !shown.contains("sekrit") && !shown.contains(key.expose()),
            "{shown}"
        );
        assert!(shown.contains("set (hooks.slack.com)"), "{shown}");
    }

    #[test]
    fn notification_urls_must_be_https_and_are_not_echoed() {
        let args = PageSettingsArgs {
            notify_teams_url: Some("http://intranet.example/hook?sekrit".into()),
            ..PageSettingsArgs::default()
        };
        let err = config_of(&args).err().unwrap_or_default();
        assert!(
            err.contains("--notify-teams-url") && !err.contains("sekrit"),
            "{err}"
        );
        let args = PageSettingsArgs {
            notify_webhook_secret: Some("whsec_short".into()),
            ..PageSettingsArgs::default()
        };
        assert!(config_of(&args).is_err());
        // "" removes a target.
        let args = PageSettingsArgs {
            notify_slack_url: Some(String::new()),
            ..PageSettingsArgs::default()
        };
        assert_eq!(
            config_of(&args).map(|(c, _)| c.notify_slack_url),
            Ok(Some(Secret::new("")))
        );
    }
}
