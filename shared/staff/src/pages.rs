//! The one way staff change a page: [`Staff::update_page`], from `feedbackctl pages set`
//! (any setting, written whatever is stored) and from the inbox (the settings it offers,
//! only if nobody changed the page since it was read).

use crate::{Staff, StaffError};
use feedback::{AccountId, Platform};
use store::pages::{PageChange, PageSetting, SettingValue};
use time::OffsetDateTime;

/// A change of the settings the inbox offers (`None`: remove it, so the default applies).
pub fn settings_change(
    changes: Vec<(PageSetting, Option<SettingValue>)>,
) -> Result<PageChange, StaffError> {
    let mut change = PageChange::default();
    for (setting, value) in changes {
        change
            .apply(setting, value)
            .map_err(|s| StaffError::InvalidSetting(s.attribute()))?;
    }
    Ok(change)
}

impl Staff<'_> {
    /// Change a page. [`StaffError::PageChanged`]: the change was to be made only if
    /// nobody changed the page since it was read, and someone did; nothing was written.
    pub async fn update_page(
        &self,
        platform: &Platform,
        account: &AccountId,
        change: &PageChange,
        now: OffsetDateTime,
    ) -> Result<(), StaffError> {
        if self
            .store
            .update_page(platform, account, change, now)
            .await?
        {
            Ok(())
        } else {
            Err(StaffError::PageChanged(format!("{platform}:{account}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedback::page::ReplyMode;

    #[test]
    fn inbox_settings_become_one_page_change_and_a_wrong_kind_is_refused() {
        let change = settings_change(vec![
            (
                PageSetting::Mode,
                Some(SettingValue::Mode(ReplyMode::Approval)),
            ),
            (PageSetting::Contact, None),
        ]);
        let change = change.ok().unwrap_or_default();
        assert_eq!(change.set.mode, Some(ReplyMode::Approval));
        assert_eq!(change.unset, [PageSetting::Contact]);
        let wrong = settings_change(vec![(
            PageSetting::SlaHours,
            Some(SettingValue::Flag(true)),
        )]);
        assert!(matches!(
            wrong,
            Err(StaffError::InvalidSetting("sla_hours"))
        ));
    }
}
