//! What each command does, one module per subject; the helpers they share are here:
//! connecting to the table, errors with hints, ids, pages and `--since`.

mod check;
mod feedback;
mod gdpr;
mod pages;
mod report;
mod sign;
mod sources;
mod tasks;

use crate::cli::{By, Cli, Command};
use ::feedback::{AccountId, Platform};
use logging::error_chain as chain;
use staff::{Staff, StaffError};
use store::{DynamoStore, FeedbackKey, StoreError};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use triage::{PageSettings, TemplateSet};

/// Why a command failed, as `feedbackctl: …` prints it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// What was typed, or what this machine does not allow, in words.
    #[error("{0}")]
    Usage(String),
    /// The table could not be reached.
    #[error("cannot read table {table}: {}\n  hint: {hint}", chain(.source))]
    Unreachable {
        table: String,
        hint: &'static str,
        source: StoreError,
    },
    /// The table answered, but with something unreadable.
    #[error("{}", chain(.0))]
    Store(StoreError),
    /// A staff action refused (no such task, a task in another status, …).
    #[error("{}", chain(.0))]
    Staff(StaffError),
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError::Usage(message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> Self {
        CliError::Usage(message.to_owned())
    }
}

type Result<T> = std::result::Result<T, CliError>;

/// What was typed (a flag, a file, an id) cannot be used: the words say why.
type Words<T> = std::result::Result<T, String>;

/// What the staff layer needs besides the table: the built-in page defaults and texts
/// (the CLI reads no deployment's variables).
struct Texts {
    defaults: PageSettings,
    templates: TemplateSet,
}

impl Texts {
    fn load() -> Result<Self> {
        Ok(Self {
            defaults: PageSettings::default(),
            templates: TemplateSet::builtin()
                .map_err(|e| format!("the built-in templates do not load: {e}"))?,
        })
    }

    fn staff<'a>(&'a self, store: &'a DynamoStore) -> Staff<'a> {
        Staff::new(store, &self.defaults, &self.templates)
    }
}

/// DynamoDB Local's default port (`infra/dynamodb-local.sh`, the local runner).
const LOCAL_PORT: u16 = 8000;

pub async fn run(cli: Cli) -> Result<()> {
    // Every command but `sign` works on the table.
    if let Command::Sign(args) = &cli.command {
        return sign::run(args).await;
    }
    let store = connect(&cli).await?;
    match &cli.command {
        Command::Sign(_) => unreachable!("`sign` has returned above"),
        Command::Tasks(cmd) => tasks::run(&cli, &store, cmd).await,
        Command::Feedback(cmd) => feedback::run(&cli, &store, cmd).await,
        Command::Pages(cmd) => pages::run(&cli, &store, cmd).await,
        Command::Report(cmd) => report::run(&cli, &store, cmd).await,
        Command::Gdpr(cmd) => gdpr::run(&cli, &store, cmd).await,
        Command::Sources => sources::run(&cli, &store).await,
    }
}

/// DynamoDB Local on this machine, on `DYNAMODB_LOCAL_PORT` like the runner and
/// `infra/dynamodb-local.sh` (default 8000).
fn local_endpoint(port: Option<&str>) -> std::result::Result<String, String> {
    let port = match port.map(str::trim).filter(|p| !p.is_empty()) {
        None => LOCAL_PORT,
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("DYNAMODB_LOCAL_PORT {p:?} is not a port number"))?,
    };
    Ok(format!("http://127.0.0.1:{port}"))
}

/// Whether the table is on this machine (`--local`, or `--endpoint-url` naming this
/// machine) rather than in an AWS account. An `--endpoint-url` elsewhere (a regional
/// endpoint, a VPC endpoint) is AWS: who acts is then the caller's identity.
fn is_local(cli: &Cli) -> bool {
    cli.local || cli.endpoint_url.as_deref().is_some_and(is_this_machine)
}

fn is_this_machine(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    })
}

/// Who acts, as recorded on tasks, approvals and erasures. On AWS, the caller's AWS
/// identity (the ARN of their credentials), proven rather than typed, so `--by` is
/// refused there; locally, `--by`, else `$USER`, else `local` (containers and CI often
/// set no `$USER`).
async fn who(cli: &Cli, by: &By) -> Result<String> {
    Ok(who_with(
        is_local(cli),
        by,
        std::env::var("USER").ok(),
        store::identity::caller,
    )
    .await?)
}

/// Who acts on this machine when neither `--by` nor `$USER` says.
pub(crate) const LOCAL_ACTOR: &str = "local";

async fn who_with<F, Fut>(
    local: bool,
    by: &By,
    user: Option<String>,
    caller: F,
) -> std::result::Result<String, String>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<String, store::identity::IdentityError>>,
{
    let typed = by.by.as_deref().map(str::trim).filter(|b| !b.is_empty());
    if local {
        return Ok(typed
            .map(str::to_owned)
            .or_else(|| user.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()))
            .unwrap_or_else(|| LOCAL_ACTOR.to_owned()));
    }
    if by.by.is_some() {
        return Err(
            "--by is only for --local or --endpoint-url: on AWS who acts is your AWS identity (the ARN of your credentials), so it cannot be typed"
                .into(),
        );
    }
    caller().await.map_err(|e| {
        format!(
            "cannot tell who you are from your AWS credentials: {}\n  hint: check AWS_PROFILE/AWS_REGION (aws sso login), or use --local",
            chain(&e)
        )
    })
}

async fn connect(cli: &Cli) -> Result<DynamoStore> {
    let endpoint = match (&cli.endpoint_url, cli.local) {
        (Some(url), _) => Some(url.clone()),
        (None, true) => Some(local_endpoint(
            std::env::var("DYNAMODB_LOCAL_PORT").ok().as_deref(),
        )?),
        (None, false) => None,
    };
    Ok(DynamoStore::for_staff(&cli.table, endpoint.as_deref(), cli.local).await)
}

/// A store error, with what to check when the table could not be reached.
fn store_err(cli: &Cli, e: StoreError) -> CliError {
    match e {
        StoreError::Dynamo { .. } => CliError::Unreachable {
            table: cli.table.clone(),
            hint: if cli.local {
                "is DynamoDB Local running? start it with infra/dynamodb-local.sh start (or infra/run-local.sh)"
            } else {
                "check AWS_PROFILE/AWS_REGION and the table name (--table), or use --local"
            },
            source: e,
        },
        e => CliError::Store(e),
    }
}

/// A staff action refused, or the table not reached.
fn staff_err(cli: &Cli, e: StaffError) -> CliError {
    match e {
        StaffError::Store(e) => store_err(cli, e),
        e => CliError::Staff(e),
    }
}

/// An item (or its task) as staff name it: `platform:item id`.
fn key_of(id: &str) -> Result<FeedbackKey> {
    staff::ids::task_id(id).map_err(CliError::Staff)
}

/// A page as staff name it: `platform:account id`.
fn page_of(id: &str) -> Result<(Platform, AccountId)> {
    staff::ids::page_id(id).map_err(CliError::Staff)
}

/// `--since`: an RFC 3339 time, a date (midnight UTC), or minutes, hours or days back from
/// `now` (`30m`, `24h`, `7d`).
fn parse_since(s: &str, now: OffsetDateTime) -> std::result::Result<OffsetDateTime, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    if let Ok(t) = OffsetDateTime::parse(&format!("{s}T00:00:00Z"), &Rfc3339) {
        return Ok(t);
    }
    let usage = || format!("--since {s:?}: use 2025-11-01, an RFC 3339 time, or 24h / 7d / 30m");
    let Some(unit) = s.chars().last() else {
        return Err(usage());
    };
    let count = &s[..s.len() - unit.len_utf8()];
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(usage());
    }
    let n: i64 = count.parse().map_err(|_| usage())?;
    let seconds_per: i64 = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(format!("--since {s:?}: the unit must be m, h or d")),
    };
    n.checked_mul(seconds_per)
        .map(Duration::seconds)
        .and_then(|back| now.checked_sub(back))
        .ok_or_else(|| format!("--since {s:?} is too far back"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-11-10 12:00 UTC);

    #[test]
    fn since_reads_rfc3339_times() {
        assert_eq!(
            parse_since("2025-11-01T08:30:00+01:00", NOW),
            Ok(datetime!(2025-11-01 08:30 +1))
        );
        assert_eq!(
            parse_since("2025-11-01T07:30:00Z", NOW),
            Ok(datetime!(2025-11-01 07:30 UTC))
        );
    }

    #[test]
    fn since_reads_a_date_as_midnight_utc() {
        assert_eq!(
            parse_since("2025-11-01", NOW),
            Ok(datetime!(2025-11-01 00:00 UTC))
        );
    }

    #[test]
    fn since_reads_durations_back_from_now() {
        assert_eq!(parse_since("30m", NOW), Ok(datetime!(2025-11-10 11:30 UTC)));
        assert_eq!(parse_since("24h", NOW), Ok(datetime!(2025-11-09 12:00 UTC)));
        assert_eq!(parse_since("7d", NOW), Ok(datetime!(2025-11-03 12:00 UTC)));
        assert_eq!(parse_since("0h", NOW), Ok(NOW));
    }

    #[test]
    fn since_refuses_what_it_cannot_read() {
        for bad in [
            "",
            "d",
            "yesterday",
            "7",
            "-7d",
            "+7d",
            "7 d",
            "1.5h",
            "2025-13-01",
        ] {
            let err = parse_since(bad, NOW).err().unwrap_or_default();
            assert!(err.contains("--since"), "{bad:?} → {err:?}");
        }
        let err = parse_since("7w", NOW).err().unwrap_or_default();
        assert!(err.contains("unit must be m, h or d"), "{err}");
    }

    #[test]
    fn since_too_far_back_is_an_error_not_a_panic() {
        for far in ["99999999999999999d", "9223372036854775807m", "30000000d"] {
            let err = parse_since(far, NOW).err().unwrap_or_default();
            assert!(err.contains("--since"), "{far:?} → {err:?}");
        }
    }

    fn by(name: Option<&str>) -> By {
        By {
            by: name.map(str::to_owned),
        }
    }

    async fn no_caller() -> std::result::Result<String, store::identity::IdentityError> {
        Err(store::identity::IdentityError::NoArn)
    }

    const ARN: &str = "arn:aws:sts::123456789012:assumed-role/Staff/anna@example.com";

    async fn anna() -> std::result::Result<String, store::identity::IdentityError> {
        Ok(ARN.to_owned())
    }

    #[tokio::test]
    async fn locally_who_acts_is_by_else_the_user_name_else_local() {
        let user = || Some("bert".to_owned());
        assert_eq!(
            who_with(true, &by(Some("anna")), user(), no_caller).await,
            Ok("anna".to_owned())
        );
        assert_eq!(
            who_with(true, &by(None), user(), no_caller).await,
            Ok("bert".to_owned())
        );
        // Containers and CI often set no $USER: the README's commands still work.
        assert_eq!(
            who_with(true, &by(None), None, no_caller).await,
            Ok("local".to_owned())
        );
        assert_eq!(
            who_with(true, &by(Some(" ")), Some(String::new()), no_caller).await,
            Ok("local".to_owned())
        );
    }

    #[tokio::test]
    async fn on_aws_who_acts_is_the_caller_identity_and_by_is_refused() {
        let user = || Some("bert".to_owned());
        assert_eq!(
            who_with(false, &by(None), user(), anna).await,
            Ok(ARN.to_owned())
        );
        let err = who_with(false, &by(Some("anna")), user(), anna)
            .await
            .err()
            .unwrap_or_default();
        assert!(err.contains("--by is only for --local"), "{err}");
        let err = who_with(false, &by(None), user(), no_caller)
            .await
            .err()
            .unwrap_or_default();
        assert!(err.contains("cannot tell who you are"), "{err}");
    }

    #[test]
    fn only_an_endpoint_on_this_machine_counts_as_local() {
        for (url, local) in [
            ("http://127.0.0.1:8000", true),
            ("http://localhost:8000", true),
            ("http://[::1]:8000", true),
            ("https://dynamodb.eu-west-1.amazonaws.com", false),
            ("http://127.0.0.1.example:8000", false),
            ("not a url", false),
        ] {
            assert_eq!(is_this_machine(url), local, "{url}");
        }
    }

    #[test]
    fn local_means_this_machine_on_the_dynamodb_local_port() {
        assert_eq!(local_endpoint(None).as_deref(), Ok("http://127.0.0.1:8000"));
        assert_eq!(
            local_endpoint(Some("")).as_deref(),
            Ok("http://127.0.0.1:8000")
        );
        assert_eq!(
            local_endpoint(Some("8123")).as_deref(),
            Ok("http://127.0.0.1:8123")
        );
        assert!(local_endpoint(Some("http://elsewhere")).is_err());
    }
}
