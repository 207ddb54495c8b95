//! `feedbackctl` as staff run it, against DynamoDB Local: the task lifecycle commands,
//! the reports on a fixture set (table, JSON, chart), and the GDPR export and erasure
//! (nothing of the author left).

use feedback::{AccountId, ItemId, Rating};
use serde_json::Value;
use store::messages::NewMessage;
use store::outbox::Delivery;
use store::{Channel, FeedbackKey, MessageState, TaskStatus};
use time::{Duration, OffsetDateTime};
use tokio::process::Command;
use workspace_tests::dynamodb::TestTable;
use workspace_tests::mock::Answer;
use workspace_tests::mock::with_bearer;
use workspace_tests::runner::{CliRun, binaries, feedbackctl};
use workspace_tests::sweeper::{Fixture, PAGE_ID, page_with_targets, resolved_by_anna, set_page};

/// `feedbackctl --local --table T ARGS…`, as `user` (the `$USER` of the session).
async fn ctl(table: &TestTable, user: &str, args: &[&str]) -> CliRun {
    CliRun::of(feedbackctl(&table.name).await.args(args).env("USER", user)).await
}

/// `gdpr export <by> <who>` by the DPO, which succeeds: the run and the ids of the items
/// it lists.
async fn gdpr_export(table: &TestTable, by: &str, who: &str) -> (CliRun, Vec<String>) {
    let run = ctl(table, "dpo", &["gdpr", "export", by, who])
        .await
        .succeeded();
    let ids = run.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    (run, ids)
}

/// `--json gdpr erase <by> <who> --by dpo --yes`, which succeeds: the erasure it reports.
async fn gdpr_erase(table: &TestTable, by: &str, who: &str) -> Value {
    let args = ["--json", "gdpr", "erase", by, who, "--by", "dpo", "--yes"];
    ctl(table, "x", &args).await.succeeded().json()["erasure"].clone()
}

#[tokio::test]
async fn staff_claim_resolve_drop_reopen_and_read_the_history_from_the_command_line() {
    let (table, store) = TestTable::with_store().await;
    let hooks = wiremock::MockServer::start().await;
    page_with_targets(&store, &hooks).await;
    let one = Fixture::complaint("777_400").store(&store).await;
    let two = Fixture::complaint("777_401").store(&store).await;

    // Claimed by the session's user when --by is left out.
    ctl(&table, "anna", &["tasks", "claim", "facebook:777_400"])
        .await
        .succeeded();
    let taken = ctl(&table, "bert", &["tasks", "claim", "facebook:777_400"]).await;
    assert!(!taken.ok);
    assert!(
        taken.stderr.contains("is claimed by anna, not open"),
        "{}",
        taken.stderr
    );
    let resolve = ctl(
        &table,
        "anna",
        &[
            "--json",
            "tasks",
            "resolve",
            "facebook:777_400",
            "--note",
            "nieuwe taart bezorgd",
        ],
    )
    .await
    .succeeded();
    let resolved = resolve.json();
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["notifications"], 3, "the page's targets are told");
    assert!(
        resolved["update_request"]
            .as_str()
            .unwrap()
            .starts_with("Hallo Anke,")
    );
    let told = store.item(&one).await.unwrap().notifications;
    assert!(
        told.iter()
            .all(|n| n.event == store::NotificationEvent::TaskResolved
                && n.state == MessageState::Pending),
        "{told:?}"
    );
    let again = ctl(&table, "bert", &["tasks", "claim", "facebook:777_400"]).await;
    assert!(
        again.stderr.contains("is resolved, not open"),
        "{}",
        again.stderr
    );

    ctl(
        &table,
        "bert",
        &[
            "tasks",
            "drop",
            "facebook:777_401",
            "--reason",
            "duplicate of 777_400",
        ],
    )
    .await
    .succeeded();
    ctl(
        &table,
        "bert",
        &[
            "tasks",
            "reopen",
            "facebook:777_401",
            "--note",
            "not a duplicate",
            "--due-in",
            "4",
        ],
    )
    .await
    .succeeded();
    let task = store.task(&two).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Open);
    assert!(task.due_at > OffsetDateTime::now_utc() + Duration::hours(3));

    let history = ctl(
        &table,
        "x",
        &["--json", "tasks", "history", "facebook:777_401"],
    )
    .await;
    let steps: Vec<(String, String)> = history
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap().to_owned(),
                c["by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("open".to_owned(), "responder".to_owned()),
            ("drop".to_owned(), "bert".to_owned()),
            ("reopen".to_owned(), "bert".to_owned())
        ]
    );
    let table_out = ctl(&table, "x", &["tasks", "history", "facebook:777_401"]).await;
    table_out.says(&["duplicate of 777_400", "bert"]);
    let list = ctl(
        &table,
        "x",
        &["--json", "tasks", "list", "--status", "resolved"],
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    let show = ctl(&table, "x", &["tasks", "show", "facebook:777_400"]).await;
    show.says(&["resolve by anna"]);
}

/// A public reply sent `after` the feedback arrived.
async fn replied(table: &TestTable, key: &FeedbackKey, at: OffsetDateTime, after: Duration) {
    let store = table.store();
    let message = NewMessage {
        channel: Channel::Public,
        text: "Hallo, sorry!",
        alt_text: None,
        state: MessageState::Pending,
    };
    store.create_message(key, &message, at).await.unwrap();
    store
        .claim_message(key, Channel::Public, at, Duration::seconds(60), 5)
        .await
        .unwrap();
    store
        .finish_message(
            key,
            Channel::Public,
            &Delivery::Sent {
                id: Some("r".into()),
            },
            at + after,
        )
        .await
        .unwrap();
}

/// Complaints over two periods: website complaints grew, delivery ones fell.
async fn report_fixtures(table: &TestTable) {
    let store = table.store();
    let now = OffsetDateTime::now_utc();
    let texts = [
        // This period (the last 30 days).
        (
            "t1",
            2,
            "De website werkt al dagen niet, ik kan niet afrekenen.",
        ),
        ("t2", 3, "Jullie website doet het niet, inloggen lukt niet."),
        (
            "t3",
            5,
            "De app crasht steeds bij het betalen op de website.",
        ),
        ("t4", 6, "Mijn bestelling is nog steeds niet geleverd."),
        // The 30 days before.
        (
            "p1",
            35,
            "Mijn pakket is nooit aangekomen, bezorging duurt weken.",
        ),
        (
            "p2",
            40,
            "Bestelling niet geleverd en de bezorger kwam niet.",
        ),
        ("p3", 45, "De website werkt niet."),
    ];
    for (i, (item, days, text)) in texts.into_iter().enumerate() {
        let mut f = Fixture::complaint(item);
        f.feedback.received_at = now - Duration::days(days);
        f.feedback.text = Some(text.to_owned());
        f.feedback.author_id = Some(format!("author-{item}"));
        let key = f.store(&store).await;
        replied(table, &key, f.at(), Duration::minutes(5 * (i as i64 + 1))).await;
    }
    // A question is not a complaint.
    let mut q = Fixture::complaint("q1");
    q.label = "question".into();
    q.feedback.text = Some("Wanneer zijn jullie open?".into());
    q.store(&store).await;
}

/// `--json report <args> --chart <file>`: the report and the chart it drew (the file is
/// removed).
async fn report_with_chart(table: &TestTable, args: &[&str]) -> (Value, String) {
    let chart = std::env::temp_dir().join(format!("{}-{}.svg", table.name, args[0]));
    let run = ctl(
        table,
        "x",
        &[
            &["--json", "report"][..],
            args,
            &["--chart", chart.to_str().unwrap()],
        ]
        .concat(),
    )
    .await
    .succeeded();
    let svg = std::fs::read_to_string(&chart).unwrap();
    let _ = std::fs::remove_file(chart);
    (run.json(), svg)
}

#[tokio::test]
async fn the_theme_report_counts_complaints_per_theme_against_the_period_before() {
    let table = TestTable::new().await;
    report_fixtures(&table).await;
    let (report, svg) = report_with_chart(&table, &["themes", "--since", "30d"]).await;
    assert_eq!(report["complaints"], 4);
    assert_eq!(report["previous_complaints"], 3);
    let theme = |name: &str| {
        report["themes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["theme"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(report["themes"][0]["theme"], "website");
    assert_eq!(
        (
            theme("website")["count"].as_u64(),
            theme("website")["previous"].as_u64()
        ),
        (Some(3), Some(1))
    );
    assert_eq!(theme("website")["trend"], "up");
    assert_eq!(
        (
            theme("delivery")["count"].as_u64(),
            theme("delivery")["previous"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(theme("delivery")["trend"], "down");
    assert!(svg.starts_with("<svg") && svg.contains(">website<") && svg.contains("this period"));

    let text = ctl(&table, "x", &["report", "themes"]).await;
    text.says(&["website", "↑ +2 (+200%)"]);
    let other_page = ctl(
        &table,
        "x",
        &["--json", "report", "themes", "--page", "facebook:1"],
    )
    .await;
    assert_eq!(other_page.json()["complaints"], 0);
}

#[tokio::test]
async fn the_response_report_gives_the_median_the_90th_percentile_and_the_sla_share() {
    let table = TestTable::new().await;
    report_fixtures(&table).await;
    let store = table.store();
    // t1 resolved within its SLA, t2 too late; t3 and t4 are open and past due.
    for (item, hours) in [("t1", 2), ("t2", 30)] {
        let key = Fixture::complaint(item).key();
        let task = store.task(&key).await.unwrap().unwrap();
        resolved_by_anna(
            &store,
            &key,
            "done",
            task.created_at + Duration::hours(hours),
        )
        .await;
    }
    let (report, svg) = report_with_chart(&table, &["response"]).await;
    let all = &report["rows"][0];
    assert_eq!(all["scope"], "all");
    // t1–t4 replied after 5, 10, 15 and 20 minutes; the question has no reply.
    assert_eq!(all["tasks"], 5);
    assert_eq!(all["replied"], 4);
    assert_eq!(all["first_reply_median_seconds"], 750);
    assert_eq!(all["first_reply_p90_seconds"], 1200);
    assert_eq!(
        (all["sla_decided"].as_u64(), all["within_sla"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(all["within_sla_share"], 0.25);
    assert!(svg.contains("Time to the first public reply") && svg.contains("25% within SLA"));
    let text = ctl(&table, "x", &["report", "response"]).await;
    text.says(&["12m", "25% (1 of 4)"]);
}

#[tokio::test]
async fn a_gdpr_export_holds_everything_about_the_author_and_an_erasure_leaves_nothing_of_them() {
    let (table, store) = TestTable::with_store().await;
    let hooks = wiremock::MockServer::start().await;
    page_with_targets(&store, &hooks).await;
    // Anke: a complaint with its messages, a notification quoting it, an edited text and an
    // "already answered" marker; and a second comment. Bram: one comment.
    let mut anke = Fixture::complaint("777_500");
    anke.feedback.author_name = Some("Anke Zonnebloem".into());
    anke.feedback.author_id = Some("anke-4242".into());
    anke.feedback.text = Some("Zonnebloem hier: mijn taart is nooit geleverd!".into());
    let one = anke.store(&store).await;
    anke.edit(&store, "Zonnebloem: taart nooit geleverd, ordernummer 8812")
        .await;
    replied(&table, &one, anke.at(), Duration::minutes(3)).await;
    // Staff edited the private message before approving it: the edit names her too.
    store
        .create_message(
            &one,
            &NewMessage {
                channel: Channel::Private,
                text: "Hallo, wil je je ordernummer sturen?",
                alt_text: None,
                state: MessageState::Draft,
            },
            anke.at(),
        )
        .await
        .unwrap();
    store
        .approve_drafts(
            &one,
            "anna",
            &[(
                Channel::Private,
                "Hallo Anke Zonnebloem, wil je je ordernummer sturen?",
            )],
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    store
        .claim_author_in_thread(
            &one,
            anke.feedback.thread_id.as_deref().unwrap(),
            "anke-4242",
        )
        .await
        .unwrap();
    let mut second = anke.clone();
    second.feedback.item_id = ItemId::parse("777_501").unwrap();
    second.task = false;
    second.feedback.text = Some("Nog steeds niets gehoord, Anke".into());
    second.store(&store).await;
    let mut bram = Fixture::complaint("777_502");
    bram.feedback.author_name = Some("Bram Visser".into());
    bram.feedback.author_id = Some("bram-77".into());
    bram.feedback.text = Some("Heerlijke taart, dank!".into());
    let b = bram.store(&store).await;
    // The task was announced to the page's targets, quoting the comment.
    let graph = wiremock::MockServer::start().await;
    workspace_tests::sweeper::sweeper(&table, workspace_tests::responder::meta_outbound(&graph))
        .sweep(OffsetDateTime::now_utc(), None)
        .await
        .unwrap();
    store
        .resolve_task(
            &one,
            "anna",
            "Anke Zonnebloem kreeg een nieuwe taart",
            "Hallo Anke, …",
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();

    let (export, ids) = gdpr_export(&table, "--author", "facebook:anke-4242").await;
    assert_eq!(ids, ["facebook:777_500", "facebook:777_501"]);
    let everything = export.stdout.clone();
    for held in [
        "Anke Zonnebloem",
        "anke-4242",
        "ordernummer 8812",
        "nooit geleverd",
        "Nog steeds niets gehoord",
    ] {
        assert!(
            everything.contains(held),
            "{held} is missing from the export"
        );
    }
    assert!(!everything.contains("Bram"), "only this author");
    assert_eq!(
        export.json()["answered_markers"].as_array().unwrap().len(),
        1
    );

    let dry = ctl(
        &table,
        "dpo",
        &["gdpr", "erase", "--author", "facebook:anke-4242"],
    )
    .await;
    assert!(
        dry.ok && dry.stdout.contains("run again with --yes"),
        "{}",
        dry.stdout
    );
    assert!(
        format!("{:?}", table.scan().await).contains("Zonnebloem"),
        "nothing changed yet"
    );

    let erasure = gdpr_erase(&table, "--author", "facebook:anke-4242").await;
    assert_eq!(erasure["counts"]["feedback"], 2);
    assert_eq!(erasure["counts"]["tasks"], 1);
    assert_eq!(erasure["counts"]["answered_markers"], 1);
    assert!(erasure["counts"]["notifications"].as_u64().unwrap() >= 3);

    let items = table.scan().await;
    let all = serde_json::to_string(&items).unwrap();
    for gone in [
        "Anke",
        "Zonnebloem",
        "anke-4242",
        "ordernummer",
        "nooit geleverd",
        "Nog steeds niets gehoord",
    ] {
        assert!(!all.contains(gone), "{gone:?} is still in the table: {all}");
    }
    // What is not theirs, and what counts, stays.
    assert!(all.contains("Bram Visser") && all.contains("Heerlijke taart"));
    let task = store.task(&one).await.unwrap().unwrap();
    assert_eq!(
        (task.label.as_str(), task.status),
        ("negative", TaskStatus::Resolved)
    );
    assert!(task.theme.is_some(), "the theme stays for the reports");
    let record = store.feedback(&one).await.unwrap().unwrap();
    assert_eq!(record.feedback.author_id, None);
    assert_eq!(record.feedback.text, None);
    assert!(record.text_history.is_empty());
    assert_eq!(record.label.as_deref(), Some("negative"));
    assert!(
        store
            .feedback(&b)
            .await
            .unwrap()
            .unwrap()
            .feedback
            .author_name
            .is_some()
    );
    let erasures: Vec<&Value> = items
        .iter()
        .filter(|i| i["record_type"] == "erasure")
        .collect();
    assert_eq!(erasures.len(), 1);
    assert_eq!(erasures[0]["requested_by"], "dpo");
    assert_eq!(erasures[0]["platform"], "facebook");
    // Nothing of the author left to export.
    let after = ctl(
        &table,
        "dpo",
        &["--json", "gdpr", "export", "--author", "facebook:anke-4242"],
    )
    .await;
    assert!(after.json()["items"].as_array().unwrap().is_empty());
}

const REVIEW: &str = "accounts/1234567890/locations/9876543210/reviews/AbC-123_x";

/// A Google review as ingest and the responder leave it: no author id (Google's
/// notifications and reviews carry none), the display name from the fetched review.
fn google_review(item: &str, name: &str) -> Fixture {
    let mut review = Fixture::complaint(item);
    review.feedback.platform = platforms::google::PLATFORM;
    review.feedback.account_id =
        AccountId::parse("accounts/1234567890/locations/9876543210").unwrap();
    review.feedback.author_id = None;
    review.feedback.author_name = Some(name.into());
    review.feedback.thread_id = None;
    review.feedback.rating = Some(Rating::new(1).unwrap());
    review.feedback.text = Some(format!("{name} hier: de taart was oud."));
    review
}

async fn feedback_text(store: &store::DynamoStore, key: &FeedbackKey) -> String {
    serde_json::to_string(&store.feedback(key).await.unwrap().unwrap()).unwrap()
}

#[tokio::test]
async fn a_google_reviewer_without_an_author_id_is_exported_by_their_review_and_erased_by_their_display_name()
 {
    let (table, store) = TestTable::with_store().await;
    let piet = google_review(REVIEW, "Piet de Boer").store(&store).await;
    let second = format!("{REVIEW}2");
    let again = google_review(&second, "Piet de Boer").store(&store).await;
    let other = google_review(&format!("{REVIEW}3"), "Sanne Jansen")
        .store(&store)
        .await;

    let (by_review, ids) = gdpr_export(&table, "--item", &format!("google:{REVIEW}")).await;
    assert_eq!(ids, [format!("google:{REVIEW}")]);
    assert!(by_review.stdout.contains("Piet de Boer"));

    let (by_name, ids) = gdpr_export(&table, "--name", "google:piet DE boer").await;
    assert_eq!(ids.len(), 2);
    assert!(!by_name.stdout.contains("Sanne"), "only this author");

    let erasure = gdpr_erase(&table, "--name", "google:Piet de Boer").await;
    assert_eq!(erasure["counts"]["feedback"], 2);
    for key in [&piet, &again] {
        let left = feedback_text(&store, key).await;
        assert!(!left.contains("Piet") && !left.contains("taart"), "{left}");
    }
    let all = serde_json::to_string(&table.scan().await).unwrap();
    assert!(!all.contains("Piet"), "{all}");
    assert!(feedback_text(&store, &other).await.contains("Sanne Jansen"));
    // An author id is what Google does not have: staff are told how to name the reviewer.
    let refused = ctl(&table, "dpo", &["gdpr", "export", "--author", "google:x"]).await;
    assert!(
        !refused.ok && refused.stderr.contains("--item") && refused.stderr.contains("--name"),
        "{}",
        refused.stderr
    );
}

#[tokio::test]
async fn a_standard_webhooks_author_is_one_person_per_source_and_not_everyone_with_the_same_id() {
    let (table, store) = TestTable::with_store().await;
    let mention = |source: &str, name: &str| {
        let mut f = Fixture::complaint(&format!("{source}:m-1"));
        f.feedback.platform = platforms::standard::PLATFORM;
        f.feedback.account_id = AccountId::parse(source).unwrap();
        f.feedback.author_id = Some("u1".into());
        f.feedback.author_name = Some(name.into());
        f.feedback.thread_id = None;
        f.feedback.text = Some(format!("{name}: waar blijft mijn bestelling?"));
        f
    };
    let sanne = mention("brand24", "Sanne Jansen").store(&store).await;
    let joris = mention("mention", "Joris Bakker").store(&store).await;

    let (export, ids) = gdpr_export(&table, "--author", "standard:brand24:u1").await;
    assert_eq!(ids.len(), 1);
    assert!(export.stdout.contains("Sanne") && !export.stdout.contains("Joris"));
    // Without the source it could be anyone's u1: refused, with the form to use.
    let ambiguous = ctl(
        &table,
        "dpo",
        &["gdpr", "export", "--author", "standard:u1"],
    )
    .await;
    assert!(
        !ambiguous.ok && ambiguous.stderr.contains("standard:SOURCE:AUTHOR_ID"),
        "{}",
        ambiguous.stderr
    );

    ctl(
        &table,
        "x",
        &[
            "gdpr",
            "erase",
            "--author",
            "standard:brand24:u1",
            "--by",
            "dpo",
            "--yes",
        ],
    )
    .await
    .succeeded();
    assert!(!feedback_text(&store, &sanne).await.contains("Sanne"));
    assert!(feedback_text(&store, &joris).await.contains("Joris Bakker"));
}

#[tokio::test]
async fn a_refresh_or_a_redelivery_after_an_erasure_never_writes_the_name_or_the_text_back() {
    let (table, store) = TestTable::with_store().await;
    let review = google_review(REVIEW, "Piet de Boer");
    let key = review.store(&store).await;
    ctl(
        &table,
        "x",
        &[
            "gdpr",
            "erase",
            "--item",
            &format!("google:{REVIEW}"),
            "--by",
            "dpo",
            "--yes",
        ],
    )
    .await
    .succeeded();

    // Google says the review was updated: it is fetched again, with the name and text.
    let fetched = feedback::ItemContent {
        text: Some("Piet de Boer: nog steeds oud.".into()),
        author_id: Some("piet-1".into()),
        author_name: Some("Piet de Boer".into()),
        rating: Some(feedback::Rating::new(2).unwrap()),
        created_at: Some(review.at()),
    };
    store
        .record_fetched(&key, &fetched, OffsetDateTime::now_utc())
        .await
        .unwrap();
    // The original delivery and an edit, delivered again.
    review.store(&store).await;
    review.edit(&store, "Piet de Boer: nog steeds oud.").await;

    let record = store.feedback(&key).await.unwrap().unwrap();
    assert_eq!(
        (
            record.feedback.author_name.as_deref(),
            record.feedback.author_id.as_deref(),
            record.feedback.text.as_deref()
        ),
        (None, None, None)
    );
    assert!(record.text_history.is_empty());
    assert!(!feedback_text(&store, &key).await.contains("Piet"));
    // What counts still follows the platform: the new rating is kept.
    assert_eq!(record.feedback.rating.map(|r| r.stars()), Some(2));
}

/// `feedbackctl --local --table T ARGS…` with `vars` set and the page-token variables and
/// the env file's defaults left out, so only what the test gives is there.
async fn ctl_with(table: &TestTable, vars: &[(&str, &str)], args: &[&str]) -> CliRun {
    CliRun::of(
        feedbackctl(&table.name)
            .await
            .args(args)
            .env_remove("META_PAGE_TOKEN")
            .env_remove("META_GRAPH_API_URL")
            .env_remove("STACK_NAME")
            .envs(vars.iter().copied()),
    )
    .await
}

#[tokio::test]
async fn pages_check_says_which_page_tokens_are_valid_missing_or_refused_and_fails_until_all_are() {
    use wiremock::MockServer;
    use wiremock::matchers::query_param;
    const MISSING: &str = "2000000002";
    const EXPIRED: &str = "3000000003";
    let (table, store) = TestTable::with_store().await;
    for page in [PAGE_ID, MISSING, EXPIRED] {
        let config = feedback::page::PageConfig {
            brand_name: Some("Bakkerij Zon".into()),
            ..Default::default()
        };
        set_page(&store, &platforms::meta::FACEBOOK, page, &config).await;
    }
    let graph = MockServer::start().await;
    with_bearer("GET", "/v26.0/me", "valid-page-token")
        .and(query_param("fields", "id,name"))
        .answer(
            200,
            serde_json::json!({"id": PAGE_ID, "name": "Bakkerij Zon"}),
            &graph,
        )
        .await;
    with_bearer("GET", "/v26.0/me", "expired-page-token")
        .answer(
            400,
            serde_json::json!({"error": {
                "message": "Error validating access token: Session has expired",
                "type": "OAuthException", "code": 190, "error_subcode": 463
            }}),
            &graph,
        )
        .await;
    let valid_var = format!("META_PAGE_TOKEN_{PAGE_ID}");
    let expired_var = format!("META_PAGE_TOKEN_{EXPIRED}");
    let graph_url = graph.uri();
    let vars = [
        ("META_GRAPH_API_URL", graph_url.as_str()),
        (valid_var.as_str(), "valid-page-token"),
        (expired_var.as_str(), "expired-page-token"),
    ];
    let no_env_file = ["--env-file", "/nonexistent/local.env"];

    let run = ctl_with(
        &table,
        &vars,
        &[&["--json", "pages", "check"][..], &no_env_file[..]].concat(),
    )
    .await;

    assert!(!run.ok, "a page that is not ready fails the check");
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("2 of 3 page(s) not ready"),
        "{}",
        run.stderr
    );
    let checks = run.json();
    let of = |account: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["page"] == format!("facebook:{account}"))
            .cloned()
            .unwrap_or_else(|| panic!("facebook:{account} is not in {checks}"))
    };
    for (account, token, valid, ready) in [
        (PAGE_ID, "present", "yes", true),
        (MISSING, "missing", "not_checked", false),
        (EXPIRED, "present", "no", false),
    ] {
        let check = of(account);
        assert_eq!(
            (&check["token"], &check["valid"], &check["ready"]),
            (
                &Value::from(token),
                &Value::from(valid),
                &Value::from(ready)
            ),
            "{check}"
        );
    }
    assert_eq!(of(PAGE_ID)["detail"], "Bakkerij Zon");
    let missing = of(MISSING);
    assert!(
        missing["next"]
            .as_str()
            .unwrap()
            .contains(&format!("META_PAGE_TOKEN_{MISSING}")),
        "{missing}"
    );
    let expired = of(EXPIRED);
    assert!(
        expired["next"].as_str().unwrap().starts_with("reconnect"),
        "{expired}"
    );

    let text = ctl_with(
        &table,
        &vars,
        &[&["pages", "check"][..], &no_env_file[..]].concat(),
    )
    .await;
    text.says(&[
        "yes: Bakkerij Zon",
        "store the token",
        "Session has expired",
    ]);
    for shown in [&run.stdout, &run.stderr, &text.stdout, &text.stderr] {
        assert!(
            !shown.contains("valid-page-token") && !shown.contains("expired-page-token"),
            "a token was printed: {shown}"
        );
    }

    // One page, ready: success.
    let one = ctl_with(
        &table,
        &vars,
        &[
            &["pages", "check", &format!("facebook:{PAGE_ID}")][..],
            &no_env_file[..],
        ]
        .concat(),
    )
    .await;
    assert!(one.ok, "{}\n{}", one.stdout, one.stderr);
    assert_eq!(one.code, Some(0));
}

const STAFF_ARN: &str = "arn:aws:sts::123456789012:assumed-role/Staff/anna@example.com";

/// An STS stand-in answering GetCallerIdentity as `STAFF_ARN`.
async fn sts() -> wiremock::MockServer {
    use wiremock::matchers::{body_string_contains, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("Action=GetCallerIdentity"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(
                r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{STAFF_ARN}</Arn>
    <UserId>AROAEXAMPLE:anna@example.com</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#
            ),
            "text/xml",
        ))
        .mount(&server)
        .await;
    server
}

/// `feedbackctl --table T ARGS…` as on AWS (no `--local`): the standard AWS environment,
/// with DynamoDB pointed at DynamoDB Local and STS at `sts`; `$USER` is "bert".
async fn ctl_on_aws(table: &TestTable, sts: &str, args: &[&str]) -> CliRun {
    let (_, cli) = binaries().await;
    CliRun::of(
        Command::new(cli)
            .args(["--table", &table.name])
            .args(args)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials",
            )
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env(
                "AWS_ENDPOINT_URL_DYNAMODB",
                workspace_tests::dynamodb::endpoint(),
            )
            .env("AWS_ENDPOINT_URL_STS", sts)
            .env("USER", "bert"),
    )
    .await
}

#[tokio::test]
async fn on_aws_who_claims_is_the_caller_aws_identity_and_a_typed_name_is_refused() {
    let (table, store, key) = Fixture::complaint("777_600").in_new_table().await;
    let sts = sts().await;

    let typed = ctl_on_aws(
        &table,
        &sts.uri(),
        &["tasks", "claim", "facebook:777_600", "--by", "anna"],
    )
    .await;
    assert!(!typed.ok);
    assert!(
        typed.stderr.contains("--by is only for --local"),
        "{}",
        typed.stderr
    );
    assert_eq!(
        store.task(&key).await.unwrap().unwrap().status,
        TaskStatus::Open,
        "nothing was done"
    );

    ctl_on_aws(&table, &sts.uri(), &["tasks", "claim", "facebook:777_600"])
        .await
        .succeeded();
    let task = store.task(&key).await.unwrap().unwrap();
    assert_eq!(task.status, TaskStatus::Claimed);
    assert_eq!(task.assignee.as_deref(), Some(STAFF_ARN));
    let steps: Vec<String> = task.history.iter().map(|c| c.by.clone()).collect();
    assert_eq!(
        steps.last().map(String::as_str),
        Some(STAFF_ARN),
        "{steps:?}"
    );
}
