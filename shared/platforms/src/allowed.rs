//! What the platform modules declare they allow ([`Capabilities`]), built once for the two
//! kinds of platform several share: review sites and comments under an account's posts.

use crate::capabilities::{
    AuthorNames, Capabilities, PrivateChannel, PublicReplies, TextLimit, WebhookContent,
};

/// A review site: reviews with stars, one public reply per review (a new one replaces it)
/// of at most `limit`, no private channel, reviewers named by their display names;
/// `content` says whether the review arrives with its text or only its id.
pub(crate) const fn review_site(limit: TextLimit, content: WebhookContent) -> Capabilities {
    Capabilities {
        private_channel: PrivateChannel::None,
        public_replies: Some(PublicReplies {
            limit,
            one_per_item: true,
        }),
        ratings: true,
        content,
        author_names: AuthorNames::DisplayNames,
    }
}

/// Comments under an account's posts, delivered with their text and without stars:
/// public replies of at most `limit`, as many as wanted; `private_channel` as the platform
/// offers one.
pub(crate) const fn comments(
    limit: TextLimit,
    private_channel: PrivateChannel,
    author_names: AuthorNames,
) -> Capabilities {
    Capabilities {
        private_channel,
        public_replies: Some(PublicReplies {
            limit,
            one_per_item: false,
        }),
        ratings: false,
        content: WebhookContent::Included,
        author_names,
    }
}
