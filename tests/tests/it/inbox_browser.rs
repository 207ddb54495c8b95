//! The staff inbox in a real browser: headless Chromium (the distribution's package)
//! driven by `tests/browser/inbox.mjs` (playwright-core) against the local runner as a
//! process. The script signs in, sees a page's crisis hold on top and ends it, sees a
//! complaint arrive, claims it, edits and approves
//! its drafts (approval mode) and resolves it; this test seeds the queue, hands the
//! script a signed delivery, and checks the table afterwards. Screenshots of the queue
//! and of the task are saved under `<target>/screenshots/`.
//!
//! Chromium is required (`apt-get install -y chromium`, or `CHROMIUM=/path`); set
//! `INBOX_BROWSER=skip` to skip this test on a machine without it.

use feedback::AccountId;
use feedback::page::{PageConfig, ReplyMode};
use platforms::meta::FACEBOOK;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use store::local::LocalDynamo;
use time::OffsetDateTime;
use tokio::process::Command;
use workspace_tests::dynamodb::{port, str_attr};
use workspace_tests::meta::{comment_delivery, post_signed, signature};
use workspace_tests::responder::key;
use workspace_tests::runner::{LocalRunner, RunnerOptions, eventually, workspace};

/// The page in approval mode, where the complaint arrives during the test.
const PAGE_A: &str = "1029384756";
/// Another page, answered automatically: the tasks already in the queue.
const PAGE_B: &str = "2039485761";
const EDITED: &str = "Hallo Anke, wat vervelend dat je bestelling nog niet is bezorgd. We bellen je vandaag nog om het op te lossen. – Bakkerij Zon";
const NOTE: &str = "Gebeld; nieuwe taart morgen om 10 uur gebracht.";

/// `<target>/screenshots`: the target directory this test was built in.
fn screenshots() -> PathBuf {
    // target/debug/deps/it-… → target
    std::env::current_exe()
        .unwrap()
        .ancestors()
        .nth(3)
        .unwrap()
        .join("screenshots")
}

/// Chromium from `CHROMIUM`, else the distribution's.
fn chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// playwright-core from `tests/browser/package-lock.json`, installed once (never a
/// browser: the distribution's Chromium is used).
async fn playwright() -> PathBuf {
    let dir = workspace().join("tests/browser");
    if !dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .status()
            .await
            .expect("npm runs (Node.js and npm are needed)");
        assert!(status.success(), "npm ci in tests/browser failed");
    }
    dir
}

async fn deliver(url: &str, body: &[u8]) {
    assert_eq!(post_signed(url, body).await, 200);
}

async fn wait_for_task(store: &store::DynamoStore, item: &str, log: &Path) {
    eventually(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || async { store.task(&key(item)).await.unwrap().map(|_| ()) },
        || format!("no task for {item}; see {}", log.display()),
    )
    .await;
}

#[tokio::test]
async fn staff_sign_in_see_a_complaint_arrive_claim_it_approve_edited_drafts_and_resolve_it_in_chromium()
 {
    if std::env::var("INBOX_BROWSER").as_deref() == Ok("skip") {
        eprintln!("INBOX_BROWSER=skip: the browser test is skipped");
        return;
    }
    let chromium = chromium().expect(
        "the inbox browser test needs Chromium: apt-get install -y chromium (or set CHROMIUM=/path, or INBOX_BROWSER=skip to skip it)",
    );
    let script_dir = playwright().await;
    let runner = LocalRunner::start(
        format!("inbox-browser-{}", std::process::id()),
        RunnerOptions {
            env: vec![
                // Only the deliveries this test sends: no app-store polling.
                ("REVIEW_POLL_SOURCES", String::new()),
                ("LOCAL_SWEEP_SECONDS", "2".to_owned()),
            ],
            in_workspace: false,
            ready: "/inbox",
        },
    )
    .await;
    let (table, log, base) = (&runner.table, &runner.log, runner.base());
    let store = LocalDynamo::on_port(port()).store(table);
    let now = OffsetDateTime::now_utc();
    store
        .update_page(
            &FACEBOOK,
            &AccountId::parse(PAGE_A).unwrap(),
            &store::pages::PageChange {
                set: PageConfig {
                    mode: Some(ReplyMode::Approval),
                    brand_name: Some("Bakkerij Zon".into()),
                    ..PageConfig::default()
                },
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    // Already in the queue: one task claimed by Bram and given back late (overdue), and
    // one he is working on.
    let webhook = format!("{base}/webhooks/meta");
    deliver(
        &webhook,
        &comment_delivery(
            PAGE_B,
            "777_9501",
            "Sam Taylor",
            "The birthday cake arrived squashed and two hours late. Really disappointed.",
        ),
    )
    .await;
    deliver(
        &webhook,
        &comment_delivery(
            PAGE_B,
            "777_9502",
            "Lotte Visser",
            "Kan ik voor zaterdag nog een glutenvrije taart bestellen?",
        ),
    )
    .await;
    wait_for_task(&store, "777_9501", log).await;
    wait_for_task(&store, "777_9502", log).await;
    store
        .claim_task(&key("777_9501"), "Bram", now)
        .await
        .unwrap();
    store
        .reopen_task(
            &key("777_9501"),
            "Bram",
            Some("terug in de wachtrij"),
            now - time::Duration::hours(3),
            now,
        )
        .await
        .unwrap();
    store
        .claim_task(&key("777_9502"), "Bram", now)
        .await
        .unwrap();
    // PAGE_B is in a crisis: the banner is on top, and Anna ends it.
    let spike = workspace_tests::delivery_spike(
        PAGE_B,
        now - time::Duration::minutes(20),
        12,
        0.3,
        "two hours late",
    );
    assert!(store.start_crisis(&spike, now).await.unwrap());
    // What arrives while staff watch the queue.
    let body = comment_delivery(
        PAGE_A,
        "777_9503",
        "Anke de Vries",
        "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!",
    );
    let delivery = std::env::temp_dir().join(format!("{table}-delivery.json"));
    std::fs::write(
        &delivery,
        json!({
            "url": webhook,
            "body": String::from_utf8(body.clone()).unwrap(),
            "signature": signature(&body),
        })
        .to_string(),
    )
    .unwrap();

    let shots = screenshots();
    let out = Command::new("node")
        .arg(script_dir.join("inbox.mjs"))
        .current_dir(&script_dir)
        .env("INBOX_URL", &base)
        .env("INBOX_SCREENSHOTS", &shots)
        .env("INBOX_NAME", "Anna")
        .env("INBOX_EDITED_TEXT", EDITED)
        .env("INBOX_RESOLUTION", NOTE)
        .env("INBOX_DELIVERY", &delivery)
        .env("INBOX_CRISIS_PAGE", format!("facebook:{PAGE_B}"))
        .env("CHROMIUM", &chromium)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser script failed:\n{stdout}\n{stderr}\nrunner log: {}\nscreenshot: {}",
        log.display(),
        shots.join("inbox-failure.png").display()
    );
    assert!(stdout.contains(r#""ok":true"#), "{stdout}");

    // What the clicks did, in the table.
    let task = store.task(&key("777_9503")).await.unwrap().unwrap();
    assert_eq!(task.status.as_str(), "resolved");
    // Recorded by the runner's subject for Anna, shown as "Anna" (tasks_api::auth).
    let anna = "Anna (local:Anna)";
    assert_eq!(task.resolved_by.as_deref(), Some(anna));
    assert_eq!(task.resolution.as_deref(), Some(NOTE));
    let actions: Vec<(&str, &str)> = task
        .history
        .iter()
        .map(|h| (h.action.as_str(), h.by.as_str()))
        .collect();
    assert_eq!(
        actions,
        [("open", "responder"), ("claim", anna), ("resolve", anna)]
    );
    let edits = store.message_edits(&key("777_9503")).await.unwrap();
    assert_eq!(edits.len(), 1, "only the public reply was edited");
    assert_eq!(edits[0].text, EDITED);
    assert_eq!(edits[0].by, anna);
    // What reached the platform is staff's edit, word for word (the runner's dry-run
    // sink logs every public reply it would post).
    eventually(
        Duration::from_secs(30),
        Duration::from_millis(200),
        || async {
            let logged = std::fs::read_to_string(log).unwrap_or_default();
            logged
                .lines()
                .any(|l| l.contains("dry-run: public reply") && l.contains(EDITED))
                .then_some(())
        },
        || format!("the edited reply was not posted; see {}", log.display()),
    )
    .await;
    let dynamo = LocalDynamo::on_port(port());
    let items = dynamo.scan(table).await.unwrap();
    let approvals: Vec<_> = items
        .iter()
        .filter(|i| {
            str_attr(i, "record_type") == Some("approval")
                && str_attr(i, "pk") == Some("feedback#facebook#777_9503")
        })
        .collect();
    assert_eq!(approvals.len(), 1);
    assert_eq!(str_attr(approvals[0], "approved_by"), Some(anna));
    let page = store
        .page(&FACEBOOK, &AccountId::parse(PAGE_A).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.config.sla_hours, Some(12), "the SLA set on the page");
    assert_eq!(
        page.config.mode,
        Some(ReplyMode::Approval),
        "and nothing else changed"
    );
    let crisis_page = store
        .page(&FACEBOOK, &AccountId::parse(PAGE_B).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        crisis_page.crisis, None,
        "the crisis was ended in the inbox"
    );
    assert_eq!(crisis_page.crisis_ended_by.as_deref(), Some(anna));
    for shot in [
        "inbox-crisis.png",
        "inbox-queue.png",
        "inbox-task.png",
        "inbox-phone.png",
    ] {
        let size = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} was saved ({size} bytes)");
    }
    eprintln!("screenshots: {}", shots.display());
}
