use http::header;
use lambda_http::{Body, Request};
use std::collections::HashMap;
use std::sync::Arc;
use store::FeedbackStore;
use webhook_ingest::{App, IngestConfig};

pub const APP_SECRET: &str = "local-app-secret";
pub const VERIFY_TOKEN: &str = "local-verify-token";

/// The ingest app as Lambda builds it, with the given store.
pub fn ingest_app(store: Arc<dyn FeedbackStore>) -> App {
    let vars = HashMap::from([
        ("TABLE_NAME", "unused-by-the-handler"),
        ("META_APP_SECRETS", APP_SECRET),
        ("META_VERIFY_TOKEN", VERIFY_TOKEN),
    ]);
    let config = IngestConfig::from_lookup(|k| vars.get(k).map(|v| v.to_string()))
        .expect("complete test configuration");
    App::new(config.platforms, store)
}

pub fn signature(body: &[u8]) -> String {
    format!(
        "sha256={}",
        platforms::signature::hmac_sha256_hex(APP_SECRET, body)
    )
}

/// A signed `POST /webhooks/meta` as API Gateway hands it to Lambda.
pub fn signed_delivery(body: &[u8]) -> Request {
    let mut req =
        lambda_http::request::from_str(include_str!("../../infra/events/meta-comments.json"))
            .expect("a valid API Gateway v2 event");
    *req.body_mut() = Body::Binary(body.to_vec());
    req.headers_mut()
        .insert("x-hub-signature-256", signature(body).parse().unwrap());
    req.headers_mut()
        .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    req
}

/// A Facebook comment change on page `1029384756`.
pub fn facebook_comment(comment_id: &str, verb: &str, message: Option<&str>) -> serde_json::Value {
    let mut value = serde_json::json!({
        "from": {"id": "5550001", "name": "Anke de Vries"},
        "post_id": "1029384756_777",
        "comment_id": comment_id,
        "parent_id": "1029384756_777",
        "created_time": time::OffsetDateTime::now_utc().unix_timestamp(),
        "item": "comment",
        "verb": verb,
    });
    if let Some(m) = message {
        value["message"] = serde_json::Value::String(m.to_owned());
    }
    serde_json::json!({"field": "feed", "value": value})
}

/// A Facebook comment `comment_id` saying `message`, by `author` (id, name) on the page's
/// post `post`.
pub fn facebook_comment_by(
    comment_id: &str,
    (id, name): (&str, &str),
    post: &str,
    message: &str,
) -> serde_json::Value {
    let mut change = facebook_comment(comment_id, "add", Some(message));
    change["value"]["from"] = serde_json::json!({"id": id, "name": name});
    change["value"]["post_id"] = serde_json::json!(post);
    change["value"]["parent_id"] = serde_json::json!(post);
    change
}

/// A page delivery carrying the given changes in one entry.
pub fn page_delivery(changes: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "object": "page",
        "entry": [{"id": "1029384756", "time": 1763900000, "changes": changes}],
    }))
    .unwrap()
}

/// A delivery of one comment by `author` on page `page`'s post `{page}_777`, as the local
/// runner receives it over HTTP.
pub fn comment_delivery(page: &str, item: &str, author: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"object": "page", "entry": [{"id": page, "time": 1, "changes": [{"field": "feed", "value": {
        "from": {"id": format!("author-{item}"), "name": author}, "post_id": format!("{page}_777"), "comment_id": item,
        "parent_id": format!("{page}_777"), "item": "comment", "verb": "add", "message": text}}]}]}))
    .unwrap()
}

/// POST `body` signed to `url` (a runner's `/webhooks/meta`); the status it answered.
pub async fn post_signed(url: &str, body: &[u8]) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature(body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A `POST /webhooks/{route}` as API Gateway hands it to Lambda, with `headers` and `body`
/// (and no Meta signature).
pub fn webhook_post<'h>(
    route: &str,
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    body: &[u8],
) -> Request {
    let mut req =
        lambda_http::request::from_str(include_str!("../../infra/events/meta-comments.json"))
            .expect("a valid API Gateway v2 event");
    *req.uri_mut() = format!("https://hooks.example/webhooks/{route}")
        .parse()
        .unwrap();
    *req.method_mut() = http::Method::POST;
    *req.body_mut() = Body::Binary(body.to_vec());
    req.headers_mut().remove("x-hub-signature-256");
    for (k, v) in headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    req
}

/// Hand `body`, signed, to the ingest `app` as Lambda would; the status it answered.
pub async fn ingest_signed(app: &App, body: &[u8]) -> u16 {
    webhook_ingest::handle(app, signed_delivery(body))
        .await
        .unwrap()
        .status()
        .as_u16()
}
