//! A webhook call as the edge received it, before anything is trusted.

use bytes::Bytes;
use http::{HeaderMap, Method};

/// A webhook call: what a platform module needs to answer a handshake or verify a delivery.
/// Built by the Lambda handler or the local runner; the body is the raw bytes as sent
/// (already base64-decoded where API Gateway encoded it).
#[derive(Debug, Clone)]
pub struct InboundRequest {
    pub method: Method,
    /// Path segments after `/webhooks/{route}` (for platforms that put a secret in the URL).
    pub path_tail: Vec<String>,
    /// Decoded query parameters, in order, duplicates kept.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl InboundRequest {
    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The one value of a header that must appear at most once: `Ok(None)` when absent,
    /// `Err(())` when repeated or not visible ASCII.
    pub fn single_header(&self, name: &str) -> Result<Option<&str>, HeaderProblem> {
        let mut values = self.headers.get_all(name).iter();
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(HeaderProblem::Repeated);
        }
        first.to_str().map(Some).map_err(|_| HeaderProblem::NotText)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderProblem {
    Repeated,
    NotText,
}
