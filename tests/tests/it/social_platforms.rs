//! TikTok, LinkedIn and X, each from a signed delivery through ingest and the responder
//! (DynamoDB Local) to the reply at a `wiremock` stand-in of the platform's API; forged
//! deliveries refused before any storage call; X's refused DM flagged on the task.

use platforms::reply::Outbound;
use serde_json::{Value, json};
use service::credentials::Credentials;
use std::sync::Arc;
use time::OffsetDateTime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::dynamodb::TestTable;
use workspace_tests::meta::webhook_post;
use workspace_tests::mock::Answer;
use workspace_tests::mock::{api_answering, stand_in_http};
use workspace_tests::responder::{dutch_page, responder_on, stream_event};

struct Ingest {
    app: webhook_ingest::App,
    /// The same platforms, to sign test deliveries with (as `feedbackctl sign` does).
    signer: platforms::registry::Registry,
}

fn ingest(table: &TestTable, vars: &[(&'static str, &str)]) -> Ingest {
    let vars: Vec<(&str, String)> = vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let registry = || {
        platforms::registry::from_lookup(&|k| {
            vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
        .unwrap()
    };
    Ingest {
        app: webhook_ingest::App::new(registry(), Arc::new(table.store())),
        signer: registry(),
    }
}

/// POST `body` to `/webhooks/{route}`, signed by the platform module itself (what
/// `feedbackctl sign` does), or with `headers` when given.
async fn post(
    ingest: &Ingest,
    route: &str,
    headers: Option<Vec<(String, String)>>,
    body: &[u8],
) -> u16 {
    let headers = headers.unwrap_or_else(|| {
        let platform = ingest.signer.get(route).unwrap();
        platform
            .sign_for_test(body, OffsetDateTime::now_utc())
            .unwrap()
            .headers
    });
    let req = webhook_post(
        route,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    );
    webhook_ingest::handle(&ingest.app, req)
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `body`, signed for `route`, is taken (200) each of the two times it is delivered, and
/// stored as one record.
async fn stored_once(ingest: &Ingest, table: &TestTable, route: &str, body: &str) {
    for _ in 0..2 {
        assert_eq!(post(ingest, route, None, body.as_bytes()).await, 200);
    }
    assert_eq!(
        table.items_of_type("feedback").await.len(),
        1,
        "a delivery made again is one record"
    );
}

async fn respond(
    table: &TestTable,
    outbound: Outbound,
    token_var: &'static str,
    platform: &str,
    item: &str,
) {
    let responder = responder_on(
        Arc::new(table.store()),
        outbound,
        Credentials::local(move |k| (k == token_var).then(|| "page-token".to_owned())),
        dutch_page(),
    );
    let res = feedback_responder::handle(&responder, stream_event(&[(platform, item)], 1))
        .await
        .unwrap();
    assert!(res.batch_item_failures.is_empty(), "{res:?}");
}

async fn bodies(api: &MockServer, suffix: &str) -> Vec<Value> {
    api.received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with(suffix))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn a_signed_tiktok_comment_is_stored_once_and_answered_through_the_comment_reply_endpoint() {
    let table = TestTable::new().await;
    let app = ingest(&table, &[("TIKTOK_CLIENT_SECRETS", "tiktok-test-secret")]);
    let content = json!({"comment_id": "7300000000000000001", "video_id": "7299999999999999999",
        "text": "Mijn bestelling is kapot aangekomen, heel teleurgesteld", "user_id": "u-1", "username": "sanne_j"});
    let body = json!({"client_key": "ck", "event": "comment.create", "create_time": OffsetDateTime::now_utc().unix_timestamp(),
        "user_openid": "act.business1", "content": content.to_string()}).to_string();
    let forged = vec![(
        "tiktok-signature".to_owned(),
        format!(
            "t={},s={}",
            OffsetDateTime::now_utc().unix_timestamp(),
            "0".repeat(64)
        ),
    )];
    assert_eq!(
        post(&app, "tiktok", Some(forged), body.as_bytes()).await,
        401
    );
    assert_eq!(
        post(&app, "tiktok", Some(vec![]), body.as_bytes()).await,
        401
    );
    assert!(
        table.scan().await.is_empty(),
        "nothing stored for a refused delivery"
    );
    stored_once(&app, &table, "tiktok", &body).await;

    let api = api_answering(
        "POST",
        "/v1.3/business/comment/reply/create/",
        200,
        json!({"code": 0, "message": "OK", "data": {"comment_id": "7300000000000000009"}}),
    )
    .await;
    let outbound = Outbound::new().with(platforms::tiktok::replies::TikTokReplies::outbound(
        Arc::new(platforms::tiktok::replies::TikTokReplies::new(
            stand_in_http(),
            api.uri(),
        )),
    ));
    respond(
        &table,
        outbound,
        "TIKTOK_ACCESS_TOKEN",
        "tiktok",
        "7300000000000000001",
    )
    .await;
    let sent = bodies(&api, "/reply/create/").await;
    assert_eq!(sent.len(), 1, "one public reply");
    assert_eq!(sent[0]["comment_id"], "7300000000000000001");
    assert_eq!(sent[0]["video_id"], "7299999999999999999");
    assert!(
        sent[0]["text"].as_str().unwrap().chars().count() <= 150,
        "{}",
        sent[0]
    );
}

#[tokio::test]
async fn a_signed_linkedin_comment_is_answered_by_the_organization_and_the_validation_stores_nothing()
 {
    let table = TestTable::new().await;
    let app = ingest(
        &table,
        &[("LINKEDIN_CLIENT_SECRETS", "linkedin-test-secret")],
    );
    let org = "urn:li:organization:2414183";
    let comment = "urn:li:comment:(urn:li:activity:6785303345617375232,6785304042354110464)";
    let body = json!({"type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS", "notifications": [{
        "notificationId": 12345, "action": "COMMENT", "organizationalEntity": org,
        "sourcePost": "urn:li:share:6785303345617375232", "generatedActivity": comment,
        "decoratedGeneratedActivity": {"comment": {"commenter": "urn:li:person:abc", "text": "Al twee weken wacht ik op een antwoord, slechte service"}}}]})
    .to_string();
    let forged = vec![("x-li-signature".to_owned(), "0".repeat(64))];
    assert_eq!(
        post(&app, "linkedin", Some(forged), body.as_bytes()).await,
        401
    );
    assert!(table.scan().await.is_empty());
    stored_once(&app, &table, "linkedin", &body).await;

    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).insert_header(
            "x-restli-id",
            "urn:li:comment:(urn:li:activity:6785303345617375232,1)",
        ))
        .mount(&api)
        .await;
    let outbound = Outbound::new().with(platforms::linkedin::replies::LinkedInReplies::outbound(
        Arc::new(platforms::linkedin::replies::LinkedInReplies::new(
            stand_in_http(),
            api.uri(),
            "202511".into(),
        )),
    ));
    respond(
        &table,
        outbound,
        "LINKEDIN_ACCESS_TOKEN",
        "linkedin",
        comment,
    )
    .await;
    let sent = bodies(&api, "/comments").await;
    assert_eq!(sent.len(), 1, "one comment by the organization");
    assert_eq!(sent[0]["actor"], org);
    assert_eq!(sent[0]["parentComment"], comment);
}

#[tokio::test]
async fn a_signed_x_reply_is_answered_publicly_and_a_refused_dm_is_flagged_on_the_task() {
    let table = TestTable::new().await;
    let app = ingest(&table, &[("X_CONSUMER_SECRETS", "x-test-consumer-secret")]);
    let account = "1111111111111111111";
    let reply = |id: &str, author: &str| {
        json!({"data": {"event_uuid": id, "filter": {"user_id": account}, "event_type": "post.reply.create",
            "payload": {"id": id, "author_id": author, "conversation_id": "2080761390344937796", "in_reply_to_tweet_id": "2080761390344937796",
                "text": "@ExampleUser mijn bestelling is na twee weken nog steeds niet geleverd, heel teleurstellend"},
            "includes": {"users": [{"id": author, "username": "OtherUser"}]}}})
        .to_string()
    };
    let body = reply("2080765813578191303", "2222222222222222222");
    let forged = vec![(
        "x-twitter-webhooks-signature".to_owned(),
        "sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned(),
    )];
    assert_eq!(post(&app, "x", Some(forged), body.as_bytes()).await, 401);
    assert!(table.scan().await.is_empty());
    assert_eq!(post(&app, "x", None, body.as_bytes()).await, 200);
    // The account's own post: stored, never answered.
    let own = reply("2080765813578191304", account);
    assert_eq!(post(&app, "x", None, own.as_bytes()).await, 200);
    assert_eq!(table.items_of_type("feedback").await.len(), 2);

    let api = api_answering(
        "POST",
        "/2/tweets",
        201,
        json!({"data": {"id": "2090000000000000009", "text": "…"}}),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/2/dm_conversations/with/2222222222222222222/messages"))
        .answer(403, json!({"title": "Forbidden", "detail": "You cannot send messages to this user.", "type": "about:blank"}), &api).await;
    let outbound = || {
        Outbound::new().with(platforms::x::replies::XReplies::outbound(Arc::new(
            platforms::x::replies::XReplies::new(stand_in_http(), api.uri()),
        )))
    };
    respond(
        &table,
        outbound(),
        "X_ACCESS_TOKEN",
        "x",
        "2080765813578191303",
    )
    .await;
    respond(
        &table,
        outbound(),
        "X_ACCESS_TOKEN",
        "x",
        "2080765813578191304",
    )
    .await;
    let posts = bodies(&api, "/2/tweets").await;
    assert_eq!(
        posts.len(),
        1,
        "only the customer's reply is answered: {posts:?}"
    );
    assert_eq!(
        posts[0]["reply"]["in_reply_to_tweet_id"],
        "2080765813578191303"
    );
    assert!(posts[0]["text"].as_str().unwrap().chars().count() <= 280);
    let key = store::FeedbackKey::parse_id("x:2080765813578191303").unwrap();
    let bundle = table.store().item(&key).await.unwrap();
    assert_eq!(
        bodies(&api, "/messages").await.len(),
        1,
        "the complaint gets one DM attempt (mentions get none: they are someone else's post)"
    );
    let task = bundle.task.unwrap();
    assert!(
        task.flags.iter().any(|f| f.contains("failed")),
        "a refused DM is said on the task: {:?}",
        task.flags
    );
}
