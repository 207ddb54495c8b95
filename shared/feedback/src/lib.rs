//! Domain types of the reputation guard, free of AWS and HTTP.
//!
//! - [`Platform`]: where a piece of feedback was written: an open name that each platform
//!   module declares (`facebook`, `instagram`, …).
//! - [`Feedback`]: one comment, reply, mention or review (with its [`Rating`]), as the
//!   platform reported it.
//! - [`FeedbackChange`]: what a webhook said happened to an item (added, edited, removed).
//! - [`ItemId`], [`AccountId`]: platform identifiers, parsed once so they are never empty
//!   and never contain characters that would break a storage key.
//! - [`records`]: the states and kinds the table stores (record type, task status,
//!   decision, task channel, message state), one string form each.
//! - [`page`]: a page's stored configuration ([`page::PageConfig`]) and reply mode.
//! - [`settings`]: reading settings through a lookup (the environment, or fixed pairs).

pub mod capabilities;
pub mod page;
pub mod records;
pub mod settings;
pub mod text;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use time::OffsetDateTime;

/// Where a piece of feedback was written: a platform's name (`facebook`, `instagram`,
/// `google`, …). Open on purpose: each platform module in `platforms` declares its own, and
/// nothing outside that module decides anything from the name. Lowercase ASCII letters,
/// digits, `-` and `_`, at most 32 bytes, so it is safe in storage keys and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Platform(Cow<'static, str>);

const fn is_platform_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > 32 || !bytes[0].is_ascii_lowercase() {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a platform name is 1–32 lowercase ASCII letters, digits, '-' or '_', starting with a letter"
)]
pub struct PlatformNameError;

impl Platform {
    /// A platform name known at compile time (a platform module's constant). An invalid
    /// name fails the build when used in a `const`.
    pub const fn from_static(name: &'static str) -> Platform {
        assert!(is_platform_name(name), "invalid platform name");
        Platform(Cow::Borrowed(name))
    }

    pub fn parse(name: &str) -> Result<Platform, PlatformNameError> {
        if is_platform_name(name) {
            Ok(Platform(Cow::Owned(name.to_owned())))
        } else {
            Err(PlatformNameError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Platform {
    type Error = PlatformNameError;
    fn try_from(s: String) -> Result<Self, PlatformNameError> {
        if is_platform_name(&s) {
            Ok(Platform(Cow::Owned(s)))
        } else {
            Err(PlatformNameError)
        }
    }
}

impl From<Platform> for String {
    fn from(p: Platform) -> String {
        p.0.into_owned()
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A star rating, 1 to 5 (Google, Trustpilot, any review site).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a rating is a whole number of stars from 1 to 5")]
pub struct RatingError;

impl Rating {
    pub fn new(stars: u8) -> Result<Rating, RatingError> {
        if (1..=5).contains(&stars) {
            Ok(Rating(stars))
        } else {
            Err(RatingError)
        }
    }

    pub fn stars(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = RatingError;
    fn try_from(stars: u8) -> Result<Self, RatingError> {
        Rating::new(stars)
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}★", self.0)
    }
}

stored_enum!(
    /// What kind of feedback an item is.
    FeedbackKind {
        /// A top-level comment under a post or media.
        Comment => "comment",
        /// A reply to another comment.
        Reply => "reply",
        /// The account was mentioned (Instagram @mention in a comment or caption).
        Mention => "mention",
        /// A review of the business (usually with a rating; the text may be empty).
        Review => "review",
    }
);

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// The text; absent for removals, for items whose content must be fetched, and for
    /// reviews that are only a rating.
    pub text: Option<String>,
    /// The stars of a review.
    pub rating: Option<Rating>,
    /// Where staff can see the item on its platform (when the platform gives a link).
    pub url: Option<String>,
    /// The language the platform or sender says the item is in (a code such as `nl`), a
    /// hint for when the text alone does not tell.
    pub language: Option<String>,
    /// When the author wrote it, if the platform says.
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    pub kind: FeedbackKind,
    /// Written by the business account itself (our own replies come back as webhooks):
    /// stored, never answered.
    pub from_account: bool,
    /// The platform's own JSON for this change, kept verbatim for inspection.
    pub raw: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

impl Feedback {
    /// An item known only by where it was written, its kind and when it arrived; the rest
    /// is filled in with struct update syntax (`Feedback { text, ..Feedback::new(…) }`).
    pub fn new(
        platform: Platform,
        account_id: AccountId,
        item_id: ItemId,
        kind: FeedbackKind,
        received_at: OffsetDateTime,
    ) -> Self {
        Self {
            platform,
            account_id,
            item_id,
            thread_id: None,
            parent_id: None,
            author_id: None,
            author_name: None,
            text: None,
            rating: None,
            url: None,
            language: None,
            created_at: None,
            kind,
            from_account: false,
            raw: String::new(),
            received_at,
        }
    }

    /// A comment for tests and examples: on `platform`, to page `account`, item `item`,
    /// received at `received_at`, its raw JSON an empty object; the rest as [`Feedback::new`].
    pub fn example_comment(
        platform: Platform,
        account: &str,
        item: &str,
        received_at: OffsetDateTime,
    ) -> Result<Self, IdError> {
        Ok(Self {
            raw: "{}".into(),
            ..Self::new(
                platform,
                AccountId::parse(account)?,
                ItemId::parse(item)?,
                FeedbackKind::Comment,
                received_at,
            )
        })
    }
}

/// What a platform says an item holds, fetched by its id when the webhook carried only
/// the id (Instagram mentions, Google and Trustpilot reviews).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemContent {
    pub text: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub rating: Option<Rating>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
}

impl Feedback {
    /// The item with what was fetched filled in (fetched values win: they are newer).
    pub fn with_content(mut self, content: &ItemContent) -> Feedback {
        if content.text.is_some() {
            self.text.clone_from(&content.text);
        }
        if content.author_id.is_some() {
            self.author_id.clone_from(&content.author_id);
        }
        if content.author_name.is_some() {
            self.author_name.clone_from(&content.author_name);
        }
        if content.rating.is_some() {
            self.rating = content.rating;
        }
        if content.created_at.is_some() {
            self.created_at = content.created_at;
        }
        self
    }
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
    fn platform_names_are_short_lowercase_and_key_safe() {
        for name in ["facebook", "google", "trust-pilot", "x2"] {
            assert_eq!(
                Platform::parse(name).map(|p| p.to_string()),
                Ok(name.to_owned())
            );
        }
        for name in ["", "Facebook", "2x", "a#b", "a b", "é", &"a".repeat(33)] {
            assert_eq!(Platform::parse(name), Err(PlatformNameError), "{name:?}");
        }
        assert_eq!(
            Platform::from_static("meta"),
            Platform::parse("meta").unwrap()
        );
    }

    #[test]
    fn ratings_are_one_to_five_stars() {
        assert!(Rating::new(0).is_err() && Rating::new(6).is_err());
        assert_eq!(Rating::new(4).map(Rating::stars), Ok(4));
        let parsed: Result<Rating, _> = serde_json::from_str("5");
        assert_eq!(parsed.map(Rating::stars).ok(), Some(5));
        assert!(serde_json::from_str::<Rating>("9").is_err());
    }
}
