//! The command line.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use feedback::Platform;
use feedback::page::ReplyMode;
use std::path::PathBuf;
use store::TaskStatus;
use triage::{Label, Language};

/// The variables of the local setup (`infra/local.env`), as the local runner reads them.
pub const LOCAL_ENV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../local.env");

#[derive(Parser, Debug)]
#[command(
    name = "feedbackctl",
    version,
    about = "Work through follow-up tasks, look at feedback, configure pages."
)]
pub struct Cli {
    /// The feedback table.
    #[arg(long, global = true, env = "TABLE_NAME", default_value = "feedback")]
    pub table: String,
    /// Use DynamoDB Local on 127.0.0.1 (port DYNAMODB_LOCAL_PORT, default 8000; dummy
    /// credentials).
    #[arg(long, global = true)]
    pub local: bool,
    /// Another DynamoDB endpoint (default: the standard AWS environment decides).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Follow-up tasks.
    #[command(subcommand)]
    Tasks(TaskCommand),
    /// Stored feedback.
    #[command(subcommand)]
    Feedback(FeedbackCommand),
    /// Page configuration.
    #[command(subcommand)]
    Pages(PageCommand),
    /// Print (or send) a correctly authenticated test delivery for a configured platform.
    Sign(SignArgs),
}

/// Which tasks `tasks list` shows: one status, or all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    Only(TaskStatus),
    All,
}

impl StatusFilter {
    pub fn matches(self, status: TaskStatus) -> bool {
        match self {
            StatusFilter::Only(wanted) => wanted == status,
            StatusFilter::All => true,
        }
    }
}

/// Every stored task status, and `all`.
fn status_filter() -> impl TypedValueParser<Value = StatusFilter> {
    PossibleValuesParser::new(TaskStatus::ALL.iter().map(|s| s.as_str()).chain(["all"])).try_map(
        |s| match s.as_str() {
            "all" => Ok(StatusFilter::All),
            s => TaskStatus::parse(s)
                .map(StatusFilter::Only)
                .ok_or_else(|| format!("unknown task status {s:?}")),
        },
    )
}

/// Any valid platform name: which platforms exist is the `platforms` crate's business.
fn platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s).map_err(|e| e.to_string())
}

fn label() -> impl TypedValueParser<Value = Label> {
    PossibleValuesParser::new(Label::ALL.map(Label::as_str))
        .try_map(|s| Label::parse(&s).ok_or_else(|| format!("unknown label {s:?}")))
}

fn reply_mode() -> impl TypedValueParser<Value = ReplyMode> {
    PossibleValuesParser::new(ReplyMode::ALL.map(ReplyMode::as_str))
        .try_map(|s| ReplyMode::parse(&s).ok_or_else(|| format!("unknown reply mode {s:?}")))
}

/// A language the templates exist in (`nl`, `en`, … as `Language::parse` reads them).
fn language(s: &str) -> Result<Language, String> {
    Language::parse(s).ok_or_else(|| {
        let codes: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
        format!(
            "not a language with templates; use one of {}",
            codes.join(", ")
        )
    })
}

#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// List tasks, soonest due first.
    List {
        #[arg(long, default_value = "open", value_parser = status_filter())]
        status: StatusFilter,
        /// Only tasks past their due time.
        #[arg(long)]
        overdue: bool,
        /// Only this page (account id).
        #[arg(long, value_name = "ACCOUNT_ID")]
        page: Option<String>,
    },
    /// A task with its feedback and messages. ID: platform:item, e.g. facebook:777_1.
    Show { id: String },
    /// Take a task.
    Claim {
        id: String,
        #[arg(long)]
        by: String,
    },
    /// Close a task; prints the message asking the customer to update their comment.
    Resolve {
        id: String,
        #[arg(long)]
        note: String,
    },
    /// Approve the drafted replies of a task (approval mode): they are sent.
    Approve {
        id: String,
        #[arg(long, default_value = "staff")]
        by: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum FeedbackCommand {
    /// List feedback, newest first.
    List {
        /// Only this platform (default: every configured platform).
        #[arg(long, value_parser = platform)]
        platform: Option<Platform>,
        #[arg(long, value_parser = label())]
        label: Option<Label>,
        /// An RFC 3339 time, a date (2025-11-01) or a duration back from now (24h, 7d, 30m).
        #[arg(long)]
        since: Option<String>,
    },
    /// One item with its messages and task. ID: platform:item.
    Show { id: String },
}

#[derive(Args, Debug, Default)]
pub struct PageSettingsArgs {
    #[arg(long)]
    pub brand: Option<String>,
    /// The language answers default to (a language code, e.g. nl).
    #[arg(long, value_parser = language)]
    pub language: Option<Language>,
    #[arg(long, value_parser = reply_mode())]
    pub mode: Option<ReplyMode>,
    #[arg(long)]
    pub thank_positive: Option<bool>,
    #[arg(long)]
    pub sla_hours: Option<u32>,
    /// `{brand}` may be used, e.g. "– Team {brand}".
    #[arg(long)]
    pub signature: Option<String>,
    /// A contact line added to private messages.
    #[arg(long)]
    pub contact: Option<String>,
    #[arg(long)]
    pub max_age_hours: Option<u32>,
    /// Where the page token is: env:NAME, file:/path or ssm:/name. Never the token itself.
    #[arg(long)]
    pub token_source: Option<String>,
    /// A JSON file overriding reply templates (shape of shared/triage/templates/*.json).
    #[arg(long, value_name = "FILE")]
    pub templates: Option<PathBuf>,
    /// The page was reconnected: clear its "reconnect" flag.
    #[arg(long)]
    pub reconnected: bool,
}

#[derive(Subcommand, Debug)]
pub enum PageCommand {
    /// Set a page's configuration. PAGE: platform:account, e.g. facebook:1029384756.
    Set {
        page: String,
        #[command(flatten)]
        settings: PageSettingsArgs,
    },
    /// A page's configuration, with the defaults filled in.
    Show { page: String },
    /// Every configured page.
    List,
}

/// Authenticate a delivery body as the platform on ROUTE would, with this deployment's own
/// secrets (from the environment, then the env file).
#[derive(Args, Debug)]
pub struct SignArgs {
    /// The platform's webhook route, as in /webhooks/{ROUTE} (e.g. meta).
    pub route: String,
    /// The delivery body (JSON), e.g. infra/samples/comment.json.
    #[arg(long, value_name = "BODY.json")]
    pub file: PathBuf,
    /// Send it instead of printing: a base URL (http://127.0.0.1:3000) or the full webhook
    /// URL (http://127.0.0.1:3000/webhooks/meta).
    #[arg(long)]
    pub url: Option<String>,
    /// Variables used where the environment sets none (KEY=VALUE lines).
    #[arg(long, value_name = "PATH", default_value = LOCAL_ENV)]
    pub env_file: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("feedbackctl").chain(args.iter().copied()))
    }

    #[test]
    fn any_valid_platform_name_is_accepted() {
        let cli = parse(&["feedback", "list", "--platform", "trustpilot"]);
        assert!(
            matches!(
                cli.map(|c| c.command),
                Ok(Command::Feedback(FeedbackCommand::List { platform: Some(p), .. }))
                    if p.as_str() == "trustpilot"
            ),
            "a platform feedbackctl has never heard of is still a valid name"
        );
        assert!(parse(&["feedback", "list", "--platform", "Face Book"]).is_err());
    }

    #[test]
    fn task_status_takes_the_stored_statuses_and_all() {
        for (arg, want) in [
            ("open", StatusFilter::Only(TaskStatus::Open)),
            ("resolved", StatusFilter::Only(TaskStatus::Resolved)),
            ("all", StatusFilter::All),
        ] {
            let got = parse(&["tasks", "list", "--status", arg]).map(|c| c.command);
            assert!(
                matches!(got, Ok(Command::Tasks(TaskCommand::List { status, .. })) if status == want),
                "{arg}"
            );
        }
        assert!(parse(&["tasks", "list", "--status", "closed"]).is_err());
        assert!(matches!(
            parse(&["tasks", "list"]).map(|c| c.command),
            Ok(Command::Tasks(TaskCommand::List {
                status: StatusFilter::Only(TaskStatus::Open),
                ..
            }))
        ));
    }

    #[test]
    fn page_mode_and_language_are_validated_by_their_types() {
        let got = parse(&[
            "pages",
            "set",
            "facebook:1",
            "--mode",
            "dry-run",
            "--language",
            "nl-BE",
        ])
        .map(|c| c.command);
        assert!(matches!(
            got,
            Ok(Command::Pages(PageCommand::Set {
                settings: PageSettingsArgs {
                    mode: Some(ReplyMode::DryRun),
                    language: Some(Language::Nl),
                    ..
                },
                ..
            }))
        ));
        assert!(parse(&["pages", "set", "facebook:1", "--mode", "loud"]).is_err());
        assert!(parse(&["pages", "set", "facebook:1", "--language", "xx"]).is_err());
    }

    #[test]
    fn sign_takes_a_route_and_defaults_to_the_local_env_file() {
        let got = parse(&[
            "sign",
            "meta",
            "--file",
            "body.json",
            "--url",
            "http://127.0.0.1:3000/webhooks/meta",
        ])
        .map(|c| c.command);
        let Ok(Command::Sign(args)) = got else {
            panic!("sign did not parse: {got:?}");
        };
        assert_eq!(args.route, "meta");
        assert_eq!(
            args.url.as_deref(),
            Some("http://127.0.0.1:3000/webhooks/meta")
        );
        assert!(args.env_file.ends_with("local.env"));
    }
}
