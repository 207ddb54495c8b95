//! OAuth 2 refresh-token exchange for platforms whose API needs short-lived access tokens
//! (Google, Trustpilot): the page's stored credential is a refresh token; access tokens are
//! kept per account until a minute before they expire, refreshed then, and refreshed again
//! when the platform refuses one (401). Tokens are never logged.
//!
//! The token endpoint's answer is read tolerantly, because platforms document it loosely:
//! `expires_in` as a number or as a string of digits (Trustpilot documents
//! `"expires_in": "359999"`), any `token_type` spelling (`Bearer`, `bearer`, `BearerToken`)
//! or none, and fields we do not use (`refresh_token_expires_in`, `issued_at`, `status`, …)
//! are ignored. An absent or unreadable `expires_in` means a short life ([`SHORT_LIFE`]);
//! a token refused earlier than that is renewed on the 401 anyway. Only `access_token` is
//! read strictly: a non-empty string of visible ASCII.

use crate::calls::{Http, json_answer, read_capped, transport};
use crate::reply::{AccessToken, ReplyError, TokenExchange};
use feedback::AccountId;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the client proves itself to the token endpoint.
#[derive(Clone)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form body (Google).
    Body { id: String, secret: SecretString },
    /// HTTP Basic with the API key and secret (Trustpilot).
    Basic { id: String, secret: SecretString },
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientAuth::Body { id, .. } => write!(f, "Body({id}, [REDACTED])"),
            ClientAuth::Basic { id, .. } => write!(f, "Basic({id}, [REDACTED])"),
        }
    }
}

/// The fields of a token answer we use; every other field is ignored.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// How long a token is kept when the answer does not say (or says something unreadable).
pub const SHORT_LIFE: Duration = Duration::from_secs(5 * 60);
/// The longest life believed, whatever the answer says.
pub const LONGEST_LIFE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// `expires_in` as a number of seconds: a whole non-negative number, or a string of
/// digits (blanks around it allowed). Anything else: `None`.
pub fn read_expires_in(value: &serde_json::Value) -> Option<Duration> {
    let seconds = match value {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f.min(LONGEST_LIFE.as_secs_f64()) as u64)
        })?,
        serde_json::Value::String(s) => {
            let s = s.trim();
            if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()?
        }
        _ => return None,
    };
    Some(Duration::from_secs(seconds).min(LONGEST_LIFE))
}

/// An access token is put in an `Authorization` header: visible ASCII only.
fn is_usable_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 8192 && token.bytes().all(|b| b.is_ascii_graphic())
}

/// The token endpoint's answer read: the access token and how long to keep it.
pub fn read_token_answer(text: &str) -> Result<(SecretString, Duration), ReplyError> {
    let unreadable = || ReplyError::Transient("the token endpoint's answer is unreadable".into());
    let answer: TokenAnswer = serde_json::from_str(text).map_err(|_| unreadable())?;
    if !is_usable_token(&answer.access_token) {
        return Err(unreadable());
    }
    let lifetime = answer
        .expires_in
        .as_ref()
        .and_then(read_expires_in)
        .unwrap_or(SHORT_LIFE);
    Ok((SecretString::from(answer.access_token), lifetime))
}

/// The time now, as the cache sees it (injected in tests).
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

struct Cached {
    token: AccessToken,
    refresh: SecretString,
    until: Instant,
}

/// Access tokens per account.
pub struct TokenCache {
    http: Http,
    token_url: String,
    auth: ClientAuth,
    cached: Mutex<HashMap<AccountId, Cached>>,
    clock: Clock,
}

#[async_trait::async_trait]
impl TokenExchange for TokenCache {
    async fn token(
        &self,
        account: &AccountId,
        stored: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        self.get(account, stored).await
    }

    fn forget(&self, account: &AccountId) {
        if let Ok(mut cached) = self.cached.lock() {
            cached.remove(account);
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("token_url", &self.token_url)
            .field("auth", &self.auth)
            .finish()
    }
}

/// Refresh this long before the platform's expiry.
const MARGIN: Duration = Duration::from_secs(60);

impl TokenCache {
    pub fn new(http: Http, token_url: String, auth: ClientAuth) -> Self {
        Self {
            http,
            token_url,
            auth,
            cached: Mutex::new(HashMap::new()),
            clock: Arc::new(Instant::now),
        }
    }

    /// The same cache reading the time from `clock` (tests move time forward with it).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// A valid access token for `account`, exchanging `refresh` when none is kept.
    pub async fn get(
        &self,
        account: &AccountId,
        refresh: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        if let Ok(cached) = self.cached.lock()
            && let Some(c) = cached.get(account)
            && c.until > (self.clock)()
            && c.refresh.expose_secret() == refresh.expose_secret()
        {
            return Ok(c.token.clone());
        }
        self.exchange(account, refresh).await
    }

    /// A fresh access token for an account whose refresh token was seen before (after a
    /// 401): `None` when there is none to use.
    pub async fn renew(&self, account: &AccountId) -> Option<Result<AccessToken, ReplyError>> {
        let refresh = self
            .cached
            .lock()
            .ok()?
            .get(account)
            .map(|c| c.refresh.clone())?;
        Some(self.exchange(account, &refresh).await)
    }

    /// Send the request `build` makes with the access token; on a 401, renew the
    /// account's token once and send again. The answer's JSON (`Null` when empty).
    pub async fn call(
        &self,
        account: &AccountId,
        token: &AccessToken,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<serde_json::Value, ReplyError> {
        let mut token = token.clone();
        for attempt in 0..2 {
            let response = build(token.expose_secret())
                .send()
                .await
                .map_err(transport)?;
            let (status, body) = read_capped(response).await?;
            match status {
                401 if attempt == 0 => match self.renew(account).await {
                    Some(Ok(fresh)) => token = fresh,
                    Some(Err(e)) => return Err(e),
                    None => {
                        return Err(ReplyError::Reconnect("the access token was refused".into()));
                    }
                },
                _ => return json_answer(status, &body),
            }
        }
        Err(ReplyError::Reconnect(
            "the access token was refused twice".into(),
        ))
    }

    /// [`Self::call`] with the request `build` makes from the API client and the token.
    pub async fn send(
        &self,
        account: &AccountId,
        token: &AccessToken,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<serde_json::Value, ReplyError> {
        let http = self.http.client()?;
        self.call(account, token, |t| build(http, t)).await
    }

    /// A GET of `url` with the account's token.
    pub async fn read(
        &self,
        account: &AccountId,
        token: &AccessToken,
        url: &reqwest::Url,
    ) -> Result<serde_json::Value, ReplyError> {
        self.send(account, token, |http, t| {
            http.get(url.clone()).bearer_auth(t)
        })
        .await
    }

    async fn exchange(
        &self,
        account: &AccountId,
        refresh: &SecretString,
    ) -> Result<AccessToken, ReplyError> {
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh.expose_secret().to_owned()),
        ];
        let mut request = self.http.client()?.post(&self.token_url);
        match &self.auth {
            ClientAuth::Body { id, secret } => {
                form.push(("client_id", id.clone()));
                form.push(("client_secret", secret.expose_secret().to_owned()));
            }
            ClientAuth::Basic { id, secret } => {
                request = request.basic_auth(id, Some(secret.expose_secret()));
            }
        }
        let body = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let response = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| match transport(e) {
                // Asking for a token twice is harmless: never ambiguous.
                ReplyError::Ambiguous(e) => ReplyError::Transient(e),
                other => other,
            })?;
        let (status, text) = read_capped(response).await?;
        match status {
            200..=299 => {
                let (access, lifetime) = read_token_answer(&text)?;
                let now = (self.clock)();
                let until = now
                    .checked_add(lifetime.saturating_sub(MARGIN))
                    .unwrap_or(now);
                if let Ok(mut cached) = self.cached.lock() {
                    cached.insert(
                        account.clone(),
                        Cached {
                            token: access.clone(),
                            refresh: refresh.clone(),
                            until,
                        },
                    );
                }
                Ok(access)
            }
            // invalid_grant (revoked or expired refresh token), bad client: a person must act.
            400 | 401 | 403 => Err(ReplyError::Reconnect(format!(
                "the token endpoint refused the refresh token (HTTP {status})"
            ))),
            _ => Err(ReplyError::Transient(format!(
                "the token endpoint answered HTTP {status}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{answer_posts_in_turn, granted, secret, stand_in_http, token_request};
    use wiremock::matchers::{body_string_contains, header, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn account() -> AccountId {
        AccountId::parse("accounts/1/locations/2").unwrap()
    }

    fn cache(server: &MockServer, auth: ClientAuth) -> TokenCache {
        TokenCache::new(stand_in_http(), format!("{}/token", server.uri()), auth)
    }

    /// The client's id and secret sent in the form body, as Google wants them.
    fn body_auth() -> ClientAuth {
        ClientAuth::Body {
            id: "cid".into(),
            secret: secret("cs"),
        }
    }

    fn refresh() -> SecretString {
        secret("refresh-1")
    }

    #[tokio::test]
    async fn a_refresh_token_is_exchanged_once_and_the_access_token_kept_until_near_expiry() {
        let server = MockServer::start().await;
        token_request()
            .and(body_string_contains("grant_type=refresh_token"))
            .and(body_string_contains("refresh_token=refresh-1"))
            .and(body_string_contains("client_id=cid"))
            .respond_with(granted("at-1", 3600))
            .expect(1)
            .mount(&server)
            .await;
        let c = cache(&server, body_auth());
        for _ in 0..3 {
            let t = c.get(&account(), &refresh()).await.unwrap();
            assert_eq!(t.expose_secret(), "at-1");
        }
    }

    #[tokio::test]
    async fn a_token_about_to_expire_is_refreshed_and_basic_auth_is_used_when_asked() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(header("authorization", "Basic a2V5OnNlY3JldA=="))
            .respond_with(granted("short", 30))
            .expect(2)
            .mount(&server)
            .await;
        let c = cache(
            &server,
            ClientAuth::Basic {
                id: "key".into(),
                secret: secret("secret"),
            },
        );
        c.get(&account(), &refresh()).await.unwrap();
        c.get(&account(), &refresh()).await.unwrap();
    }

    #[tokio::test]
    async fn a_refused_refresh_token_means_reconnect_and_an_outage_means_later() {
        let server = MockServer::start().await;
        let refused =
            ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_grant"}));
        answer_posts_in_turn(&server, refused, ResponseTemplate::new(503)).await;
        let c = cache(&server, body_auth());
        assert!(matches!(
            c.get(&account(), &refresh()).await,
            Err(ReplyError::Reconnect(_))
        ));
        assert!(matches!(
            c.get(&account(), &refresh()).await,
            Err(ReplyError::Transient(_))
        ));
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("cs\"") && !shown.contains("refresh-1"),
            "{shown}"
        );
    }

    #[test]
    fn a_token_answer_is_read_whatever_the_expires_in_type_token_type_or_extra_fields() {
        for text in [
            r#"{"access_token":"at","expires_in":"359999","token_type":"BearerToken","refresh_token":"rt","refresh_token_expires_in":"7775999","issued_at":"1700000000000","status":"approved"}"#,
            r#"{"access_token":"at","expires_in":359999,"token_type":"Bearer"}"#,
            r#"{"access_token":"at","expires_in":" 359999 ","token_type":"bearer"}"#,
            r#"{"access_token":"at","expires_in":359999.0}"#,
        ] {
            let (token, life) = read_token_answer(text).unwrap();
            assert_eq!(token.expose_secret(), "at", "{text}");
            assert_eq!(life, Duration::from_secs(359_999), "{text}");
        }
    }

    #[test]
    fn an_absent_or_unreadable_expires_in_means_a_short_life_and_a_bad_token_is_refused() {
        for text in [
            r#"{"access_token":"at"}"#,
            r#"{"access_token":"at","expires_in":null}"#,
            r#"{"access_token":"at","expires_in":"soon"}"#,
            r#"{"access_token":"at","expires_in":-5}"#,
            r#"{"access_token":"at","expires_in":"12e3"}"#,
        ] {
            assert_eq!(read_token_answer(text).unwrap().1, SHORT_LIFE, "{text}");
        }
        assert_eq!(
            read_token_answer(r#"{"access_token":"at","expires_in":"99999999999999"}"#)
                .unwrap()
                .1,
            LONGEST_LIFE
        );
        for text in [
            r#"{"expires_in":"359999"}"#,
            r#"{"access_token":""}"#,
            r#"{"access_token":"a b"}"#,
            r#"{"access_token":42}"#,
            "{ access_token: \"AccessToken\" }",
        ] {
            assert!(
                matches!(read_token_answer(text), Err(ReplyError::Transient(_))),
                "{text}"
            );
        }
    }
}
