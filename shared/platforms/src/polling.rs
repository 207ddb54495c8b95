//! Platforms without webhooks (the app stores): their reviews are read by a scheduled
//! poller, one page at a time, newest first.
//!
//! - [`ReviewSource`]: the port every polled platform implements: one page of an app's
//!   reviews, read with the access token [`crate::reply::ReplyClient::access_token`] made.
//! - [`PolledReview`]: one review as listed, with the time the list orders it by (Play:
//!   last modified; App Store: created). Its [`PolledReview::changes`] go through the same
//!   idempotent write as a webhook delivery.
//! - [`read_answer`]: what an API status means for the poller (401/403: the app must be
//!   reconnected; 429, 5xx, timeouts: try again on a later run).

use crate::calls::{Http, harmless, json_answer, read_capped, transport};
use crate::reply::{AccessToken, ReplyError};
use async_trait::async_trait;
use feedback::{
    AccountId, ChangeVerb, Feedback, FeedbackChange, FeedbackKind, ItemId, Platform, Rating,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// One review as a list page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolledReview {
    pub feedback: Feedback,
    /// What the list is ordered by: when the review was last written.
    pub written_at: OffsetDateTime,
}

impl PolledReview {
    /// The feedback of review `item_id` of `app` on `platform` as a store's list shows it,
    /// `raw` being the entry as listed: what is the same for every store (a review, not
    /// threaded, no author id, created when written at `written_at`). What the list says
    /// besides (author, text, rating, language) is filled in with struct update syntax.
    pub fn listed_feedback(
        platform: Platform,
        app: &AccountId,
        item_id: ItemId,
        written_at: OffsetDateTime,
        raw: &Value,
        received_at: OffsetDateTime,
    ) -> Feedback {
        Feedback {
            created_at: Some(written_at),
            raw: raw.to_string(),
            ..Feedback::new(
                platform,
                app.clone(),
                item_id,
                FeedbackKind::Review,
                received_at,
            )
        }
    }

    /// What storing it means, whether or not it is known: added when it is new (and only
    /// then answered), then edited, which changes nothing for a review just added and keeps
    /// the old text and rating in the history of one that changed. Both are idempotent.
    pub fn changes(&self) -> [FeedbackChange; 2] {
        [
            FeedbackChange {
                verb: ChangeVerb::Added,
                feedback: self.feedback.clone(),
            },
            FeedbackChange {
                verb: ChangeVerb::Edited,
                feedback: self.feedback.clone(),
            },
        ]
    }
}

/// A star rating given as a JSON number from 1 to 5.
pub fn star_rating(value: &Value) -> Option<Rating> {
    value
        .as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .and_then(|n| Rating::new(n).ok())
}

/// One page of an app's reviews, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewPage {
    pub reviews: Vec<PolledReview>,
    /// What to ask for the next page (Play's page token, the App Store's cursor); `None`:
    /// this was the last.
    pub next: Option<String>,
    /// Entries that could not be used, with why (kept in the log, counted).
    pub unusable: Vec<String>,
}

impl ReviewPage {
    /// The page of `entries`, each read by `parse` (an entry it cannot use is kept as
    /// unusable, with why), and the `next` page.
    pub fn read<'a>(
        entries: impl IntoIterator<Item = &'a Value>,
        next: Option<String>,
        parse: impl Fn(&'a Value) -> Result<PolledReview, String>,
    ) -> ReviewPage {
        let mut page = ReviewPage {
            next,
            ..ReviewPage::default()
        };
        for entry in entries {
            match parse(entry) {
                Ok(review) => page.reviews.push(review),
                Err(reason) => page.unusable.push(reason),
            }
        }
        page
    }
}

/// A platform whose reviews are polled.
#[async_trait]
pub trait ReviewSource: Send + Sync {
    fn platform(&self) -> Platform;

    /// One page of `app`'s reviews: the first when `page` is `None`.
    async fn list_page(
        &self,
        app: &AccountId,
        page: Option<&str>,
        token: &AccessToken,
    ) -> Result<ReviewPage, ReplyError>;
}

/// Send a request and read its JSON answer; a status is mapped as every reply client does
/// (401/403 reconnect, 404/410 gone, 429 transient, 5xx ambiguous, other 4xx rejected).
pub async fn read_answer(
    request: reqwest::RequestBuilder,
) -> Result<serde_json::Value, ReplyError> {
    let response = request.send().await.map_err(transport)?;
    let (status, body) = read_capped(response).await?;
    json_answer(status, &body)
}

/// A GET with `token` as bearer, its answer read as [`read_answer`] does; a read changes
/// nothing, so its failure is never ambiguous.
pub async fn read_with(
    http: &Http,
    url: reqwest::Url,
    token: &AccessToken,
) -> Result<serde_json::Value, ReplyError> {
    read_answer(http.client()?.get(url).bearer_auth(token.expose_secret()))
        .await
        .map_err(harmless)
}

/// A token kept: the token, the hash of the key it was made from, and until when.
type Kept = (AccessToken, [u8; 32], Instant);

/// Access tokens made from a stored key, per app, kept until `until`; a different stored
/// key (rotated) makes a new one.
#[derive(Default)]
pub struct MadeTokens {
    kept: Mutex<HashMap<AccountId, Kept>>,
}

impl std::fmt::Debug for MadeTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MadeTokens([REDACTED])")
    }
}

impl MadeTokens {
    fn fingerprint(stored: &SecretString) -> [u8; 32] {
        Sha256::digest(stored.expose_secret().as_bytes()).into()
    }

    pub fn get(&self, app: &AccountId, stored: &SecretString) -> Option<AccessToken> {
        let kept = self.kept.lock().ok()?;
        let (token, key, until) = kept.get(app)?;
        (*key == Self::fingerprint(stored) && *until > Instant::now()).then(|| token.clone())
    }

    pub fn keep(
        &self,
        app: &AccountId,
        stored: &SecretString,
        token: &AccessToken,
        life: Duration,
    ) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.insert(
                app.clone(),
                (
                    token.clone(),
                    Self::fingerprint(stored),
                    Instant::now() + life,
                ),
            );
        }
    }

    /// The token kept for `app`, else one `make` makes, kept for its life less `margin`.
    pub async fn get_or_make<F>(
        &self,
        app: &AccountId,
        stored: &SecretString,
        margin: Duration,
        make: impl FnOnce() -> F,
    ) -> Result<AccessToken, ReplyError>
    where
        F: Future<Output = Result<(AccessToken, Duration), ReplyError>>,
    {
        if let Some(token) = self.get(app, stored) {
            return Ok(token);
        }
        let (token, life) = make().await?;
        self.keep(app, stored, &token, life.saturating_sub(margin));
        Ok(token)
    }

    pub fn forget(&self, app: &AccountId) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.remove(app);
        }
    }
}
