//! Reading the JSON platforms send: fields that may be missing, blank or of another type.

use crate::{ParsedDelivery, Unsupported};
use serde_json::Value;

/// The string field `name`, trimmed; `None` when missing, blank or not a string.
pub fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A delivery's body as JSON, or the delivery reported as unsupported (not JSON).
pub fn delivery_body(body: &[u8]) -> Result<Value, ParsedDelivery> {
    serde_json::from_slice(body).map_err(|e| ParsedDelivery {
        unsupported: vec![Unsupported {
            reason: format!("not JSON: {e}"),
        }],
        ..ParsedDelivery::default()
    })
}
