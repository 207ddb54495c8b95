//! The Meta Graph API reply client.
//!
//! - Facebook public reply: `POST {graph}/{version}/{comment-id}/comments {"message"}`.
//! - Instagram public reply: `POST {graph}/{version}/{ig-comment-id}/replies {"message"}`.
//! - Private reply: `POST {graph}/{version}/{account-id}/messages
//!   {"recipient":{"comment_id"},"message":{"text"}}`: one per comment, within 7 days.
//! - Token check: `GET {graph}/{version}/{account-id}?fields=id,name`.
//!
//! The token travels in the `Authorization` header, never in a URL. No redirects are
//! followed; connect and total timeouts bound every call.

use super::{FACEBOOK, FACEBOOK_CAPABILITIES, INSTAGRAM, INSTAGRAM_CAPABILITIES};
use crate::calls::{Http, bearer_json, first_reply, posted_id};
use crate::reply::{
    AccessCheck, AccessToken, FetchedItem, OutboundPlatform, PostedReply, ReplyClient, ReplyError,
    ReplyTarget,
};
use crate::settings::{api_url, checked, setting};
use async_trait::async_trait;
use feedback::{AccountId, Feedback, FeedbackKind};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_GRAPH_VERSION: &str = "v26.0";

#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// `META_GRAPH_API_URL`, without a trailing slash.
    pub base_url: String,
    /// `META_GRAPH_API_VERSION`.
    pub version: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

impl GraphConfig {
    /// From `META_GRAPH_API_URL` and `META_GRAPH_API_VERSION`, both optional.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let base_url = api_url(get, "META_GRAPH_API_URL", DEFAULT_GRAPH_URL, &mut problems);
        let version =
            setting(get, "META_GRAPH_API_VERSION").unwrap_or_else(|| DEFAULT_GRAPH_VERSION.into());
        checked(
            || GraphConfig {
                base_url,
                version,
                ..GraphConfig::default()
            },
            problems,
        )
    }
}

/// The outbound halves of Facebook and Instagram, both answered through `client`.
pub fn outbound(client: Arc<GraphClient>) -> [OutboundPlatform; 2] {
    [
        OutboundPlatform::answered_by(
            FACEBOOK,
            FACEBOOK_CAPABILITIES,
            client.clone(),
            "META_PAGE_TOKEN",
        ),
        OutboundPlatform::answered_by(INSTAGRAM, INSTAGRAM_CAPABILITIES, client, "META_PAGE_TOKEN"),
    ]
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_GRAPH_URL.into(),
            version: DEFAULT_GRAPH_VERSION.into(),
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(8),
        }
    }
}

#[derive(Debug, Clone)]
pub struct GraphClient {
    /// Built on first use, not at cold start.
    http: Http,
    base: String,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    #[serde(default)]
    error_subcode: Option<i64>,
}

/// Classify a Graph API error response.
fn classify(status: u16, body: &str) -> ReplyError {
    let err = serde_json::from_str::<GraphErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let (code, message) = match &err {
        Some(e) => (
            e.code,
            format!(
                "{} (code {}, subcode {:?})",
                e.message, e.code, e.error_subcode
            ),
        ),
        None => (0, format!("HTTP {status}")),
    };
    match code {
        // Expired or invalid token; missing permission.
        190 | 102 | 10 | 200..=299 => ReplyError::Reconnect(message),
        // Rate limits.
        4 | 17 | 32 | 613 | 80001..=80014 => ReplyError::Transient(message),
        // "Activity already replied to": the one private reply was sent before.
        10900 => ReplyError::AlreadySent,
        _ if status == 429 => ReplyError::Transient(message),
        _ if status >= 500 => ReplyError::Ambiguous(message),
        _ => ReplyError::Rejected(message),
    }
}

impl GraphClient {
    pub fn new(config: &GraphConfig) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: Http::with_connect_timeout(config.connect_timeout, config.timeout),
            base: format!(
                "{}/{}",
                config.base_url.trim_end_matches('/'),
                config.version.trim_matches('/')
            ),
        })
    }

    fn http(&self) -> Result<&reqwest::Client, ReplyError> {
        self.http.client()
    }

    /// `{base}/{segments…}?{query}`, each segment percent-encoded as one path segment, so
    /// an id can never add a path or a query of its own.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Result<reqwest::Url, ReplyError> {
        let mut url = reqwest::Url::parse(&self.base)
            .map_err(|e| ReplyError::Rejected(format!("bad Graph API URL: {e}")))?;
        url.path_segments_mut()
            .map_err(|()| ReplyError::Rejected("the Graph API URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    fn replies_edge(target: &ReplyTarget) -> &'static str {
        if target.platform == INSTAGRAM {
            "replies"
        } else {
            "comments"
        }
    }
}

fn text_of(v: &Value, name: &str) -> Option<String> {
    v.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// Graph times look like `2025-11-23T10:00:00+0000`.
fn graph_time(v: &Value, name: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    let raw = v.get(name)?.as_str()?;
    OffsetDateTime::parse(raw, format)
        .or_else(|_| OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339))
        .ok()
}

#[async_trait]
impl ReplyClient for GraphClient {
    /// Instagram only answers top-level comments: a reply is answered under its parent.
    fn target(&self, f: &Feedback) -> ReplyTarget {
        if f.platform == INSTAGRAM {
            ReplyTarget::under_parent(f)
        } else {
            ReplyTarget::item(f)
        }
    }

    /// Whose token this is, asked with the token itself (`/me`): it must be the page's own
    /// token (or, for an Instagram account, the token of the page it is linked to). An
    /// expired or revoked token is refused (codes 190, 10, 200…); a valid token of another
    /// page, or a person's user token, is not the page's and is refused too.
    async fn check_access(
        &self,
        account: &AccountId,
        token: &AccessToken,
    ) -> Result<AccessCheck, ReplyError> {
        let url = self.url(&["me"], &[("fields", "id,name")])?;
        let me = bearer_json(self.http()?.get(url), token, classify)
            .await
            .map_err(crate::calls::harmless)?;
        let id = text_of(&me, "id").unwrap_or_default();
        let name = text_of(&me, "name")
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.clone());
        if id == account.as_str() {
            return Ok(AccessCheck::Accepted { page: name });
        }
        // An Instagram account is answered with the token of its Facebook page. A user
        // token has no such field (an error here only means "not linked").
        let url = self.url(&["me"], &[("fields", "instagram_business_account")])?;
        let linked = match bearer_json(self.http()?.get(url), token, classify).await {
            Ok(body) => body
                .get("instagram_business_account")
                .and_then(|a| text_of(a, "id")),
            Err(ReplyError::Transient(e) | ReplyError::Ambiguous(e)) => {
                return Err(ReplyError::Transient(e));
            }
            Err(_) => None,
        };
        if linked.as_deref() == Some(account.as_str()) {
            return Ok(AccessCheck::Accepted {
                page: format!("{name} (its Instagram account)"),
            });
        }
        Err(ReplyError::Reconnect(format!(
            "this token is not {account}'s: it belongs to {name} ({id}); store the page's own page access token"
        )))
    }

    /// Instagram mentions arrive as ids: the comment (or caption) is read through the
    /// account's `mentioned_comment` / `mentioned_media` fields; anything else is read as
    /// the comment itself.
    async fn fetch_item(
        &self,
        f: &Feedback,
        token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        if f.platform == INSTAGRAM && f.kind == FeedbackKind::Mention {
            let caption = f.thread_id.as_deref() == Some(f.item_id.as_str());
            let (field, sub) = if caption {
                ("mentioned_media", "media_id")
            } else {
                ("mentioned_comment", "comment_id")
            };
            let fields = if caption {
                "caption,username,timestamp"
            } else {
                "text,username,timestamp"
            };
            let query = format!("{field}.{sub}({}){{{fields}}}", f.item_id);
            let url = self.url(&[f.account_id.as_str()], &[("fields", &query)])?;
            let body = bearer_json(self.http()?.get(url), token, classify).await?;
            let item = body
                .get(field)
                .ok_or_else(|| ReplyError::Rejected(format!("no {field} in the answer")))?;
            return Ok(FetchedItem {
                text: text_of(item, if caption { "caption" } else { "text" }),
                author_id: None,
                author_name: text_of(item, "username"),
                rating: None,
                created_at: graph_time(item, "timestamp"),
            });
        }
        let url = self.url(
            &[f.item_id.as_str()],
            &[(
                "fields",
                "message,text,from,username,created_time,timestamp",
            )],
        )?;
        let body = bearer_json(self.http()?.get(url), token, classify).await?;
        Ok(FetchedItem {
            text: text_of(&body, "message").or_else(|| text_of(&body, "text")),
            author_id: body.get("from").and_then(|f| text_of(f, "id")),
            author_name: body
                .get("from")
                .and_then(|f| text_of(f, "name").or_else(|| text_of(f, "username")))
                .or_else(|| text_of(&body, "username")),
            rating: None,
            created_at: graph_time(&body, "created_time")
                .or_else(|| graph_time(&body, "timestamp")),
        })
    }

    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let url = self.url(&[&target.reply_to, Self::replies_edge(target)], &[])?;
        let body = bearer_json(
            self.http()?.post(url).json(&json!({ "message": text })),
            token,
            classify,
        )
        .await?;
        posted_id(body["id"].as_str(), "success without an id")
    }

    async fn current_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        let url = self.url(
            &[&target.reply_to, Self::replies_edge(target)],
            &[("fields", "id,from"), ("limit", "100")],
        )?;
        let body = bearer_json(self.http()?.get(url), token, classify).await?;
        let ours = |reply: &Value| reply["from"]["id"].as_str() == Some(target.account_id.as_str());
        Ok(first_reply(&body["data"], ours, "id"))
    }

    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        let url = self.url(&[&target.account_id, "messages"], &[])?;
        let body = bearer_json(
            self.http()?.post(url).json(&json!({
                "recipient": { "comment_id": target.item_id },
                "message": { "text": text },
            })),
            token,
            classify,
        )
        .await?;
        Ok(body
            .get("message_id")
            .and_then(Value::as_str)
            .map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{call, item_target, secret};

    use wiremock::matchers::{body_json, header, method, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn token() -> AccessToken {
        secret("page-token")
    }

    fn target(platform: feedback::Platform) -> ReplyTarget {
        item_target(platform, "1029384756", "777_9001")
    }

    /// A stand-in Graph API answering with `mocks`, and a client of it.
    async fn stand_in(mocks: impl IntoIterator<Item = Mock>) -> (MockServer, GraphClient) {
        let server = MockServer::start().await;
        for mock in mocks {
            mock.mount(&server).await;
        }
        let client = GraphClient::new(&GraphConfig {
            base_url: server.uri(),
            timeout: Duration::from_millis(500),
            ..GraphConfig::default()
        })
        .unwrap();
        (server, client)
    }

    #[tokio::test]
    async fn public_replies_are_posted_on_the_edge_of_their_platform_with_a_bearer_token() {
        for (case, platform, edge, text, id) in [
            (
                "a_facebook_reply_is_posted_on_the_comments_edge_with_a_bearer_token",
                FACEBOOK,
                "comments",
                "Thanks!",
                "777_9999",
            ),
            (
                "an_instagram_reply_is_posted_on_the_replies_edge",
                INSTAGRAM,
                "replies",
                "Merci !",
                "1789",
            ),
        ] {
            let (_server, graph) = stand_in([call("POST", format!("/v26.0/777_9001/{edge}"))
                .and(header("authorization", "Bearer page-token"))
                .and(body_json(json!({ "message": text })))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": id })))
                .expect(1)])
            .await;
            let posted = graph
                .post_public_reply(&target(platform), text, &token())
                .await;
            assert_eq!(posted.as_deref(), Ok(id), "{case}");
        }
    }

    #[tokio::test]
    async fn a_private_reply_names_the_comment_as_recipient() {
        let (_server, graph) = stand_in([call("POST", "/v26.0/1029384756/messages")
            .and(body_json(
                json!({"recipient": {"comment_id": "777_9001"}, "message": {"text": "Hi"}}),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"recipient_id": "1", "message_id": "m_1"})),
            )
            .expect(1)])
        .await;
        let id = graph
            .send_private_reply(&target(FACEBOOK), "Hi", &token())
            .await
            .unwrap();
        assert_eq!(id.as_deref(), Some("m_1"));
    }

    #[tokio::test]
    async fn the_page_own_reply_is_found_among_the_replies() {
        let (_server, graph) = stand_in([call("GET", "/v26.0/777_9001/comments")
            .and(query_param("fields", "id,from"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
                {"id": "777_1", "from": {"id": "5550002"}},
                {"id": "777_2", "from": {"id": "1029384756"}}
            ]})))])
        .await;
        let found = graph
            .find_public_reply(&target(FACEBOOK), &token())
            .await
            .unwrap();
        assert_eq!(found.as_deref(), Some("777_2"));
    }

    /// A Graph API error answer: `code` and `message`.
    fn graph_error(code: u32, message: &str) -> Value {
        json!({"error": {"message": message, "code": code}})
    }

    #[tokio::test]
    async fn errors_are_classified_by_what_should_happen_next() {
        let cases = [
            (
                400,
                json!({"error": {"message": "Session has expired", "code": 190, "error_subcode": 463}}),
                "reconnect",
            ),
            (403, graph_error(200, "Permission"), "reconnect"),
            (400, graph_error(4, "Too many calls"), "transient"),
            (429, json!({}), "transient"),
            (500, graph_error(1, "Unknown"), "ambiguous"),
            (503, json!({}), "ambiguous"),
            (
                400,
                graph_error(10900, "Activity already replied to"),
                "already",
            ),
            (400, graph_error(100, "Object does not exist"), "rejected"),
        ];
        for (status, body, want) in cases {
            let got = match classify(status, &body.to_string()) {
                ReplyError::Reconnect(_) => "reconnect",
                ReplyError::Transient(_) => "transient",
                ReplyError::Ambiguous(_) => "ambiguous",
                ReplyError::AlreadySent => "already",
                ReplyError::Rejected(_) | ReplyError::Gone(_) => "rejected",
            };
            assert_eq!(got, want, "{status} {body}");
        }
    }

    /// How a public reply fails when the stand-in answers every POST with `answer`.
    async fn failed_post(answer: ResponseTemplate) -> ReplyError {
        let (_server, graph) = stand_in([Mock::given(method("POST")).respond_with(answer)]).await;
        graph
            .post_public_reply(&target(FACEBOOK), "x", &token())
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn a_timeout_is_ambiguous_and_a_refused_connection_transient() {
        let err = failed_post(ResponseTemplate::new(200).set_delay(Duration::from_secs(2))).await;
        assert!(matches!(err, ReplyError::Ambiguous(_)), "{err:?}");

        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let down = GraphClient::new(&GraphConfig {
            base_url: format!("http://127.0.0.1:{closed}"),
            ..GraphConfig::default()
        })
        .unwrap();
        let err = down
            .post_public_reply(&target(FACEBOOK), "x", &token())
            .await
            .unwrap_err();
        assert!(matches!(err, ReplyError::Transient(_)), "{err:?}");
    }

    fn instagram_reply() -> Feedback {
        Feedback {
            platform: INSTAGRAM,
            account_id: feedback::AccountId::parse("17841400000000001").unwrap(),
            item_id: feedback::ItemId::parse("17900000000000002").unwrap(),
            thread_id: Some("18000000000000003".into()),
            parent_id: Some("17900000000000001".into()),
            author_id: None,
            author_name: None,
            text: Some("Still waiting".into()),
            rating: None,
            created_at: None,
            url: None,
            language: None,
            kind: FeedbackKind::Reply,
            from_account: false,
            raw: "{}".into(),
            received_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[tokio::test]
    async fn an_instagram_reply_is_answered_under_its_top_level_comment_and_a_facebook_one_itself()
    {
        let (_server, graph) = stand_in([]).await;
        let ig = instagram_reply();
        assert_eq!(graph.target(&ig).reply_to, "17900000000000001");
        assert_eq!(graph.target(&ig).item_id, "17900000000000002");
        let fb = Feedback {
            platform: FACEBOOK,
            ..ig
        };
        assert_eq!(graph.target(&fb).reply_to, "17900000000000002");
    }

    #[tokio::test]
    async fn an_instagram_mention_is_fetched_through_the_account_mentioned_comment() {
        let (_server, graph) = stand_in([
            call("GET", "/v26.0/17841400000000001")
                .and(query_param(
                    "fields",
                    "mentioned_comment.comment_id(17900000000000002){text,username,timestamp}",
                ))
                .and(header("authorization", "Bearer page-token"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "mentioned_comment": {"id": "17900000000000002", "text": "@bakkerij nog steeds niets ontvangen", "username": "sanne_j", "timestamp": "2025-11-23T10:00:00+0000"},
                    "id": "17841400000000001"
                })))
                .expect(1),
        ])
        .await;
        let mention = Feedback {
            url: None,
            language: None,
            kind: FeedbackKind::Mention,
            text: None,
            parent_id: None,
            ..instagram_reply()
        };
        let fetched = graph.fetch_item(&mention, &token()).await.unwrap();
        assert_eq!(
            fetched.text.as_deref(),
            Some("@bakkerij nog steeds niets ontvangen")
        );
        assert_eq!(fetched.author_name.as_deref(), Some("sanne_j"));
        assert_eq!(
            fetched.created_at,
            Some(time::macros::datetime!(2025-11-23 10:00 UTC))
        );
    }

    #[tokio::test]
    async fn an_id_with_path_characters_stays_one_encoded_path_segment() {
        let (server, graph) = stand_in([Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))])
        .await;
        let mut t = target(FACEBOOK);
        t.reply_to = "../me/feed?x=1".into();
        graph.post_public_reply(&t, "x", &token()).await.unwrap();
        let received = server.received_requests().await.unwrap_or_default();
        assert_eq!(received.len(), 1);
        assert_eq!(
            received[0].url.path(),
            "/v26.0/..%2Fme%2Ffeed%3Fx=1/comments"
        );
        assert_eq!(received[0].url.query(), None);
    }

    /// `GET /me?fields={fields}` answered `status` with `body`.
    fn me(fields: &str, status: u16, body: Value) -> Mock {
        call("GET", "/v26.0/me")
            .and(query_param("fields", fields))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
    }

    fn page() -> AccountId {
        AccountId::parse("1029384756").unwrap()
    }

    #[tokio::test]
    async fn a_valid_page_token_is_accepted_with_the_page_name() {
        let (_server, graph) = stand_in([call("GET", "/v26.0/me")
            .and(query_param("fields", "id,name"))
            .and(header("authorization", "Bearer page-token"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": "1029384756", "name": "Bakkerij Zon"})),
            )
            .expect(1)])
        .await;
        let checked = graph.check_access(&page(), &token()).await;
        assert_eq!(
            checked,
            Ok(AccessCheck::Accepted {
                page: "Bakkerij Zon".into()
            })
        );
    }

    #[tokio::test]
    async fn a_failed_page_check_says_what_should_happen_next() {
        type Wanted = fn(&Result<AccessCheck, ReplyError>) -> bool;
        let cases: [(&str, Vec<Mock>, Wanted); 3] = [
            (
                "an_expired_page_token_means_the_page_must_be_reconnected",
                vec![Mock::given(method("GET")).respond_with(
                    ResponseTemplate::new(400).set_body_json(json!({"error": {
                        "message": "Error validating access token: Session has expired",
                        "type": "OAuthException", "code": 190, "error_subcode": 463
                    }})),
                )],
                |checked| matches!(checked, Err(ReplyError::Reconnect(why)) if why.contains("expired")),
            ),
            (
                "a_valid_token_of_another_page_or_a_person_is_not_accepted_for_this_page",
                vec![
                    me("id,name", 200, json!({"id": "555", "name": "Anna"})),
                    me(
                        "instagram_business_account",
                        400,
                        json!({"error": {
                            "message": "(#100) Tried accessing nonexisting field (instagram_business_account) on node type (User)",
                            "type": "OAuthException", "code": 100
                        }}),
                    ),
                ],
                |checked| matches!(checked, Err(ReplyError::Reconnect(why)) if why.contains("belongs to Anna (555)")),
            ),
            (
                "a_graph_api_outage_during_a_check_is_not_the_token_fault",
                vec![Mock::given(method("GET")).respond_with(ResponseTemplate::new(503))],
                |checked| matches!(checked, Err(ReplyError::Transient(_))),
            ),
        ];
        for (case, mocks, wanted) in cases {
            let (_server, graph) = stand_in(mocks).await;
            let checked = graph.check_access(&page(), &token()).await;
            assert!(wanted(&checked), "{case}: {checked:?}");
        }
    }

    #[tokio::test]
    async fn an_instagram_account_is_checked_with_the_token_of_its_linked_page() {
        let (_server, graph) = stand_in([
            me(
                "id,name",
                200,
                json!({"id": "1029384756", "name": "Bakkerij Zon"}),
            ),
            me(
                "instagram_business_account",
                200,
                json!({
                    "instagram_business_account": {"id": "17841400000000001"}, "id": "1029384756"
                }),
            ),
        ])
        .await;
        let instagram = AccountId::parse("17841400000000001").unwrap();
        let checked = graph.check_access(&instagram, &token()).await;
        assert_eq!(
            checked,
            Ok(AccessCheck::Accepted {
                page: "Bakkerij Zon (its Instagram account)".into()
            })
        );
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let err = failed_post(
            ResponseTemplate::new(302).insert_header("location", "http://127.0.0.1:9/steal"),
        )
        .await;
        assert!(matches!(err, ReplyError::Rejected(_)), "{err:?}");
    }
}
