//! The App Store (App Store Connect API): Apple's example through the real list reader;
//! our create-response request against the documented schema.

use crate::support::testing::{call, item_target, secret, stand_in_http};
use crate::support::{assert_every_fixture_tested, load};
use feedback::{AccountId, Rating};
use platforms::app_store::{AppStore, PLATFORM};
use platforms::polling::ReviewSource;
use platforms::reply::ReplyClient;
use wiremock::{MockServer, ResponseTemplate};

#[tokio::test]
async fn the_documented_list_is_read_and_its_next_link_becomes_a_cursor_on_our_base() {
    let fixture = load("app-store/customer-reviews-list-answer.json");
    let server = MockServer::start().await;
    call("GET", "/v1/apps/682658836/customerReviews")
        .respond_with(fixture.answer())
        .mount(&server)
        .await;
    let store = AppStore::new(stand_in_http(), server.uri());
    let page = store
        .list_page(&AccountId::parse("682658836").unwrap(), None, &secret("t"))
        .await
        .unwrap();
    assert!(page.unusable.is_empty(), "{:?}", page.unusable);
    assert_eq!(page.next.as_deref(), Some("AQ.AMt2C-U"));
    let r = &page.reviews[0];
    assert_eq!(r.feedback.platform, PLATFORM);
    assert_eq!(
        r.feedback.item_id.as_str(),
        "00000028-b08c-0014-729e-fbd500000000"
    );
    assert_eq!(r.feedback.rating.map(Rating::stars), Some(5));
    assert_eq!(r.feedback.author_name.as_deref(), Some("Anne Johnson"));
    assert_eq!(
        r.feedback.text.as_deref(),
        Some("Awesome!!!\n\nIt's a really fantastic app!")
    );
    assert_eq!(
        r.written_at,
        time::macros::datetime!(2017-11-15 16:10:34 UTC)
    );
}

#[tokio::test]
async fn our_response_request_names_every_field_of_the_documented_create_request() {
    let server = MockServer::start().await;
    call("POST", "/v1/customerReviewResponses")
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "data": { "type": "customerReviewResponses", "id": "resp-1" }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let store = AppStore::new(stand_in_http(), server.uri());
    let review = "00000028-b08c-0014-729e-fbd500000000";
    let target = item_target(PLATFORM, "682658836", review);
    let id = store
        .post_public_reply(&target, "Thank you!", &secret("t"))
        .await
        .unwrap();
    assert_eq!(id, "resp-1");
    let sent = &server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    // CustomerReviewResponseV1CreateRequest, as the README quotes Apple's schema.
    assert_eq!(body["data"]["type"], "customerReviewResponses");
    assert_eq!(body["data"]["attributes"]["responseBody"], "Thank you!");
    assert_eq!(
        body["data"]["relationships"]["review"]["data"]["type"],
        "customerReviews"
    );
    assert_eq!(
        body["data"]["relationships"]["review"]["data"]["id"],
        review
    );
}

#[test]
fn every_app_store_fixture_has_a_test() {
    assert_every_fixture_tested(
        "app-store",
        &["app-store/customer-reviews-list-answer.json"],
    );
}
