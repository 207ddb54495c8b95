//! `pages check`: per page, whether its token is stored where the responder reads it and
//! accepted by its platform (one call that changes nothing), and what to do next; before
//! the page is subscribed. Tokens are found by the responder's own rules
//! ([`service::credentials`]) and checked by the platform's reply client
//! ([`platforms::reply::ReplyClient::check_access`]): nothing here knows a platform.

use super::sign::EnvFile;
use super::{Result, Words, is_local, page_of, store_err};
use crate::cli::{Cli, LOCAL_ENV};
use crate::output::{json, table_of};
use feedback::{AccountId, Platform};
use platforms::reply::{AccessCheck, Outbound, ReplyError};
use secrecy::ExposeSecret;
use serde::Serialize;
use service::credentials::{CredentialError, CredentialSource, Credentials};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use store::DynamoStore;
use store::parameters::{SsmParameters, read_secrets};

/// Where the page tokens are read, as the responder reads them there.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// SSM: `/{stack}/pages/{platform}/{account}` only (the responder's
    /// `PAGE_TOKEN_SSM_PREFIX`); the reply clients' secrets under `/{stack}/secrets`.
    Aws { prefix: String, secrets: String },
    /// The environment, then the env file; or the page's `env:`/`file:` source.
    Local,
}

impl Place {
    fn of(stack: Option<&str>, local: bool) -> Words<Place> {
        match stack.map(str::trim).filter(|s| !s.is_empty()) {
            Some(stack) => {
                let stack = stack.trim_matches('/');
                Ok(Place::Aws {
                    prefix: format!("/{stack}/pages"),
                    secrets: format!("/{stack}/secrets"),
                })
            }
            None if local => Ok(Place::Local),
            None => Err(
                "on AWS, name the stack whose SSM parameters hold the page tokens: --stack NAME (or STACK_NAME)"
                    .into(),
            ),
        }
    }
}

/// A page to check.
#[derive(Debug, Clone)]
struct Page {
    platform: Platform,
    account: AccountId,
    token_source: Option<String>,
    needs_reconnect: bool,
}

impl Page {
    fn name(&self) -> String {
        format!("{}:{}", self.platform, self.account)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Token {
    Present,
    Missing,
    Unreadable,
    /// Nothing is sent on this page's platform here: no token is used.
    NotNeeded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Valid {
    Yes,
    No,
    NotChecked,
}

/// What was found about one page. Never holds the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct PageCheck {
    page: String,
    token: Token,
    /// Why the token is missing or unreadable.
    token_problem: Option<String>,
    valid: Valid,
    /// Valid: what the platform shows for the page; otherwise why not (or not checked).
    detail: Option<String>,
    /// The responder can answer on this page as it is.
    ready: bool,
    /// What to do next, when anything.
    next: Option<String>,
}

impl PageCheck {
    fn row(&self) -> Vec<String> {
        let with = |word: &str, detail: &Option<String>| match detail {
            Some(d) => format!("{word}: {d}"),
            None => word.to_owned(),
        };
        let token = match self.token {
            Token::Present => "present".to_owned(),
            Token::Missing => with("missing", &self.token_problem),
            Token::Unreadable => with("unreadable", &self.token_problem),
            Token::NotNeeded => "not needed".to_owned(),
        };
        let valid = match self.valid {
            Valid::Yes => with("yes", &self.detail),
            Valid::No => with("no", &self.detail),
            Valid::NotChecked => with("not checked", &self.detail),
        };
        vec![
            self.page.clone(),
            token,
            valid,
            self.next.clone().unwrap_or_else(|| "–".to_owned()),
        ]
    }
}

pub(super) async fn run(
    cli: &Cli,
    store: &DynamoStore,
    page: Option<&str>,
    stack: Option<&str>,
    env_file: Option<&Path>,
) -> Result<()> {
    let place = Place::of(stack, is_local(cli))?;
    let pages = pages(cli, store, page).await?;
    if pages.is_empty() {
        if cli.json {
            println!("[]");
        } else {
            println!(
                "No pages configured: check one by name (feedbackctl pages check facebook:1029384756), or configure it with pages set."
            );
        }
        return Ok(());
    }
    let file = match (env_file, &place) {
        (Some(path), _) => EnvFile::load(path)?,
        (None, Place::Local) => EnvFile::load(Path::new(LOCAL_ENV))?,
        (None, Place::Aws { .. }) => EnvFile::default(),
    };
    let (credentials, secrets) = match &place {
        Place::Aws { prefix, secrets } => {
            let ssm = Arc::new(SsmParameters::from_env().await);
            let secrets: HashMap<String, String> = read_secrets(
                ssm.as_ref(),
                secrets,
                &platforms::outbound::SECRET_VARIABLES,
            )
            .await
            .map_err(|e| format!("cannot read the reply clients' secrets under {secrets}: {e}"))?
            .into_iter()
            .map(|(k, v)| (k, v.expose_secret().to_owned()))
            .collect();
            let credentials = Credentials::new(CredentialSource::Ssm {
                parameters: ssm,
                prefix: prefix.clone(),
            });
            (credentials, secrets)
        }
        Place::Local => {
            let credentials = Credentials::local(file.lookup());
            (credentials, HashMap::new())
        }
    };
    // As the responder's configuration is read: its secrets, then the environment (then
    // the env file, as the local runner reads it).
    let lookup = |k: &str| secrets.get(k).cloned().or_else(|| file.get(k));
    let outbound = platforms::outbound::from_lookup(&lookup).map_err(|problems| {
        format!(
            "the reply clients' settings do not read: {}\n  hint: set the responder's variables in the environment or an --env-file",
            problems.join("; ")
        )
    })?;
    let meta_pages = pages.iter().any(|p| {
        p.platform == platforms::meta::FACEBOOK || p.platform == platforms::meta::INSTAGRAM
    });
    if meta_pages {
        let version = lookup("META_GRAPH_API_VERSION")
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| platforms::meta::graph::DEFAULT_GRAPH_VERSION.to_owned());
        if let Some(warning) =
            graph_version_warning(&version, time::OffsetDateTime::now_utc().date())
        {
            eprintln!("warning: {warning}");
        }
    }
    let mut checks = Vec::with_capacity(pages.len());
    for page in &pages {
        checks.push(check(&outbound, &credentials, &place, page).await);
    }
    if cli.json {
        println!("{}", json(&checks));
    } else {
        println!(
            "{}",
            table_of(&["PAGE", "TOKEN", "VALID", "NEXT"], &checks, PageCheck::row)
        );
    }
    let not_ready = checks.iter().filter(|c| !c.ready).count();
    if not_ready == 0 {
        Ok(())
    } else {
        Err(format!(
            "{not_ready} of {} page(s) not ready to answer",
            checks.len()
        )
        .into())
    }
}

/// Warn this many days before the configured Graph API version expires.
const GRAPH_VERSION_WARNING_DAYS: i64 = 90;

/// A warning when the Graph API `version` expires within [`GRAPH_VERSION_WARNING_DAYS`]
/// of `today` (or has expired): calls to an expired version are served by the oldest one
/// still available, whose behaviour may differ. `None`: no date is known, or it is further.
fn graph_version_warning(version: &str, today: time::Date) -> Option<String> {
    let until = platforms::meta::versions::expires_on(version)?;
    let days = (until - today).whole_days();
    let pin = format!(
        "set META_GRAPH_API_VERSION to a newer version (this build's default is {}) after checking its changelog",
        platforms::meta::graph::DEFAULT_GRAPH_VERSION
    );
    if days < 0 {
        Some(format!(
            "Graph API {version} expired on {until}: Meta now serves these calls with its oldest available version; {pin}"
        ))
    } else if days <= GRAPH_VERSION_WARNING_DAYS {
        Some(format!(
            "Graph API {version} is available until {until} ({days} days from today); {pin}"
        ))
    } else {
        None
    }
}

/// The page named, else every configured page.
async fn pages(cli: &Cli, store: &DynamoStore, page: Option<&str>) -> Result<Vec<Page>> {
    match page {
        Some(page) => {
            let (platform, account) = page_of(page)?;
            let record = store
                .page(&platform, &account)
                .await
                .map_err(|e| store_err(cli, e))?
                .unwrap_or_default();
            Ok(vec![Page {
                platform,
                account,
                token_source: record.config.token_source,
                needs_reconnect: record.needs_reconnect,
            }])
        }
        None => Ok(store
            .pages()
            .await
            .map_err(|e| store_err(cli, e))?
            .into_iter()
            .map(|p| Page {
                platform: p.platform,
                account: p.account_id,
                token_source: p.record.config.token_source,
                needs_reconnect: p.record.needs_reconnect,
            })
            .collect()),
    }
}

async fn check(
    outbound: &Outbound,
    credentials: &Credentials,
    place: &Place,
    page: &Page,
) -> PageCheck {
    let outbound = outbound.get(&page.platform);
    let Some((platform, client)) = outbound.and_then(|o| Some((o, o.client.as_ref()?))) else {
        return PageCheck {
            page: page.name(),
            token: Token::NotNeeded,
            token_problem: None,
            valid: Valid::NotChecked,
            detail: Some(format!(
                "nothing is sent on {} here: its items become tasks for staff",
                page.platform
            )),
            ready: true,
            next: None,
        };
    };
    let stored = credentials
        .get(
            &page.platform,
            &page.account,
            page.token_source.as_deref(),
            platform.credential_variable,
        )
        .await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(e) => return unread(page, place, platform.credential_variable, e),
    };
    let checked = match client.access_token(&page.account, &stored).await {
        Ok(token) => client.check_access(&page.account, &token).await,
        Err(e) => Err(e),
    };
    verdict(page, place, platform.credential_variable, checked)
}

/// `aws ssm put-parameter …` on AWS; locally, the variable or the page's own source.
fn store_token_hint(page: &Page, place: &Place, variable: &str) -> String {
    match (place, page.token_source.as_deref()) {
        (Place::Aws { prefix, .. }, _) => format!(
            "aws ssm put-parameter --type SecureString --overwrite --name {} --value file://token.txt",
            service::credentials::ssm_name(prefix, &page.platform, &page.account)
        ),
        (Place::Local, Some(source)) => format!("where the page's token source says ({source})"),
        (Place::Local, None) => format!("set {variable}_{} (or {variable})", page.account),
    }
}

/// The token could not be read.
fn unread(page: &Page, place: &Place, variable: &str, e: CredentialError) -> PageCheck {
    let (token, problem, next) = match e {
        CredentialError::Missing(why) => (
            Token::Missing,
            why,
            format!(
                "store the token: {}",
                store_token_hint(page, place, variable)
            ),
        ),
        CredentialError::Denied(why) => (
            Token::Unreadable,
            format!("reading it is denied: {why}"),
            "let your role read it (ssm:GetParameter on the parameter, kms:Decrypt on its key)"
                .to_owned(),
        ),
        CredentialError::Unavailable(why) => {
            (Token::Unreadable, why, "try again in a moment".to_owned())
        }
        CredentialError::BadSource(source) => (
            Token::Unreadable,
            format!("the page's token source {source:?} is not allowed here"),
            match place {
                Place::Aws { prefix, .. } => format!(
                    "on AWS a page's token is only {prefix}/{}/{}: pages set {} --token-source ssm:{prefix}/{}/{}",
                    page.platform,
                    page.account,
                    page.name(),
                    page.platform,
                    page.account
                ),
                Place::Local => format!(
                    "pages set {} --token-source env:NAME (or file:/path)",
                    page.name()
                ),
            },
        ),
    };
    PageCheck {
        page: page.name(),
        token,
        token_problem: Some(problem),
        valid: Valid::NotChecked,
        detail: None,
        ready: false,
        next: Some(next),
    }
}

/// What the platform said of a token that was read.
fn verdict(
    page: &Page,
    place: &Place,
    variable: &str,
    checked: std::result::Result<AccessCheck, ReplyError>,
) -> PageCheck {
    let (valid, detail, next) = match checked {
        Ok(found) => {
            let (valid, detail) = match found {
                AccessCheck::Accepted { page } => (Valid::Yes, page),
                AccessCheck::Exchanged => (
                    Valid::Yes,
                    "the platform exchanged the stored credential for an access token".to_owned(),
                ),
                // Stored, and nothing says it is wrong: the first reply will tell.
                AccessCheck::Unchecked => (
                    Valid::NotChecked,
                    "this platform offers no check: the first reply will tell".to_owned(),
                ),
            };
            let next = page.needs_reconnect.then(|| {
                format!(
                    "the token works: clear the page's reconnect flag with pages set {} --reconnected",
                    page.name()
                )
            });
            (valid, detail, next)
        }
        Err(ReplyError::Reconnect(why)) => (
            Valid::No,
            why,
            Some(format!(
                "reconnect: make a new token for the page, store it ({}), then pages set {} --reconnected",
                store_token_hint(page, place, variable),
                page.name()
            )),
        ),
        Err(ReplyError::Transient(why) | ReplyError::Ambiguous(why)) => (
            Valid::NotChecked,
            format!("the platform could not be asked: {why}"),
            Some("try again in a moment".to_owned()),
        ),
        Err(e @ (ReplyError::Rejected(_) | ReplyError::Gone(_) | ReplyError::AlreadySent)) => (
            Valid::No,
            e.to_string(),
            Some(format!(
                "check the page id ({}) and that the token is this page's",
                page.name()
            )),
        ),
    };
    // Ready: accepted, or stored where the platform cannot be asked (not a failure to ask).
    let unchecked = valid == Valid::NotChecked && next.is_none();
    PageCheck {
        page: page.name(),
        token: Token::Present,
        token_problem: None,
        ready: (valid == Valid::Yes || unchecked) && !page.needs_reconnect,
        valid,
        detail: Some(detail),
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(source: Option<&str>) -> Page {
        Page {
            platform: Platform::from_static("facebook"),
            account: AccountId::parse("1029384756").unwrap(),
            token_source: source.map(str::to_owned),
            needs_reconnect: false,
        }
    }

    fn aws() -> Place {
        Place::Aws {
            prefix: "/guard/pages".into(),
            secrets: "/guard/secrets".into(),
        }
    }

    /// The verdict on the page's token on AWS, the platform having answered `checked`.
    fn checked_on_aws(checked: std::result::Result<AccessCheck, ReplyError>) -> PageCheck {
        verdict(&page(None), &aws(), "META_PAGE_TOKEN", checked)
    }

    #[test]
    fn on_aws_the_stack_names_where_tokens_are_and_is_required() {
        assert_eq!(Place::of(Some("guard"), false), Ok(aws()));
        assert_eq!(Place::of(None, true), Ok(Place::Local));
        let err = Place::of(None, false).err().unwrap_or_default();
        assert!(err.contains("--stack"), "{err}");
    }

    #[test]
    fn a_missing_token_says_where_to_store_it() {
        let on_aws = unread(
            &page(None),
            &aws(),
            "META_PAGE_TOKEN",
            CredentialError::Missing(
                "SSM parameter /guard/pages/facebook/1029384756 does not exist".into(),
            ),
        );
        assert_eq!((on_aws.token, on_aws.ready), (Token::Missing, false));
        let next = on_aws.next.unwrap_or_default();
        assert!(
            next.contains("--name /guard/pages/facebook/1029384756"),
            "{next}"
        );
        let locally = unread(
            &page(None),
            &Place::Local,
            "META_PAGE_TOKEN",
            CredentialError::Missing("neither … nor … is set".into()),
        );
        let next = locally.next.unwrap_or_default();
        assert!(next.contains("META_PAGE_TOKEN_1029384756"), "{next}");
    }

    #[test]
    fn a_refused_token_means_reconnect_and_an_outage_is_not_checked() {
        let refused = checked_on_aws(Err(ReplyError::Reconnect(
            "Session has expired (code 190)".into(),
        )));
        assert_eq!((refused.valid, refused.ready), (Valid::No, false));
        assert!(refused.next.unwrap_or_default().starts_with("reconnect"));
        let later = checked_on_aws(Err(ReplyError::Transient("HTTP 503".into())));
        assert_eq!((later.valid, later.ready), (Valid::NotChecked, false));
    }

    #[test]
    fn a_valid_token_of_a_page_flagged_for_reconnection_says_to_clear_the_flag() {
        let mut flagged = page(None);
        flagged.needs_reconnect = true;
        let found = verdict(
            &flagged,
            &aws(),
            "META_PAGE_TOKEN",
            Ok(AccessCheck::Accepted {
                page: "Bakkerij Zon".into(),
            }),
        );
        assert_eq!(found.valid, Valid::Yes);
        assert!(!found.ready);
        assert!(found.next.unwrap_or_default().contains("--reconnected"));
        let fine = checked_on_aws(Ok(AccessCheck::Accepted {
            page: "Bakkerij Zon".into(),
        }));
        assert!(fine.ready && fine.next.is_none());
        assert_eq!(fine.row()[2], "yes: Bakkerij Zon");
    }

    #[test]
    fn a_graph_version_is_warned_about_within_90_days_of_its_expiry_and_after_it() {
        use time::macros::date;
        // v21.0 is available until 2027-01-21.
        assert_eq!(graph_version_warning("v21.0", date!(2026 - 10 - 22)), None);
        let soon = graph_version_warning("v21.0", date!(2026 - 10 - 23)).unwrap_or_default();
        assert!(soon.contains("until 2027-01-21 (90 days"), "{soon}");
        let last_day = graph_version_warning("v21.0", date!(2027 - 01 - 21)).unwrap_or_default();
        assert!(last_day.contains("(0 days"), "{last_day}");
        let gone = graph_version_warning("v21.0", date!(2027 - 01 - 22)).unwrap_or_default();
        assert!(gone.contains("expired on 2027-01-21"), "{gone}");
        // The current version has no date yet; an unknown one none either.
        assert_eq!(graph_version_warning("v26.0", date!(2030 - 01 - 01)), None);
        assert_eq!(graph_version_warning("v99.0", date!(2030 - 01 - 01)), None);
    }

    #[test]
    fn a_stored_token_a_platform_cannot_check_is_not_called_valid_but_does_not_fail() {
        let unchecked = checked_on_aws(Ok(AccessCheck::Unchecked));
        assert_eq!(
            (unchecked.valid, unchecked.ready),
            (Valid::NotChecked, true)
        );
        assert!(unchecked.row()[2].starts_with("not checked"));
    }
}
