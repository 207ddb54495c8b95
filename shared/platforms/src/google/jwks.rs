//! Google's token-signing keys: fetched from the JWKS URL when a token names a key we do
//! not hold, kept as long as Google's `Cache-Control: max-age` says (an hour when it says
//! nothing), fetched at most every 30 seconds however many unknown key ids arrive (a forged
//! token cannot make us hammer Google), plus, locally only, a key we were told about.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The key id of the local signing key (`infra/google-local/`).
pub const LOCAL_KEY_ID: &str = "reputation-guard-local";
const MIN_REFETCH: Duration = Duration::from_secs(30);
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

struct Fetched {
    keys: HashMap<String, DecodingKey>,
    until: Instant,
}

pub struct KeySource {
    url: String,
    local: Option<HashMap<String, DecodingKey>>,
    fetched: Mutex<Option<Fetched>>,
    last_attempt: Mutex<Option<Instant>>,
    http: OnceLock<reqwest::Client>,
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySource")
            .field("url", &self.url)
            .field("local_keys", &self.local.as_ref().map_or(0, HashMap::len))
            .finish()
    }
}

fn keys_of(set: &JwkSet) -> HashMap<String, DecodingKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            Some((kid, DecodingKey::from_jwk(jwk).ok()?))
        })
        .collect()
}

/// The keys of a local JWKS file.
pub fn local_keys(path: &str) -> Result<HashMap<String, DecodingKey>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let set: JwkSet = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let keys = keys_of(&set);
    if keys.is_empty() {
        return Err("holds no usable RSA key with a key id".into());
    }
    Ok(keys)
}

/// `max-age` of a `Cache-Control` header.
fn max_age(header: Option<&str>) -> Option<Duration> {
    header?.split(',').find_map(|part| {
        let value = part.trim().strip_prefix("max-age=")?;
        value.trim().parse().ok().map(Duration::from_secs)
    })
}

impl KeySource {
    pub fn new(url: String, local: Option<HashMap<String, DecodingKey>>) -> Self {
        Self {
            url,
            local,
            fetched: Mutex::new(None),
            last_attempt: Mutex::new(None),
            http: OnceLock::new(),
        }
    }

    fn cached(&self, kid: &str) -> (Option<DecodingKey>, bool) {
        if let Some(key) = self.local.as_ref().and_then(|l| l.get(kid)) {
            return (Some(key.clone()), true);
        }
        match self.fetched.lock().ok().as_deref() {
            Some(Some(f)) if f.until > Instant::now() => (f.keys.get(kid).cloned(), true),
            _ => (None, false),
        }
    }

    /// The key with id `kid`, fetching Google's keys when needed.
    pub async fn key(&self, kid: &str) -> Option<DecodingKey> {
        let (key, fresh) = self.cached(kid);
        if key.is_some() {
            return key;
        }
        {
            let Ok(mut last) = self.last_attempt.lock() else {
                return None;
            };
            if fresh && last.is_some_and(|t| t.elapsed() < MIN_REFETCH) {
                return None;
            }
            *last = Some(Instant::now());
        }
        self.fetch().await;
        self.cached(kid).0
    }

    async fn fetch(&self) {
        let http = match self.http.get() {
            Some(http) => http,
            None => match crate::calls::client(Duration::from_secs(4)) {
                Ok(client) => self.http.get_or_init(|| client),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot build an HTTP client for Google's keys");
                    return;
                }
            },
        };
        let response = match http.get(&self.url).send().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "fetching Google's token keys failed");
                return;
            }
        };
        let lifetime = max_age(
            response
                .headers()
                .get(http::header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
        )
        .unwrap_or(DEFAULT_LIFETIME);
        let body = match crate::calls::read_capped(response).await {
            Ok((200, body)) => body,
            Ok((status, _)) => {
                tracing::warn!(status, "Google's token keys answered an error");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading Google's token keys failed");
                return;
            }
        };
        match serde_json::from_str::<JwkSet>(&body) {
            Ok(set) => {
                if let Ok(mut fetched) = self.fetched.lock() {
                    *fetched = Some(Fetched {
                        keys: keys_of(&set),
                        until: Instant::now() + lifetime,
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "Google's token keys are unreadable"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            max_age(Some("public, max-age=22000, must-revalidate, no-transform")),
            Some(Duration::from_secs(22000))
        );
        assert_eq!(max_age(Some("no-cache")), None);
        assert_eq!(max_age(None), None);
    }
}
