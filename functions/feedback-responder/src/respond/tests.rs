//! The send logic against the in-memory store and a scripted platform: fast, and
//! independent of DynamoDB (whose adapter is held to the same rules by the DynamoDB Local
//! tests in `tests/`).

use super::*;
use async_trait::async_trait;
use feedback::capabilities::{Capabilities, PrivateChannel, TextLimit};
use feedback::{AccountId, FeedbackKind, ItemId, Platform, Rating};
use platforms::reply::{FetchedItem, OutboundPlatform, PostedReply};
use std::collections::VecDeque;
use std::sync::Mutex;
use store::memory::MemoryStore;
use time::Duration;

const SOCIAL: Platform = Platform::from_static("social");
const REVIEWS: Platform = Platform::from_static("reviews");
const COMPLAINT: &str = "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel slecht!";

/// What the scripted platform was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Public(String),
    Find,
    Private(String),
    Fetch,
    /// The reply standing under the item was read.
    Current,
}

/// A platform whose answers are scripted per kind of call; unscripted calls succeed.
#[derive(Default)]
struct Scripted {
    calls: Mutex<Vec<Call>>,
    public: Mutex<VecDeque<Result<String, ReplyError>>>,
    find: Mutex<VecDeque<Result<Option<String>, ReplyError>>>,
    private: Mutex<VecDeque<Result<Option<String>, ReplyError>>>,
    fetch: Mutex<VecDeque<Result<FetchedItem, ReplyError>>>,
    current: Mutex<VecDeque<Result<Option<PostedReply>, ReplyError>>>,
}

impl Scripted {
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn count(&self, f: impl Fn(&Call) -> bool) -> usize {
        self.calls().iter().filter(|c| f(c)).count()
    }

    /// Note the call, and answer what is scripted next for its kind, else `unscripted`.
    fn answer<T>(
        &self,
        call: Call,
        script: &Mutex<VecDeque<Result<T, ReplyError>>>,
        unscripted: impl FnOnce() -> Result<T, ReplyError>,
    ) -> Result<T, ReplyError> {
        self.calls.lock().unwrap().push(call);
        script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(unscripted)
    }
}

#[async_trait]
impl ReplyClient for Scripted {
    async fn post_public_reply(
        &self,
        _target: &ReplyTarget,
        text: &str,
        _token: &AccessToken,
    ) -> Result<String, ReplyError> {
        self.answer(Call::Public(text.to_owned()), &self.public, || {
            Ok("reply-1".into())
        })
    }

    async fn find_public_reply(
        &self,
        _target: &ReplyTarget,
        _token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        self.answer(Call::Find, &self.find, || Ok(None))
    }

    async fn current_public_reply(
        &self,
        _target: &ReplyTarget,
        _token: &AccessToken,
    ) -> Result<Option<PostedReply>, ReplyError> {
        self.answer(Call::Current, &self.current, || Ok(None))
    }

    async fn send_private_reply(
        &self,
        _target: &ReplyTarget,
        text: &str,
        _token: &AccessToken,
    ) -> Result<Option<String>, ReplyError> {
        self.answer(Call::Private(text.to_owned()), &self.private, || {
            Ok(Some("m-1".into()))
        })
    }

    async fn fetch_item(
        &self,
        _feedback: &Feedback,
        _token: &AccessToken,
    ) -> Result<FetchedItem, ReplyError> {
        self.answer(Call::Fetch, &self.fetch, || {
            Err(ReplyError::Rejected("nothing scripted".into()))
        })
    }
}

/// The next answer of one kind of call.
fn script<T>(queue: &Mutex<VecDeque<T>>, answer: T) {
    queue.lock().unwrap().push_back(answer);
}

fn social_capabilities() -> Capabilities {
    Capabilities::EXAMPLE_COMMENTS
}

fn review_capabilities() -> Capabilities {
    Capabilities::EXAMPLE_REVIEWS
}

struct World {
    store: Arc<MemoryStore>,
    platform: Arc<Scripted>,
    responder: Responder,
}

fn world_with(mode: ReplyMode, outbound: impl FnOnce(Arc<Scripted>) -> Outbound) -> World {
    let store = Arc::new(MemoryStore::new());
    let platform = Arc::new(Scripted::default());
    let responder = Responder {
        store: store.clone(),
        outbound: outbound(platform.clone()),
        credentials: Credentials::local(|k| (k == "SOCIAL_TOKEN").then(|| "token".to_owned())),
        defaults: PageSettings {
            brand_name: "Bakkerij Zon".into(),
            default_language: triage::Language::Nl,
            mode,
            ..PageSettings::default()
        },
        retry: RetryPolicy {
            backoff: std::time::Duration::from_millis(1),
            ..RetryPolicy::default()
        },
        templates: TemplateSet::builtin().unwrap(),
    };
    World {
        store,
        platform,
        responder,
    }
}

fn world(mode: ReplyMode) -> World {
    world_with(mode, |client| {
        Outbound::new()
            .with(OutboundPlatform {
                platform: SOCIAL,
                capabilities: social_capabilities(),
                client: Some(client.clone()),
                credential_variable: "SOCIAL_TOKEN",
            })
            .with(OutboundPlatform {
                platform: REVIEWS,
                capabilities: review_capabilities(),
                client: Some(client),
                credential_variable: "SOCIAL_TOKEN",
            })
    })
}

fn item(platform: Platform, id: &str, text: Option<&str>) -> Feedback {
    let now = OffsetDateTime::now_utc();
    Feedback {
        thread_id: Some("post-1".into()),
        author_id: Some(format!("author-{id}")),
        author_name: Some("Sanne Jansen".into()),
        text: text.map(str::to_owned),
        created_at: Some(now - Duration::minutes(5)),
        raw: "{}".into(),
        ..Feedback::new(
            platform,
            AccountId::parse("page-1").unwrap(),
            ItemId::parse(id).unwrap(),
            FeedbackKind::Comment,
            now,
        )
    }
}

/// A review on the review platform (under no post), as its delivery carried it.
fn review(id: &str, text: Option<&str>) -> Feedback {
    Feedback {
        kind: FeedbackKind::Review,
        thread_id: None,
        ..item(REVIEWS, id, text)
    }
}

/// What the review platform returns for Piet's one-star review, with `text` if it has words.
fn piets_one_star(text: Option<&str>) -> Result<FetchedItem, ReplyError> {
    Ok(FetchedItem {
        text: text.map(str::to_owned),
        rating: Rating::new(1).ok(),
        author_name: Some("Piet".into()),
        ..FetchedItem::default()
    })
}

fn stored(w: &World, f: Feedback) -> FeedbackKey {
    let key = FeedbackKey::of(&f);
    w.store.insert_feedback(f);
    key
}

#[tokio::test]
async fn a_complaint_is_acknowledged_and_messaged_once_even_when_handled_twice() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "c1", Some(COMPLAINT)));

    let first = w.responder.respond(&key).await.unwrap();
    let second = w.responder.respond(&key).await.unwrap();

    assert_eq!((first, second), (Outcome::Answered, Outcome::Answered));
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 1);
    assert_eq!(w.platform.count(|c| matches!(c, Call::Private(_))), 1);
    let task = w.store.task(&key).unwrap();
    assert_eq!(task.task.channel, TaskChannel::PlatformMessage);
    assert_eq!(w.store.record(&key).unwrap().decision, Some(Stored::Answer));
}

#[tokio::test]
async fn a_post_with_an_unknown_outcome_is_reconciled_before_any_second_post() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "c2", Some(COMPLAINT)));
    script(
        &w.platform.public,
        Err(ReplyError::Ambiguous("timed out".into())),
    );
    script(&w.platform.find, Ok(Some("reply-found".into())));

    let outcome = w.responder.respond(&key).await.unwrap();

    assert_eq!(outcome, Outcome::Answered);
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 1);
    assert_eq!(w.platform.count(|c| *c == Call::Find), 1);
    let public = w.store.stored_message(&key, Channel::Public).unwrap();
    assert_eq!(public.state, MessageState::Sent);
    assert_eq!(public.platform_message_id.as_deref(), Some("reply-found"));
}

#[tokio::test]
async fn a_rate_limited_post_is_retried_and_then_sent() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "c3", Some(COMPLAINT)));
    script(&w.platform.public, Err(ReplyError::Transient("429".into())));

    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Answered);
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 2);
    assert_eq!(w.platform.count(|c| *c == Call::Find), 0);
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_given_up_after_the_attempt_cap_and_flagged() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "c4", Some(COMPLAINT)));
    for _ in 0..10 {
        script(&w.platform.public, Err(ReplyError::Transient("429".into())));
    }

    // Three attempts per invocation, five in all.
    assert!(w.responder.respond(&key).await.is_err(), "handed back");
    let last = w.responder.respond(&key).await.unwrap();
    let after = w.responder.respond(&key).await.unwrap();

    assert!(matches!(last, Outcome::NeedsStaff(_)), "{last:?}");
    assert!(matches!(after, Outcome::NeedsStaff(_)), "{after:?}");
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 5);
    let task = w.store.task(&key).unwrap();
    assert!(task.flags.contains("reply_failed"));
}

#[tokio::test]
async fn a_revoked_token_fails_what_is_unsent_flags_the_task_and_marks_the_page() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "c5", Some(COMPLAINT)));
    script(
        &w.platform.private,
        Err(ReplyError::Reconnect("token expired".into())),
    );

    let outcome = w.responder.respond(&key).await.unwrap();

    assert!(matches!(outcome, Outcome::NeedsStaff(_)));
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 0);
    let public = w.store.stored_message(&key, Channel::Public).unwrap();
    assert_eq!(public.state, MessageState::Failed);
    assert!(w.store.task(&key).unwrap().flags.contains("reconnect_page"));
    let page = w
        .store
        .page_record(&SOCIAL, &AccountId::parse("page-1").unwrap())
        .unwrap();
    assert!(page.needs_reconnect);

    // Nothing more is tried for that page until staff reconnect it.
    let next = stored(&w, item(SOCIAL, "c6", Some(COMPLAINT)));
    assert!(matches!(
        w.responder.respond(&next).await.unwrap(),
        Outcome::NeedsStaff(_)
    ));
    assert_eq!(w.platform.count(|c| matches!(c, Call::Private(_))), 1);
}

#[tokio::test]
async fn a_bare_one_star_review_on_a_platform_without_private_channel_gets_a_public_reply_and_a_manual_task()
 {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, review("r1", None));
    script(&w.platform.fetch, piets_one_star(None));

    let outcome = w.responder.respond(&key).await.unwrap();

    assert_eq!(outcome, Outcome::Answered);
    assert_eq!(w.platform.count(|c| *c == Call::Fetch), 1);
    assert_eq!(w.platform.count(|c| matches!(c, Call::Private(_))), 0);
    let public = w.store.stored_message(&key, Channel::Public).unwrap();
    assert!(public.text.starts_with("Hallo Piet,"), "{}", public.text);
    assert!(!public.text.contains("privé"), "{}", public.text);
    assert!(w.store.stored_message(&key, Channel::Private).is_none());
    assert_eq!(
        w.store.task(&key).unwrap().task.channel,
        TaskChannel::Manual
    );
    assert_eq!(
        w.store.record(&key).unwrap().feedback.rating,
        Rating::new(1).ok()
    );
}

#[tokio::test]
async fn an_item_the_platform_cannot_return_is_skipped_and_one_it_cannot_return_yet_is_retried() {
    let w = world(ReplyMode::Auto);
    let gone = stored(&w, item(SOCIAL, "m1", None));
    let later = stored(&w, item(SOCIAL, "m2", None));
    script(
        &w.platform.fetch,
        Err(ReplyError::Rejected("does not exist".into())),
    );

    assert_eq!(
        w.responder.respond(&gone).await.unwrap(),
        Outcome::Skipped(SkipReason::Unfetchable)
    );
    script(&w.platform.fetch, Err(ReplyError::Transient("503".into())));
    assert!(matches!(
        w.responder.respond(&later).await,
        Err(RespondError::NotYetFetched(_))
    ));
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 0);
}

#[tokio::test]
async fn in_approval_mode_drafts_wait_and_nothing_is_posted() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "c7", Some(COMPLAINT)));

    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);
    assert!(w.platform.calls().is_empty());
    assert_eq!(
        w.store.stored_message(&key, Channel::Public).unwrap().state,
        MessageState::Draft
    );
}

#[tokio::test]
async fn a_platform_without_a_reply_client_gets_a_task_for_staff_and_no_calls() {
    let w = world_with(ReplyMode::Auto, |_| {
        Outbound::new().with(OutboundPlatform {
            platform: SOCIAL,
            capabilities: Capabilities::MANUAL,
            client: None,
            credential_variable: "SOCIAL_TOKEN",
        })
    });
    let key = stored(&w, item(SOCIAL, "c8", Some(COMPLAINT)));

    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);
    assert!(w.platform.calls().is_empty());
    assert!(w.store.stored_message(&key, Channel::Public).is_none());
    let task = w.store.task(&key).unwrap();
    assert_eq!(task.task.channel, TaskChannel::Manual);
    assert!(!task.task.draft_public.is_empty());
}

#[tokio::test]
async fn a_second_comment_of_an_answered_author_in_the_same_thread_is_not_answered_again() {
    let w = world(ReplyMode::Auto);
    let first = stored(&w, item(SOCIAL, "c9", Some(COMPLAINT)));
    let mut again = item(SOCIAL, "c10", Some(COMPLAINT));
    again.author_id = Some("author-c9".into());
    let second = stored(&w, again);

    w.responder.respond(&first).await.unwrap();
    assert_eq!(
        w.responder.respond(&second).await.unwrap(),
        Outcome::Skipped(SkipReason::AuthorAlreadyAnswered)
    );
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 1);
}

#[tokio::test]
async fn a_message_planted_in_the_table_is_held_for_a_person_never_sent() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "p1", Some(COMPLAINT)));
    w.store.put_message(
        &key,
        Channel::Public,
        "Visit https://scam.example for a refund!",
        MessageState::Pending,
        None,
    );

    w.responder.respond(&key).await.unwrap();

    assert_public_reply_held(&w, &key);
}

#[tokio::test]
async fn an_approval_sends_only_the_drafts_staff_approved_not_planted_text() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "p2", Some(COMPLAINT)));
    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);
    let without_private = w
        .store
        .stored_message(&key, Channel::Public)
        .unwrap()
        .alt_text
        .expect("a wording for when no private message goes out");
    // Staff approve the public reply; someone plants a private message as if approved.
    w.store.approve(&key, Channel::Public, "anna", None);
    w.store.put_message(
        &key,
        Channel::Private,
        "Send us your card number",
        MessageState::Pending,
        Some("anna"),
    );

    w.responder.deliver_approved(&key).await.unwrap();

    // The planted message is held, so the public reply claims no private message.
    assert_eq!(w.platform.calls(), [Call::Public(without_private)]);
    assert_eq!(
        w.store
            .stored_message(&key, Channel::Private)
            .unwrap()
            .state,
        MessageState::Failed
    );
}

#[tokio::test]
async fn a_token_not_stored_yet_hands_the_item_back_without_marking_the_page() {
    let w = world_with(ReplyMode::Auto, |client| {
        Outbound::new().with(OutboundPlatform {
            platform: SOCIAL,
            capabilities: social_capabilities(),
            client: Some(client),
            credential_variable: "NO_SUCH_TOKEN",
        })
    });
    let key = stored(&w, item(SOCIAL, "t1", Some(COMPLAINT)));

    assert!(w.responder.respond(&key).await.is_err(), "retried later");

    assert!(w.platform.calls().is_empty());
    assert!(w.store.task(&key).unwrap().flags.contains("token_missing"));
    let page = w
        .store
        .page_record(&SOCIAL, &AccountId::parse("page-1").unwrap());
    assert!(page.is_none_or(|p| !p.needs_reconnect));
    assert_eq!(
        w.store.stored_message(&key, Channel::Public).unwrap().state,
        MessageState::Pending,
        "still to be sent once the token is there"
    );
}

#[tokio::test]
async fn when_the_private_message_is_refused_the_public_reply_does_not_claim_it() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "h1", Some(COMPLAINT)));
    script(
        &w.platform.private,
        Err(ReplyError::Rejected("outside the window".into())),
    );

    w.responder.respond(&key).await.unwrap();

    let calls = w.platform.calls();
    let public = calls
        .iter()
        .find_map(|c| match c {
            Call::Public(text) => Some(text.clone()),
            _ => None,
        })
        .expect("a public reply");
    assert!(!public.contains("privé"), "{public}");
    assert_eq!(
        public,
        w.store
            .stored_message(&key, Channel::Public)
            .unwrap()
            .alt_text
            .unwrap()
    );
}

#[tokio::test]
async fn a_threat_is_not_answered_but_a_person_gets_a_task_within_hours() {
    let w = world(ReplyMode::Auto);
    let key = stored(
        &w,
        item(
            SOCIAL,
            "x1",
            Some("Ik weet waar je woont. Pas maar op, ik kom je opzoeken."),
        ),
    );

    let outcome = w.responder.respond(&key).await.unwrap();

    assert_eq!(outcome, Outcome::Skipped(SkipReason::Threat));
    assert!(w.platform.calls().is_empty());
    let task = w.store.task(&key).unwrap().task;
    assert_eq!(task.channel, TaskChannel::Manual);
    assert!(task.due_at <= OffsetDateTime::now_utc() + Duration::hours(4));
}

#[tokio::test]
async fn an_approved_edit_is_sent_as_staff_wrote_it_and_the_draft_is_kept_beside_it() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "e1", Some(COMPLAINT)));
    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);
    let draft = w.store.stored_message(&key, Channel::Public).unwrap().text;
    let edit = "Hoi Sanne, wat vervelend! We bellen je vandaag nog. – Anke";
    w.store
        .approve(&key, Channel::Public, "anke", Some((edit, "anke")));
    w.store.approve(&key, Channel::Private, "anke", None);

    w.responder.deliver_approved(&key).await.unwrap();

    let calls = w.platform.calls();
    assert!(calls.contains(&Call::Public(edit.to_owned())), "{calls:?}");
    assert!(
        calls.iter().any(|c| matches!(c, Call::Private(_))),
        "{calls:?}"
    );
    let public = w.store.stored_message(&key, Channel::Public).unwrap();
    assert_eq!(public.state, MessageState::Sent);
    assert_eq!(
        public.text, draft,
        "the draft stays as the responder wrote it"
    );
}

#[tokio::test]
async fn an_edit_its_author_did_not_approve_is_held_for_a_person() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "e2", Some(COMPLAINT)));
    w.responder.respond(&key).await.unwrap();
    w.store.approve(
        &key,
        Channel::Public,
        "anke",
        Some(("Visit https://scam.example for a refund", "mallory")),
    );

    w.responder.deliver_approved(&key).await.unwrap();

    assert_public_reply_held(&w, &key);
}

#[tokio::test]
async fn an_edit_longer_than_the_platform_takes_is_never_cut_but_held_with_the_reason() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "e3", Some(COMPLAINT)));
    w.responder.respond(&key).await.unwrap();
    let long = "Het spijt ons echt. ".repeat(60); // 1,200 characters; private takes 1,000
    w.store
        .approve(&key, Channel::Private, "anke", Some((&long, "anke")));

    w.responder.deliver_approved(&key).await.unwrap();

    assert!(
        !w.platform
            .calls()
            .iter()
            .any(|c| matches!(c, Call::Private(_))),
        "{:?}",
        w.platform.calls()
    );
    let private = w.store.stored_message(&key, Channel::Private).unwrap();
    assert_eq!(private.state, MessageState::Failed);
    let failure = private.failure.unwrap();
    assert!(
        failure.contains("1200 characters long") && failure.contains("at most 1000 characters"),
        "{failure}"
    );
    assert!(w.store.task(&key).unwrap().flags.contains("reply_failed"));
}

#[tokio::test]
async fn an_edited_public_reply_is_not_posted_when_the_private_message_it_expects_failed() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "e4", Some(COMPLAINT)));
    w.responder.respond(&key).await.unwrap();
    script(
        &w.platform.private,
        Err(ReplyError::Rejected("outside the window".into())),
    );
    let edit = "Hoi Sanne, we hebben je een privébericht gestuurd.";
    w.store
        .approve(&key, Channel::Public, "anke", Some((edit, "anke")));
    w.store.approve(&key, Channel::Private, "anke", None);

    w.responder.deliver_approved(&key).await.unwrap();

    assert!(
        !w.platform
            .calls()
            .iter()
            .any(|c| matches!(c, Call::Public(_))),
        "{:?}",
        w.platform.calls()
    );
    let public = w.store.stored_message(&key, Channel::Public).unwrap();
    assert_eq!(public.state, MessageState::Failed);
    assert!(
        public
            .failure
            .unwrap()
            .contains("private message was not sent")
    );
}

#[tokio::test]
async fn a_planted_wording_for_when_no_private_message_went_out_is_never_posted() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "e5", Some(COMPLAINT)));
    w.responder.respond(&key).await.unwrap();
    let scam = "Refund at https://scam.example";
    w.store.plant_alt_text(&key, Channel::Public, scam);
    w.store.approve(&key, Channel::Public, "anke", None);
    w.store.approve(&key, Channel::Private, "anke", None);
    // The private message is refused, so the second wording would be the one posted.
    script(
        &w.platform.private,
        Err(ReplyError::Rejected("outside the window".into())),
    );

    w.responder.deliver_approved(&key).await.unwrap();

    assert_public_reply_held(&w, &key);
}

#[tokio::test]
async fn a_redelivery_holds_a_planted_wording_or_an_edit_its_author_did_not_approve() {
    for plant in ["alt_text", "edit"] {
        let w = world(ReplyMode::Approval);
        let key = stored(&w, item(SOCIAL, &format!("e6-{plant}"), Some(COMPLAINT)));
        w.responder.respond(&key).await.unwrap();
        if plant == "alt_text" {
            w.store
                .plant_alt_text(&key, Channel::Public, "Refund at https://scam.example");
        } else {
            w.store.approve(
                &key,
                Channel::Public,
                "anke",
                Some(("Refund at https://scam.example", "mallory")),
            );
        }

        // The stream hands the item over again.
        w.responder.respond(&key).await.unwrap();

        assert_eq!(
            w.store.stored_message(&key, Channel::Public).unwrap().state,
            MessageState::Failed,
            "{plant}"
        );
        assert!(
            w.store
                .task(&key)
                .unwrap()
                .flags
                .contains("message_mismatch"),
            "{plant}"
        );
        assert!(w.platform.calls().is_empty(), "{plant}");
    }
}

#[tokio::test]
async fn an_unapproved_draft_set_to_uncertain_is_never_posted_in_approval_mode() {
    let w = world(ReplyMode::Approval);
    let key = stored(&w, item(SOCIAL, "u1", Some(COMPLAINT)));
    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);
    // Someone with write access to the table turns the drafts to `uncertain`; nobody
    // approved them.
    w.store
        .force_state(&key, Channel::Public, MessageState::Uncertain);
    w.store
        .force_state(&key, Channel::Private, MessageState::Uncertain);

    w.responder.deliver_approved(&key).await.unwrap();
    w.responder.respond(&key).await.unwrap();

    assert!(
        !w.platform
            .calls()
            .iter()
            .any(|c| matches!(c, Call::Public(_) | Call::Private(_))),
        "{:?}",
        w.platform.calls()
    );
    for channel in [Channel::Public, Channel::Private] {
        let message = w.store.stored_message(&key, channel).unwrap();
        assert_ne!(message.state, MessageState::Sent, "{channel:?}");
    }
}

fn unread_review(w: &World, id: &str, url: Option<&str>) -> FeedbackKey {
    let mut review = review(id, None);
    review.author_name = None;
    review.url = url.map(str::to_owned);
    stored(w, review)
}

#[tokio::test]
async fn a_review_that_cannot_be_read_because_the_platform_is_not_connected_gets_a_task_saying_what_is_missing_with_its_link()
 {
    // A deployment without the platform's API client: the delivery named the review,
    // nothing could fetch it.
    let w = world_with(ReplyMode::Auto, |_| {
        Outbound::new().with(OutboundPlatform {
            platform: REVIEWS,
            capabilities: review_capabilities(),
            client: None,
            credential_variable: "",
        })
    });
    let key = unread_review(&w, "accounts/1/locations/2/reviews/r9", None);

    w.responder.respond(&key).await.unwrap();

    assert!(w.platform.calls().is_empty());
    let task = w.store.task(&key).expect("a task for a person").task;
    assert_eq!(task.channel, TaskChannel::Manual);
    let step = task.next_step;
    assert!(
        step.contains("could not be read") && step.contains("not connected"),
        "what is missing: {step}"
    );
    assert!(step.contains("by hand"), "what to do: {step}");
    assert!(
        step.contains("accounts/1/locations/2/reviews/r9"),
        "which review: {step}"
    );
}

#[tokio::test]
async fn a_review_the_platform_refuses_to_return_gets_a_task_saying_so_with_its_link() {
    let w = world(ReplyMode::Auto);
    let key = unread_review(&w, "r10", Some("https://reviews.example/r10"));
    script(
        &w.platform.fetch,
        Err(ReplyError::Rejected("404 not found".into())),
    );

    let outcome = w.responder.respond(&key).await.unwrap();

    assert_eq!(outcome, Outcome::Skipped(SkipReason::Unfetchable));
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 0);
    let step = w
        .store
        .task(&key)
        .expect("a task for a person")
        .task
        .next_step;
    assert!(
        step.contains("could not be read") && step.contains("404 not found"),
        "{step}"
    );
    assert!(step.contains("https://reviews.example/r10"), "{step}");
}

#[tokio::test]
async fn a_reply_someone_already_wrote_under_a_one_reply_review_is_never_replaced_and_the_task_says_so()
 {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, review("r11", None));
    script(&w.platform.fetch, piets_one_star(None));
    // The owner already answered it on the platform, by hand.
    script(
        &w.platform.current,
        Ok(Some(PostedReply {
            id: "r11/reply".into(),
            text: Some("Dag Piet, ik bel je morgen. – Anke".into()),
        })),
    );

    let outcome = w.responder.respond(&key).await.unwrap();

    assert!(matches!(outcome, Outcome::NeedsStaff(_)), "{outcome:?}");
    assert_eq!(w.platform.count(|c| *c == Call::Current), 1);
    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 0);
    let public = w.store.stored_message(&key, Channel::Public).unwrap();
    assert_eq!(public.state, MessageState::Failed);
    let task = w.store.task(&key).unwrap();
    assert!(task.flags.contains("reply_exists"), "{:?}", task.flags);
    assert!(
        task.flag_reason.unwrap().contains("already"),
        "the reason is given"
    );
}

#[tokio::test]
async fn a_one_reply_review_whose_reply_is_already_ours_is_recorded_as_sent_without_posting_again()
{
    let w = world(ReplyMode::Approval);
    let key = stored(&w, review("r12", Some(COMPLAINT)));
    script(&w.platform.fetch, piets_one_star(Some(COMPLAINT)));
    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);
    w.store.approve(&key, Channel::Public, "anke", None);
    // An earlier attempt timed out, yet landed: the reply standing there is ours.
    w.store
        .force_state(&key, Channel::Public, MessageState::Uncertain);
    let draft = w.store.stored_message(&key, Channel::Public).unwrap();
    script(
        &w.platform.current,
        Ok(Some(PostedReply {
            id: "r12/reply".into(),
            text: Some(draft.alt_text.unwrap_or(draft.text)),
        })),
    );

    w.responder.deliver_approved(&key).await.unwrap();

    assert_eq!(w.platform.count(|c| matches!(c, Call::Public(_))), 0);
    assert_eq!(
        w.store.stored_message(&key, Channel::Public).unwrap().state,
        MessageState::Sent
    );
}

/// Nothing was posted publicly: the public message failed and the task asks a person to
/// look (`message_mismatch`).
fn assert_public_reply_held(w: &World, key: &FeedbackKey) {
    let calls = w.platform.calls();
    assert!(
        !calls.iter().any(|c| matches!(c, Call::Public(_))),
        "{calls:?}"
    );
    assert_eq!(
        w.store.stored_message(key, Channel::Public).unwrap().state,
        MessageState::Failed
    );
    assert!(
        w.store
            .task(key)
            .unwrap()
            .flags
            .contains("message_mismatch")
    );
}

#[tokio::test]
async fn a_mixed_comment_whose_praise_comes_after_the_complaint_is_held_for_a_person() {
    // GIVEN an auto page and a comment that could be read as praise or as a complaint
    let w = world(ReplyMode::Auto);
    let key = stored(
        &w,
        item(
            SOCIAL,
            "h1",
            Some("Delivery was a bit slow, but the product is lovely"),
        ),
    );

    // WHEN it is handled
    assert_eq!(w.responder.respond(&key).await.unwrap(), Outcome::Drafted);

    // THEN nothing is posted, the drafts wait for staff and the task says why
    assert!(w.platform.calls().is_empty());
    assert_eq!(
        w.store.stored_message(&key, Channel::Public).unwrap().state,
        MessageState::Draft
    );
    let task = w.store.task(&key).unwrap();
    assert!(
        task.flags.contains(TaskFlag::NeedsReview.as_str()),
        "{:?}",
        task.flags
    );
    let reason = task.flag_reason.unwrap_or_default();
    assert!(
        reason.contains("confidence") && reason.contains("turn"),
        "{reason}"
    );
    // AND the decision keeps how sure it was and why
    let kept = w.store.record(&key).unwrap().confidence.unwrap_or_default();
    assert!(kept.contains("held") && kept.contains("praise"), "{kept}");
}

#[tokio::test]
async fn replies_on_one_page_are_worded_differently_and_a_redelivery_keeps_its_words() {
    // GIVEN a configured page and seven identical complaints by the same customer name
    let w = world(ReplyMode::Auto);
    w.store.set_page(
        SOCIAL,
        AccountId::parse("page-1").unwrap(),
        feedback::page::PageRecord::default(),
    );
    let mut posted = Vec::new();
    let mut keys = Vec::new();
    for n in 0..7 {
        let key = stored(&w, item(SOCIAL, &format!("w{n}"), Some(COMPLAINT)));
        keys.push(key.clone());
        // WHEN each is answered
        w.responder.respond(&key).await.unwrap();
        posted.push(w.store.stored_message(&key, Channel::Public).unwrap().text);
    }
    // THEN no two public replies read alike
    let mut unique = posted.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), posted.len(), "{posted:#?}");

    // AND the first item, delivered again, drafts what it drafted then: nothing is held
    let first = &keys[0];
    w.responder.respond(first).await.unwrap();
    let task = w.store.task(first).unwrap();
    assert!(!task.flags.contains("message_mismatch"), "{:?}", task.flags);
}

#[tokio::test]
async fn a_direct_message_that_may_have_been_delivered_is_never_sent_a_second_time() {
    // Ordinary direct messages (X): the platform would accept a second one.
    let w = world_with(ReplyMode::Auto, |client| {
        Outbound::new().with(OutboundPlatform {
            platform: SOCIAL,
            capabilities: Capabilities {
                private_channel: PrivateChannel::DirectMessages {
                    limit: TextLimit::Chars(1000),
                },
                ..social_capabilities()
            },
            client: Some(client),
            credential_variable: "SOCIAL_TOKEN",
        })
    });
    let key = stored(&w, item(SOCIAL, "dm1", Some(COMPLAINT)));
    script(
        &w.platform.private,
        Err(ReplyError::Ambiguous("timed out".into())),
    );

    w.responder.respond(&key).await.unwrap();
    let _ = w.responder.respond(&key).await;

    assert_eq!(w.platform.count(|c| matches!(c, Call::Private(_))), 1);
    let private = w.store.stored_message(&key, Channel::Private).unwrap();
    assert_eq!(private.state, MessageState::Failed);
    assert!(
        private
            .failure
            .as_deref()
            .is_some_and(|f| f.contains("check the conversation")),
        "{private:?}"
    );
}

fn snapshot_of(
    w: &World,
    key: &FeedbackKey,
    messages: &[(Channel, MessageState)],
    task: bool,
    expects: Option<Expected>,
) -> ItemSnapshot {
    ItemSnapshot {
        record: w.store.record(key).unwrap(),
        messages: messages.to_vec(),
        task,
        expects,
    }
}

#[tokio::test]
async fn an_item_is_settled_only_once_every_part_its_decision_expected_is_stored_and_sent() {
    let w = world(ReplyMode::Auto);
    let key = stored(&w, item(SOCIAL, "s1", Some(COMPLAINT)));
    w.responder.respond(&key).await.unwrap();
    let both = Expected {
        channels: vec![Channel::Public, Channel::Private],
        task: true,
    };
    let sent = [
        (Channel::Public, MessageState::Sent),
        (Channel::Private, MessageState::Sent),
    ];
    let settled_as = |messages: &[(Channel, MessageState)], task: bool, expects| {
        settled(&snapshot_of(&w, &key, messages, task, expects))
    };

    assert_eq!(
        settled_as(&sent, true, Some(both.clone())),
        Some(Outcome::Answered)
    );
    // Cut short after the decision: the task or a message was never stored.
    assert_eq!(settled_as(&sent, false, Some(both.clone())), None);
    assert_eq!(settled_as(&sent[..1], true, Some(both.clone())), None);
    // Decided before expectations were kept: the whole path runs, as it always did.
    assert_eq!(settled_as(&sent, true, None), None);
    // Something is still to send or to reconcile.
    for unsettled in [
        MessageState::Pending,
        MessageState::Sending,
        MessageState::Uncertain,
    ] {
        let messages = [
            (Channel::Public, MessageState::Sent),
            (Channel::Private, unsettled),
        ];
        assert_eq!(
            settled_as(&messages, true, Some(both.clone())),
            None,
            "{unsettled:?}"
        );
    }
    // Waiting for a person: checked again on every delivery.
    let waiting = [
        (Channel::Public, MessageState::Draft),
        (Channel::Private, MessageState::Draft),
    ];
    assert_eq!(settled_as(&waiting, true, Some(both.clone())), None);
    // Drafted only (dry run), or failed: their flags come after, so the full path runs.
    let dry = [
        (Channel::Public, MessageState::DryRun),
        (Channel::Private, MessageState::DryRun),
    ];
    assert_eq!(settled_as(&dry, true, Some(both.clone())), None);
    let failed = [
        (Channel::Public, MessageState::Sent),
        (Channel::Private, MessageState::Failed),
    ];
    assert_eq!(settled_as(&failed, true, Some(both)), None);
    // An answer with no message at all (a task only) takes the full path too.
    let task_only = Expected {
        channels: Vec::new(),
        task: true,
    };
    assert_eq!(settled_as(&[], true, Some(task_only)), None);
}

#[tokio::test]
async fn a_skipped_item_is_settled_except_an_unfetchable_one_whose_task_comes_after() {
    let w = world(ReplyMode::Auto);
    let key = stored(
        &w,
        item(
            SOCIAL,
            "s2",
            Some("Koop nu goedkope volgers via www.spam.example"),
        ),
    );
    for (reason, want) in [
        (SkipReason::Spam, Some(Outcome::Skipped(SkipReason::Spam))),
        (SkipReason::Unfetchable, None),
    ] {
        w.store
            .record_decision(
                &key,
                Decided::skip(reason, None, None),
                OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
        assert_eq!(
            settled(&snapshot_of(&w, &key, &[], false, None)),
            want,
            "{reason:?}"
        );
    }
}
