//! The local runner: the whole product on this machine with one command.
//!
//! - DynamoDB Local on 127.0.0.1 (started, and installed once, if it does not answer) and
//!   the table from `template.yaml`;
//! - the webhook routes of every configured platform on 127.0.0.1:3000, served by the
//!   same handler Lambda runs;
//! - the staff inbox on the same port (`/inbox`, `/api/*`): the tasks API's handler with
//!   a local sign-in instead of Cognito ([`inbox`]);
//! - the responder, fed from the table's stream in the event shape Lambda uses, through
//!   the template's own filter;
//! - the SLA sweeper every `LOCAL_SWEEP_SECONDS` (10): escalations, update requests,
//!   closing, notifications;
//! - the review poller every `LOCAL_POLL_SECONDS` (30) when `REVIEW_POLL_SOURCES` names
//!   apps: their stores' reviews (from `infra/sandbox/` locally) into the table;
//! - outgoing platform calls and notifications to a dry-run sink (logged, recorded as
//!   `dry-run:` ids), or, with `LOCAL_REPLIES=send`, to each platform's configured API and
//!   each page's notification targets.
//!
//! Configuration comes from the environment, then `infra/local.env`.

mod http_server;
mod inbox;
mod review_poller;
mod sandbox;
mod sink;
mod stream;
mod sweeper;

use clap::Parser;
use feedback_responder::{Responder, ResponderConfig};
use platforms::reply::{Outbound, OutboundPlatform};
use service::credentials::Credentials;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use store::local::LocalDynamo;
use tokio::sync::watch;
use webhook_ingest::{App, IngestConfig};

#[derive(Parser, Debug)]
#[command(name = "local-runner", about = "Run the reputation guard locally.")]
struct Args {
    /// Port of the webhook routes (always on 127.0.0.1).
    #[arg(long, env = "LOCAL_PORT", default_value_t = 3000)]
    port: u16,
    /// Port of DynamoDB Local (always on 127.0.0.1).
    #[arg(long, env = "DYNAMODB_LOCAL_PORT", default_value_t = 8000)]
    dynamodb_port: u16,
    /// Port of the platform API stand-in serving `infra/sandbox/` (always on 127.0.0.1).
    #[arg(long, env = "LOCAL_SANDBOX_PORT", default_value_t = 3001)]
    sandbox_port: u16,
    /// Seconds between two runs of the review poller.
    #[arg(long, env = "LOCAL_POLL_SECONDS", default_value_t = 30)]
    poll_seconds: u64,
    /// Seconds between two runs of the SLA sweeper.
    #[arg(long, env = "LOCAL_SWEEP_SECONDS", default_value_t = 10)]
    sweep_seconds: u64,
    /// Variables used where the environment sets none.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../local.env"))]
    env_file: PathBuf,
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dynamodb-local.sh");
const SANDBOX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox");

#[tokio::main]
async fn main() -> ExitCode {
    logging::init_tracing();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("local-runner: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every platform's outbound half with its client wrapped in the dry-run sink: reads go
/// to the platform's API, writes are only logged.
fn dry_run(outbound: &Outbound) -> Outbound {
    outbound
        .platforms()
        .filter_map(|p| outbound.get(p))
        .fold(Outbound::new(), |out, p| {
            out.with(OutboundPlatform {
                client: p.client.as_ref().map(|reads| {
                    Arc::new(sink::DryRunReplies {
                        reads: Arc::clone(reads),
                    }) as _
                }),
                ..p.clone()
            })
        })
}

async fn run(args: Args) -> Result<(), String> {
    let vars = logging::local_env::LocalEnv::load(&args.env_file)?;
    let lookup = vars.lookup();
    let ingest_config = IngestConfig::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let responder_config = ResponderConfig::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let sweeper_config =
        sla_sweeper::SweeperConfig::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let table = ingest_config.table_name.clone();

    let dynamo = LocalDynamo::on_port(args.dynamodb_port);
    dynamo
        .ensure_running(Path::new(SCRIPT), args.dynamodb_port)
        .await?;
    dynamo
        .create_table(&table)
        .await
        .map_err(|e| format!("creating table {table}: {}", logging::error_chain(&e)))?;

    let send = lookup("LOCAL_REPLIES").as_deref() == Some("send");
    let outbound = if send {
        responder_config.outbound.clone()
    } else {
        dry_run(&responder_config.outbound)
    };
    let store = dynamo.store(&table);
    let notifier: Arc<dyn sla_sweeper::deliver::Notifier> = if send {
        Arc::new(
            sla_sweeper::deliver::HttpNotifier::new(sweeper_config.delivery.timeout)
                .map_err(|e| format!("the notification client: {e}"))?,
        )
    } else {
        Arc::new(sla_sweeper::deliver::DryRunNotifier)
    };
    let sweeper = Arc::new(sla_sweeper::Sweeper::new(
        store.clone(),
        outbound.clone(),
        Credentials::local(vars.lookup()),
        notifier,
        sweeper_config,
    ));
    let responder = Arc::new(Responder {
        store: Arc::new(store.clone()),
        outbound,
        credentials: Credentials::local(vars.lookup()),
        defaults: responder_config.defaults.clone(),
        retry: responder_config.retry.clone(),
        templates: responder_config.templates.clone(),
    });
    let routes: Vec<&str> = ingest_config.platforms.routes().collect();
    let inbox = Arc::new(inbox::Inbox::new(store.clone(), vars.lookup())?);
    let app = Arc::new(App::new(ingest_config.platforms.clone(), Arc::new(store)));

    let (stop_tx, stop_rx) = watch::channel(false);
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e} (another runner? use --port)"))?;
    let server = tokio::spawn(http_server::serve(listener, app, inbox, stop_rx.clone()));
    let sandbox_addr = SocketAddr::from(([127, 0, 0, 1], args.sandbox_port));
    let sandbox_listener = tokio::net::TcpListener::bind(sandbox_addr)
        .await
        .map_err(|e| format!("cannot listen on {sandbox_addr}: {e} (use --sandbox-port)"))?;
    let sandbox = tokio::spawn(sandbox::serve(
        sandbox_listener,
        PathBuf::from(SANDBOX),
        stop_rx.clone(),
    ));
    let patterns = store::setup::responder_filter_patterns(store::setup::TEMPLATE_YAML)
        .map_err(|e| e.to_string())?;
    let stream = dynamo.stream(&table).await.map_err(|e| {
        format!(
            "reading the stream of {table}: {}",
            logging::error_chain(&e)
        )
    })?;
    let poller = tokio::spawn(stream::feed_responder(
        stream,
        patterns,
        responder,
        stop_rx.clone(),
    ));
    let poll_config =
        ::review_poller::config::PollerConfig::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let sources: Vec<String> = poll_config
        .sources
        .iter()
        .map(ToString::to_string)
        .collect();
    let polls = (!sources.is_empty()).then(|| {
        let keys = service::credentials::Credentials::local(vars.lookup());
        let poller = ::review_poller::poller(poll_config, dynamo.store(&table), keys);
        tokio::spawn(review_poller::run(
            Arc::new(poller),
            std::time::Duration::from_secs(args.poll_seconds.max(1)),
            stop_rx.clone(),
        ))
    });
    let sweeps = tokio::spawn(sweeper::run(
        sweeper,
        std::time::Duration::from_secs(args.sweep_seconds.max(1)),
        stop_rx,
    ));

    let webhooks: String = routes
        .iter()
        .map(|r| format!("\n  webhooks   http://{addr}/webhooks/{r}"))
        .collect();
    let first = routes.first().copied().unwrap_or("meta");
    println!(
        "\nReputation guard is running locally.\n{webhooks}\
         \n  inbox      http://{addr}/inbox   (local sign-in: any name, this run only)\
         \n  DynamoDB   {}   table {table}\
         \n  sandbox    http://{sandbox_addr}   platform API stand-in serving infra/sandbox/\
         \n  replies    {}\
         \n  sweeper    every {}s: escalations, update requests, notifications\
         \n  poller     {}\
         \n  secrets    from the environment, then {}\
         \n\nTry it (another terminal):\
         \n  cargo run -q -p feedbackctl -- sign {first} --file infra/samples/comment.json --url http://{addr}\
         \n  cargo run -q -p feedbackctl -- --local tasks list\
         \n\nCtrl-C stops.\n",
        dynamo.endpoint(),
        if send {
            "sent to each platform's API (LOCAL_REPLIES=send)".to_owned()
        } else {
            "dry-run sink: logged here, recorded with dry-run: ids (LOCAL_REPLIES=send to send)"
                .to_owned()
        },
        args.sweep_seconds.max(1),
        if sources.is_empty() {
            "off (REVIEW_POLL_SOURCES names no app)".to_owned()
        } else {
            format!(
                "every {}s: {}",
                args.poll_seconds.max(1),
                sources.join(", ")
            )
        },
        args.env_file.display(),
    );

    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("waiting for Ctrl-C: {e}"))?;
    println!("stopping…");
    let _ = stop_tx.send(true);
    let _ = server.await;
    let _ = poller.await;
    let _ = sweeps.await;
    if let Some(polls) = polls {
        let _ = polls.await;
    }
    let _ = sandbox.await;
    println!("stopped (DynamoDB Local keeps running: infra/dynamodb-local.sh stop)");
    Ok(())
}
