//! The command line.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use feedback::Platform;
use feedback::page::{Boldness, ReplyMode};
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

// Parsed once per run: the size of the page settings does not matter.
#[allow(clippy::large_enum_variant)]
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
    /// Complaint themes and response times, as a table, JSON or a chart.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Everything held about one author: export it, or erase it.
    #[command(subcommand)]
    Gdpr(GdprCommand),
    /// The review sources the poller reads (apps on a store): each one's cursor, last run
    /// and next poll.
    Sources,
}

/// Which tasks `tasks list` shows: one status, the ones not yet resolved, or all.
pub use staff::tasks::StatusFilter;

/// Every stored task status, `active` (open and claimed) and `all`.
fn status_filter() -> impl TypedValueParser<Value = StatusFilter> {
    PossibleValuesParser::new(
        TaskStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(["active", "all"]),
    )
    .try_map(|s| StatusFilter::parse(&s).ok_or_else(|| format!("unknown task status {s:?}")))
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

fn boldness() -> impl TypedValueParser<Value = Boldness> {
    PossibleValuesParser::new(Boldness::ALL.map(Boldness::as_str))
        .try_map(|s| Boldness::parse(&s).ok_or_else(|| format!("unknown boldness {s:?}")))
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

/// Who does it. On AWS, always the caller's AWS identity (never typed); with `--local` or
/// `--endpoint-url`, `--by NAME`, else the user name of this session (`$USER`).
#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct By {
    /// Who does it, with --local or --endpoint-url only (default: $USER). On AWS it is
    /// your AWS identity.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// List tasks, soonest due first.
    List {
        /// A status, `active` (open and claimed: what still needs doing) or `all`.
        #[arg(long, default_value = "active", value_parser = status_filter())]
        status: StatusFilter,
        /// Only tasks past their due time.
        #[arg(long)]
        overdue: bool,
        /// Only this page (account id, or platform:account).
        #[arg(long, value_name = "PAGE")]
        page: Option<String>,
    },
    /// A task with its feedback, messages and history. ID: platform:item, e.g.
    /// facebook:777_1.
    Show { id: String },
    /// Take an open task (nobody else can while you hold it).
    Claim {
        id: String,
        #[command(flatten)]
        by: By,
    },
    /// Settle a task: the customer is asked to update their comment or review after a
    /// delay (privately where the platform allows it, otherwise as a step for you).
    Resolve {
        id: String,
        /// What was done (kept on the task).
        #[arg(long)]
        note: String,
        #[command(flatten)]
        by: By,
    },
    /// Give up an open or claimed task, with why.
    Drop {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        by: By,
    },
    /// Open a task again (give a claim back, a case that came back, a mistaken drop).
    Reopen {
        id: String,
        #[arg(long)]
        note: Option<String>,
        /// Due this many hours from now (default: the page's SLA).
        #[arg(long, value_name = "HOURS")]
        due_in: Option<u32>,
        #[command(flatten)]
        by: By,
    },
    /// Close a task whose customer was asked to update their review (the sweeper closes
    /// them by itself after a while).
    Close {
        id: String,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        by: By,
    },
    /// Every change of a task: who, when, what, and their note.
    History { id: String },
    /// Approve the drafted replies of a task (approval mode): they are sent.
    Approve {
        id: String,
        #[command(flatten)]
        by: By,
    },
}

#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct ReportArgs {
    /// The period: an RFC 3339 time, a date (2025-11-01) or a duration back from now
    /// (30d, 24h). It is compared with the period of the same length before it.
    #[arg(long, default_value = "30d")]
    pub since: String,
    /// Only this page (account id, or platform:account).
    #[arg(long, value_name = "PAGE")]
    pub page: Option<String>,
    /// Also draw the report as an SVG chart into FILE.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Complaints per theme in the period, beside the period before (the trend).
    Themes(ReportArgs),
    /// Time to the first public reply (median, 90th percentile) and the share of tasks
    /// resolved within their SLA.
    Response(ReportArgs),
}

#[derive(Subcommand, Debug)]
pub enum GdprCommand {
    /// Everything held about an author, as JSON.
    Export {
        #[command(flatten)]
        author: AuthorArgs,
    },
    /// Erase an author's personal data everywhere it is kept (counts are kept, and a
    /// record that it was done). Without --yes, only says what would be erased.
    Erase {
        #[command(flatten)]
        author: AuthorArgs,
        /// Really erase.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        by: By,
    },
}

/// Who the author is: by id where the platform gives one, else by an item or a name.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct AuthorArgs {
    /// The platform's author id: facebook:5550001; a Standard Webhooks author with their
    /// source, standard:SOURCE:AUTHOR_ID (ids are per source). Google gives no author id.
    #[arg(long, value_name = "PLATFORM:ID")]
    pub author: Option<String>,
    /// The author of one item: a Google review by its name,
    /// google:accounts/…/locations/…/reviews/….
    #[arg(long, value_name = "PLATFORM:ITEM")]
    pub item: Option<String>,
    /// Every item by the author shown by this name (any case): google:"Piet de Boer".
    /// Names are not unique: check the export (or the erase without --yes) first.
    #[arg(long, value_name = "PLATFORM:NAME")]
    pub name: Option<String>,
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
    /// Notifications to a Slack incoming webhook (a secret URL; "" removes it).
    #[arg(long, value_name = "URL")]
    pub notify_slack_url: Option<String>,
    /// Notifications to a Microsoft Teams incoming webhook ("" removes it).
    #[arg(long, value_name = "URL")]
    pub notify_teams_url: Option<String>,
    /// Notifications to any URL as signed Standard Webhooks events ("" removes it).
    #[arg(long, value_name = "URL")]
    pub notify_webhook_url: Option<String>,
    /// The whsec_ key those events are signed with, or `new` to make one (printed once).
    #[arg(long, value_name = "whsec_…|new")]
    pub notify_webhook_secret: Option<String>,
    /// Post a short public note under the original comment or review once its task is
    /// resolved.
    #[arg(long)]
    pub resolved_reply: Option<bool>,
    /// Hours after a task is resolved before the customer is asked to update their review.
    #[arg(long, value_name = "HOURS")]
    pub update_request_delay_hours: Option<u32>,
    /// When an unsure item (praise beside a complaint, irony, stars against the words) is
    /// held for a person instead of answered: cautious holds every disagreement, balanced
    /// (the default) what could be read two ways, bold only what could be posted wrongly.
    #[arg(long, value_parser = boldness())]
    pub boldness: Option<Boldness>,
    /// A spike is at least this many complaints about one theme in an hour (default 5) …
    #[arg(long, value_name = "N")]
    pub spike_min_complaints: Option<u32>,
    /// … and at least this many times the page's usual count for that hour (default 3).
    #[arg(long, value_name = "N")]
    pub spike_factor: Option<u32>,
    /// Hold every automatic reply when a spike starts (default true); false: alert only.
    #[arg(long)]
    pub spike_hold: Option<bool>,
    /// `off`: end the page's crisis (a person's decision; held drafts stay for approval).
    #[arg(long, value_parser = ["off"])]
    pub crisis: Option<String>,
    /// Who ends the crisis, with --local or --endpoint-url only (default: $USER).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

// Parsed once per run: the size of the settings variant does not matter.
#[allow(clippy::large_enum_variant)]
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
    /// Whether each page's token is stored and accepted by its platform (one call that
    /// changes nothing), before the page is subscribed. Exits non-zero when a page is not
    /// ready. The token is never printed.
    Check {
        /// platform:account (default: every configured page).
        page: Option<String>,
        /// The stack whose SSM parameters hold the page tokens (/STACK/pages/PLATFORM/ACCOUNT)
        /// and the reply clients' secrets (/STACK/secrets/…), as the responder reads them.
        /// Needed on AWS; without it (--local, --endpoint-url) tokens come from the
        /// environment and the env file.
        #[arg(long, env = "STACK_NAME", value_name = "STACK")]
        stack: Option<String>,
        /// Variables for the reply clients where the environment sets none (KEY=VALUE
        /// lines); with --local, infra/local.env by default.
        #[arg(long, value_name = "PATH")]
        env_file: Option<PathBuf>,
    },
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
    /// Send the file's times as written. By default every time in it is moved so the
    /// newest is a minute ago, so a sample works on any day (a review dated last month
    /// would be skipped as too old).
    #[arg(long)]
    pub keep_times: bool,
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
    fn task_status_takes_the_stored_statuses_active_and_all() {
        for (arg, want) in [
            ("open", StatusFilter::Only(TaskStatus::Open)),
            ("claimed", StatusFilter::Only(TaskStatus::Claimed)),
            ("resolved", StatusFilter::Only(TaskStatus::Resolved)),
            (
                "update_requested",
                StatusFilter::Only(TaskStatus::UpdateRequested),
            ),
            ("closed", StatusFilter::Only(TaskStatus::Closed)),
            ("dropped", StatusFilter::Only(TaskStatus::Dropped)),
            ("active", StatusFilter::Active),
            ("all", StatusFilter::All),
        ] {
            let got = parse(&["tasks", "list", "--status", arg]).map(|c| c.command);
            assert!(
                matches!(got, Ok(Command::Tasks(TaskCommand::List { status, .. })) if status == want),
                "{arg}"
            );
        }
        assert!(parse(&["tasks", "list", "--status", "done"]).is_err());
        assert!(matches!(
            parse(&["tasks", "list"]).map(|c| c.command),
            Ok(Command::Tasks(TaskCommand::List {
                status: StatusFilter::Active,
                ..
            }))
        ));
        assert!(StatusFilter::Active.matches(TaskStatus::Claimed));
        assert!(!StatusFilter::Active.matches(TaskStatus::Resolved));
    }

    #[test]
    fn by_is_only_what_was_typed_so_on_aws_it_can_be_refused() {
        let got = parse(&["tasks", "claim", "facebook:1", "--by", "anna"]).map(|c| c.command);
        assert!(
            matches!(&got, Ok(Command::Tasks(TaskCommand::Claim { by, .. })) if by.by.as_deref() == Some("anna")),
            "{got:?}"
        );
        // $USER is not read here: who acts is decided when it is known where the table is.
        let got = parse(&["tasks", "claim", "facebook:1"]).map(|c| c.command);
        assert!(
            matches!(&got, Ok(Command::Tasks(TaskCommand::Claim { by, .. })) if by.by.is_none()),
            "{got:?}"
        );
        assert!(
            parse(&["tasks", "drop", "facebook:1", "--by", "anna"]).is_err(),
            "a drop needs a reason"
        );
    }

    #[test]
    fn reports_default_to_the_last_30_days() {
        let got = parse(&["report", "themes", "--chart", "themes.svg"]).map(|c| c.command);
        let Ok(Command::Report(ReportCommand::Themes(args))) = got else {
            panic!("report themes did not parse: {got:?}");
        };
        assert_eq!(args.since, "30d");
        assert_eq!(
            args.chart.as_deref(),
            Some(std::path::Path::new("themes.svg"))
        );
        assert!(parse(&["report", "response", "--page", "facebook:1"]).is_ok());
    }

    #[test]
    fn gdpr_takes_an_author() {
        assert!(parse(&["gdpr", "export", "--author", "facebook:5550001"]).is_ok());
        assert!(
            parse(&[
                "gdpr",
                "erase",
                "--author",
                "facebook:5550001",
                "--by",
                "dpo",
                "--yes"
            ])
            .is_ok()
        );
        assert!(parse(&["gdpr", "export"]).is_err());
        assert!(parse(&["gdpr", "export", "--name", "google:Piet de Boer"]).is_ok());
        assert!(
            parse(&[
                "gdpr",
                "export",
                "--item",
                "google:accounts/1/locations/2/reviews/3"
            ])
            .is_ok()
        );
        assert!(
            parse(&[
                "gdpr",
                "export",
                "--author",
                "facebook:1",
                "--name",
                "facebook:Anke"
            ])
            .is_err(),
            "one way to name the author"
        );
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
    fn pages_check_takes_an_optional_page() {
        assert!(matches!(
            parse(&["pages", "check"]).map(|c| c.command),
            Ok(Command::Pages(PageCommand::Check { page: None, .. }))
        ));
        assert!(matches!(
            parse(&["pages", "check", "facebook:1", "--stack", "guard"]).map(|c| c.command),
            Ok(Command::Pages(PageCommand::Check { page: Some(p), stack: Some(s), .. }))
                if p == "facebook:1" && s == "guard"
        ));
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
