//! The SLA sweeper wired to a test table, fixtures of feedback and tasks written straight
//! into it, and a platform with ordinary direct messages (none of the real ones has them)
//! calling a `wiremock` API.

use crate::dynamodb::TestTable;
use async_trait::async_trait;
use feedback::capabilities::{
    AuthorNames, Capabilities, PrivateChannel, PublicReplies, TextLimit, WebhookContent,
};
use feedback::page::{PageConfig, Secret};
use feedback::{AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Platform};
use platforms::reply::{
    AccessToken, Outbound, OutboundPlatform, PostedReply, ReplyClient, ReplyError, ReplyTarget,
};
use secrecy::ExposeSecret;
use service::credentials::Credentials;
use sla_sweeper::config::DeliveryPolicy;
use sla_sweeper::deliver::{HttpNotifier, Notifier};
use sla_sweeper::{Sweeper, SweeperConfig};
use std::sync::Arc;
use std::time::Duration;
use store::tasks::NewTask;
use store::{DynamoStore, FeedbackKey, FeedbackStore, TaskChannel};
use time::OffsetDateTime;

pub const PAGE_ID: &str = "1029384756";
pub const PAGE_TOKEN: &str = "test-page-token";

/// A chat platform with ordinary direct messages: the update request can be sent there.
pub const CHAT: Platform = Platform::from_static("chat");

pub const CHAT_CAPABILITIES: Capabilities = Capabilities {
    private_channel: PrivateChannel::DirectMessages {
        limit: TextLimit::Chars(2000),
    },
    public_replies: Some(PublicReplies {
        limit: TextLimit::Chars(2000),
        one_per_item: false,
    }),
    ratings: false,
    content: WebhookContent::Included,
    author_names: AuthorNames::DisplayNames,
};

/// The chat platform's reply client: `POST {base}/messages` and `POST {base}/replies`.
pub struct ChatReplies {
    pub base: String,
    pub http: reqwest::Client,
}

/// Send `request` to a test platform's API: the response on 2xx, `refused(status)` on any
/// other status; a request that got no answer is ambiguous.
pub async fn send_api_call(
    request: reqwest::RequestBuilder,
    refused: impl FnOnce(u16) -> ReplyError,
) -> Result<reqwest::Response, ReplyError> {
    let response = request
        .send()
        .await
        .map_err(|e| ReplyError::Ambiguous(e.without_url().to_string()))?;
    match response.status().as_u16() {
        200..=299 => Ok(response),
        s => Err(refused(s)),
    }
}

impl ChatReplies {
    /// `POST {base}/{path}` with `body`; `Ok` on 2xx, 429 transient, any other refused.
    async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
        token: &AccessToken,
    ) -> Result<(), ReplyError> {
        let request = self
            .http
            .post(format!("{}/{path}", self.base))
            .bearer_auth(token.expose_secret())
            .json(&body);
        send_api_call(request, |s| match s {
            429 => ReplyError::Transient("429".into()),
            s => ReplyError::Rejected(format!("{s}")),
        })
        .await
        .map(drop)
    }
}

#[async_trait]
impl ReplyClient for ChatReplies {
    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let body = serde_json::json!({"under": target.reply_to, "text": text});
        self.post("replies", body, token).await?;
        Ok("reply-1".into())
    }

    async fn current_public_reply(
        &self,
        _target: &ReplyTarget,
        _token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        Ok(None)
    }

    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        let body = serde_json::json!({"to_author_of": target.item_id, "text": text});
        self.post("messages", body, token).await?;
        Ok(Some("dm-1".into()))
    }
}

/// The chat platform's outbound half, calling `base`.
pub fn chat_outbound(base: &str) -> OutboundPlatform {
    OutboundPlatform {
        platform: CHAT,
        capabilities: CHAT_CAPABILITIES,
        client: Some(Arc::new(ChatReplies {
            base: base.to_owned(),
            http: reqwest::Client::new(),
        })),
        credential_variable: "CHAT_TOKEN",
    }
}

/// Fast retries for tests.
pub fn fast_delivery() -> DeliveryPolicy {
    DeliveryPolicy {
        attempts_per_sweep: 3,
        backoff: Duration::from_millis(20),
        max_attempts: 6,
        retry_after: time::Duration::seconds(1),
        max_retry_after: time::Duration::seconds(2),
        lease: time::Duration::seconds(30),
        timeout: Duration::from_millis(500),
    }
}

/// The sweeper's configuration for `table`: the deployment defaults, fast retries.
pub fn config(table: &str, outbound: Outbound) -> SweeperConfig {
    let mut config = SweeperConfig::from_lookup(|k| match k {
        "TABLE_NAME" => Some(table.to_owned()),
        "DEFAULT_LANGUAGE" => Some("nl".to_owned()),
        "BRAND_NAME" => Some("Bakkerij Zon".to_owned()),
        _ => None,
    })
    .expect("a complete test configuration");
    config.outbound = outbound;
    config.delivery = fast_delivery();
    config
}

/// A sweeper on `store` with `config`, page tokens from the test's variables, and real
/// HTTP notifications.
pub fn sweeper_on(store: DynamoStore, config: SweeperConfig) -> Sweeper {
    let credentials = Credentials::local(|k| {
        matches!(k, "META_PAGE_TOKEN" | "CHAT_TOKEN").then(|| PAGE_TOKEN.to_owned())
    });
    let notifier: Arc<dyn Notifier> =
        Arc::new(HttpNotifier::new(config.delivery.timeout).expect("an HTTP client"));
    Sweeper::new(
        store,
        config.outbound.clone(),
        credentials,
        notifier,
        config,
    )
}

/// A sweeper on `table`, answering through `outbound`.
pub fn sweeper(table: &TestTable, outbound: Outbound) -> Sweeper {
    sweeper_on(table.store(), config(&table.name, outbound))
}

/// One piece of feedback with its decision and (unless `task` is false) its task.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The feedback; its `received_at` is when it arrived (and the task was opened).
    /// `parent_id`, `created_at`, `kind` and `raw` follow from the rest when stored.
    pub feedback: Feedback,
    pub label: String,
    pub language: String,
    /// Hours from `received_at` to the task's due time.
    pub sla_hours: i64,
    pub task: bool,
}

impl Fixture {
    /// A Dutch complaint on Facebook, arrived now, due in 24 hours.
    pub fn complaint(item: &str) -> Fixture {
        Fixture {
            feedback: Feedback {
                thread_id: Some(format!("{PAGE_ID}_777")),
                author_id: Some("5550001".to_owned()),
                author_name: Some("Anke de Vries".to_owned()),
                text: Some("Mijn bestelling is na twee weken nog steeds niet geleverd.".to_owned()),
                ..Feedback::new(
                    platforms::meta::FACEBOOK,
                    AccountId::parse(PAGE_ID).unwrap(),
                    ItemId::parse(item).unwrap(),
                    FeedbackKind::Comment,
                    OffsetDateTime::now_utc(),
                )
            },
            label: "negative".to_owned(),
            language: "nl".to_owned(),
            sla_hours: 24,
            task: true,
        }
    }

    /// When it arrived (and the task was opened).
    pub fn at(&self) -> OffsetDateTime {
        self.feedback.received_at
    }

    pub fn key(&self) -> FeedbackKey {
        FeedbackKey::of(&self.feedback)
    }

    /// It as ingest would have stored it.
    fn ingested(&self) -> Feedback {
        let f = &self.feedback;
        Feedback {
            parent_id: f.thread_id.clone(),
            created_at: Some(f.received_at),
            kind: if f.rating.is_some() {
                FeedbackKind::Review
            } else {
                FeedbackKind::Comment
            },
            raw: serde_json::json!({"message": f.text, "from": {"name": f.author_name, "id": f.author_id}})
                .to_string(),
            ..f.clone()
        }
    }

    pub async fn store(&self, store: &DynamoStore) -> FeedbackKey {
        let feedback = self.ingested();
        store
            .record_changes(&[FeedbackChange {
                verb: ChangeVerb::Added,
                feedback,
            }])
            .await
            .unwrap();
        let key = self.key();
        store
            .record_decision(
                &key,
                store::Decided {
                    decision: store::Decision::Answer,
                    label: Some(&self.label),
                    language: Some(&self.language),
                    confidence: None,
                    expects: None,
                },
                self.at(),
            )
            .await
            .unwrap();
        if self.task {
            store
                .create_task(
                    &key,
                    &NewTask {
                        account_id: self.feedback.account_id.clone(),
                        due_at: self.at() + time::Duration::hours(self.sla_hours),
                        channel: TaskChannel::PlatformMessage,
                        next_step: "Lees het privébericht van de klant.".into(),
                        label: self.label.clone(),
                        language: self.language.clone(),
                        mode: feedback::page::ReplyMode::Auto,
                        draft_public: format!(
                            "Hallo {}, bedankt voor je bericht.",
                            self.feedback.author_name.as_deref().unwrap_or("daar")
                        ),
                        draft_private: Some("Wat is je bestelnummer?".into()),
                        created_at: self.at(),
                        theme: None,
                    },
                )
                .await
                .unwrap();
        }
        key
    }
}

impl Fixture {
    /// A fresh table holding this fixture: the table, its store and the fixture's key.
    pub async fn in_new_table(&self) -> (TestTable, DynamoStore, FeedbackKey) {
        let table = TestTable::new().await;
        let store = table.store();
        let key = self.store(&store).await;
        (table, store, key)
    }

    /// The author edits the text (the old one goes to the record's text history).
    pub async fn edit(&self, store: &DynamoStore, text: &str) {
        let feedback = Feedback {
            text: Some(text.to_owned()),
            rating: None,
            kind: FeedbackKind::Comment,
            raw: serde_json::json!({"message": text}).to_string(),
            received_at: self.at() + time::Duration::minutes(1),
            ..self.ingested()
        };
        store
            .record_changes(&[FeedbackChange {
                verb: ChangeVerb::Edited,
                feedback,
            }])
            .await
            .unwrap();
    }
}

/// A page's notification targets at `base` (a `wiremock` server): Slack at `/slack`,
/// Teams at `/teams`, a signed webhook at `/hook` with `secret`; each URL ends with a
/// token (`slack-url-token`, `teams-url-token`, `hook-url-token`) that must never be logged.
pub fn notify_targets(base: &str, secret: &str) -> PageConfig {
    PageConfig {
        notify_slack_url: Some(Secret::new(format!(
            "{base}/slack/T000/B000/slack-url-token"
        ))),
        notify_teams_url: Some(Secret::new(format!("{base}/teams/teams-url-token"))),
        notify_webhook_url: Some(Secret::new(format!("{base}/hook/hook-url-token"))),
        notify_webhook_secret: Some(Secret::new(secret)),
        ..PageConfig::default()
    }
}

/// A `whsec_` key for tests.
pub const WEBHOOK_SECRET: &str = "whsec_dGVzdC1ub3RpZmljYXRpb24ta2V5LTAwMDAwMDAwMDA=";

/// Save a page's configuration.
pub async fn set_page(
    store: &DynamoStore,
    platform: &Platform,
    account: &str,
    config: &PageConfig,
) {
    store
        .update_page(
            platform,
            &AccountId::parse(account).unwrap(),
            &store::pages::PageChange {
                set: config.clone(),
                ..Default::default()
            },
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
}

/// Save the configuration of the Facebook page `PAGE_ID`.
pub async fn set_facebook_page(store: &DynamoStore, config: &PageConfig) {
    set_page(store, &platforms::meta::FACEBOOK, PAGE_ID, config).await;
}

/// The Facebook page `PAGE_ID` tells Slack, Teams and a signed webhook at `hooks` (see
/// [`notify_targets`], signed with [`WEBHOOK_SECRET`]).
pub async fn page_with_targets(store: &DynamoStore, hooks: &wiremock::MockServer) {
    set_facebook_page(store, &notify_targets(&hooks.uri(), WEBHOOK_SECRET)).await;
}

/// Anna resolves the task of `key` at `at`, with `note` and no closing message.
pub async fn resolved_by_anna(
    store: &DynamoStore,
    key: &FeedbackKey,
    note: &str,
    at: OffsetDateTime,
) {
    store.resolve_task(key, "anna", note, "", at).await.unwrap();
}

/// `by` reopens the task of `key` at `now` with `note`, due `due_in` from then.
pub async fn reopened(
    store: &DynamoStore,
    key: &FeedbackKey,
    by: &str,
    note: Option<&str>,
    now: OffsetDateTime,
    due_in: time::Duration,
) {
    store
        .reopen_task(key, by, note, now + due_in, now)
        .await
        .unwrap();
}

/// Two sweepers on `table`, answering through `outbound`.
pub fn two_sweepers(table: &TestTable, outbound: Outbound) -> (Sweeper, Sweeper) {
    (sweeper(table, outbound.clone()), sweeper(table, outbound))
}

/// `a` and `b` sweep at the same moment; what each did.
pub async fn sweep_at_once(
    a: &Sweeper,
    b: &Sweeper,
) -> (sla_sweeper::Summary, sla_sweeper::Summary) {
    let now = OffsetDateTime::now_utc();
    let (ra, rb) = tokio::join!(a.sweep(now, None), b.sweep(now, None));
    (ra.unwrap(), rb.unwrap())
}
