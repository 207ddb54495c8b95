//! Delivering notifications to a page's targets: Slack and Teams incoming webhooks
//! (`{"text": …}`) and any URL as a signed Standard Webhooks event (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`).
//!
//! What may be retried differs by target: a Standard Webhooks receiver drops a repeated
//! `webhook-id`, so a timeout is retried; a chat webhook would post twice, so there only
//! what certainly did not arrive is retried (no connection, 429, 5xx), and an unknown
//! outcome is given up. URLs and secrets are never logged: errors are reported without
//! the URL.

use async_trait::async_trait;
use feedback::page::Secret;
use feedback::records::NotifyTarget;
use platforms::standard::StandardWebhooks;
use std::time::Duration;
use tracing::info;

/// One request to a target.
pub struct Request<'a> {
    pub target: NotifyTarget,
    pub url: &'a Secret,
    /// For signed webhooks: the key and the event id.
    pub signing: Option<(&'a Secret, &'a str)>,
    pub body: &'a str,
    /// Unix seconds, for `webhook-timestamp`.
    pub timestamp: i64,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// Certainly not delivered: may be retried.
    NotDelivered(String),
    /// Maybe delivered: retried only where the receiver drops repeats.
    Unknown(String),
    /// Refused for good (a revoked URL, a bad key): not retried.
    Refused(String),
}

#[async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, request: &Request<'_>) -> Sent;
}

/// The real notifier: HTTPS (or http on this machine, for local stand-ins), no redirects,
/// short timeouts.
pub struct HttpNotifier {
    client: reqwest::Client,
}

impl HttpNotifier {
    pub fn new(timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2).min(timeout))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("reputation-guard-notifications")
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Self { client })
    }
}

/// The `webhook-signature` of a body, or why it cannot be signed.
pub fn signature(secret: &Secret, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let keys = StandardWebhooks::new(&[secret.expose()])
        .map_err(|e| format!("the page's webhook secret is not usable: {e}"))?;
    keys.sign(id, timestamp, body.as_bytes())
        .ok_or_else(|| "the page's webhook secret cannot sign".to_owned())
}

#[async_trait]
impl Notifier for HttpNotifier {
    async fn send(&self, request: &Request<'_>) -> Sent {
        let on_lambda = platforms::destination::on_lambda();
        if let Err(why) =
            platforms::destination::check_before_send(request.url.expose(), on_lambda).await
        {
            return Sent::Refused(format!("the page's {} URL: {why}", request.target));
        }
        let mut http = self
            .client
            .post(request.url.expose())
            .header("content-type", "application/json")
            .body(request.body.to_owned());
        if let Some((secret, id)) = request.signing {
            match signature(secret, id, request.timestamp, request.body) {
                Ok(sig) => {
                    http = http
                        .header("webhook-id", id)
                        .header("webhook-timestamp", request.timestamp.to_string())
                        .header("webhook-signature", sig);
                }
                Err(e) => return Sent::Refused(e),
            }
        }
        let response = match http.send().await {
            Ok(r) => r,
            Err(e) => {
                let e = e.without_url();
                return if e.is_connect() || e.is_builder() {
                    Sent::NotDelivered(e.to_string())
                } else {
                    Sent::Unknown(e.to_string())
                };
            }
        };
        let status = response.status();
        if status.is_success() {
            Sent::Delivered
        } else if status.as_u16() == 429 || status.is_server_error() || status.as_u16() == 408 {
            Sent::NotDelivered(format!("the target answered {status}"))
        } else {
            Sent::Refused(format!("the target answered {status}"))
        }
    }
}

/// Locally, in dry-run: notifications are logged (the event, never the URL), not sent.
pub struct DryRunNotifier;

#[async_trait]
impl Notifier for DryRunNotifier {
    async fn send(&self, request: &Request<'_>) -> Sent {
        info!(target_kind = %request.target, body = %request.body.escape_debug(), "dry-run: notification");
        Sent::Delivered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_matches_the_standard_webhooks_vector() {
        // The Standard Webhooks library's own test vector.
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert_eq!(
            signature(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#
            )
            .as_deref(),
            Ok("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn a_bad_key_is_refused_without_showing_it() {
        let err = signature(&Secret::new("not-a-key-xyz"), "msg_1", 1, "{}").unwrap_err();
        assert!(!err.contains("xyz"), "{err}");
    }
}
