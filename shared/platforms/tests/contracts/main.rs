//! Contract tests: every fixture under `tests/contracts/<platform>/` (copied from the
//! platform's own documentation, see its README) goes through the real door or client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod app_store;
mod google;
mod google_play;
mod linkedin;
mod mastodon;
mod meta;
mod standard;
mod support;
mod tiktok;
mod trustpilot;
mod x;
