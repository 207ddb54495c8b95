//! What the fuzz targets share.

use bytes::Bytes;
use http::{HeaderMap, Method};
use platforms::InboundRequest;

/// A POST of `body` with `headers`, as the webhook door receives it.
pub fn post(headers: HeaderMap, body: &[u8]) -> InboundRequest {
    InboundRequest {
        method: Method::POST,
        path_tail: vec![],
        query: vec![],
        headers,
        body: Bytes::copy_from_slice(body),
    }
}
