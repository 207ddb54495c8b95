use crate::dynamodb::TestTable;
use crate::meta::{ingest_app, page_delivery, signed_delivery};
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use feedback_responder::config::RetryPolicy;
use feedback_responder::{Responder, handle};
use platforms::meta::graph::{GraphClient, GraphConfig};
use platforms::reply::Outbound;
use service::credentials::Credentials;
use std::sync::Arc;
use std::time::Duration;
use triage::{Language, PageSettings, TemplateSet};
use wiremock::MockServer;

pub const PAGE_ID: &str = "1029384756";
pub const PAGE_TOKEN: &str = "test-page-token";

/// The Meta outbound halves, calling the Graph API at `graph`.
pub fn meta_outbound(graph: &MockServer) -> Outbound {
    let client = GraphClient::new(&GraphConfig {
        base_url: graph.uri(),
        timeout: Duration::from_millis(400),
        ..GraphConfig::default()
    })
    .unwrap();
    platforms::meta::graph::outbound(Arc::new(client))
        .into_iter()
        .fold(Outbound::new(), Outbound::with)
}

/// A responder on `store`, answering through `outbound` with `credentials`.
pub fn responder_on(
    store: Arc<dyn store::ResponderStore>,
    outbound: Outbound,
    credentials: Credentials,
    defaults: PageSettings,
) -> Responder {
    Responder {
        store,
        outbound,
        credentials,
        defaults,
        retry: RetryPolicy {
            backoff: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
        templates: TemplateSet::builtin().unwrap(),
    }
}

/// A responder on `table`, calling the Graph API at `graph`, with a token for the page.
pub fn responder(table: &TestTable, graph: &MockServer, defaults: PageSettings) -> Responder {
    let credentials =
        Credentials::local(|k| (k == "META_PAGE_TOKEN").then(|| PAGE_TOKEN.to_owned()));
    responder_on(
        Arc::new(table.store()),
        meta_outbound(graph),
        credentials,
        defaults,
    )
}

pub fn dutch_page() -> PageSettings {
    PageSettings {
        brand_name: "Bakkerij Zon".into(),
        default_language: Language::Nl,
        ..PageSettings::default()
    }
}

/// Store a delivery through the ingest handler, as Meta would.
pub async fn ingest(table: &TestTable, changes: Vec<serde_json::Value>) {
    let app = ingest_app(Arc::new(table.store()));
    let res = webhook_ingest::handle(&app, signed_delivery(&page_delivery(changes)))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// The stream event Lambda would deliver for new feedback items (platform, item id),
/// numbered from `first_sequence`.
pub fn stream_event(
    items: &[(&str, &str)],
    first_sequence: u64,
) -> lambda_runtime::LambdaEvent<Event> {
    let keys: Vec<(String, String, &str)> = items
        .iter()
        .map(|(platform, item)| {
            (
                format!("feedback#{platform}#{item}"),
                "feedback".to_owned(),
                "feedback",
            )
        })
        .collect();
    stream_event_of(&keys, first_sequence)
}

/// The stream event for arbitrary new records: (pk, sk, record_type).
pub fn stream_event_of(
    keys: &[(String, String, &str)],
    first_sequence: u64,
) -> lambda_runtime::LambdaEvent<Event> {
    let records: Vec<_> = keys
        .iter()
        .enumerate()
        .map(|(i, (pk, sk, record_type))| {
            serde_json::json!({
                "eventID": format!("ev-{i}"),
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "eu-west-1",
                "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/feedback/stream/2025-11-23T00:00:00.000",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1763900000,
                    "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
                    "NewImage": {"pk": {"S": pk}, "sk": {"S": sk}, "record_type": {"S": record_type}},
                    "SequenceNumber": (first_sequence + i as u64).to_string(),
                    "SizeBytes": 120,
                    "StreamViewType": "NEW_AND_OLD_IMAGES"
                }
            })
        })
        .collect();
    let event: Event = serde_json::from_value(serde_json::json!({ "Records": records })).unwrap();
    lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default())
}

pub async fn run(
    responder: &Responder,
    items: &[(&str, &str)],
    first_sequence: u64,
) -> DynamoDbEventResponse {
    handle(responder, stream_event(items, first_sequence))
        .await
        .unwrap()
}

/// The stream hands the new feedback `item` on `platform` to `responder` as record
/// `sequence`, and no record fails.
pub async fn answer(responder: &Responder, platform: &str, item: &str, sequence: u64) {
    let res = run(responder, &[(platform, item)], sequence).await;
    assert!(res.batch_item_failures.is_empty(), "{res:?}");
}

pub use crate::mock::received as calls;

/// A Graph API that accepts every public and private reply.
pub async fn accepting_graph() -> MockServer {
    use crate::mock::Answer;
    use serde_json::json;
    use wiremock::Mock;
    use wiremock::matchers::{method, path, path_regex};
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/v26\.0/[^/]+/(comments|replies)$"))
        .answer(200, json!({"id": "reply_1"}), &graph)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PAGE_ID}/messages")))
        .answer(
            200,
            json!({"recipient_id": "5550001", "message_id": "m_1"}),
            &graph,
        )
        .await;
    no_replies_yet(&graph).await;
    graph
}

/// `graph` answers every read of an item's replies with none: nothing was posted before.
pub async fn no_replies_yet(graph: &MockServer) {
    use crate::mock::Answer;
    use wiremock::Mock;
    use wiremock::matchers::method;
    Mock::given(method("GET"))
        .answer(200, serde_json::json!({"data": []}), graph)
        .await;
}

/// The key of a Facebook comment.
pub fn key(item: &str) -> store::FeedbackKey {
    key_on(platforms::meta::FACEBOOK, item)
}

/// The key of `item` on `platform`.
pub fn key_on(platform: feedback::Platform, item: &str) -> store::FeedbackKey {
    store::FeedbackKey {
        platform,
        item_id: feedback::ItemId::parse(item).unwrap(),
    }
}

/// The text a Graph API request posted (a comment's `message`, a message's `text`).
pub fn text_of(request: &wiremock::Request) -> String {
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    body.get("message")
        .and_then(|m| {
            m.as_str()
                .map(str::to_owned)
                .or_else(|| m.get("text").and_then(|t| t.as_str()).map(str::to_owned))
        })
        .unwrap_or_default()
}

/// One line starts what a responder test needs: a fresh table, a Graph API, and a
/// responder for a Dutch page answering there.
pub struct MetaWorld {
    pub table: TestTable,
    pub graph: MockServer,
    pub responder: Responder,
}

impl MetaWorld {
    /// A Graph API accepting every reply.
    pub async fn accepting() -> Self {
        Self::on(accepting_graph().await, dutch_page()).await
    }

    /// `graph` (mount its answers first) and pages without their own settings read as
    /// `defaults`.
    pub async fn on(graph: MockServer, defaults: PageSettings) -> Self {
        let table = TestTable::new().await;
        let responder = responder(&table, &graph, defaults);
        Self {
            table,
            graph,
            responder,
        }
    }

    /// A Graph API that must not be called at all ([`MetaWorld::verify`] checks), and pages
    /// read as `defaults`.
    pub async fn silent(defaults: PageSettings) -> Self {
        let graph = MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(wiremock::ResponseTemplate::new(200))
            .expect(0)
            .mount(&graph)
            .await;
        Self::on(graph, defaults).await
    }

    /// A comment on the page, delivered as Meta delivers it.
    pub async fn comment(&self, item: &str, text: &str) {
        self.deliver(vec![crate::meta::facebook_comment(item, "add", Some(text))])
            .await;
    }

    /// `changes` delivered as Meta delivers them.
    pub async fn deliver(&self, changes: Vec<serde_json::Value>) {
        ingest(&self.table, changes).await;
    }

    /// Its stream record handed to the responder.
    pub async fn respond(&self, item: &str, sequence: u64) -> DynamoDbEventResponse {
        self.respond_all(&[item], sequence).await
    }

    /// The stream records of these Facebook comments handed to the responder in one batch,
    /// numbered from `first_sequence`.
    pub async fn respond_all(&self, items: &[&str], first_sequence: u64) -> DynamoDbEventResponse {
        let items: Vec<(&str, &str)> = items.iter().map(|item| ("facebook", *item)).collect();
        run(&self.responder, &items, first_sequence).await
    }

    /// The approval of `item`'s drafts, as the stream hands it to the responder.
    pub async fn respond_to_approval(&self, item: &str, sequence: u64) {
        let approval = self
            .table
            .items_of_type("approval")
            .await
            .into_iter()
            .next()
            .expect("an approval record");
        let sk = crate::dynamodb::str_attr(&approval, "sk")
            .unwrap()
            .to_owned();
        let event = stream_event_of(&[(key(item).pk(), sk, "approval")], sequence);
        handle(&self.responder, event).await.unwrap();
    }

    /// The public reply to `item` (there must be one).
    pub async fn public_message(&self, item: &str) -> store::messages::OutgoingMessage {
        self.table.message(&key(item), store::Channel::Public).await
    }

    /// The task of `item` (there must be one).
    pub async fn task(&self, item: &str) -> store::views::TaskView {
        self.table.task(&key(item)).await
    }

    /// The replies posted under `item`.
    pub async fn replies_to(&self, item: &str) -> Vec<wiremock::Request> {
        self.calls("POST", &format!("/{item}/comments")).await
    }

    /// The private messages sent.
    pub async fn messages(&self) -> Vec<wiremock::Request> {
        self.calls("POST", "/messages").await
    }

    /// The Graph API's expectations are met (a silent one was not called).
    pub async fn verify(&self) {
        self.graph.verify().await;
    }

    /// Requests to the Graph API with this method whose path ends with `suffix`.
    pub async fn calls(&self, method: &str, suffix: &str) -> Vec<wiremock::Request> {
        calls(&self.graph, method, suffix).await
    }
}

/// `message` is in `state`, and (when it was sent) known on the platform as `id`.
#[track_caller]
pub fn assert_message(
    message: &store::messages::OutgoingMessage,
    state: store::MessageState,
    id: Option<&str>,
) {
    assert_eq!(
        (message.state, message.platform_message_id.as_deref()),
        (state, id),
        "{message:?}"
    );
}

/// The Graph API requests posting a reply under `item`, to answer in a test.
pub fn reply_under(item: &str) -> wiremock::MockBuilder {
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(format!("/v26.0/{item}/comments")))
}

/// The body of a Graph API error.
pub fn graph_error(message: &str, code: u32) -> serde_json::Value {
    serde_json::json!({"error": {"message": message, "code": code}})
}
