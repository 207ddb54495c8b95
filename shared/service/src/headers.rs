//! What the HTTP functions read from a request's headers the same way.

use http::{HeaderMap, header};

/// Whether the request says its body is JSON (`Content-Type: application/json`, with or
/// without parameters such as a charset).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}
