//! The tasks API (the staff inbox) against DynamoDB Local: every action, every conflict,
//! bad input, unknown ids, and sign-in, through the handler Lambda runs, with requests
//! shaped as API Gateway's JWT authorizer hands them over.

use feedback::page::PageConfig;
use platforms::meta::FACEBOOK;
use serde_json::{Value, json};
use std::collections::HashMap;
use tasks_api::{App, TasksApiConfig};
use time::OffsetDateTime;
use triage::{PageSettings, ReplyMode};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer};
use workspace_tests::dynamodb::{TestTable, str_attr};
use workspace_tests::mock::Answer;
use workspace_tests::responder::{
    PAGE_ID, dutch_page, ingest, key, no_replies_yet, responder, run,
};

const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_InboxTest";
const CLIENT: &str = "inboxtestclient";
const COMPLAINT: &str =
    "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!";

/// A comment by its own author (one author is answered once per thread).
fn comment(item: &str, text: &str) -> Value {
    json!({"field": "feed", "value": {
        "from": {"id": format!("author-{item}"), "name": "Anke de Vries"},
        "post_id": format!("{PAGE_ID}_777"), "comment_id": item, "parent_id": format!("{PAGE_ID}_777"),
        "created_time": OffsetDateTime::now_utc().unix_timestamp(),
        "item": "comment", "verb": "add", "message": text}})
}

/// A Graph API that accepts every reply.
async fn graph() -> MockServer {
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/v26\.0/[^/]+/(comments|replies|messages)$"))
        .answer(200, json!({"id": "r_1", "message_id": "m_1"}), &graph)
        .await;
    no_replies_yet(&graph).await;
    graph
}

/// The tasks API on a fresh table, with feedback answered by the responder in `mode`.
struct Inbox {
    table: TestTable,
    app: App,
    graph: MockServer,
    mode: ReplyMode,
    sequence: std::sync::atomic::AtomicU64,
}

impl Inbox {
    async fn new(mode: ReplyMode) -> Self {
        let table = TestTable::new().await;
        let vars = HashMap::from([
            ("TABLE_NAME", table.name.clone()),
            ("COGNITO_ISSUER", ISSUER.to_owned()),
            ("COGNITO_CLIENT_ID", CLIENT.to_owned()),
            (
                "COGNITO_DOMAIN",
                "https://inbox-test.auth.eu-west-1.amazoncognito.com".to_owned(),
            ),
            ("BRAND_NAME", "Bakkerij Zon".to_owned()),
        ]);
        let config = TasksApiConfig::from_lookup(|k| vars.get(k).cloned()).unwrap();
        let app = App::new(table.store(), config);
        Self {
            table,
            app,
            graph: graph().await,
            mode,
            sequence: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// A comment delivered and answered (or drafted) as on AWS.
    async fn comment(&self, item: &str, text: &str) {
        ingest(&self.table, vec![comment(item, text)]).await;
        let page = PageSettings {
            mode: self.mode,
            ..dutch_page()
        };
        let n = self
            .sequence
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        run(
            &responder(&self.table, &self.graph, page),
            &[("facebook", item)],
            n * 10,
        )
        .await;
        assert!(self.table.store().task(&key(item)).await.unwrap().is_some());
    }

    async fn call(
        &self,
        m: &str,
        path: &str,
        body: Option<Value>,
        who: Option<&str>,
    ) -> (u16, Value) {
        let response = tasks_api::handle(&self.app, request(m, path, body, who.map(claims)))
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = serde_json::from_slice(response.body().as_ref()).unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&self, path: &str, who: &str) -> (u16, Value) {
        self.call("GET", path, None, Some(who)).await
    }

    async fn post(&self, path: &str, body: Value, who: &str) -> (u16, Value) {
        self.call("POST", path, Some(body), Some(who)).await
    }
}

/// What Cognito's ID token for `who` says, as API Gateway's JWT authorizer passes it on
/// (every claim as text, a list as `[a b]`). Vera is a viewer, Stan is staff, Nora is in
/// no group; everyone else is an owner.
fn claims(who: &str) -> Value {
    let mut claims = json!({
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "sub": format!("sub-{who}"),
        "email": format!("{who}@bakkerij-zon.nl"),
        "email_verified": "true",
        "cognito:username": format!("sub-{who}"),
    });
    let groups = match who {
        "vera" => Some("[viewers]"),
        "stan" => Some("[staff]"),
        "nora" => None,
        _ => Some("[owners]"),
    };
    if let Some(groups) = groups {
        claims["cognito:groups"] = groups.into();
    }
    claims
}

/// How the history names `who`: their subject, shown with their verified e-mail.
fn by(who: &str) -> String {
    format!("{who}@bakkerij-zon.nl (sub-{who})")
}

/// An API Gateway (HTTP API, payload 2.0) request; `claims` as the authorizer verified them.
fn request(
    m: &str,
    path: &str,
    body: Option<Value>,
    claims: Option<Value>,
) -> lambda_http::Request {
    let (raw_path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut context = json!({
        "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
        "http": {"method": m, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "test"},
        "requestId": "r1", "routeKey": "ANY /api/{proxy+}", "stage": "$default", "time": "26/Nov/2026:12:00:00 +0000", "timeEpoch": 0
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let mut headers = json!({"host": "abc123.execute-api.eu-west-1.amazonaws.com"});
    if body.is_some() {
        headers["content-type"] = "application/json".into();
    }
    let event = json!({
        "version": "2.0", "routeKey": "ANY /api/{proxy+}", "rawPath": raw_path, "rawQueryString": query,
        "headers": headers, "requestContext": context, "isBase64Encoded": false,
        "body": body.map(|b| b.to_string()),
    });
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn ids(list: &Value) -> Vec<String> {
    list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

fn problems(body: &Value) -> Vec<String> {
    body["problems"]
        .as_array()
        .map(|p| p.iter().map(|p| p.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_queue_lists_open_tasks_soonest_due_first_with_what_the_customer_wrote() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_101", COMPLAINT).await;
    inbox
        .comment("777_102", "Bezorgen jullie ook op zondag?")
        .await;

    let (status, list) = inbox.get("/api/tasks", "anna").await;

    assert_eq!(status, 200, "{list}");
    assert_eq!(ids(&list), ["facebook:777_101", "facebook:777_102"]);
    let first = &list["tasks"][0];
    assert_eq!(first["author_name"], "Anke de Vries");
    assert_eq!(first["excerpt"], COMPLAINT);
    assert_eq!(first["label"], "negative");
    assert_eq!(first["overdue"], false);
    assert_eq!(first["page"], format!("facebook:{PAGE_ID}"));
    assert_eq!(list["total"], 2);
    assert_eq!(list["facets"]["labels"], json!(["negative", "question"]));
    assert!(first.get("raw").is_none());
}

#[tokio::test]
async fn the_queue_filters_by_overdue_page_platform_label_and_mine_and_pages_with_a_cursor() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    for i in 0..3 {
        inbox.comment(&format!("777_11{i}"), COMPLAINT).await;
    }
    inbox
        .comment("777_119", "Bezorgen jullie ook op zondag?")
        .await;
    let store = inbox.table.store();
    let now = OffsetDateTime::now_utc();
    // One task claimed by Bram, given back late: overdue.
    store
        .claim_task(&key("777_111"), &by("bram"), now)
        .await
        .unwrap();
    store
        .reopen_task(
            &key("777_111"),
            &by("bram"),
            None,
            now - time::Duration::hours(2),
            now,
        )
        .await
        .unwrap();
    store
        .claim_task(&key("777_112"), &by("anna"), now)
        .await
        .unwrap();

    let (_, overdue) = inbox.get("/api/tasks?overdue=true", "anna").await;
    assert_eq!(ids(&overdue), ["facebook:777_111"]);
    assert_eq!(overdue["tasks"][0]["overdue"], true);
    let (_, mine) = inbox.get("/api/tasks?mine=true", "anna").await;
    assert_eq!(ids(&mine), ["facebook:777_112"]);
    assert_eq!(mine["tasks"][0]["assignee"], by("anna"));
    let (_, questions) = inbox.get("/api/tasks?label=question", "anna").await;
    assert_eq!(ids(&questions), ["facebook:777_119"]);
    let (_, other_page) = inbox.get("/api/tasks?page=facebook:42", "anna").await;
    assert_eq!(other_page["total"], 0);
    let (_, instagram) = inbox.get("/api/tasks?platform=instagram", "anna").await;
    assert_eq!(instagram["total"], 0);

    let (_, first) = inbox.get("/api/tasks?limit=3", "anna").await;
    assert_eq!(first["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(
        first["tasks"][0]["id"], "facebook:777_111",
        "the overdue one is due soonest"
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, rest) = inbox
        .get(
            &format!("/api/tasks?limit=3&cursor={}", percent(cursor)),
            "anna",
        )
        .await;
    assert_eq!(rest["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    let mut all = ids(&first);
    all.extend(ids(&rest));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 4, "every task once over both pages");
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn one_task_shows_the_comment_our_messages_their_states_and_the_history() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_121", COMPLAINT).await;

    let (status, show) = inbox.get("/api/tasks/facebook%3A777_121", "anna").await;

    assert_eq!(status, 200, "{show}");
    assert_eq!(show["feedback"]["text"], COMPLAINT);
    assert_eq!(show["feedback"]["author_name"], "Anke de Vries");
    assert!(
        show["feedback"].get("raw").is_none(),
        "never the platform's raw JSON"
    );
    let states: Vec<(&str, &str)> = show["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["channel"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("public", "sent"), ("private", "sent")]);
    assert_eq!(show["task"]["status"], "open");
    assert_eq!(show["task"]["history"][0]["by"], "responder");
    assert_eq!(show["actions"], json!(["claim", "resolve", "drop"]));
    // The same task by its plain id.
    let (status, _) = inbox.get("/api/tasks/facebook:777_121", "anna").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_claim_takes_the_name_from_the_token_and_a_second_claim_is_a_conflict() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_131", COMPLAINT).await;

    let (status, show) = inbox
        .post("/api/tasks/facebook:777_131/claim", json!({}), "anna")
        .await;
    assert_eq!(status, 200, "{show}");
    assert_eq!(show["task"]["status"], "claimed");
    assert_eq!(show["task"]["assignee"], by("anna"));
    assert_eq!(show["task"]["history"][1]["by"], by("anna"));

    let (status, body) = inbox
        .post("/api/tasks/facebook:777_131/claim", json!({}), "bram")
        .await;
    assert_eq!(status, 409, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("claimed by anna@bakkerij-zon.nl"), "{error}");

    let (status, body) = inbox
        .post(
            "/api/tasks/facebook:777_131/claim",
            json!({"by": "mallory"}),
            "mallory",
        )
        .await;
    assert_eq!(status, 400);
    assert!(problems(&body)[0].starts_with("by: who acts is taken from your sign-in"));
}

#[tokio::test]
async fn two_people_claiming_one_task_at_once_get_one_claim_and_one_conflict() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_141", COMPLAINT).await;

    let (a, b) = tokio::join!(
        inbox.post("/api/tasks/facebook:777_141/claim", json!({}), "anna"),
        inbox.post("/api/tasks/facebook:777_141/claim", json!({}), "bram"),
    );

    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let task = inbox.table.task(&key("777_141")).await;
    let claims = task
        .history
        .iter()
        .filter(|h| h.action.as_str() == "claim")
        .count();
    assert_eq!(claims, 1);
}

#[tokio::test]
async fn resolving_needs_a_note_keeps_the_update_request_and_names_who_resolved() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_151", COMPLAINT).await;

    let (status, body) = inbox
        .post("/api/tasks/facebook:777_151/resolve", json!({}), "anna")
        .await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body), ["note: required"]);

    let (status, show) = inbox
        .post(
            "/api/tasks/facebook:777_151/resolve",
            json!({"note": "Nieuwe taart bezorgd."}),
            "anna",
        )
        .await;
    assert_eq!(status, 200, "{show}");
    assert_eq!(show["task"]["status"], "resolved");
    assert_eq!(show["task"]["resolved_by"], by("anna"));
    assert_eq!(show["task"]["resolution"], "Nieuwe taart bezorgd.");
    let ask = show["update_request"]["text"].as_str().unwrap();
    assert!(
        ask.contains("Anke"),
        "in the customer's language, to them: {ask}"
    );
    assert_eq!(
        show["update_request"]["by_hand"], false,
        "Meta allows a private message"
    );
    assert_eq!(show["actions"], json!(["reopen"]));

    let (status, body) = inbox
        .post(
            "/api/tasks/facebook:777_151/resolve",
            json!({"note": "again"}),
            "bram",
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = inbox
        .post("/api/tasks/facebook:777_151/close", json!({}), "anna")
        .await;
    assert_eq!(
        status, 409,
        "only a task whose customer was asked can be closed"
    );
}

#[tokio::test]
async fn dropping_needs_a_reason_and_a_dropped_task_can_be_reopened_with_its_due_time() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_161", COMPLAINT).await;

    let (status, body) = inbox
        .post(
            "/api/tasks/facebook:777_161/drop",
            json!({"reason": ""}),
            "anna",
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body), ["reason: must not be empty"]);
    let (status, show) = inbox
        .post(
            "/api/tasks/facebook:777_161/drop",
            json!({"reason": "dubbel"}),
            "anna",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(show["task"]["status"], "dropped");
    assert_eq!(show["task"]["drop_reason"], "dubbel");

    let (status, body) = inbox
        .post(
            "/api/tasks/facebook:777_161/reopen",
            json!({"due_in_hours": 0}),
            "anna",
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, show) = inbox
        .post(
            "/api/tasks/facebook:777_161/reopen",
            json!({"note": "toch geen dubbel", "due_in_hours": 2}),
            "bram",
        )
        .await;
    assert_eq!(status, 200, "{show}");
    assert_eq!(show["task"]["status"], "open");
    let due = OffsetDateTime::parse(
        show["task"]["due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (due - OffsetDateTime::now_utc()).whole_minutes();
    assert!(
        (115..=120).contains(&hours),
        "due in two hours, not {hours} minutes"
    );
    let last = show["task"]["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["by"], by("bram"));
    assert_eq!(last["note"], "toch geen dubbel");
}

#[tokio::test]
async fn an_approval_keeps_the_staff_edit_beside_the_draft_and_inserts_one_approval() {
    let inbox = Inbox::new(ReplyMode::Approval).await;
    inbox.comment("777_171", COMPLAINT).await;
    let (_, before) = inbox.get("/api/tasks/facebook:777_171", "anna").await;
    assert_eq!(before["actions"][0], "approve");
    let draft = before["messages"][0]["text"].as_str().unwrap().to_owned();
    let edited = "Hallo Anke, wat vervelend! We bellen je vandaag nog. – Bakkerij Zon";

    let (status, show) = inbox
        .post(
            "/api/tasks/facebook:777_171/approve",
            json!({"public": edited}),
            "anna",
        )
        .await;

    assert_eq!(status, 200, "{show}");
    let public = &show["messages"][0];
    assert_eq!(public["channel"], "public");
    assert_eq!(public["state"], "pending");
    assert_eq!(
        public["text"],
        draft.as_str(),
        "the draft itself is never changed"
    );
    assert_eq!(public["edited_text"], edited);
    assert_eq!(public["edited_by"], by("anna"));
    assert_eq!(public["approved_by"], by("anna"));
    let private = &show["messages"][1];
    assert_eq!(private["state"], "pending");
    assert_eq!(private["edited_text"], Value::Null);
    let stored = inbox
        .table
        .raw_item(&key("777_171"), "message#public")
        .await
        .unwrap();
    assert_eq!(str_attr(&stored, "text"), Some(draft.as_str()));
    assert_eq!(str_attr(&stored, "edited_text"), Some(edited));
    assert_eq!(str_attr(&stored, "edited_by"), Some(by("anna").as_str()));
    let approvals = inbox.table.items_of_type("approval").await;
    assert_eq!(approvals.len(), 1);
    assert_eq!(
        str_attr(&approvals[0], "approved_by"),
        Some(by("anna").as_str())
    );

    let (status, body) = inbox
        .post("/api/tasks/facebook:777_171/approve", json!({}), "bram")
        .await;
    assert_eq!(status, 409, "an approval cannot send twice: {body}");
    let (status, body) = inbox
        .post(
            "/api/tasks/facebook:777_171/approve",
            json!({"public": "nog eens"}),
            "bram",
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("not a draft"),
        "{body}"
    );
    assert_eq!(inbox.table.items_of_type("approval").await.len(), 1);
}

#[tokio::test]
async fn two_approvals_at_once_approve_once() {
    let inbox = Inbox::new(ReplyMode::Approval).await;
    inbox.comment("777_181", COMPLAINT).await;

    let (a, b) = tokio::join!(
        inbox.post(
            "/api/tasks/facebook:777_181/approve",
            json!({"public": "Versie van Anna"}),
            "anna"
        ),
        inbox.post(
            "/api/tasks/facebook:777_181/approve",
            json!({"public": "Versie van Bram"}),
            "bram"
        ),
    );

    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    assert_eq!(inbox.table.items_of_type("approval").await.len(), 1);
    let winner = if a.0 == 200 {
        "Versie van Anna"
    } else {
        "Versie van Bram"
    };
    let stored = inbox
        .table
        .raw_item(&key("777_181"), "message#public")
        .await
        .unwrap();
    assert_eq!(str_attr(&stored, "edited_text"), Some(winner));
}

#[tokio::test]
async fn edits_that_break_a_rule_are_refused_field_by_field_and_nothing_is_approved() {
    let inbox = Inbox::new(ReplyMode::Approval).await;
    inbox.comment("777_191", COMPLAINT).await;

    let (status, body) = inbox
        .post(
            "/api/tasks/facebook:777_191/approve",
            json!({"public": "", "private": "x".repeat(1001), "approved_by": "mallory"}),
            "anna",
        )
        .await;

    assert_eq!(status, 400, "{body}");
    let p = problems(&body);
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(p.iter().any(|p| p.starts_with("public: must not be empty")));
    assert!(
        p.iter()
            .any(|p| p.starts_with("private: at most 1000 characters"))
    );
    assert!(p.iter().any(|p| p.starts_with("approved_by: who acts")));
    assert!(inbox.table.items_of_type("approval").await.is_empty());
    let (status, body) = inbox
        .call(
            "POST",
            "/api/tasks/facebook:777_191/approve",
            None,
            Some("anna"),
        )
        .await;
    assert_eq!(
        status, 200,
        "an empty body approves the drafts as they are: {body}"
    );
}

#[tokio::test]
async fn a_task_answered_automatically_has_nothing_to_approve() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_201", COMPLAINT).await;

    let (status, body) = inbox
        .post("/api/tasks/facebook:777_201/approve", json!({}), "anna")
        .await;

    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no drafts waiting")
    );
}

#[tokio::test]
async fn unknown_ids_are_404_malformed_ones_400_and_other_methods_405() {
    let inbox = Inbox::new(ReplyMode::Auto).await;

    let (status, body) = inbox.get("/api/tasks/facebook:nope", "anna").await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = inbox
        .post("/api/tasks/facebook:nope/claim", json!({}), "anna")
        .await;
    assert_eq!(status, 404);
    let (status, _) = inbox
        .post(
            "/api/tasks/facebook:nope/resolve",
            json!({"note": "x"}),
            "anna",
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = inbox
        .post("/api/tasks/facebook:nope/reopen", json!({}), "anna")
        .await;
    assert_eq!(status, 404);
    let (status, body) = inbox.get("/api/tasks/not-an-id", "anna").await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = inbox
        .post("/api/tasks/facebook:1/explode", json!({}), "anna")
        .await;
    assert_eq!(status, 404);
    let (status, _) = inbox.get("/api/nothing-here", "anna").await;
    assert_eq!(status, 404);
    let (status, _) = inbox
        .call("DELETE", "/api/tasks/facebook:1", None, Some("anna"))
        .await;
    assert_eq!(status, 405);
    let (status, body) = inbox.get("/api/tasks?status=done&limit=0", "anna").await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body).len(), 2, "{body}");
    let response = tasks_api::handle(&inbox.app, {
        let mut r = request(
            "POST",
            "/api/tasks/facebook:1/claim",
            Some(json!({})),
            Some(claims("anna")),
        );
        r.headers_mut()
            .insert(http::header::CONTENT_TYPE, "text/plain".parse().unwrap());
        r
    })
    .await
    .unwrap();
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn requests_without_verified_claims_or_with_another_pools_claims_are_refused_on_every_route()
{
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_211", COMPLAINT).await;
    let mut other_pool = claims("anna");
    other_pool["iss"] = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Else".into();
    let mut other_client = claims("anna");
    other_client["aud"] = "someoneelse".into();
    let routes = [
        ("GET", "/api/me", None),
        ("GET", "/api/tasks", None),
        ("GET", "/api/tasks/facebook:777_211", None),
        ("POST", "/api/tasks/facebook:777_211/claim", Some(json!({}))),
        (
            "POST",
            "/api/tasks/facebook:777_211/resolve",
            Some(json!({"note": "x"})),
        ),
        (
            "POST",
            "/api/tasks/facebook:777_211/drop",
            Some(json!({"reason": "x"})),
        ),
        (
            "POST",
            "/api/tasks/facebook:777_211/reopen",
            Some(json!({})),
        ),
        ("POST", "/api/tasks/facebook:777_211/close", Some(json!({}))),
        (
            "POST",
            "/api/tasks/facebook:777_211/approve",
            Some(json!({})),
        ),
        ("GET", "/api/pages", None),
        ("GET", "/api/pages/facebook:1", None),
        (
            "PATCH",
            "/api/pages/facebook:1",
            Some(json!({"read_at": null, "settings": {"mode": "auto"}})),
        ),
        ("GET", "/api/reports", None),
        (
            "POST",
            "/api/local-sign-in",
            Some(json!({"name": "mallory"})),
        ),
        ("GET", "/api/anything", None),
    ];
    for (m, path, body) in routes {
        for claims in [None, Some(other_pool.clone()), Some(other_client.clone())] {
            let label = format!("{m} {path} with {claims:?}");
            let response = tasks_api::handle(&inbox.app, request(m, path, body.clone(), claims))
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{label}");
        }
    }
    let task = inbox.table.task(&key("777_211")).await;
    assert_eq!(task.status.as_str(), "open", "nothing changed");
    assert_eq!(task.history.len(), 1);
    assert!(inbox.table.items_of_type("page").await.is_empty());
}

#[tokio::test]
async fn the_lambda_has_no_local_sign_in() {
    let inbox = Inbox::new(ReplyMode::Auto).await;

    let (status, _) = inbox
        .post("/api/local-sign-in", json!({"name": "mallory"}), "anna")
        .await;

    assert_eq!(status, 404, "signed in, it is just an unknown route");
    let (_, config) = inbox.call("GET", "/inbox/config.json", None, None).await;
    assert_eq!(config["sign_in"], "cognito");
    assert_eq!(config["client_id"], CLIENT);
}

#[tokio::test]
async fn page_settings_show_the_defaults_change_conditionally_and_a_stale_change_is_a_conflict() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    let page = format!("/api/pages/facebook:{PAGE_ID}");

    let (status, fresh) = inbox.get(&page, "anna").await;
    assert_eq!(status, 200, "{fresh}");
    assert_eq!(fresh["settings"]["mode"], Value::Null);
    assert_eq!(fresh["effective"]["brand_name"], "Bakkerij Zon");
    assert_eq!(fresh["updated_at"], Value::Null);

    let change = json!({"read_at": null, "settings": {
        "mode": "approval", "sla_hours": 8, "contact": "030-1234567", "brand_name": "Zon",
        "default_language": "nl", "thank_positive": false, "signature": "– {brand}",
        "max_age_hours": 48, "resolved_reply": true, "update_request_delay_hours": 12}});
    let (status, saved) = inbox
        .call("PATCH", &page, Some(change.clone()), Some("anna"))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["settings"]["mode"], "approval");
    assert_eq!(saved["effective"]["sla_hours"], 8);
    // What the responder and sweeper read is what was saved.
    let stored = inbox
        .table
        .page(&FACEBOOK, &feedback::AccountId::parse(PAGE_ID).unwrap())
        .await
        .config;
    assert_eq!(
        stored,
        PageConfig {
            brand_name: Some("Zon".into()),
            default_language: Some("nl".into()),
            mode: Some(ReplyMode::Approval),
            thank_positive: Some(false),
            sla_hours: Some(8),
            signature: Some("– {brand}".into()),
            contact: Some("030-1234567".into()),
            max_age_hours: Some(48),
            resolved_reply: Some(true),
            update_request_delay_hours: Some(12),
            ..PageConfig::default()
        }
    );

    let (status, body) = inbox.call("PATCH", &page, Some(change), Some("bram")).await;
    assert_eq!(status, 409, "Bram read it before Anna saved: {body}");
    let read_at = saved["updated_at"].clone();
    let (status, again) = inbox
        .call(
            "PATCH",
            &page,
            Some(json!({"read_at": read_at, "settings": {"contact": null, "sla_hours": 4}})),
            Some("bram"),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        again["settings"]["contact"],
        Value::Null,
        "back to the default"
    );
    assert_eq!(again["settings"]["sla_hours"], 4);

    let (status, body) = inbox
        .call(
            "PATCH",
            &page,
            Some(json!({"read_at": again["updated_at"], "settings": {"token_source": "env:SECRET", "mode": "loud"}})),
            Some("bram"),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body).len(), 2, "{body}");
    let (_, pages) = inbox.get("/api/pages", "anna").await;
    assert_eq!(pages["pages"].as_array().unwrap().len(), 1);
    assert!(!pages.to_string().contains("token_source"));
}

#[tokio::test]
async fn reports_count_complaints_by_theme_and_the_time_to_the_first_public_reply() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_221", COMPLAINT).await;
    inbox
        .comment(
            "777_222",
            "De bezorger was weer te laat en mijn pakket is nooit aangekomen. Slechte service.",
        )
        .await;
    inbox
        .comment("777_223", "Bezorgen jullie ook op zondag?")
        .await;

    let (status, report) = inbox.get("/api/reports?days=7", "anna").await;

    assert_eq!(status, 200, "{report}");
    assert_eq!(report["themes"]["complaints"], 2);
    assert_eq!(report["themes"]["rows"][0]["theme"], "delivery");
    assert_eq!(report["themes"]["rows"][0]["count"], 2);
    assert_eq!(report["response"]["tasks"], 3);
    assert_eq!(report["response"]["replied"], 3);
    assert!(
        report["response"]["first_reply_median_seconds"]
            .as_i64()
            .unwrap()
            < 60
    );
    let (status, body) = inbox.get("/api/reports?days=0&colour=red", "anna").await;
    assert_eq!(status, 400);
    assert_eq!(problems(&body).len(), 2);
}

#[tokio::test]
async fn the_page_and_its_files_are_served_to_anyone_with_a_strict_policy() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    for (path, kind) in [
        ("/inbox", "text/html"),
        ("/inbox/inbox.css", "text/css"),
        ("/inbox/inbox.js", "text/javascript"),
    ] {
        let response = tasks_api::handle(&inbox.app, request("GET", path, None, None))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert!(headers["content-type"].to_str().unwrap().starts_with(kind));
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    }
    let response = tasks_api::handle(&inbox.app, request("GET", "/inbox/secrets.txt", None, None))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = tasks_api::handle(&inbox.app, request("POST", "/inbox", None, None))
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn who_is_signed_in_comes_from_the_token() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    let (status, me) = inbox.get("/api/me", "anna").await;
    assert_eq!(status, 200);
    assert_eq!(
        me,
        json!({"subject": "sub-anna", "name": "anna@bakkerij-zon.nl", "by": by("anna"), "role": "owner", "may": {"read": true, "work_tasks": true, "change_pages": true}})
    );
}

#[tokio::test]
async fn a_token_whose_email_is_not_verified_is_refused_and_changes_nothing() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_301", COMPLAINT).await;
    for verified in [Some("false"), None] {
        let mut unverified = claims("mallory");
        match verified {
            Some(v) => unverified["email_verified"] = v.into(),
            None => {
                unverified.as_object_mut().unwrap().remove("email_verified");
            }
        }
        for (m, path, body) in [
            ("GET", "/api/me", None),
            ("POST", "/api/tasks/facebook:777_301/claim", Some(json!({}))),
        ] {
            let response =
                tasks_api::handle(&inbox.app, request(m, path, body, Some(unverified.clone())))
                    .await
                    .unwrap();
            assert_eq!(response.status(), 401, "{m} {path} with {verified:?}");
        }
    }
    let task = inbox.table.task(&key("777_301")).await;
    assert_eq!(task.status.as_str(), "open");
}

#[tokio::test]
async fn who_did_what_is_recorded_by_subject_and_stays_theirs_when_their_verified_email_changes() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_311", COMPLAINT).await;

    let (status, show) = inbox
        .post("/api/tasks/facebook:777_311/claim", json!({}), "stan")
        .await;
    assert_eq!(status, 200, "{show}");
    assert_eq!(show["task"]["assignee"], by("stan"));
    assert_eq!(show["task"]["history"][1]["by"], by("stan"));

    // Stan's address changed (and was verified): the task is still his.
    let mut renamed = claims("stan");
    renamed["email"] = "stan.jansen@bakkerij-zon.nl".into();
    let response = tasks_api::handle(
        &inbox.app,
        request("GET", "/api/tasks?mine=true", None, Some(renamed)),
    )
    .await
    .unwrap();
    let mine: Value = serde_json::from_slice(response.body().as_ref()).unwrap();
    assert_eq!(ids(&mine), ["facebook:777_311"]);
    // Someone else showing Stan's old address is not Stan.
    let mut other = claims("stan");
    other["sub"] = "sub-someone-else".into();
    let response = tasks_api::handle(
        &inbox.app,
        request("GET", "/api/tasks?mine=true", None, Some(other)),
    )
    .await
    .unwrap();
    let theirs: Value = serde_json::from_slice(response.body().as_ref()).unwrap();
    assert_eq!(theirs["total"], 0, "{theirs}");
}

#[tokio::test]
async fn a_viewer_reads_the_queue_tasks_pages_and_reports_but_changes_nothing() {
    let inbox = Inbox::new(ReplyMode::Approval).await;
    inbox.comment("777_321", COMPLAINT).await;
    let page = format!("/api/pages/facebook:{PAGE_ID}");

    for path in [
        "/api/tasks",
        "/api/tasks/facebook:777_321",
        "/api/pages",
        page.as_str(),
        "/api/reports",
    ] {
        let (status, body) = inbox.get(path, "vera").await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (_, show) = inbox.get("/api/tasks/facebook:777_321", "vera").await;
    assert_eq!(show["actions"], json!([]), "nothing she may do is offered");

    for (action, body) in [
        ("claim", json!({})),
        ("approve", json!({})),
        ("drop", json!({"reason": "x"})),
    ] {
        let (status, body) = inbox
            .post(
                &format!("/api/tasks/facebook:777_321/{action}"),
                body,
                "vera",
            )
            .await;
        assert_eq!(status, 403, "{action}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains("staff"), "{action}: {error}");
    }
    let (status, body) = inbox
        .call(
            "PATCH",
            &page,
            Some(json!({"read_at": null, "settings": {"mode": "auto"}})),
            Some("vera"),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let task = inbox.table.task(&key("777_321")).await;
    assert_eq!(task.status.as_str(), "open");
    assert!(inbox.table.items_of_type("approval").await.is_empty());
    assert!(inbox.table.items_of_type("page").await.is_empty());
}

#[tokio::test]
async fn only_owners_change_page_settings_and_staff_are_told_so() {
    let inbox = Inbox::new(ReplyMode::Approval).await;
    inbox.comment("777_331", COMPLAINT).await;
    let page = format!("/api/pages/facebook:{PAGE_ID}");
    let to_auto = json!({"read_at": null, "settings": {"mode": "auto", "signature": "– Mallory"}});

    let (status, body) = inbox
        .call("PATCH", &page, Some(to_auto.clone()), Some("stan"))
        .await;
    assert_eq!(status, 403, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("owners") && error.contains("page settings"),
        "{error}"
    );
    assert!(inbox.table.items_of_type("page").await.is_empty());
    // Staff work tasks and approve.
    let (_, show) = inbox.get("/api/tasks/facebook:777_331", "stan").await;
    assert_eq!(show["actions"][0], "approve");
    let (status, body) = inbox
        .post("/api/tasks/facebook:777_331/approve", json!({}), "stan")
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = inbox
        .call("PATCH", &page, Some(to_auto), Some("anna"))
        .await;
    assert_eq!(status, 200, "an owner may: {body}");
    assert_eq!(body["settings"]["mode"], "auto");
}

#[tokio::test]
async fn someone_in_no_group_may_only_ask_who_they_are() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    inbox.comment("777_341", COMPLAINT).await;

    let (status, me) = inbox.get("/api/me", "nora").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["role"], Value::Null);
    for path in [
        "/api/tasks",
        "/api/tasks/facebook:777_341",
        "/api/pages",
        "/api/reports",
    ] {
        let (status, body) = inbox.get(path, "nora").await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("viewers"),
            "{path}: {body}"
        );
    }
    let (status, _) = inbox
        .post("/api/tasks/facebook:777_341/claim", json!({}), "nora")
        .await;
    assert_eq!(status, 403);
}

/// The page in a crisis since `since`, as the sweeper starts one (README, "Crisis hold").
async fn start_crisis(inbox: &Inbox, since: OffsetDateTime) {
    let spike = store::spikes::Spike {
        platform: FACEBOOK,
        account_id: feedback::AccountId::parse(PAGE_ID).unwrap(),
        started_at: since,
        theme: "delivery".into(),
        count: 12,
        usual: 0.4,
        themes: vec![
            ("delivery".into(), 12),
            ("billing".into(), 2),
            ("quality".into(), 1),
            ("service".into(), 1),
        ],
        excerpts: vec!["niet geleverd".into()],
        hold: true,
        ended_at: None,
        ended_by: None,
    };
    assert!(
        inbox
            .table
            .store()
            .start_crisis(&spike, since)
            .await
            .unwrap()
    );
}

async fn draft_state(inbox: &Inbox, item: &str) -> store::MessageState {
    inbox
        .table
        .message(&key(item), store::Channel::Public)
        .await
        .state
}

/// The `page.spike_ended` notifications queued, one per target.
async fn ended_notifications(inbox: &Inbox) -> usize {
    inbox
        .table
        .items_of_type("notification")
        .await
        .iter()
        .filter(|n| str_attr(n, "event") == Some("page.spike_ended"))
        .count()
}

#[tokio::test]
async fn a_crisis_shows_on_top_of_the_queue_and_only_an_owner_ends_it_once() {
    let inbox = Inbox::new(ReplyMode::Auto).await;
    let hooks = MockServer::start().await;
    workspace_tests::sweeper::page_with_targets(&inbox.table.store(), &hooks).await;
    // GIVEN a page in a crisis, and a complaint drafted during the hold
    let since = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    start_crisis(&inbox, since).await;
    inbox.comment("777_351", COMPLAINT).await;

    // WHEN anyone reads the queue
    let (status, list) = inbox.get("/api/tasks", "vera").await;

    // THEN the crisis is on top: since when, why, the counts and the top themes
    assert_eq!(status, 200, "{list}");
    let crises = list["crises"].as_array().unwrap();
    assert_eq!(crises.len(), 1, "{list}");
    let crisis = &crises[0];
    assert_eq!(crisis["page"], format!("facebook:{PAGE_ID}"));
    assert_eq!(
        OffsetDateTime::parse(
            crisis["since"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .unwrap()
        .unix_timestamp(),
        since.unix_timestamp()
    );
    assert_eq!(
        crisis["reason"],
        "12 complaints about delivery in the last hour (usually 0.4)"
    );
    assert_eq!(crisis["count"], 12);
    assert_eq!(crisis["hold"], true);
    assert_eq!(
        crisis["top_themes"],
        json!([{"theme": "delivery", "count": 12}, {"theme": "billing", "count": 2}, {"theme": "quality", "count": 1}])
    );
    assert_eq!(crisis["may_end"], false, "a viewer may not end it");
    let (_, as_owner) = inbox.get("/api/tasks?page=facebook:1", "anna").await;
    assert_eq!(
        as_owner["crises"][0]["may_end"], true,
        "whatever the filter"
    );
    assert_eq!(
        draft_state(&inbox, "777_351").await,
        store::MessageState::Draft
    );

    // WHEN staff and viewers try to end it
    let end = format!("/api/pages/facebook:{PAGE_ID}/end-crisis");
    for who in ["stan", "vera", "nora"] {
        let (status, body) = inbox.post(&end, json!({}), who).await;
        // THEN they are refused, and told who may
        assert_eq!(status, 403, "{who}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("owners"),
            "{who}: {body}"
        );
    }
    let page = inbox
        .table
        .page(&FACEBOOK, &feedback::AccountId::parse(PAGE_ID).unwrap())
        .await;
    assert!(page.crisis.is_some(), "still on");

    // WHEN an owner ends it
    let (status, body) = inbox.post(&end, json!({}), "anna").await;

    // THEN it ends, recorded with who, the held draft still waits, the targets are told
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ended"], true);
    assert_eq!(body["ended_by"], by("anna"));
    let page = inbox
        .table
        .page(&FACEBOOK, &feedback::AccountId::parse(PAGE_ID).unwrap())
        .await;
    assert_eq!(page.crisis, None);
    assert_eq!(page.crisis_ended_by, Some(by("anna")));
    assert_eq!(
        draft_state(&inbox, "777_351").await,
        store::MessageState::Draft
    );
    assert_eq!(
        ended_notifications(&inbox).await,
        3,
        "Slack, Teams, webhook"
    );
    let (_, list) = inbox.get("/api/tasks", "anna").await;
    assert_eq!(list["crises"], json!([]));

    // WHEN it is ended again (a double click, a second owner)
    let (status, body) = inbox.post(&end, json!({}), "otto").await;

    // THEN nothing changes: still ended by the first, told once
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ended"], false);
    assert_eq!(body["ended_by"], by("anna"));
    assert_eq!(ended_notifications(&inbox).await, 3);

    // … and the report of the period lists the spike
    let (_, report) = inbox.get("/api/reports?days=7", "vera").await;
    let spikes = report["themes"]["spikes"].as_array().unwrap();
    assert_eq!(spikes.len(), 1, "{report}");
    assert_eq!(spikes[0]["page"], format!("facebook:{PAGE_ID}"));
    assert_eq!(spikes[0]["theme"], "delivery");
    assert_eq!(spikes[0]["count"], 12);
    assert_eq!(spikes[0]["ended_by"], by("anna"));

    // Only POST, with nothing in the body.
    let (status, _) = inbox.get(&end, "anna").await;
    assert_eq!(status, 405);
    let (status, _) = inbox.post(&end, json!({"by": "mallory"}), "anna").await;
    assert_eq!(status, 400);
}
