//! Domain types of the reputation guard, free of AWS and HTTP.
//!
//! - [`Platform`]: where a piece of feedback was written (Facebook, Instagram, …).
//! - [`Feedback`]: one comment, reply, mention or review, as the platform reported it.
//! - [`FeedbackChange`]: what a webhook said happened to an item (added, edited, removed).
//! - [`ItemId`], [`AccountId`]: platform identifiers, parsed once so they are never empty
//!   and never contain characters that would break a storage key.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// Where a piece of feedback was written. The webhook route (`/webhooks/meta`) can carry
/// more than one platform: Meta delivers both Facebook and Instagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Facebook,
    Instagram,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Facebook, Platform::Instagram];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of feedback an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// A top-level comment under a post or media.
    Comment,
    /// A reply to another comment.
    Reply,
    /// The account was mentioned (Instagram @mention in a comment or caption).
    Mention,
}

impl FeedbackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Comment => "comment",
            FeedbackKind::Reply => "reply",
            FeedbackKind::Mention => "mention",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackKind> {
        [
            FeedbackKind::Comment,
            FeedbackKind::Reply,
            FeedbackKind::Mention,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("identifier is empty")]
    Empty,
    #[error("identifier is longer than {max} bytes")]
    TooLong { max: usize },
    #[error("identifier contains whitespace, a control character, '#' or non-ASCII")]
    BadCharacter,
}

/// Platform identifiers are opaque strings (`123_456`, `17895695668004550`, `urn:li:…`).
/// They become part of storage keys (`feedback#facebook#<id>`), so they are printable
/// ASCII without whitespace or the key separator `#`.
fn check_id(s: &str) -> Result<(), IdError> {
    const MAX: usize = 256;
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > MAX {
        return Err(IdError::TooLong { max: MAX });
    }
    if !s.bytes().all(|b| b.is_ascii_graphic() && b != b'#') {
        return Err(IdError::BadCharacter);
    }
    Ok(())
}

macro_rules! platform_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check_id(&s)?;
                Ok(Self(s))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

platform_id!(
    /// The platform's id of one feedback item (a comment id, a review name, …).
    ItemId
);
platform_id!(
    /// The business account the feedback was written to (a Facebook page id, an
    /// Instagram business account id, …).
    AccountId
);

/// One piece of feedback as the platform reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub platform: Platform,
    pub account_id: AccountId,
    pub item_id: ItemId,
    /// The post or media the item was written under, when the platform says.
    pub thread_id: Option<String>,
    /// The comment this one answers (for replies).
    pub parent_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    /// The text; absent for removals and for mentions whose text must be fetched.
    pub text: Option<String>,
    /// When the author wrote it, if the platform says.
    pub created_at: Option<OffsetDateTime>,
    pub kind: FeedbackKind,
    /// Written by the business account itself (our own replies come back as webhooks):
    /// stored, never answered.
    pub from_account: bool,
    /// The platform's own JSON for this change, kept verbatim for inspection.
    pub raw: String,
    pub received_at: OffsetDateTime,
}

/// What a webhook says happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeVerb {
    Added,
    Edited,
    Removed,
}

/// One change reported by a platform: the verb and the item as it now is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackChange {
    pub verb: ChangeVerb,
    pub feedback: Feedback,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_meta_and_linkedin_are_accepted() {
        for id in [
            "123_456",
            "17895695668004550",
            "urn:li:comment:(urn:li:activity:1,2)",
        ] {
            assert_eq!(ItemId::parse(id).map(|i| i.to_string()), Ok(id.to_string()));
        }
    }

    #[test]
    fn empty_long_and_key_breaking_ids_are_rejected() {
        assert_eq!(ItemId::parse(""), Err(IdError::Empty));
        assert_eq!(
            ItemId::parse("a".repeat(257)),
            Err(IdError::TooLong { max: 256 })
        );
        assert_eq!(ItemId::parse("a#b"), Err(IdError::BadCharacter));
        assert_eq!(AccountId::parse("a b"), Err(IdError::BadCharacter));
        assert_eq!(AccountId::parse("a\nb"), Err(IdError::BadCharacter));
        assert_eq!(AccountId::parse("ä"), Err(IdError::BadCharacter));
    }

    #[test]
    fn platforms_round_trip_through_their_names() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Some(p));
        }
        assert_eq!(Platform::parse("myspace"), None);
    }
}
