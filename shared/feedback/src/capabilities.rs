//! What a platform allows when answering: every decision after ingest (triage, the
//! responder, the store, the CLI) is taken from these values, never from a platform's name.

use time::Duration;

/// How, if at all, the business can write privately to the author of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateChannel {
    /// None (review sites): staff contact the customer through the page's contact line.
    None,
    /// One message per item, within `window` after it was written (Meta's private
    /// replies: 7 days). A second message for the same item is refused.
    OneMessageWithin { window: Duration, limit: TextLimit },
    /// Ordinary direct messages, any time.
    DirectMessages { limit: TextLimit },
}

impl PrivateChannel {
    /// How long a private message may be; `None` without a channel.
    pub fn limit(&self) -> Option<TextLimit> {
        match self {
            PrivateChannel::None => None,
            PrivateChannel::OneMessageWithin { limit, .. }
            | PrivateChannel::DirectMessages { limit } => Some(*limit),
        }
    }
}

/// How long a text may be on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLimit {
    /// At most this many characters (Unicode scalar values).
    Chars(usize),
    /// At most this many bytes of UTF-8.
    Bytes(usize),
}

impl TextLimit {
    /// Whether `text` may be posted as it is.
    pub fn fits(self, text: &str) -> bool {
        match self {
            TextLimit::Chars(n) => text.chars().count() <= n,
            TextLimit::Bytes(n) => text.len() <= n,
        }
    }

    /// How long `text` is, in this limit's unit.
    pub fn measure(self, text: &str) -> usize {
        match self {
            TextLimit::Chars(_) => text.chars().count(),
            TextLimit::Bytes(_) => text.len(),
        }
    }

    /// `text` cut to fit (at a word boundary when one is near, with an ellipsis).
    pub fn fit(self, text: String) -> String {
        const ELLIPSIS: char = '…';
        let (fits, room) = match self {
            TextLimit::Chars(n) => (text.chars().count() <= n, n.saturating_sub(1)),
            TextLimit::Bytes(n) => (text.len() <= n, n.saturating_sub(ELLIPSIS.len_utf8())),
        };
        if fits {
            return text;
        }
        // The longest prefix that leaves room for the ellipsis.
        let mut end = 0;
        for (count, (at, c)) in text.char_indices().enumerate() {
            let (used, next) = match self {
                TextLimit::Chars(_) => (count + 1, at + c.len_utf8()),
                TextLimit::Bytes(_) => (at + c.len_utf8(), at + c.len_utf8()),
            };
            if used > room {
                break;
            }
            end = next;
        }
        let cut = &text[..end];
        let cut = match cut.rfind(char::is_whitespace) {
            Some(space) if space * 5 >= end * 4 => &cut[..space],
            _ => cut,
        };
        format!("{}{ELLIPSIS}", cut.trim_end())
    }
}

impl std::fmt::Display for TextLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextLimit::Chars(n) => write!(f, "{n} characters"),
            TextLimit::Bytes(n) => write!(f, "{n} bytes"),
        }
    }
}

/// Public replies under an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicReplies {
    pub limit: TextLimit,
    /// One reply per item; posting again replaces it (Google).
    pub one_per_item: bool,
}

/// Whether a webhook delivery carries what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookContent {
    /// Text, author and rating arrive with the delivery; an item that lacks them (Meta's
    /// Instagram mentions) is fetched.
    Included,
    /// Only an id arrives: the item is always fetched before it is answered.
    IdOnly,
}

/// What an item's author name is on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorNames {
    /// The name people go by (Facebook, review sites): a reply may greet them by it.
    DisplayNames,
    /// A chosen handle (Instagram usernames): never echoed in a reply.
    Handles,
}

/// Everything the core needs to know about answering on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub private_channel: PrivateChannel,
    /// `None`: nothing can be posted publicly (a task for staff only).
    pub public_replies: Option<PublicReplies>,
    /// Items carry a star rating.
    pub ratings: bool,
    pub content: WebhookContent,
    pub author_names: AuthorNames,
}

impl Capabilities {
    /// Whether a private message may still be sent for an item written at `written`.
    pub fn private_message_allowed(
        &self,
        written: time::OffsetDateTime,
        now: time::OffsetDateTime,
    ) -> bool {
        match self.private_channel {
            PrivateChannel::None => false,
            PrivateChannel::OneMessageWithin { window, .. } => now - written <= window,
            PrivateChannel::DirectMessages { .. } => true,
        }
    }

    /// A platform we know nothing about: no channel, staff answer by hand.
    pub const MANUAL: Capabilities = Capabilities {
        private_channel: PrivateChannel::None,
        public_replies: None,
        ratings: false,
        content: WebhookContent::Included,
        author_names: AuthorNames::DisplayNames,
    };

    /// A typical comments platform, for tests and examples that need one without naming a
    /// real one: public replies, one private message within 7 days of the comment (as
    /// Meta's), display names, the text in the delivery.
    pub const EXAMPLE_COMMENTS: Capabilities = Capabilities {
        private_channel: PrivateChannel::OneMessageWithin {
            window: Duration::days(7),
            limit: TextLimit::Chars(1000),
        },
        public_replies: Some(PublicReplies {
            limit: TextLimit::Chars(8000),
            one_per_item: false,
        }),
        ratings: false,
        content: WebhookContent::Included,
        author_names: AuthorNames::DisplayNames,
    };

    /// A typical reviews platform, likewise: stars, one public reply per review, no
    /// private channel, only the review's id in the delivery (as Google's).
    pub const EXAMPLE_REVIEWS: Capabilities = Capabilities {
        private_channel: PrivateChannel::None,
        public_replies: Some(PublicReplies {
            limit: TextLimit::Bytes(4096),
            one_per_item: true,
        }),
        ratings: true,
        content: WebhookContent::IdOnly,
        author_names: AuthorNames::DisplayNames,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_in_bytes_counts_bytes_and_one_in_characters_counts_characters() {
        assert!(TextLimit::Chars(5).fits("héllo"));
        assert!(!TextLimit::Bytes(5).fits("héllo"));
        assert_eq!(TextLimit::Bytes(5).measure("héllo"), 6);
        assert_eq!(TextLimit::Chars(2048).to_string(), "2048 characters");
    }

    #[test]
    fn a_text_within_the_limit_is_kept_as_it_is() {
        assert_eq!(TextLimit::Chars(5).fit("héllo".into()), "héllo");
        assert_eq!(TextLimit::Bytes(6).fit("héllo".into()), "héllo");
    }

    #[test]
    fn a_long_text_is_cut_at_a_word_with_an_ellipsis_and_fits() {
        let text = "Thank you for your review, we are sorry to hear about the delay".to_owned();
        let cut = TextLimit::Chars(30).fit(text.clone());
        assert!(cut.chars().count() <= 30, "{cut}");
        assert!(
            cut.ends_with('…') && text.starts_with(cut.trim_end_matches('…')),
            "{cut}"
        );
        let bytes = TextLimit::Bytes(20).fit("ééééééééééééééééééééé".into());
        assert!(bytes.len() <= 20, "{bytes}");
    }

    #[test]
    fn a_private_message_window_is_measured_from_when_the_item_was_written() {
        let now = time::macros::datetime!(2026-01-10 12:00 UTC);
        let caps = Capabilities {
            private_channel: PrivateChannel::OneMessageWithin {
                window: Duration::days(7),
                limit: TextLimit::Chars(1000),
            },
            ..Capabilities::MANUAL
        };
        assert!(caps.private_message_allowed(now - Duration::days(6), now));
        assert!(!caps.private_message_allowed(now - Duration::days(8), now));
        assert!(!Capabilities::MANUAL.private_message_allowed(now, now));
    }
}
