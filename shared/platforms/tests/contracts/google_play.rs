//! Google Play (Android Publisher API, Reply to Reviews): the guide's examples through the
//! real list reader and reply client.

use crate::support::testing::{call, item_ids, item_target, secret, stand_in_http, token_api_at};
use crate::support::{
    Fixture, assert_every_fixture_tested, assert_reconnect, assert_rejected, load, sent_header,
};
use feedback::{AccountId, Rating};
use platforms::google_play::{GooglePlay, PLATFORM};
use platforms::polling::ReviewSource;
use platforms::reply::ReplyClient;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The reviews of the test app (`com.example.app`).
const REVIEWS: &str = "/androidpublisher/v3/applications/com.example.app/reviews";

fn app() -> AccountId {
    AccountId::parse("com.example.app").unwrap()
}

async fn serving(fixture: &Fixture, at: &str) -> (MockServer, GooglePlay) {
    let server = MockServer::start().await;
    Mock::given(path(at))
        .respond_with(fixture.answer())
        .mount(&server)
        .await;
    let client = token_api_at(&server, GooglePlay::new);
    (server, client)
}

#[tokio::test]
async fn the_documented_list_is_read_newest_first_with_stars_language_and_the_next_page() {
    let fixture = load("google-play/reviews-list-answer.json");
    let (_server, play) = serving(&fixture, REVIEWS).await;
    let page = play.list_page(&app(), None, &secret("t")).await.unwrap();
    assert!(page.unusable.is_empty(), "{:?}", page.unusable);
    assert_eq!(page.next.as_deref(), Some("12334566"));
    let ids = item_ids(page.reviews.iter().map(|r| &r.feedback));
    assert_eq!(ids, ["12345678", "11223344"]);
    let first = &page.reviews[0];
    assert_eq!(first.feedback.platform, PLATFORM);
    assert_eq!(
        first.feedback.text.as_deref(),
        Some("This is the best app ever!")
    );
    assert_eq!(first.feedback.author_name.as_deref(), Some("Jane Bloggs"));
    assert_eq!(first.feedback.rating.map(Rating::stars), Some(5));
    assert_eq!(first.feedback.language, None);
    assert_eq!(first.written_at.unix_timestamp(), 1_443_676_826);
    assert_eq!(first.written_at.nanosecond(), 713_000_000);
    // The second carries the optional fields, and our reply as a second comment: the
    // customer's words are the userComment's, never the developer's.
    let second = &page.reviews[1].feedback;
    assert_eq!(second.language.as_deref(), Some("en"));
    assert_eq!(second.text.as_deref(), Some("I love using this app!"));
}

#[tokio::test]
async fn the_documented_single_review_has_the_shape_of_a_listed_one() {
    let fixture = load("google-play/review-answer.json");
    let review = platforms::google_play::parse_review(
        &fixture.json(),
        &app(),
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    assert_eq!(review.feedback.item_id.as_str(), "87654321");
    assert_eq!(
        review.feedback.text.as_deref(),
        Some("This app is awesome!")
    );
    assert_eq!(review.written_at.unix_timestamp(), 1_452_114_723);
}

#[tokio::test]
async fn our_reply_request_is_the_documented_one_and_the_documented_answer_is_accepted() {
    let request = load("google-play/reply-request.json");
    let answer = load("google-play/reply-answer.json");
    let server = MockServer::start().await;
    call("POST", format!("{REVIEWS}/12345678:reply"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(answer.text.clone(), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let play = GooglePlay::new(stand_in_http(), server.uri(), server.uri());
    let target = item_target(PLATFORM, "com.example.app", "12345678");
    let text = request.json()["replyText"].as_str().unwrap().to_owned();
    play.post_public_reply(&target, &text, &secret("t"))
        .await
        .unwrap();
    let sent = &server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        request.json(),
        "our body is the documented one, nothing more"
    );
    assert_eq!(sent_header(sent, "content-type"), Some("application/json"));
}

#[tokio::test]
async fn the_error_bodies_mean_reconnect_for_403_and_refused_for_400() {
    let denied = load("google-play/api-error-permission-denied.json");
    let (_s, play) = serving(&denied, REVIEWS).await;
    assert_reconnect(&play.list_page(&app(), None, &secret("t")).await);
    let invalid = load("google-play/api-error-invalid-argument.json");
    let (_s, play) = serving(&invalid, &format!("{REVIEWS}/r1:reply")).await;
    let target = item_target(PLATFORM, "com.example.app", "r1");
    assert_rejected(
        &play
            .post_public_reply(&target, &"x".repeat(400), &secret("t"))
            .await,
    );
}

#[test]
fn every_google_play_fixture_has_a_test() {
    assert_every_fixture_tested(
        "google-play",
        &[
            "google-play/api-error-invalid-argument.json",
            "google-play/api-error-permission-denied.json",
            "google-play/reply-answer.json",
            "google-play/reply-request.json",
            "google-play/review-answer.json",
            "google-play/reviews-list-answer.json",
        ],
    );
}
