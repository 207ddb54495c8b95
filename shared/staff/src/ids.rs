//! How staff name things: an item (and its task) as `platform:item id`, a page as
//! `platform:account id`. Parsed once, with why not.

use crate::StaffError;
use feedback::{AccountId, Platform};
use store::FeedbackKey;

/// An item or its task: `facebook:777_1`. An item id may itself hold ':' (`urn:li:…`).
pub fn task_id(id: &str) -> Result<FeedbackKey, StaffError> {
    FeedbackKey::parse_id(id).ok_or_else(|| {
        let why = match id.split_once(':') {
            None => "there is no ':'".to_owned(),
            Some((platform, _)) => match Platform::parse(platform) {
                Err(e) => format!("platform name {platform:?}: {e}"),
                Ok(_) => "the item id is empty, or has spaces, '#' or non-ASCII".to_owned(),
            },
        };
        StaffError::InvalidId {
            id: id.to_owned(),
            what: "a task id",
            form: "platform:item id",
            example: "facebook:777_1",
            why,
        }
    })
}

/// A page: `facebook:1029384756`.
pub fn page_id(id: &str) -> Result<(Platform, AccountId), StaffError> {
    let invalid = |why: String| StaffError::InvalidId {
        id: id.to_owned(),
        what: "a page",
        form: "platform:account id",
        example: "facebook:1029384756",
        why,
    };
    let (platform, account) = id
        .split_once(':')
        .ok_or_else(|| invalid("there is no ':'".to_owned()))?;
    let platform =
        Platform::parse(platform).map_err(|e| invalid(format!("platform {platform:?}: {e}")))?;
    let account =
        AccountId::parse(account).map_err(|e| invalid(format!("account id {account:?}: {e}")))?;
    Ok((platform, account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_are_a_platform_and_an_item_id() {
        let key = task_id("facebook:777_1").map(|k| k.id());
        assert_eq!(key.ok().as_deref(), Some("facebook:777_1"));
        // Any valid platform name: nothing here knows them all.
        assert!(task_id("trustpilot:abc-123").is_ok());
        assert_eq!(
            task_id("linkedin:urn:li:comment:1")
                .map(|k| k.item_id.to_string())
                .ok()
                .as_deref(),
            Some("urn:li:comment:1")
        );
        for (bad, why) in [
            ("777_1", "no ':'"),
            ("Face Book:777_1", "platform name"),
            ("facebook:", "item id"),
            ("facebook:7 7", "item id"),
        ] {
            let err = task_id(bad).map(|_| ()).err().map(|e| e.to_string());
            let err = err.unwrap_or_default();
            assert!(
                err.contains(why) && err.contains("a task id"),
                "{bad:?} → {err}"
            );
        }
    }

    #[test]
    fn page_ids_are_a_platform_and_an_account_id() {
        let page = page_id("instagram:1029384756").ok();
        assert_eq!(
            page.as_ref().map(|(p, a)| (p.as_str(), a.as_str())),
            Some(("instagram", "1029384756"))
        );
        for bad in ["1029384756", "FB:1", "facebook:"] {
            assert!(
                matches!(
                    page_id(bad),
                    Err(StaffError::InvalidId { what: "a page", .. })
                ),
                "{bad}"
            );
        }
    }
}
