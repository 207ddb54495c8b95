//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Use DynamoDB Local on 127.0.0.1:8000 (dummy credentials).
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
    /// Print (or send) a correctly signed test delivery.
    #[command(subcommand)]
    Sign(SignCommand),
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum TaskStatus {
    Open,
    Resolved,
    All,
}

#[derive(Subcommand, Debug)]
pub enum TaskCommand {
    /// List tasks, soonest due first.
    List {
        #[arg(long, value_enum, default_value = "open")]
        status: TaskStatus,
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
        #[arg(long, value_parser = ["facebook", "instagram"])]
        platform: Option<String>,
        #[arg(long, value_parser = ["negative", "question", "neutral", "positive", "spam", "abusive"])]
        label: Option<String>,
        /// An RFC 3339 time, a date (2025-11-01) or a duration back from now (24h, 7d).
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
    #[arg(long, value_parser = ["nl", "en", "fr", "de", "es"])]
    pub language: Option<String>,
    #[arg(long, value_parser = ["auto", "approval", "dry-run"])]
    pub mode: Option<String>,
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
    Show {
        page: String,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum SignCommand {
    /// Sign a Meta delivery body with an app secret (X-Hub-Signature-256).
    Meta {
        #[arg(long, env = "META_APP_SECRET")]
        secret: String,
        #[arg(long, value_name = "BODY.json")]
        file: PathBuf,
        /// Send it there (e.g. http://127.0.0.1:3000/webhooks/meta) instead of printing.
        #[arg(long)]
        url: Option<String>,
    },
}
