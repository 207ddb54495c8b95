//! The staff application layer: what staff do to tasks and pages, and what they see,
//! once, whichever front end asks (`feedbackctl` on the command line, the tasks API
//! behind the inbox). The front ends parse arguments or HTTP and print or answer; the
//! rules are here.
//!
//! - [`Staff`]: the store and the deployment's page defaults and texts, built once by
//!   each front end; its methods are the task commands ([`tasks`]: claim, resolve, drop,
//!   reopen, close, approve — each taking who acts and when), the one page change
//!   ([`pages`]) and the one task view ([`view`]).
//! - [`ids`]: `platform:item id` and `platform:account id`, parsed with why not.
//! - [`reports`]: complaint themes and response times (medians and percentiles), computed
//!   once for the CLI's tables and the inbox's answer.
//! - [`StaffError`]: every way a staff action is refused, typed.

mod error;
pub mod ids;
pub mod pages;
pub mod reports;
pub mod tasks;
pub mod view;

pub use error::StaffError;
pub use store::pages::{PageChange, ReadCheck};

use store::DynamoStore;
use triage::{PageSettings, TemplateSet};

/// What staff actions need: the table, and the settings and texts of pages without
/// their own (the responder's, so what staff see is what is sent).
#[derive(Clone, Copy)]
pub struct Staff<'a> {
    pub store: &'a DynamoStore,
    pub defaults: &'a PageSettings,
    pub templates: &'a TemplateSet,
}

impl<'a> Staff<'a> {
    pub fn new(
        store: &'a DynamoStore,
        defaults: &'a PageSettings,
        templates: &'a TemplateSet,
    ) -> Self {
        Self {
            store,
            defaults,
            templates,
        }
    }
}
