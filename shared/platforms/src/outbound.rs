//! The reply halves of every platform, as configured: which clients this deployment
//! answers with ([`from_lookup`]), what each platform declares about answering whether
//! or not it is configured ([`declared_capabilities`]), and which of their variables are
//! secrets. Kept apart from [`crate::reply`] (the port every platform implements), so the
//! platforms depend on the port and this list on the platforms, never in a circle.

use crate::capabilities::Capabilities;
use crate::reply::{Outbound, OutboundPlatform};
use feedback::Platform;
use std::sync::Arc;

/// What a platform declares about answering, whether or not this deployment is configured
/// for it: for tools that word texts to customers without sending them (the tasks API,
/// feedbackctl). An unknown platform is answered by hand.
pub fn declared_capabilities(platform: &Platform) -> Capabilities {
    [
        (crate::meta::FACEBOOK, crate::meta::FACEBOOK_CAPABILITIES),
        (crate::meta::INSTAGRAM, crate::meta::INSTAGRAM_CAPABILITIES),
        (crate::google::PLATFORM, crate::google::CAPABILITIES),
        (crate::trustpilot::PLATFORM, crate::trustpilot::CAPABILITIES),
        (
            crate::google_play::PLATFORM,
            crate::google_play::CAPABILITIES,
        ),
        (crate::app_store::PLATFORM, crate::app_store::CAPABILITIES),
        (crate::standard::PLATFORM, crate::standard::CAPABILITIES),
        (crate::tiktok::PLATFORM, crate::tiktok::CAPABILITIES),
        (crate::linkedin::PLATFORM, crate::linkedin::CAPABILITIES),
        (crate::x::PLATFORM, crate::x::CAPABILITIES),
        (crate::mastodon::PLATFORM, crate::mastodon::CAPABILITIES),
    ]
    .into_iter()
    .find(|(p, _)| p == platform)
    .map_or(Capabilities::MANUAL, |(_, c)| c)
}

/// The variables of the reply clients that hold secrets (read from SSM on AWS, like the
/// webhook secrets).
pub const SECRET_VARIABLES: [&str; 2] = ["GOOGLE_OAUTH_CLIENT_SECRET", "TRUSTPILOT_API_SECRET"];

/// The outbound halves configured in the environment. Every platform's settings are
/// optional; what is set but wrong is reported, every problem together.
pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Outbound, Vec<String>> {
    let mut problems = Vec::new();
    let mut outbound = Outbound::new();
    match crate::meta::graph::GraphConfig::from_lookup(get) {
        Ok(config) => match crate::meta::graph::GraphClient::new(&config) {
            Ok(client) => {
                for platform in crate::meta::graph::outbound(Arc::new(client)) {
                    outbound = outbound.with(platform);
                }
            }
            Err(e) => problems.push(format!("the Graph API client cannot be built: {e}")),
        },
        Err(mut p) => problems.append(&mut p),
    }
    match crate::google::replies::GoogleReplies::from_lookup(get) {
        Some(Ok(client)) => {
            outbound = outbound.with(crate::google::replies::GoogleReplies::outbound(Arc::new(
                client,
            )));
        }
        Some(Err(mut p)) => problems.append(&mut p),
        // Not answered here: its items get tasks for staff (the capabilities still say
        // what the platform is like).
        None => {
            outbound = outbound.with(OutboundPlatform::by_hand(
                crate::google::PLATFORM,
                crate::google::CAPABILITIES,
            ));
        }
    }
    match crate::trustpilot::replies::TrustpilotReplies::from_lookup(get) {
        Some(Ok(client)) => {
            outbound = outbound.with(crate::trustpilot::replies::TrustpilotReplies::outbound(
                Arc::new(client),
            ));
        }
        Some(Err(mut p)) => problems.append(&mut p),
        None => {
            outbound = outbound.with(OutboundPlatform::by_hand(
                crate::trustpilot::PLATFORM,
                crate::trustpilot::CAPABILITIES,
            ));
        }
    }
    // The app stores: nothing to configure but where their APIs are; each app's key is
    // its stored credential.
    match crate::google_play::GooglePlay::from_lookup(get) {
        Ok(client) => {
            outbound = outbound.with(crate::google_play::GooglePlay::outbound(Arc::new(client)));
        }
        Err(mut p) => problems.append(&mut p),
    }
    match crate::app_store::AppStore::from_lookup(get) {
        Ok(client) => {
            outbound = outbound.with(crate::app_store::AppStore::outbound(Arc::new(client)));
        }
        Err(mut p) => problems.append(&mut p),
    }
    // TikTok, LinkedIn and X: where their APIs are; each page's token is its credential.
    match crate::tiktok::replies::TikTokReplies::from_lookup(get) {
        Ok(client) => {
            outbound = outbound.with(crate::tiktok::replies::TikTokReplies::outbound(Arc::new(
                client,
            )));
        }
        Err(mut p) => problems.append(&mut p),
    }
    match crate::linkedin::replies::LinkedInReplies::from_lookup(get) {
        Ok(client) => {
            outbound = outbound.with(crate::linkedin::replies::LinkedInReplies::outbound(
                Arc::new(client),
            ));
        }
        Err(mut p) => problems.append(&mut p),
    }
    match crate::x::replies::XReplies::from_lookup(get) {
        Ok(client) => {
            outbound = outbound.with(crate::x::replies::XReplies::outbound(Arc::new(client)));
        }
        Err(mut p) => problems.append(&mut p),
    }
    // Mastodon: each account's server (its domain unless named); its token is its credential.
    match crate::mastodon::Mastodon::from_lookup(get) {
        Ok(client) => {
            outbound = outbound.with(crate::mastodon::Mastodon::outbound(Arc::new(client)));
        }
        Err(mut p) => problems.append(&mut p),
    }
    // The Standard Webhooks door has nothing to send back through: its items are answered
    // by hand, and its capabilities say so.
    outbound = outbound.with(OutboundPlatform::by_hand(
        crate::standard::PLATFORM,
        crate::standard::CAPABILITIES,
    ));
    if problems.is_empty() {
        Ok(outbound)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_declared_capabilities_are_those_every_configured_deployment_uses() {
        let outbound = from_lookup(&|_| None).unwrap();
        for platform in outbound.platforms() {
            assert_eq!(
                declared_capabilities(platform),
                outbound.capabilities(platform),
                "{platform}"
            );
        }
        assert_eq!(
            declared_capabilities(&crate::meta::INSTAGRAM).author_names,
            crate::capabilities::AuthorNames::Handles
        );
    }

    #[test]
    fn an_unknown_platform_is_answered_by_hand() {
        let outbound = Outbound::new();
        let caps = outbound.capabilities(&Platform::from_static("somewhere"));
        assert_eq!(caps, Capabilities::MANUAL);
    }
}
