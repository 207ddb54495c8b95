//! `pages set / show / list`.

use super::{Result, page_of, store_err};
use crate::cli::{Cli, PageCommand, PageSettingsArgs};
use crate::output::{json, table};
use feedback::page::{PageConfig, PageRecord, ReplyMode};
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
            let config = config_of(settings)?;
            if config == PageConfig::default() && !settings.reconnected {
                return Err(
                    "nothing to set: give at least one option (see feedbackctl pages set --help)"
                        .into(),
                );
            }
            store
                .put_page(
                    &platform,
                    &account,
                    &config,
                    settings.reconnected,
                    OffsetDateTime::now_utc(),
                )
                .await
                .map_err(|e| store_err(cli, &e))?;
            if !cli.json {
                println!("Saved {platform}:{account}.");
            }
            show(cli, store, &platform, &account).await
        }
        PageCommand::Show { page } => {
            let (platform, account) = page_of(page)?;
            show(cli, store, &platform, &account).await
        }
        PageCommand::List => list(cli, store).await,
    }
}

/// What `pages set` stores: only the options given.
fn config_of(s: &PageSettingsArgs) -> Result<PageConfig> {
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
    Ok(PageConfig {
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
    })
}

async fn list(cli: &Cli, store: &DynamoStore) -> Result<()> {
    let pages = store.pages().await.map_err(|e| store_err(cli, &e))?;
    if cli.json {
        println!("{}", json(&pages));
    } else if pages.is_empty() {
        println!("No pages configured: pages without configuration use the deployment's defaults.");
    } else {
        let dash = || "–".to_owned();
        let rows = pages
            .iter()
            .map(|p| {
                let c = &p.record.config;
                vec![
                    format!("{}:{}", p.platform, p.account_id),
                    c.brand_name.clone().unwrap_or_else(dash),
                    c.default_language.clone().unwrap_or_else(dash),
                    c.mode.map_or_else(dash, |m| m.as_str().to_owned()),
                    c.sla_hours.map_or_else(dash, |h| h.to_string()),
                    if p.record.needs_reconnect {
                        "RECONNECT".into()
                    } else {
                        "ok".into()
                    },
                ]
            })
            .collect();
        println!(
            "{}",
            table(&["PAGE", "BRAND", "LANG", "MODE", "SLA H", "TOKEN"], rows)
        );
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
        .map_err(|e| store_err(cli, &e))?;
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
            Ok(PageConfig {
                brand_name: Some("Zon".into()),
                default_language: Some("nl".into()),
                mode: Some(ReplyMode::Approval),
                sla_hours: Some(4),
                ..PageConfig::default()
            })
        );
        assert_eq!(
            config_of(&PageSettingsArgs::default()),
            Ok(PageConfig::default())
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
        assert_eq!(page.rows().len(), 14);
    }
}
