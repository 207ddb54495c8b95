use super::*;
use crate::testing::{get, item_ids, secret};
use crate::{ParsedDelivery, WebhookPlatform};
use feedback::{ChangeVerb, FeedbackKind};
use time::macros::datetime;

const SECRET: &str = "It's a Secret to Everybody";
const VECTOR_SIGNATURE: &str =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
const NOW: OffsetDateTime = datetime!(2025-11-23 12:00 UTC);

fn meta(secrets: &str) -> MetaWebhooks {
    MetaWebhooks::new(
        SecretList::from_comma_separated(secrets),
        secret("the-verify-token"),
    )
}

fn post(body: &'static [u8], signatures: &[&str]) -> InboundRequest {
    let headers: Vec<_> = signatures.iter().map(|s| (SIGNATURE_HEADER, *s)).collect();
    crate::testing::post(&headers, body)
}

fn signed(body: &'static [u8]) -> InboundRequest {
    let sig = format!("sha256={}", crate::signature::hmac_sha256_hex(SECRET, body));
    post(body, &[&sig])
}

fn parse(body: &'static [u8]) -> ParsedDelivery {
    let m = meta(SECRET);
    let req = signed(body);
    let verified = m.verify_signature(&req).expect("fixture is signed");
    m.parse(&verified, NOW)
}

#[test]
fn the_github_known_answer_vector_verifies() {
    let req = post(b"Hello, World!", &[VECTOR_SIGNATURE]);
    let verified = meta(SECRET).verify_signature(&req).unwrap();
    assert_eq!(verified.body(), b"Hello, World!");
    assert_eq!(verified.route(), "meta");
}

#[test]
fn a_rotated_secret_list_accepts_either_secret() {
    let req = post(b"Hello, World!", &[VECTOR_SIGNATURE]);
    assert!(
        meta(&format!("new-secret,{SECRET}"))
            .verify_signature(&req)
            .is_ok()
    );
    assert!(
        meta(&format!("{SECRET},new-secret"))
            .verify_signature(&req)
            .is_ok()
    );
}

#[test]
fn deliveries_not_signed_over_their_body_with_a_configured_secret_are_rejected() {
    let cases = [
        (
            "a signature made with another secret is rejected",
            "another secret",
            b"Hello, World!",
            vec![VECTOR_SIGNATURE],
            VerifyError::SignatureMismatch,
        ),
        (
            "a changed body is rejected",
            SECRET,
            b"Hello, World?",
            vec![VECTOR_SIGNATURE],
            VerifyError::SignatureMismatch,
        ),
        (
            "a missing signature is rejected",
            SECRET,
            b"Hello, World!",
            vec![],
            VerifyError::MissingSignature("X-Hub-Signature-256"),
        ),
        (
            "a repeated signature header is rejected even if one is right",
            SECRET,
            b"Hello, World!",
            vec![VECTOR_SIGNATURE, "sha256=00"],
            VerifyError::DuplicateSignature("X-Hub-Signature-256"),
        ),
        (
            "no configured secret rejects everything",
            "",
            b"Hello, World!",
            vec![VECTOR_SIGNATURE],
            VerifyError::NoSecretConfigured,
        ),
    ];
    for (case, secrets, body, signatures, want) in cases {
        let req = post(body, &signatures);
        assert_eq!(
            meta(secrets).verify_signature(&req).unwrap_err(),
            want,
            "{case}"
        );
    }
}

#[test]
fn wrong_prefix_wrong_case_truncated_and_empty_signatures_are_malformed() {
    let hex = VECTOR_SIGNATURE.trim_start_matches("sha256=");
    let cases = [
        format!("sha1={hex}"),
        format!("SHA256={hex}"),
        format!("sha256={}", hex.to_uppercase()),
        format!("sha256={}", &hex[..40]),
        format!("sha256= {hex}"),
        hex.to_string(),
        "sha256=".to_string(),
        String::new(),
    ];
    for case in cases {
        let req = post(b"Hello, World!", &[case.as_str()]);
        let err = meta(SECRET).verify_signature(&req).unwrap_err();
        assert!(
            matches!(err, VerifyError::MalformedSignature(..)),
            "{case:?} gave {err:?}"
        );
    }
}

#[test]
fn the_handshake_echoes_the_challenge_for_the_right_token() {
    let req = get(&[
        ("hub.mode", "subscribe"),
        ("hub.verify_token", "the-verify-token"),
        ("hub.challenge", "1158201444"),
    ]);
    assert_eq!(
        meta(SECRET).handshake(&req),
        Some(HandshakeOutcome::Accept {
            content_type: "text/plain; charset=utf-8",
            body: "1158201444".into()
        })
    );
}

#[test]
fn the_handshake_is_refused_for_a_wrong_token_mode_or_challenge() {
    let cases: [&[(&str, &str)]; 5] = [
        &[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "wrong"),
            ("hub.challenge", "1"),
        ],
        &[
            ("hub.mode", "unsubscribe"),
            ("hub.verify_token", "the-verify-token"),
            ("hub.challenge", "1"),
        ],
        &[("hub.mode", "subscribe"), ("hub.challenge", "1")],
        &[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "the-verify-token"),
        ],
        &[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "the-verify-token"),
            ("hub.challenge", "<script>"),
        ],
    ];
    for query in cases {
        assert!(
            matches!(
                meta(SECRET).handshake(&get(query)),
                Some(HandshakeOutcome::Refuse { .. })
            ),
            "{query:?}"
        );
    }
}

#[test]
fn every_entry_and_change_of_a_facebook_delivery_becomes_a_change() {
    let parsed = parse(include_bytes!(
        "../../fixtures/meta/facebook_three_comments.json"
    ));
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let ids = item_ids(parsed.changes.iter().map(|c| &c.feedback));
    assert_eq!(ids, ["777_9001", "777_9002", "777_9003"]);

    let first = &parsed.changes[0];
    assert_eq!(first.verb, ChangeVerb::Added);
    let f = &first.feedback;
    assert_eq!(f.platform, super::FACEBOOK);
    assert_eq!(f.account_id.as_str(), "1029384756");
    assert_eq!(f.thread_id.as_deref(), Some("1029384756_777"));
    assert_eq!(f.author_id.as_deref(), Some("5550001"));
    assert_eq!(f.author_name.as_deref(), Some("Anke de Vries"));
    assert!(f.text.as_deref().unwrap().starts_with("Mijn bestelling"));
    assert_eq!(f.kind, FeedbackKind::Comment);
    assert!(!f.from_account);
    assert_eq!(f.created_at.map(|t| t.unix_timestamp()), Some(1763899990));
    assert_eq!(f.received_at, NOW);
    assert!(f.raw.starts_with("{\"field\":\"feed\"") && f.raw.contains("777_9001"));

    assert_eq!(parsed.changes[1].feedback.kind, FeedbackKind::Reply);
    assert!(
        parsed.changes[2].feedback.from_account,
        "the page's own reply"
    );
}

#[test]
fn edits_and_removals_keep_their_verb() {
    let edited = parse(include_bytes!(
        "../../fixtures/meta/facebook_comment_edited.json"
    ));
    assert_eq!(edited.changes[0].verb, ChangeVerb::Edited);
    let removed = parse(include_bytes!(
        "../../fixtures/meta/facebook_comment_remove.json"
    ));
    assert_eq!(removed.changes[0].verb, ChangeVerb::Removed);
    assert_eq!(removed.changes[0].feedback.text, None);
}

#[test]
fn instagram_comments_replies_and_mentions_are_read_in_both_id_variants() {
    let parsed = parse(include_bytes!(
        "../../fixtures/meta/instagram_comments.json"
    ));
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let [comment, reply, mention] = &parsed.changes[..] else {
        panic!("expected three changes, got {:?}", parsed.changes);
    };
    assert_eq!(comment.feedback.platform, super::INSTAGRAM);
    assert_eq!(comment.feedback.item_id.as_str(), "17865799348089039");
    assert_eq!(comment.feedback.kind, FeedbackKind::Comment);
    assert_eq!(
        comment.feedback.author_name.as_deref(),
        Some("marie.dupont")
    );
    assert_eq!(
        comment.feedback.thread_id.as_deref(),
        Some("18000000000000001")
    );
    // The \u00e0 escape in the raw body is decoded in the text, kept verbatim in raw.
    assert!(
        comment
            .feedback
            .text
            .as_deref()
            .unwrap()
            .contains("déçue à vrai dire")
    );
    assert!(comment.feedback.raw.contains("\\u00e0"));
    assert_eq!(reply.feedback.item_id.as_str(), "17865799348089040");
    assert_eq!(reply.feedback.kind, FeedbackKind::Reply);
    assert_eq!(mention.feedback.item_id.as_str(), "17865799348089041");
    assert_eq!(mention.feedback.kind, FeedbackKind::Mention);
}

#[test]
fn feed_items_other_than_comments_are_reported_unsupported() {
    let parsed = parse(include_bytes!("../../fixtures/meta/facebook_reaction.json"));
    assert!(parsed.changes.is_empty());
    assert_eq!(parsed.unsupported.len(), 1);
    assert!(parsed.unsupported[0].reason.contains("reaction"));
}

#[test]
fn unknown_objects_fields_and_garbage_are_reported_not_panicked_on() {
    let bodies: [&'static [u8]; 9] = [
        b"",
        b"not json",
        b"[]",
        b"{}",
        br#"{"object":"whatsapp_business_account","entry":[]}"#,
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"ratings","value":{}}]}]}"#,
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}"#,
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"a#b"}}]}]}"#,
        br#"{"object":"instagram","entry":[{"changes":[]},{"id":"1","messaging":[{}]}]}"#,
    ];
    for body in bodies {
        let parsed = parse(body);
        assert!(
            parsed.changes.is_empty(),
            "{}",
            String::from_utf8_lossy(body)
        );
        assert!(
            !parsed.unsupported.is_empty(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn an_entry_with_an_empty_change_list_is_reported_not_silently_accepted() {
    // Found by the meta_delivery fuzz target.
    let parsed = parse(br#"{"object":"instagram","entry":[{"id":"17841400000000001","time":1763900300,"changes":[             ]}]}"#);
    assert!(parsed.changes.is_empty());
    assert_eq!(parsed.unsupported.len(), 1);
}

#[test]
fn one_bad_change_does_not_hide_the_good_ones() {
    let parsed = parse(
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"like","verb":"add"}},{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"1_1","message":"hi"}}]}]}"#,
    );
    assert_eq!(parsed.changes.len(), 1);
    assert_eq!(parsed.unsupported.len(), 1);
}

#[test]
fn graph_style_times_are_read_too() {
    let parsed = parse(
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","created_time":"2025-11-23T10:00:00+0000"}}]}]}"#,
    );
    assert_eq!(
        parsed.changes[0].feedback.created_at,
        Some(datetime!(2025-11-23 10:00 UTC))
    );
}

#[test]
fn secrets_and_token_never_show_in_debug_output() {
    let shown = format!("{:?}", meta("hunter2"));
    assert!(!shown.contains("hunter2") && !shown.contains("the-verify-token"));
}

#[test]
fn fields_of_an_unexpected_type_read_as_absent_and_the_change_is_still_kept() {
    let parsed = parse(
        br#"{"object":"page","entry":[{"id":1029384756,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"777_1","post_id":"1029384756_777","from":"someone","message":42,"created_time":true,"extra":{"nested":[1,2,{"x":null}]}}}]}]}"#,
    );
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let f = &parsed.changes[0].feedback;
    assert_eq!(f.account_id.as_str(), "1029384756");
    assert_eq!(f.item_id.as_str(), "777_1");
    assert_eq!(f.thread_id.as_deref(), Some("1029384756_777"));
    assert_eq!((&f.author_id, &f.text, f.created_at), (&None, &None, None));
}

#[test]
fn entries_that_are_not_objects_and_changes_that_are_not_lists_are_reported_one_by_one() {
    let parsed = parse(
        br#"{"object":"page","entry":[5,{"id":"1","changes":{"field":"feed"}},{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"1_1","message":"hi"}}]}]}"#,
    );
    assert_eq!(parsed.changes.len(), 1);
    let reasons: Vec<&str> = parsed
        .unsupported
        .iter()
        .map(|u| u.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        ["entry 0 is not an object", "entry 1: changes is not a list"]
    );
}

#[test]
fn a_change_naming_a_field_twice_is_reported_not_guessed() {
    let parsed = parse(
        br#"{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","comment_id":"1_3"}}]}]}"#,
    );
    assert!(parsed.changes.is_empty());
    assert!(
        parsed.unsupported[0].reason.contains("duplicate field"),
        "{:?}",
        parsed.unsupported
    );
}

#[test]
fn ids_that_are_not_meta_ids_are_refused_so_they_never_reach_a_key_or_a_url() {
    let parsed = parse(
        br#"{"object":"page","entry":[{"id":"1029384756","changes":[
            {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"../me/feed?","post_id":"1_1","message":"hi"}},
            {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2%2F..","post_id":"1_1","message":"hi"}},
            {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_3","post_id":"1_1","parent_id":"x/../y","message":"hi"}}
        ]},{"id":"me","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_4","message":"hi"}}]}]}"#,
    );
    assert_eq!(parsed.changes.len(), 1, "{parsed:?}");
    let f = &parsed.changes[0].feedback;
    assert_eq!(f.item_id.as_str(), "1_3");
    assert_eq!(f.parent_id, None, "a parent id of another shape is dropped");
    assert_eq!(parsed.unsupported.len(), 3);
}

#[test]
fn an_array_of_envelopes_and_a_change_written_on_the_entry_are_read_like_the_usual_shape() {
    // Both shapes are in Meta's own examples (tests/contracts/meta).
    let parsed = parse(
        br#"[{"object":"instagram","entry":[{"id":"17841400000000001","time":1,"field":"comments","value":{"id":"17865799348089039","text":"hi"}}]},
            {"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","post_id":"1_1","message":"hi"}}]}]}]"#,
    );
    assert!(parsed.unsupported.is_empty(), "{:?}", parsed.unsupported);
    let ids = item_ids(parsed.changes.iter().map(|c| &c.feedback));
    assert_eq!(ids, ["17865799348089039", "1_2"]);
    assert_eq!(
        parsed.changes[0].feedback.raw,
        r#"{"field":"comments","value":{"id":"17865799348089039","text":"hi"}}"#
    );
}

#[test]
fn an_empty_or_garbage_array_is_reported_not_accepted() {
    for body in [&b"[]"[..], b" [1, \"x\"]", b"[{"] {
        let parsed = parse(body);
        assert!(parsed.changes.is_empty());
        assert!(
            !parsed.unsupported.is_empty(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}
