//! Keys of every record kind in the single table.
//!
//! | record | pk | sk | gsi1 (pk / sk) | gsi2 (pk / sk) | TTL |
//! |---|---|---|---|---|---|
//! | feedback | `feedback#{platform}#{item}` | `feedback` | – | `feedback#{platform}` / `{received_at}#{item}` | never |
//! | unsupported delivery | `unsupported#{sha256 of body}` | `unsupported` | – | `unsupported` / `{received_at}` | 90 days |
//!
//! Later record kinds (follow-up tasks, outgoing messages, page configuration) live beside
//! their feedback under the same `pk` with their own `sk`; open follow-up tasks carry
//! `gsi1pk = task#open`, `gsi1sk = {due_at}#{item}` so they list by due time.

use feedback::{ItemId, Platform};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
pub const TTL: &str = "expires_at";
/// The attribute every record has, naming its kind (`feedback`, `unsupported`, …).
pub const RECORD_TYPE: &str = "record_type";

pub const FEEDBACK_SK: &str = "feedback";
pub const UNSUPPORTED_SK: &str = "unsupported";

pub fn feedback_pk(platform: Platform, item: &ItemId) -> String {
    format!("feedback#{platform}#{item}")
}

pub fn feedback_by_time_pk(platform: Platform) -> String {
    format!("feedback#{platform}")
}

pub fn unsupported_pk(body_sha256_hex: &str) -> String {
    format!("unsupported#{body_sha256_hex}")
}

pub const TASK_SK: &str = "task";
pub const PAGE_SK: &str = "config";
/// `gsi1pk` of every open follow-up task.
pub const OPEN_TASKS: &str = "task#open";
