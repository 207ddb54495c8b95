#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::parse::*;
use super::*;
use crate::testing::{call, secret, sent_form, stand_in_http};
use serde_json::json;
use wiremock::matchers::header;
use wiremock::{MockServer, ResponseTemplate};

fn shop() -> Account {
    Account::parse("shop@example.social").unwrap()
}

fn mention(id: &str, acct: &str, visibility: &str, content: &str) -> Value {
    json!({
        "id": "9001",
        "type": "mention",
        "created_at": "2026-12-06T09:00:00.000Z",
        "account": { "id": "77", "acct": acct },
        "status": {
            "id": id,
            "created_at": "2026-12-06T08:59:59.000Z",
            "in_reply_to_id": null,
            "visibility": visibility,
            "language": "nl",
            "url": format!("https://example.social/@{acct}/{id}"),
            "content": content,
            "account": { "id": "77", "acct": acct },
        }
    })
}

#[test]
fn html_becomes_text_with_entities_decoded_and_paragraphs_kept() {
    assert_eq!(
        html_to_text("<p>&quot;Late&quot; &amp; cold<br />again</p><p>Fix it &#39;now&#x27;</p>"),
        "\"Late\" & cold\nagain\n\nFix it 'now'"
    );
    assert_eq!(html_to_text("a < b &unknown; &"), "a < b &unknown; &");
}

#[test]
fn the_leading_mentions_of_our_account_are_dropped_and_no_others() {
    let text = "@shop @shop@example.social @friend the order is late";
    assert_eq!(
        without_leading_mentions(text, &shop()),
        "@friend the order is late"
    );
    assert_eq!(
        without_leading_mentions("@shopkeeper hi", &shop()),
        "@shopkeeper hi"
    );
}

#[test]
fn a_mention_becomes_feedback_and_our_own_status_is_skipped() {
    let id = AccountId::parse("shop@example.social").unwrap();
    let now = OffsetDateTime::now_utc();
    let n = mention(
        "111",
        "klant@other.example",
        "private",
        "<p><span class=\"h-card\"><a href=\"https://example.social/@shop\" class=\"u-url mention\">@<span>shop</span></a></span> waar blijft mijn bestelling?</p>",
    );
    let item = parse_notification(&n, &shop(), &id, now).unwrap().unwrap();
    let f = &item.feedback;
    assert_eq!(f.item_id.as_str(), "111");
    assert_eq!(f.text.as_deref(), Some("waar blijft mijn bestelling?"));
    assert_eq!(f.author_name.as_deref(), Some("klant@other.example"));
    assert_eq!(f.kind, feedback::FeedbackKind::Mention);
    assert!(f.raw.contains("\"private\""));
    let own = mention("112", "shop", "public", "<p>our news</p>");
    assert_eq!(parse_notification(&own, &shop(), &id, now).unwrap(), None);
    let favourite = json!({ "id": "1", "type": "favourite", "status": { "id": "3" } });
    assert_eq!(
        parse_notification(&favourite, &shop(), &id, now).unwrap(),
        None
    );
}

#[test]
fn a_reply_is_never_shown_to_more_people_than_the_mention_was() {
    for (customer, ours) in [
        (Some(Visibility::Direct), Visibility::Direct),
        (Some(Visibility::Private), Visibility::Direct),
        (Some(Visibility::Unlisted), Visibility::Unlisted),
        (Some(Visibility::Public), Visibility::Unlisted),
        (None, Visibility::Direct),
    ] {
        assert_eq!(Visibility::of_reply(customer), ours, "{customer:?}");
    }
}

#[test]
fn only_an_account_with_a_host_name_is_an_account() {
    assert!(is_account("shop@example.social"));
    assert!(is_account("@Shop_1@social.example.com"));
    for bad in [
        "shop",
        "shop@",
        "@example.social",
        "shop@localhost",
        "sh/op@example.social",
        "shop@ex ample.social",
        "shop@-x.example",
    ] {
        assert!(!is_account(bad), "{bad}");
    }
}

#[test]
fn mastodon_counts_a_mention_by_its_local_part_and_a_link_as_23() {
    assert_eq!(
        counted_length("@klant@other.example hi", 23),
        "@klant hi".len()
    );
    assert_eq!(
        counted_length("see https://example.com/a/very/long/path/indeed ok", 23),
        4 + 23 + 3
    );
}

#[test]
fn the_next_page_is_the_max_id_of_rel_next_only() {
    let link = "<https://x.example/api/v1/notifications?max_id=34975535>; rel=\"next\", <https://x.example/api/v1/notifications?min_id=34975861>; rel=\"prev\"";
    assert_eq!(next_max_id(link).as_deref(), Some("34975535"));
    assert_eq!(
        next_max_id("<https://x.example/?min_id=1>; rel=\"prev\""),
        None
    );
    assert_eq!(
        next_max_id("<https://x.example/?max_id=../x>; rel=\"next\""),
        None
    );
}

#[test]
fn the_server_is_https_on_the_account_domain_unless_one_is_named() {
    let lookup = |k: &str| {
        (k == SERVERS_VARIABLE).then(|| "shop@example.social=http://127.0.0.1:9/m".to_owned())
    };
    let m = Mastodon::from_lookup(&lookup).unwrap();
    assert_eq!(
        m.server("shop@example.social").unwrap().1,
        "http://127.0.0.1:9/m"
    );
    assert_eq!(
        m.server("other@example.org").unwrap().1,
        "https://example.org"
    );
    let bad = |k: &str| {
        (k == SERVERS_VARIABLE).then(|| "shop@example.social=http://evil.example".to_owned())
    };
    assert_eq!(Mastodon::from_lookup(&bad).err().unwrap().len(), 1);
}

#[test]
fn the_target_carries_the_authors_acct_and_the_visibility_to_answer_with() {
    let m = Mastodon::new(
        crate::calls::Http::new(Duration::from_secs(1)),
        HashMap::new(),
    );
    let id = AccountId::parse("shop@example.social").unwrap();
    let n = mention("5", "klant", "public", "<p>@shop hoi</p>");
    let f = parse_notification(&n, &shop(), &id, OffsetDateTime::now_utc())
        .unwrap()
        .unwrap()
        .feedback;
    let target = m.target(&f);
    assert_eq!(target.reply_to, "5");
    assert_eq!(
        Addressee::decode(&target.item_id),
        Some(Addressee {
            visibility: Visibility::Unlisted,
            acct: "klant".into()
        })
    );
}

#[tokio::test]
async fn the_servers_limit_is_read_once_and_a_reply_over_it_is_refused_unsent() {
    let server = MockServer::start().await;
    call("GET", "/api/v2/instance")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "configuration": { "statuses": { "max_characters": 20 } } }),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    call("POST", "/api/v1/statuses")
        .and(header(
            "idempotency-key",
            Mastodon::idempotency_key("public", "shop@example.social", "5").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "6" })))
        .expect(1)
        .mount(&server)
        .await;
    let servers = HashMap::from([("shop@example.social".to_owned(), server.uri())]);
    let m = Mastodon::new(stand_in_http(), servers);
    let target = ReplyTarget {
        platform: PLATFORM,
        account_id: "shop@example.social".into(),
        reply_to: "5".into(),
        item_id: "direct:klant".into(),
    };
    let token = secret("t");
    let long = m
        .post_public_reply(&target, "this is far too long for twenty", &token)
        .await;
    assert!(matches!(long, Err(ReplyError::Rejected(_))), "{long:?}");
    assert_eq!(
        m.post_public_reply(&target, "sorry!", &token)
            .await
            .unwrap(),
        "6"
    );
    let posted = &server.received_requests().await.unwrap()[1];
    let form = sent_form(posted);
    assert_eq!(form["status"], "@klant sorry!");
    assert_eq!(form["visibility"], "direct");
    assert_eq!(form["in_reply_to_id"], "5");
}
