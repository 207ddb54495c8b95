//! Mastodon (docs.joinmastodon.org): the documented examples through the real list reader,
//! reply client and access check.

use crate::support::testing::{call, secret, sent_form, stand_in_http};
use crate::support::{Fixture, assert_every_fixture_tested, assert_reconnect, load, sent_header};
use feedback::{AccountId, FeedbackKind};
use platforms::mastodon::parse::{Visibility, parse_notification};
use platforms::mastodon::{Account, Addressee, Mastodon, ServerLimits};
use platforms::polling::ReviewSource;
use platforms::reply::{AccessCheck, ReplyClient, ReplyError, ReplyTarget};
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use time::OffsetDateTime;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The account the examples mention (`@trwnh`, id 14715, the `verify_credentials` example).
const ACCOUNT: &str = "trwnh@mastodon.social";

fn account_id() -> AccountId {
    AccountId::parse(ACCOUNT).unwrap()
}

fn token() -> SecretString {
    secret("t")
}

/// A server answering `at` with `body` (the fixture's status), and a client pointed at it.
async fn serving(fixture: &Fixture, body: String, at: &str) -> (MockServer, Mastodon) {
    let server = MockServer::start().await;
    Mock::given(path(at))
        .respond_with(
            ResponseTemplate::new(fixture.status()).set_body_raw(body, "application/json"),
        )
        .mount(&server)
        .await;
    let client = Mastodon::new(
        stand_in_http(),
        HashMap::from([(ACCOUNT.to_owned(), server.uri())]),
    );
    (server, client)
}

/// The status the examples answer (`:id` in a documented path).
const STATUS: &str = "103186126728896492";

/// The documented path of `fixture`, `:id` standing for [`STATUS`].
fn documented_path(fixture: &Fixture) -> String {
    let http = fixture.source.http.as_ref();
    http.and_then(|h| h.path.as_deref())
        .unwrap_or_else(|| panic!("{}: no http.path", fixture.name))
        .replace(":id", STATUS)
}

/// A server answering the documented path of the fixture `name` with it as it is, and a
/// client pointed at it.
async fn serving_fixture(name: &str) -> (MockServer, Mastodon) {
    let fixture = load(name);
    serving(&fixture, fixture.text.clone(), &documented_path(&fixture)).await
}

/// The same for the example `name`, without its `// ...` elisions.
async fn serving_example(name: &str) -> (MockServer, Mastodon) {
    let fixture = load(name);
    let body = fixture.json_without_elisions().to_string();
    serving(&fixture, body, &documented_path(&fixture)).await
}

/// The POST requests `server` received, in order.
async fn posts(server: &MockServer) -> Vec<wiremock::Request> {
    let requests = server.received_requests().await.unwrap();
    requests
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect()
}

fn target(item_id: &str) -> ReplyTarget {
    ReplyTarget {
        platform: platforms::mastodon::PLATFORM,
        account_id: ACCOUNT.into(),
        reply_to: STATUS.into(),
        item_id: item_id.into(),
    }
}

#[tokio::test]
async fn the_documented_notifications_give_one_mention_as_text_and_the_next_page_from_the_link() {
    let fixture = load("mastodon/notifications-answer.txt");
    let link = load("mastodon/notifications-link-header.txt");
    let link = link
        .text
        .trim()
        .trim_start_matches("Link:")
        .trim()
        .to_owned();
    let server = MockServer::start().await;
    call("GET", "/api/v1/notifications")
        .and(query_param("types[]", "mention"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", link.as_str())
                .set_body_raw(
                    fixture.json_without_elisions().to_string(),
                    "application/json",
                ),
        )
        .mount(&server)
        .await;
    let client = Mastodon::new(
        stand_in_http(),
        HashMap::from([(ACCOUNT.to_owned(), server.uri())]),
    );
    let page = client
        .list_page(&account_id(), None, &token())
        .await
        .unwrap();
    assert!(page.unusable.is_empty(), "{:?}", page.unusable);
    assert_eq!(page.next.as_deref(), Some("34975535"));
    // The favourite is not a mention: skipped.
    assert_eq!(page.reviews.len(), 1);
    let f = &page.reviews[0].feedback;
    assert_eq!(f.item_id.as_str(), "103186126728896492");
    assert_eq!(f.text.as_deref(), Some("sup!"));
    assert_eq!(f.author_name.as_deref(), Some("zsc@mastodon.social"));
    assert_eq!(f.author_id.as_deref(), Some("971724"));
    assert_eq!(f.parent_id.as_deref(), Some("103186038209478945"));
    assert_eq!(f.kind, FeedbackKind::Reply);
    assert_eq!(
        page.reviews[0].written_at,
        OffsetDateTime::parse(
            "2019-11-23T07:49:02.064Z",
            &time::format_description::well_known::Rfc3339
        )
        .unwrap()
    );
    // The example gives no visibility: the answer goes to the author alone.
    assert_eq!(
        Addressee::decode(&client.target(f).item_id),
        Some(Addressee {
            visibility: Visibility::Direct,
            acct: "zsc".into()
        })
    );

    // The next page is asked with the link's max_id.
    call("GET", "/api/v1/notifications")
        .and(query_param("max_id", "34975535"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .with_priority(1)
        .mount(&server)
        .await;
    let last = client
        .list_page(&account_id(), Some("34975535"), &token())
        .await
        .unwrap();
    assert_eq!((last.reviews.len(), last.next), (0, None));
}

#[tokio::test]
async fn the_documented_401_flags_the_account_for_reconnecting() {
    let (_server, client) = serving_fixture("mastodon/notifications-unauthorized.json").await;
    let read = client.list_page(&account_id(), None, &token()).await;
    assert!(
        matches!(read, Err(ReplyError::Reconnect(ref e)) if e.contains("The access token is invalid")),
        "{read:?}"
    );
}

#[test]
fn the_documented_status_reads_with_its_entities_decoded_and_its_visibility() {
    let status = load("mastodon/status-entity.json").json();
    let notification = json!({
        "id": "1",
        "type": "mention",
        "created_at": status["created_at"],
        "status": status,
    });
    let item = parse_notification(
        &notification,
        &Account::parse(ACCOUNT).unwrap(),
        &account_id(),
        OffsetDateTime::now_utc(),
    )
    .unwrap()
    .unwrap();
    let f = item.feedback;
    let text = f.text.unwrap();
    assert!(
        text.starts_with("\"I lost my inheritance with one wrong digit on my sort code\"\n\nhttps://www.theguardian.com/money/2019/dec/07/"),
        "{text}"
    );
    assert_eq!(f.language.as_deref(), Some("en"));
    assert_eq!(f.kind, FeedbackKind::Mention);
    assert_eq!(
        f.url.as_deref(),
        Some("https://mastodon.social/@Gargron/103270115826048975")
    );
    assert_eq!(
        platforms::mastodon::parse::visibility(&notification),
        Some(Visibility::Public)
    );
}

#[tokio::test]
async fn a_reply_is_posted_with_its_mention_in_reply_to_id_visibility_and_idempotency_key() {
    let (server, client) = serving_example("mastodon/status-create-answer.txt").await;
    let id = client
        .post_public_reply(&target("private:zsc"), "Sorry, we are on it.", &token())
        .await
        .unwrap();
    assert_eq!(id, "103254962155278888");
    let sent_posts = posts(&server).await;
    let post = &sent_posts[0];
    let form = sent_form(post);
    assert_eq!(form["status"], "@zsc Sorry, we are on it.");
    assert_eq!(form["in_reply_to_id"], STATUS);
    assert_eq!(form["visibility"], "private");
    assert_eq!(
        sent_header(post, "idempotency-key"),
        Some(Mastodon::idempotency_key("public", ACCOUNT, STATUS).as_str())
    );
    // The private follow-up: a direct status, not threaded under the mention.
    let sent = client
        .send_private_reply(
            &target("private:zsc"),
            "Could you send us your order number?",
            &token(),
        )
        .await
        .unwrap();
    assert_eq!(sent.as_deref(), Some("103254962155278888"));
    let form = sent_form(posts(&server).await.last().unwrap());
    assert_eq!(form["visibility"], "direct");
    assert!(!form.contains_key("in_reply_to_id"));
}

#[tokio::test]
async fn the_documented_422_is_refused_for_good() {
    let (_server, client) = serving_fixture("mastodon/status-create-unprocessable.json").await;
    let posted = client
        .post_public_reply(&target("direct:zsc"), "x", &token())
        .await;
    assert!(
        matches!(posted, Err(ReplyError::Rejected(ref e)) if e.contains("Text can't be blank")),
        "{posted:?}"
    );
}

#[tokio::test]
async fn the_documented_context_holds_no_reply_of_ours() {
    let (_server, client) = serving_example("mastodon/status-context-answer.txt").await;
    assert_eq!(
        client
            .find_public_reply(&target("direct:zsc"), &token())
            .await,
        Ok(None)
    );
}

#[tokio::test]
async fn the_documented_instance_gives_the_servers_limits() {
    let (server, client) = serving_fixture("mastodon/instance-v2-answer.json").await;
    assert_eq!(
        client.limits(&server.uri()).await,
        ServerLimits {
            max_characters: 500,
            per_url: 23
        }
    );
}

#[tokio::test]
async fn the_documented_credentials_are_accepted_for_their_account_only() {
    let (server, client) = serving_fixture("mastodon/verify-credentials-answer.json").await;
    assert_eq!(
        client.check_access(&account_id(), &token()).await,
        Ok(AccessCheck::Accepted {
            page: "infinite love ⴳ (@trwnh@mastodon.social)".into()
        })
    );
    let other = Mastodon::new(
        stand_in_http(),
        HashMap::from([("shop@mastodon.social".to_owned(), server.uri())]),
    );
    let refused = other
        .check_access(&AccountId::parse("shop@mastodon.social").unwrap(), &token())
        .await;
    assert_reconnect(&refused);
}

#[tokio::test]
async fn the_documented_401_on_the_access_check_asks_for_a_new_token() {
    let (_server, client) = serving_fixture("mastodon/verify-credentials-unauthorized.json").await;
    assert_reconnect(&client.check_access(&account_id(), &token()).await);
}

#[test]
fn every_mastodon_fixture_has_a_test() {
    assert_every_fixture_tested(
        "mastodon",
        &[
            "mastodon/instance-v2-answer.json",
            "mastodon/notifications-answer.txt",
            "mastodon/notifications-link-header.txt",
            "mastodon/notifications-unauthorized.json",
            "mastodon/status-context-answer.txt",
            "mastodon/status-create-answer.txt",
            "mastodon/status-create-unprocessable.json",
            "mastodon/status-entity.json",
            "mastodon/verify-credentials-answer.json",
            "mastodon/verify-credentials-unauthorized.json",
        ],
    );
}
