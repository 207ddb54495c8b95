//! The local runner: the whole product on this machine with one command.
//!
//! - DynamoDB Local on 127.0.0.1 (started, and installed once, if it does not answer) and
//!   the table from `template.yaml`;
//! - the webhook routes on 127.0.0.1:3000, served by the same handler Lambda runs;
//! - the responder, fed from the table's stream in the event shape Lambda uses, through
//!   the template's own filter;
//! - outgoing platform calls to a dry-run sink (logged, recorded as `dry-run:` ids), or to
//!   `META_GRAPH_API_URL` when set.
//!
//! Configuration comes from the environment, then `infra/local.env`.

mod env;
mod http_server;
mod sink;
mod stream;

use clap::Parser;
use feedback_responder::tokens::TokenProvider;
use feedback_responder::{Responder, ResponderConfig};
use platforms::meta::graph::GraphClient;
use platforms::reply::ReplyClient;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
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
    /// Variables used where the environment sets none.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../local.env"))]
    env_file: PathBuf,
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dynamodb-local.sh");

#[tokio::main]
async fn main() -> ExitCode {
    runtime::init_tracing();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("local-runner: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let vars = env::Vars::load(&args.env_file)?;
    let lookup = vars.lookup();
    let ingest_config = IngestConfig::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let responder_config = ResponderConfig::from_lookup(&lookup).map_err(|e| e.to_string())?;
    let table = ingest_config.table_name.clone();

    let endpoint = format!("http://127.0.0.1:{}", args.dynamodb_port);
    let dynamodb = stream::dynamodb_client(&endpoint);
    stream::ensure_dynamodb_local(&dynamodb, SCRIPT, args.dynamodb_port).await?;
    let definition = store::setup::TableDefinition::deployed().map_err(|e| e.to_string())?;
    store::setup::create_table(&dynamodb, &table, &definition)
        .await
        .map_err(|e| format!("creating table {table}: {}", runtime::error_chain(&e)))?;

    let graph_url = lookup("META_GRAPH_API_URL");
    let replies: Arc<dyn ReplyClient> = match &graph_url {
        Some(_) => Arc::new(GraphClient::new(&responder_config.graph).map_err(|e| e.to_string())?),
        None => Arc::new(sink::DryRunReplies),
    };
    let store = store::DynamoStore::new(dynamodb.clone(), &table);
    let responder = Arc::new(Responder {
        store: store.clone(),
        replies,
        tokens: TokenProvider::new(Arc::new(vars.lookup()), None, None),
        defaults: responder_config.defaults.clone(),
        retry: responder_config.retry.clone(),
    });
    let app = Arc::new(App::new(ingest_config, Arc::new(store)));

    let (stop_tx, stop_rx) = watch::channel(false);
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e} (another runner? use --port)"))?;
    let server = tokio::spawn(http_server::serve(listener, app, stop_rx.clone()));
    let patterns = store::setup::responder_filter_patterns(store::setup::TEMPLATE_YAML)
        .map_err(|e| e.to_string())?;
    let poller = tokio::spawn(stream::feed_responder(
        stream::streams_client(&endpoint),
        dynamodb,
        table.clone(),
        patterns,
        responder,
        stop_rx,
    ));

    let secret = lookup("META_APP_SECRETS").unwrap_or_default();
    let secret = secret
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    println!(
        "\nReputation guard is running locally.\n\
         \n  webhooks   http://{addr}/webhooks/meta   (GET: handshake, POST: signed deliveries)\
         \n  DynamoDB   {endpoint}   table {table}\
         \n  replies    {}\
         \n  secrets    app secret and verify token from {}\
         \n\nTry it (another terminal):\
         \n  cargo run -q -p feedbackctl -- sign meta --secret {secret} --file infra/samples/comment.json --url http://{addr}/webhooks/meta\
         \n  cargo run -q -p feedbackctl -- --local tasks list\
         \n\nCtrl-C stops.\n",
        match &graph_url {
            Some(url) => format!("sent to the Graph API at {url}"),
            None => "dry-run sink: logged here, recorded with dry-run: ids (set META_GRAPH_API_URL to send)".to_owned(),
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
    println!("stopped (DynamoDB Local keeps running: infra/dynamodb-local.sh stop)");
    Ok(())
}
