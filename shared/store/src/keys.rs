//! Keys of every record kind in the single table.
//!
//! | record | pk | sk | gsi1 (pk / sk) | gsi2 (pk / sk) | TTL |
//! |---|---|---|---|---|---|
//! | feedback | `feedback#{platform}#{item}` | `feedback` | – | `feedback#{platform}` / `{received_at}#{item}` | never |
//! | unsupported delivery | `unsupported#{sha256 of body}` | `unsupported` | – | `unsupported` / `{received_at}` | 90 days |
//!
//! | follow-up task | `feedback#{platform}#{item}` | `task` | `task#open` / `{due_at}#…` while open or claimed; `task#resolved` / `{resolved_at}#…`; `task#update_requested` / `{update_requested_at}#…` | – | never |
//! | follow-up message | `feedback#{platform}#{item}` | `followup#{update_request\|resolved_reply}` | – | – | never |
//! | notification | `feedback#{platform}#{item}` or `page#{platform}#{account}` | `notification#{event}#{round}#{target}` | `notification#pending` / `{next_attempt_at}#{pk}#{sk}` while pending | – | never |
//! | erasure | `erasure#{time}#{random}` | `erasure` | – | – | never |
//! | outgoing message | `feedback#{platform}#{item}` | `message#{public\|private}` | – | – | never |
//! | approval | `feedback#{platform}#{item}` | `approval#{time}` | – | – | never |
//! | refresh request | `feedback#{platform}#{item}` | `refresh#{hash of the change}` | – | – | 90 days |
//! | author answered | `answered#{platform}#{sha256 of thread and author}` | `answered` | – | – | never |
//! | page | `page#{platform}#{account}` | `config` | – | – | never |
//! | complaints in an hour, spikes, watch sets | see [`crate::spikes`] | | – | – | |

use feedback::records::Channel;
use feedback::{AccountId, ItemId, Platform};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
pub const TTL: &str = "expires_at";
/// The attribute every record has, naming its kind (`feedback`, `unsupported`, …).
pub const RECORD_TYPE: &str = "record_type";
/// Set on every record of an erased item (GDPR): what its write paths check.
pub const ERASED_AT: &str = "erased_at";

pub const FEEDBACK_SK: &str = "feedback";
pub const UNSUPPORTED_SK: &str = "unsupported";

pub fn feedback_pk(platform: &Platform, item: &ItemId) -> String {
    format!("feedback#{platform}#{item}")
}

pub fn feedback_by_time_pk(platform: &Platform) -> String {
    format!("feedback#{platform}")
}

pub fn message_sk(channel: Channel) -> String {
    format!("message#{}", channel.as_str())
}

pub const APPROVAL_SK_PREFIX: &str = "approval#";
/// `refresh#{hash of the change}`: an id-only update to fetch again (once per delivery).
pub const REFRESH_SK_PREFIX: &str = "refresh#";

pub fn page_pk(platform: &Platform, account: &AccountId) -> String {
    format!("page#{platform}#{account}")
}

/// The thread and author are hashed: they come from platforms (or senders) whose ids we
/// do not all control, and must never shape a key.
pub fn answered_pk(platform: &Platform, thread: &str, author: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(thread.as_bytes())
        .chain_update([0u8])
        .chain_update(author.as_bytes())
        .finalize();
    format!("answered#{platform}#{}", hex::encode(&digest[..20]))
}

pub fn unsupported_pk(body_sha256_hex: &str) -> String {
    format!("unsupported#{body_sha256_hex}")
}

pub const TASK_SK: &str = "task";
pub const PAGE_SK: &str = "config";
/// `gsi1pk` of every open (or claimed) follow-up task, sorted by due time.
pub const OPEN_TASKS: &str = "task#open";
/// `gsi1pk` of resolved tasks waiting for their update request, by resolve time.
pub const RESOLVED_TASKS: &str = "task#resolved";
/// `gsi1pk` of tasks whose customer was asked to update their review, by when.
pub const UPDATE_REQUESTED_TASKS: &str = "task#update_requested";
/// `gsi1pk` of notifications still to deliver, by when to try next.
pub const PENDING_NOTIFICATIONS: &str = "notification#pending";

pub const FOLLOWUP_SK_PREFIX: &str = "followup#";
pub const NOTIFICATION_SK_PREFIX: &str = "notification#";
pub const ERASURE_SK: &str = "erasure";

pub fn followup_sk(kind: feedback::records::FollowUpKind) -> String {
    format!("{FOLLOWUP_SK_PREFIX}{}", kind.as_str())
}

/// Stored attribute names of a staff edit on a message record.
pub mod attr {
    /// Who approved a message or wrote an approval record (staff tooling only).
    pub const APPROVED_BY: &str = "approved_by";
    /// The text staff approved instead of the draft in `text`.
    pub const EDITED_TEXT: &str = "edited_text";
    /// Who edited it (from their sign-in, never from a request body).
    pub const EDITED_BY: &str = "edited_by";
    pub const EDITED_AT: &str = "edited_at";
}
