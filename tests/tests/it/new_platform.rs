//! The proof that the core is platform-neutral: a review platform defined only here (its
//! webhook, its reply client, its capabilities: no private channel, star ratings, items
//! fetched by id, OAuth tokens) goes through ingest → responder → task against DynamoDB
//! Local, and `feedbackctl` lists its task, without a line of triage, the responder, the
//! store or feedbackctl knowing it.

use async_trait::async_trait;
use feedback::capabilities::{
    AuthorNames, Capabilities, PrivateChannel, PublicReplies, TextLimit, WebhookContent,
};
use feedback::{
    AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Platform, Rating,
};
use platforms::registry::Registry;
use platforms::reply::{
    AccessToken, FetchedItem, Outbound, OutboundPlatform, PostedReply, ReplyClient, ReplyError,
    ReplyTarget,
};
use platforms::{
    InboundRequest, ParsedDelivery, Unsupported, VerifiedDelivery, VerifyError, WebhookPlatform,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use service::credentials::Credentials;
use std::sync::{Arc, Mutex};
use store::{Channel, FeedbackKey, TaskChannel};
use time::OffsetDateTime;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer};
use workspace_tests::dynamodb::{TestTable, stars_history};
use workspace_tests::meta::webhook_post;
use workspace_tests::mock::with_bearer;
use workspace_tests::mock::{Answer, received};
use workspace_tests::responder::{dutch_page, responder_on, stream_event};
use workspace_tests::runner::{CliRun, feedbackctl};
use workspace_tests::sweeper::send_api_call;

const STARS: Platform = Platform::from_static("stars");
const TOKEN_HEADER: &str = "x-stars-token";
const WEBHOOK_TOKEN: &str = "stars-webhook-token";

/// The webhook half: a shared token in a header; deliveries name a review by id only.
struct StarsWebhooks {
    token: SecretString,
}

#[async_trait]
impl WebhookPlatform for StarsWebhooks {
    fn route(&self) -> &'static str {
        "stars"
    }

    async fn verify<'r>(
        &self,
        request: &'r InboundRequest,
        _now: OffsetDateTime,
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        match request.single_header(TOKEN_HEADER) {
            Ok(Some(token)) if platforms::signature::token_matches(token, &self.token) => {
                Ok(VerifiedDelivery::new("stars", request))
            }
            Ok(None) => Err(VerifyError::MissingSignature("X-Stars-Token")),
            _ => Err(VerifyError::BadCredential),
        }
    }

    fn parse(
        &self,
        delivery: &VerifiedDelivery<'_>,
        received_at: OffsetDateTime,
    ) -> ParsedDelivery {
        let mut out = ParsedDelivery::default();
        let event: Value = match serde_json::from_slice(delivery.body()) {
            Ok(v) => v,
            Err(e) => {
                out.unsupported.push(Unsupported {
                    reason: format!("not JSON: {e}"),
                });
                return out;
            }
        };
        let verb = match event["event"].as_str() {
            Some("review.created") => ChangeVerb::Added,
            Some("review.updated") => ChangeVerb::Edited,
            other => {
                out.unsupported.push(Unsupported {
                    reason: format!("event {other:?} is not handled"),
                });
                return out;
            }
        };
        let (Some(id), Some(location)) = (
            event["review_id"]
                .as_str()
                .and_then(|i| ItemId::parse(i).ok()),
            event["location"]
                .as_str()
                .and_then(|l| AccountId::parse(l).ok()),
        ) else {
            out.unsupported.push(Unsupported {
                reason: "review_id or location missing".into(),
            });
            return out;
        };
        out.changes.push(FeedbackChange {
            verb,
            feedback: Feedback {
                platform: STARS,
                account_id: location,
                item_id: id,
                thread_id: None,
                parent_id: None,
                author_id: None,
                author_name: None,
                text: None,
                rating: event["stars"]
                    .as_u64()
                    .and_then(|s| u8::try_from(s).ok())
                    .and_then(|s| Rating::new(s).ok()),
                created_at: None,
                url: None,
                language: None,
                kind: FeedbackKind::Review,
                from_account: false,
                raw: String::from_utf8_lossy(delivery.body()).into_owned(),
                received_at,
            },
        });
        out
    }
}

/// The reply half: OAuth (a stored refresh token exchanged for an access token), reviews
/// fetched by id, one reply per review that a new one replaces.
struct StarsReplies {
    base: String,
    http: reqwest::Client,
    exchanges: Mutex<u32>,
}

fn transport(e: reqwest::Error) -> ReplyError {
    ReplyError::Ambiguous(e.to_string())
}

impl StarsReplies {
    /// `{method} {base}/{path}` with the access token.
    fn authorized(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &AccessToken,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/{path}", self.base))
            .bearer_auth(token.expose_secret())
    }

    async fn json(&self, request: reqwest::RequestBuilder) -> Result<Value, ReplyError> {
        let response = send_api_call(request, |s| match s {
            401 => ReplyError::Reconnect("token refused".into()),
            404 => ReplyError::Rejected("no such review".into()),
            s => ReplyError::Ambiguous(format!("HTTP {s}")),
        })
        .await?;
        response.json().await.map_err(transport)
    }
}

#[async_trait]
impl ReplyClient for StarsReplies {
    async fn access_token(
        &self,
        _account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        *self.exchanges.lock().unwrap() += 1;
        let body = self
            .json(
                self.http
                    .post(format!("{}/oauth/token", self.base))
                    .json(&json!({"refresh_token": stored.expose_secret()})),
            )
            .await?;
        body["access_token"]
            .as_str()
            .map(|t| SecretString::from(t.to_owned()))
            .ok_or_else(|| ReplyError::Reconnect("no access token".into()))
    }

    async fn fetch_item(
        &self,
        f: &Feedback,
        token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        let review = self
            .json(self.authorized(
                reqwest::Method::GET,
                &format!("reviews/{}", f.item_id),
                token,
            ))
            .await?;
        Ok(FetchedItem {
            text: review["text"].as_str().map(str::to_owned),
            author_id: review["author"]["id"].as_str().map(str::to_owned),
            author_name: review["author"]["name"].as_str().map(str::to_owned),
            rating: review["stars"]
                .as_u64()
                .and_then(|s| u8::try_from(s).ok())
                .and_then(|s| Rating::new(s).ok()),
            created_at: None,
        })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let body = self
            .json(
                self.authorized(
                    reqwest::Method::PUT,
                    &format!("reviews/{}/reply", target.reply_to),
                    token,
                )
                .json(&json!({"comment": text})),
            )
            .await?;
        Ok(body["id"].as_str().unwrap_or("reply").to_owned())
    }

    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        match self
            .json(self.authorized(
                reqwest::Method::GET,
                &format!("reviews/{}/reply", target.reply_to),
                token,
            ))
            .await
        {
            Ok(body) => Ok(body["id"]
                .as_str()
                .map(|id| PostedReply::id_only(id.to_owned()))),
            Err(ReplyError::Rejected(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn capabilities() -> Capabilities {
    Capabilities {
        private_channel: PrivateChannel::None,
        public_replies: Some(PublicReplies {
            limit: TextLimit::Bytes(600),
            one_per_item: true,
        }),
        ratings: true,
        content: WebhookContent::IdOnly,
        author_names: AuthorNames::DisplayNames,
    }
}

async fn stars_api() -> MockServer {
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_json(json!({"refresh_token": "stored-refresh-token"})))
        .answer(
            200,
            json!({"access_token": "fresh-access", "expires_in": 3600}),
            &api,
        )
        .await;
    with_bearer("GET", "/reviews/rv-1", "fresh-access")
        .answer(
            200,
            json!({
                "id": "rv-1", "stars": 1, "text": "",
                "author": {"id": "u-7", "name": "Sanne Jansen"}
            }),
            &api,
        )
        .await;
    with_bearer("PUT", "/reviews/rv-1/reply", "fresh-access")
        .answer(200, json!({"id": "reply-rv-1"}), &api)
        .await;
    api
}

async fn deliver(app: &webhook_ingest::App, body: Value, token: &str) -> u16 {
    let body = serde_json::to_vec(&body).unwrap();
    let req = webhook_post("stars", [(TOKEN_HEADER, token)], &body);
    webhook_ingest::handle(app, req)
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_platform_defined_only_in_the_tests_is_stored_answered_and_tasked_by_the_unchanged_core()
{
    let table = TestTable::new().await;
    let api = stars_api().await;
    let store = table.store();
    let app = webhook_ingest::App::new(
        Registry::new().with(StarsWebhooks {
            token: SecretString::from(WEBHOOK_TOKEN.to_owned()),
        }),
        Arc::new(store.clone()),
    );
    let replies = Arc::new(StarsReplies {
        base: api.uri(),
        http: reqwest::Client::new(),
        exchanges: Mutex::new(0),
    });
    let outbound = Outbound::new().with(OutboundPlatform {
        platform: STARS,
        capabilities: capabilities(),
        client: Some(replies.clone()),
        credential_variable: "STARS_REFRESH_TOKEN",
    });
    let credentials = Credentials::local(|k| {
        (k == "STARS_REFRESH_TOKEN").then(|| "stored-refresh-token".to_owned())
    });
    let responder = responder_on(Arc::new(store.clone()), outbound, credentials, dutch_page());
    let created = json!({"event": "review.created", "review_id": "rv-1", "location": "shop-9"});

    // A wrong token is refused before storage; the right one is stored, twice is once.
    assert_eq!(deliver(&app, created.clone(), "guess").await, 401);
    assert_eq!(deliver(&app, created.clone(), WEBHOOK_TOKEN).await, 200);
    assert_eq!(deliver(&app, created.clone(), WEBHOOK_TOKEN).await, 200);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);

    // The responder fetches the bare one-star review and answers it once, publicly only.
    for sequence in [1, 2] {
        let res =
            feedback_responder::handle(&responder, stream_event(&[("stars", "rv-1")], sequence))
                .await
                .unwrap();
        assert!(res.batch_item_failures.is_empty());
    }
    let puts = received(&api, "PUT", "").await;
    assert_eq!(puts.len(), 1, "one reply, ever");
    let reply: Value = serde_json::from_slice(&puts[0].body).unwrap();
    let text = reply["comment"].as_str().unwrap();
    assert!(text.starts_with("Hallo Sanne,"), "{text}");
    assert!(
        !text.contains("privé"),
        "no private channel is claimed: {text}"
    );
    assert!(text.len() <= 600);
    assert!(
        *replies.exchanges.lock().unwrap() >= 1,
        "the OAuth hook was used"
    );

    let key = FeedbackKey {
        platform: STARS,
        item_id: ItemId::parse("rv-1").unwrap(),
    };
    let bundle = store.item(&key).await.unwrap();
    let record = bundle.feedback.unwrap();
    assert_eq!(record.feedback.rating, Rating::new(1).ok());
    assert_eq!(record.feedback.author_name.as_deref(), Some("Sanne Jansen"));
    assert_eq!(record.label.as_deref(), Some("negative"));
    let task = bundle.task.unwrap();
    assert_eq!(task.channel, TaskChannel::Manual);
    assert_eq!(task.id, "stars:rv-1");
    assert!(bundle.messages.iter().all(|m| m.channel == Channel::Public));

    // The customer comes back with four stars: the same record keeps the history.
    let updated =
        json!({"event": "review.updated", "review_id": "rv-1", "location": "shop-9", "stars": 4});
    assert_eq!(deliver(&app, updated, WEBHOOK_TOKEN).await, 200);
    let record = store.feedback(&key).await.unwrap().unwrap();
    assert_eq!(record.feedback.rating, Rating::new(4).ok());
    assert_eq!(stars_history(&record), [1]);
    assert_eq!(table.items_of_type("feedback").await.len(), 1);

    // Staff see it with the unchanged CLI.
    let list = CliRun::of(
        feedbackctl(&table.name)
            .await
            .args(["tasks", "list", "--json"]),
    )
    .await;
    let tasks: Vec<Value> = serde_json::from_value(list.succeeded().json()).unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["id"], "stars:rv-1");
    assert_eq!(tasks[0]["channel"], "manual");
}
