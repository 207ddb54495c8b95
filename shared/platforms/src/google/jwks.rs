//! Google's token-signing keys: fetched from the JWKS URL when a token names a key we do
//! not hold, kept as long as Google's `Cache-Control: max-age` says (an hour when it says
//! nothing), plus, locally only, a key we were told about.
//!
//! Google's key URL is asked at most once per interval, whatever key id a token names and
//! whether the last attempt worked or not (after failures the interval doubles, up to ten
//! minutes): a flood of forged tokens during an outage costs one fetch, not one each.
//! Through an outage the last good keys keep verifying for up to a day past their
//! `max-age` (stale-if-error). When no usable key is held, [`Lookup::Unavailable`] says so,
//! and the push is answered with a status Pub/Sub retries rather than 401.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The key id of the local signing key (`infra/google-local/`).
pub const LOCAL_KEY_ID: &str = "reputation-guard-local";
const MIN_REFETCH: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(600);
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// How long past their `max-age` the last good keys are used while fetching fails.
const STALE_IF_ERROR: Duration = Duration::from_secs(24 * 3600);

struct Fetched {
    keys: HashMap<String, DecodingKey>,
    until: Instant,
}

/// What was fetched and when the URL may be asked next: shared by every [`KeySource`] of
/// the same URL built from it ([`KeySource::keep_cache_of`]), so a reload of the secrets
/// does not throw Google's keys away.
#[derive(Default)]
struct Cache {
    fetched: Option<Fetched>,
    /// No fetch before this.
    next_attempt: Option<Instant>,
    failures: u32,
}

/// What the keys say about a key id.
pub enum Lookup {
    Key(DecodingKey),
    /// Current keys are held and this id is not among them: the token is forged.
    NotAmong,
    /// No current keys can be had (the URL fails, and what is cached is too old or does
    /// not hold this id): nothing can be said about the token now.
    Unavailable,
}

pub struct KeySource {
    url: String,
    local: Option<HashMap<String, DecodingKey>>,
    cache: Arc<Mutex<Cache>>,
    http: OnceLock<reqwest::Client>,
    min_refetch: Duration,
    stale_for: Duration,
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
            cache: Arc::default(),
            http: OnceLock::new(),
            min_refetch: MIN_REFETCH,
            stale_for: STALE_IF_ERROR,
        }
    }

    #[cfg(test)]
    pub(crate) fn with_timing(mut self, min_refetch: Duration, stale_for: Duration) -> Self {
        self.min_refetch = min_refetch;
        self.stale_for = stale_for;
        self
    }

    /// Share the key cache of `previous` (the same platform before a reload of the
    /// secrets) when it reads the same URL.
    pub fn keep_cache_of(&mut self, previous: &KeySource) {
        if previous.url == self.url {
            self.cache = Arc::clone(&previous.cache);
        }
    }

    fn look_up(&self, kid: &str, now: Instant) -> Lookup {
        let Ok(cache) = self.cache.lock() else {
            return Lookup::Unavailable;
        };
        match &cache.fetched {
            Some(f) if f.until > now => f
                .keys
                .get(kid)
                .cloned()
                .map_or(Lookup::NotAmong, Lookup::Key),
            // Stale: used only for an id it holds (a key Google rotated in meanwhile
            // cannot be judged), and only for a while.
            Some(f) if f.until + self.stale_for > now => f
                .keys
                .get(kid)
                .cloned()
                .map_or(Lookup::Unavailable, Lookup::Key),
            _ => Lookup::Unavailable,
        }
    }

    /// Whether this caller may ask the URL now; if so, no one else may for a while.
    fn may_fetch(&self, now: Instant) -> bool {
        let Ok(mut cache) = self.cache.lock() else {
            return false;
        };
        if cache.next_attempt.is_some_and(|t| t > now) {
            return false;
        }
        // Doubled for each failure in a row; reset by a success (see `fetch`).
        let backoff = self
            .min_refetch
            .saturating_mul(1 << cache.failures.min(5))
            .min(MAX_BACKOFF.max(self.min_refetch));
        cache.next_attempt = Some(now + backoff);
        true
    }

    /// The key with id `kid`, fetching Google's keys when needed.
    pub async fn key(&self, kid: &str) -> Lookup {
        if let Some(key) = self.local.as_ref().and_then(|l| l.get(kid)) {
            return Lookup::Key(key.clone());
        }
        let now = Instant::now();
        let fresh = {
            let Ok(cache) = self.cache.lock() else {
                return Lookup::Unavailable;
            };
            cache.fetched.as_ref().is_some_and(|f| f.until > now)
        };
        let found = self.look_up(kid, now);
        // Held, fresh or not: used. Fresh keys without this id, or no fresh keys: asked
        // again, but only if no one asked lately.
        if matches!(found, Lookup::Key(_)) && fresh {
            return found;
        }
        if !self.may_fetch(now) {
            return found;
        }
        let ok = self.fetch().await;
        if let Ok(mut cache) = self.cache.lock() {
            cache.failures = if ok {
                0
            } else {
                cache.failures.saturating_add(1)
            };
        }
        if !ok {
            tracing::warn!(
                stale_key = matches!(found, Lookup::Key(_)),
                "Google's token keys could not be fetched; using what is cached"
            );
            return found;
        }
        match self.look_up(kid, now) {
            // Fetched just now: current, even when Google said `max-age=0`.
            Lookup::Unavailable => Lookup::NotAmong,
            other => other,
        }
    }

    /// `true`: fresh keys are held now.
    async fn fetch(&self) -> bool {
        let http = match self.http.get() {
            Some(http) => http,
            None => match crate::calls::client(Duration::from_secs(4)) {
                Ok(client) => self.http.get_or_init(|| client),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot build an HTTP client for Google's keys");
                    return false;
                }
            },
        };
        let response = match http.get(&self.url).send().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "fetching Google's token keys failed");
                return false;
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
                return false;
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading Google's token keys failed");
                return false;
            }
        };
        match serde_json::from_str::<JwkSet>(&body) {
            Ok(set) => {
                let keys = keys_of(&set);
                if keys.is_empty() {
                    tracing::warn!("Google's token keys hold no usable key");
                    return false;
                }
                let Ok(mut cache) = self.cache.lock() else {
                    return false;
                };
                cache.fetched = Some(Fetched {
                    keys,
                    until: Instant::now() + lifetime,
                });
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "Google's token keys are unreadable");
                false
            }
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
