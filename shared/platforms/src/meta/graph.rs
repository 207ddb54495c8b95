//! The Meta Graph API reply client.
//!
//! - Facebook public reply: `POST {graph}/{version}/{comment-id}/comments {"message"}`.
//! - Instagram public reply: `POST {graph}/{version}/{ig-comment-id}/replies {"message"}`.
//! - Private reply: `POST {graph}/{version}/{account-id}/messages
//!   {"recipient":{"comment_id"},"message":{"text"}}`: one per comment, within 7 days.
//!
//! The token travels in the `Authorization` header, never in a URL. No redirects are
//! followed; connect and total timeouts bound every call.

use crate::reply::{AccessToken, ReplyClient, ReplyError, ReplyTarget};
use async_trait::async_trait;
use feedback::Platform;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_GRAPH_VERSION: &str = "v21.0";

#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// `META_GRAPH_API_URL`, without a trailing slash.
    pub base_url: String,
    /// `META_GRAPH_API_VERSION`.
    pub version: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
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
    http: reqwest::Client,
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

fn transport(e: reqwest::Error) -> ReplyError {
    if e.is_connect() {
        ReplyError::Transient(format!("could not connect: {e}"))
    } else if e.is_timeout() {
        ReplyError::Ambiguous(format!("timed out: {e}"))
    } else {
        ReplyError::Ambiguous(e.to_string())
    }
}

impl GraphClient {
    pub fn new(config: &GraphConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("reputation-guard/0.1")
            .build()?;
        Ok(Self {
            http,
            base: format!(
                "{}/{}",
                config.base_url.trim_end_matches('/'),
                config.version.trim_matches('/')
            ),
        })
    }

    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        token: &AccessToken,
    ) -> Result<Value, ReplyError> {
        let response = request
            .bearer_auth(token.expose_secret())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(transport)?;
        if (200..300).contains(&status) {
            serde_json::from_str(&body)
                .map_err(|e| ReplyError::Ambiguous(format!("unreadable success body: {e}")))
        } else {
            Err(classify(status, &body))
        }
    }

    fn replies_edge(target: &ReplyTarget) -> &'static str {
        match target.platform {
            Platform::Facebook => "comments",
            Platform::Instagram => "replies",
        }
    }
}

#[async_trait]
impl ReplyClient for GraphClient {
    async fn post_public_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<String, ReplyError> {
        let url = format!(
            "{}/{}/{}",
            self.base,
            target.reply_to,
            Self::replies_edge(target)
        );
        let body = self
            .call(self.http.post(url).json(&json!({ "message": text })), token)
            .await?;
        body.get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ReplyError::Ambiguous("success without an id".into()))
    }

    async fn find_public_reply(
        &self,
        target: &ReplyTarget,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        let url = format!(
            "{}/{}/{}?fields=id,from&limit=100",
            self.base,
            target.reply_to,
            Self::replies_edge(target)
        );
        let body = self.call(self.http.get(url), token).await?;
        let found = body
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|reply| {
                reply
                    .get("from")
                    .and_then(|f| f.get("id"))
                    .and_then(Value::as_str)
                    == Some(target.account_id.as_str())
            })
            .and_then(|reply| reply.get("id").and_then(Value::as_str))
            .map(str::to_owned);
        Ok(found)
    }

    async fn send_private_reply(
        &self,
        target: &ReplyTarget,
        text: &str,
        token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        let url = format!("{}/{}/messages", self.base, target.account_id);
        let body = self
            .call(
                self.http.post(url).json(&json!({
                    "recipient": { "comment_id": target.item_id },
                    "message": { "text": text },
                })),
                token,
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
    use secrecy::SecretString;
    use wiremock::matchers::{body_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn token() -> AccessToken {
        SecretString::from("page-token".to_owned())
    }

    fn target(platform: Platform) -> ReplyTarget {
        ReplyTarget {
            platform,
            account_id: "1029384756".into(),
            reply_to: "777_9001".into(),
            item_id: "777_9001".into(),
        }
    }

    async fn client(server: &MockServer) -> GraphClient {
        GraphClient::new(&GraphConfig {
            base_url: server.uri(),
            timeout: Duration::from_millis(500),
            ..GraphConfig::default()
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_facebook_reply_is_posted_on_the_comments_edge_with_a_bearer_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v21.0/777_9001/comments"))
            .and(header("authorization", "Bearer page-token"))
            .and(body_json(json!({"message": "Thanks!"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "777_9999"})))
            .expect(1)
            .mount(&server)
            .await;
        let id = client(&server)
            .await
            .post_public_reply(&target(Platform::Facebook), "Thanks!", &token())
            .await
            .unwrap();
        assert_eq!(id, "777_9999");
    }

    #[tokio::test]
    async fn an_instagram_reply_is_posted_on_the_replies_edge() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v21.0/777_9001/replies"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1789"})))
            .expect(1)
            .mount(&server)
            .await;
        let id = client(&server)
            .await
            .post_public_reply(&target(Platform::Instagram), "Merci !", &token())
            .await
            .unwrap();
        assert_eq!(id, "1789");
    }

    #[tokio::test]
    async fn a_private_reply_names_the_comment_as_recipient() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v21.0/1029384756/messages"))
            .and(body_json(
                json!({"recipient": {"comment_id": "777_9001"}, "message": {"text": "Hi"}}),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"recipient_id": "1", "message_id": "m_1"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let id = client(&server)
            .await
            .send_private_reply(&target(Platform::Facebook), "Hi", &token())
            .await
            .unwrap();
        assert_eq!(id.as_deref(), Some("m_1"));
    }

    #[tokio::test]
    async fn the_page_own_reply_is_found_among_the_replies() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v21.0/777_9001/comments"))
            .and(query_param("fields", "id,from"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
                {"id": "777_1", "from": {"id": "5550002"}},
                {"id": "777_2", "from": {"id": "1029384756"}}
            ]})))
            .mount(&server)
            .await;
        let found = client(&server)
            .await
            .find_public_reply(&target(Platform::Facebook), &token())
            .await
            .unwrap();
        assert_eq!(found.as_deref(), Some("777_2"));
    }

    #[tokio::test]
    async fn errors_are_classified_by_what_should_happen_next() {
        let cases = [
            (
                400,
                json!({"error": {"message": "Session has expired", "code": 190, "error_subcode": 463}}),
                "reconnect",
            ),
            (
                403,
                json!({"error": {"message": "Permission", "code": 200}}),
                "reconnect",
            ),
            (
                400,
                json!({"error": {"message": "Too many calls", "code": 4}}),
                "transient",
            ),
            (429, json!({}), "transient"),
            (
                500,
                json!({"error": {"message": "Unknown", "code": 1}}),
                "ambiguous",
            ),
            (503, json!({}), "ambiguous"),
            (
                400,
                json!({"error": {"message": "Activity already replied to", "code": 10900}}),
                "already",
            ),
            (
                400,
                json!({"error": {"message": "Object does not exist", "code": 100}}),
                "rejected",
            ),
        ];
        for (status, body, want) in cases {
            let got = match classify(status, &body.to_string()) {
                ReplyError::Reconnect(_) => "reconnect",
                ReplyError::Transient(_) => "transient",
                ReplyError::Ambiguous(_) => "ambiguous",
                ReplyError::AlreadySent => "already",
                ReplyError::Rejected(_) => "rejected",
            };
            assert_eq!(got, want, "{status} {body}");
        }
    }

    #[tokio::test]
    async fn a_timeout_is_ambiguous_and_a_refused_connection_transient() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
            .mount(&server)
            .await;
        let err = client(&server)
            .await
            .post_public_reply(&target(Platform::Facebook), "x", &token())
            .await
            .unwrap_err();
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
            .post_public_reply(&target(Platform::Facebook), "x", &token())
            .await
            .unwrap_err();
        assert!(matches!(err, ReplyError::Transient(_)), "{err:?}");
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(302).insert_header("location", "http://127.0.0.1:9/steal"),
            )
            .mount(&server)
            .await;
        let err = client(&server)
            .await
            .post_public_reply(&target(Platform::Facebook), "x", &token())
            .await
            .unwrap_err();
        assert!(matches!(err, ReplyError::Rejected(_)), "{err:?}");
    }
}
