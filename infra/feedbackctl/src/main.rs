//! `feedbackctl`: follow-up tasks, feedback and page configuration in the feedback table,
//! locally (`--local`: DynamoDB Local on 127.0.0.1) or in an AWS account (the standard AWS
//! environment and profiles); and `sign ROUTE` for correctly authenticated test deliveries.

mod chart;
mod cli;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("feedbackctl: {message}");
            ExitCode::FAILURE
        }
    }
}
