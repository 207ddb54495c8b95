//! What every outgoing platform call shares: a client with connect and total timeouts and
//! no redirects, and answers read with a size cap, so a platform (or something posing as
//! one) can neither hang a function nor fill its memory.

use crate::reply::{AccessToken, PostedReply, ReplyError};
use secrecy::ExposeSecret;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Answers larger than this are refused (the largest we read, a review with its reply or a
/// page of comments, is a few KB).
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// How long connecting may take, unless said otherwise.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A client for platform APIs: connect 2 s, total `timeout`, no redirects.
pub fn client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    build(CONNECT_TIMEOUT, timeout)
}

fn build(connect: Duration, timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("reputation-guard/0.1")
        .build()
}

/// A client for platform APIs as [`client`] makes it, built on first use: building one
/// reads the system's trust store (hundreds of files, ~5 ms), which a cold start should not
/// pay for every configured platform when an invocation answers on one, or none. Cheap to
/// clone; clones share the client once built.
#[derive(Debug, Clone)]
pub struct Http {
    connect: Duration,
    timeout: Duration,
    built: Arc<OnceLock<reqwest::Client>>,
}

impl Http {
    /// Total `timeout` per call; nothing is built yet.
    pub fn new(timeout: Duration) -> Self {
        Self::with_connect_timeout(CONNECT_TIMEOUT, timeout)
    }

    /// Connect within `connect`, total `timeout` per call; nothing is built yet.
    pub fn with_connect_timeout(connect: Duration, timeout: Duration) -> Self {
        Self {
            connect,
            timeout,
            built: Arc::new(OnceLock::new()),
        }
    }

    /// The client, built now if this is the first call that needs it. A failure to build
    /// one (the TLS set-up) is worth trying again later.
    pub fn client(&self) -> Result<&reqwest::Client, ReplyError> {
        if let Some(client) = self.built.get() {
            return Ok(client);
        }
        let built = build(self.connect, self.timeout)
            .map_err(|e| ReplyError::Transient(format!("the HTTP client cannot be built: {e}")))?;
        Ok(self.built.get_or_init(|| built))
    }
}

/// A transport failure: a refused connection never reached the platform (safe to retry);
/// anything else may have.
pub fn transport(e: reqwest::Error) -> ReplyError {
    if e.is_connect() {
        ReplyError::Transient(format!("could not connect: {e}"))
    } else if e.is_timeout() {
        ReplyError::Ambiguous(format!("timed out: {e}"))
    } else {
        ReplyError::Ambiguous(e.to_string())
    }
}

/// The failure of a call that changes nothing (a read, a token check): never ambiguous,
/// at worst worth trying again.
pub fn harmless(e: ReplyError) -> ReplyError {
    match e {
        ReplyError::Ambiguous(e) => ReplyError::Transient(e),
        other => other,
    }
}

/// What an API answered, as every client reads a plain JSON API: the JSON of a success
/// (`Null` when empty); 401/403 reconnect, 404/410 gone, 429 transient, 5xx ambiguous,
/// other 4xx rejected.
pub fn json_answer(status: u16, body: &str) -> Result<serde_json::Value, ReplyError> {
    match status {
        200..=299 if body.trim().is_empty() => Ok(serde_json::Value::Null),
        200..=299 => serde_json::from_str(body)
            .map_err(|e| ReplyError::Ambiguous(format!("unreadable answer: {e}"))),
        401 | 403 => Err(ReplyError::Reconnect(format!(
            "HTTP {status}: access refused"
        ))),
        404 | 410 => Err(ReplyError::Gone(format!("HTTP {status}"))),
        429 => Err(ReplyError::Transient("rate limited".into())),
        s if s >= 500 => Err(ReplyError::Ambiguous(format!("HTTP {s}"))),
        s => Err(ReplyError::Rejected(format!("HTTP {s}"))),
    }
}

/// Send `request` with `token` as bearer: the JSON of a success (which must be JSON), else
/// what the platform's `classify` makes of the status and body.
pub async fn bearer_json(
    request: reqwest::RequestBuilder,
    token: &AccessToken,
    classify: fn(u16, &str) -> ReplyError,
) -> Result<serde_json::Value, ReplyError> {
    let response = request
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .map_err(transport)?;
    let (status, body) = read_capped(response).await?;
    if (200..300).contains(&status) {
        serde_json::from_str(&body)
            .map_err(|e| ReplyError::Ambiguous(format!("unreadable success body: {e}")))
    } else {
        Err(classify(status, &body))
    }
}

/// The entries of a JSON list; none when it is not a list.
pub fn entries(list: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    list.as_array().into_iter().flatten()
}

/// The first entry of `list` that `is_ours` (our reply among others), known by its `key`.
pub fn first_reply(
    list: &serde_json::Value,
    is_ours: impl Fn(&serde_json::Value) -> bool,
    key: &str,
) -> Option<PostedReply> {
    entries(list)
        .find(|entry| is_ours(entry))
        .and_then(|entry| entry[key].as_str())
        .map(|id| PostedReply::id_only(id.to_owned()))
}

/// The id a successful post answered with; a success without one leaves the outcome
/// unknown (`missing` says what was not there).
pub fn posted_id(id: Option<&str>, missing: &str) -> Result<String, ReplyError> {
    id.map(str::to_owned)
        .ok_or_else(|| ReplyError::Ambiguous(missing.to_owned()))
}

/// The status and body of an answer, the body read up to [`MAX_ANSWER_BYTES`].
pub async fn read_capped(mut response: reqwest::Response) -> Result<(u16, String), ReplyError> {
    let status = response.status().as_u16();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(ReplyError::Ambiguous(format!(
            "answer of {} bytes is over the {MAX_ANSWER_BYTES}-byte cap",
            response.content_length().unwrap_or_default()
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(ReplyError::Ambiguous(format!(
                "answer is over the {MAX_ANSWER_BYTES}-byte cap"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// `base` followed by `segments`, each percent-encoded as one path segment (an id can
/// never add a path, a query or `..` of its own), then `query`.
pub fn url(
    base: &str,
    segments: &[&str],
    query: &[(&str, &str)],
) -> Result<reqwest::Url, ReplyError> {
    let mut url = reqwest::Url::parse(base)
        .map_err(|e| ReplyError::Rejected(format!("bad API URL {base:?}: {e}")))?;
    {
        let mut path = url.path_segments_mut().map_err(|()| {
            ReplyError::Rejected(format!("the API URL {base:?} cannot take a path"))
        })?;
        path.pop_if_empty();
        for segment in segments {
            if segment.is_empty() || *segment == "." || *segment == ".." {
                return Err(ReplyError::Rejected(format!("{segment:?} is not an id")));
            }
            path.push(segment);
        }
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[test]
    fn ids_stay_single_encoded_segments_and_dot_segments_are_refused() {
        let u = url(
            "https://api.example/v4/",
            &["a/b?c", "reply"],
            &[("x", "1 2")],
        )
        .unwrap();
        assert_eq!(u.as_str(), "https://api.example/v4/a%2Fb%3Fc/reply?x=1+2");
        assert!(url("https://api.example", &[".."], &[]).is_err());
        assert!(url("https://api.example", &[""], &[]).is_err());
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_refused_without_reading_it_all() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string("x".repeat(MAX_ANSWER_BYTES + 1)),
            )
            .mount(&server)
            .await;
        let response = client(Duration::from_secs(2))
            .unwrap()
            .get(server.uri())
            .send()
            .await
            .unwrap();
        assert!(matches!(
            read_capped(response).await,
            Err(ReplyError::Ambiguous(_))
        ));
    }
}
