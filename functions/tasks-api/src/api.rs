//! The HTTP handler: route, check who asks, parse, act through the store, answer.
//!
//! | route | what |
//! |---|---|
//! | `GET /inbox`, `GET /inbox/{inbox.css,inbox.js,config.json}` | the page (public) |
//! | `GET /api/me` | who is signed in |
//! | `GET /api/tasks?status&overdue&page&platform&label&mine&limit&cursor` | the queue, soonest due first, paged |
//! | `GET /api/tasks/{id}` | one task with its feedback, messages, history |
//! | `POST /api/tasks/{id}/{claim,resolve,drop,reopen,close,approve}` | change it (conditional: 409 when the state moved) |
//! | `GET /api/pages`, `GET /api/pages/{id}`, `PATCH /api/pages/{id}` | page settings (the change is conditional on `read_at`) |
//! | `POST /api/pages/{id}/end-crisis` | end the page's crisis hold (README, "Crisis hold") |
//! | `GET /api/reports?days&page` | themes and response times |
//!
//! Every `/api/*` request needs verified claims ([`crate::auth`]): 401 without. Then the
//! role decides ([`Role`]), 403 with the group that would allow it: viewers read, staff
//! also work tasks and approve, owners also change page settings and end a crisis hold;
//! `GET /api/me` needs no
//! role. Ids are percent-encoded path segments (`facebook%3A777_9001`, or plain).

use crate::auth::{Identity, Role, identity};
use crate::config::TasksApiConfig;
use crate::error::{ApiError, json};
use crate::input::{self, ListQuery, MAX_BODY_BYTES};
use crate::views::{self, Facets, TaskList};
use feedback::records::{Channel, TaskStatus};
use feedback::{AccountId, Platform};
use http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use staff::view::TaskShow;
use staff::{ReadCheck, Staff};
use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use store::views::TaskView;
use store::{DynamoStore, FeedbackKey};
use time::OffsetDateTime;
use tracing::{info, warn};

/// What the handler needs, built once per cold start.
pub struct App {
    store: DynamoStore,
    config: TasksApiConfig,
}

impl App {
    pub fn new(store: DynamoStore, config: TasksApiConfig) -> Self {
        Self { store, config }
    }

    /// The staff layer over this deployment's table, defaults and texts.
    fn staff(&self) -> Staff<'_> {
        Staff::new(&self.store, &self.config.defaults, &self.config.templates)
    }
}

fn ok<T: Serialize>(value: &T) -> Result<Response<Body>, ApiError> {
    Ok(json(StatusCode::OK, value))
}

/// Handle one request. Never fails: every outcome is a response.
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Infallible> {
    Ok(match route(app, request).await {
        Ok(response) => response,
        Err(e) => {
            // The status only: refusals can name people (who holds a task) or echo input.
            if e.status().is_client_error() {
                info!(status = e.status().as_u16(), "request refused");
            }
            e.into_response()
        }
    })
}

fn segments(path: &str) -> Result<Vec<String>, ApiError> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| ApiError::invalid("path: not UTF-8"))
        })
        .collect()
}

fn query(request: &Request) -> HashMap<String, String> {
    let mut map = HashMap::new();
    if let Some(params) = request.query_string_parameters_ref() {
        for (k, v) in params.iter() {
            map.entry(k.to_owned()).or_insert_with(|| v.to_owned());
        }
    }
    map
}

/// The JSON object of the body (`{}` when there is none).
fn body_object(request: &Request) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    let body: &[u8] = request.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge(MAX_BODY_BYTES));
    }
    if !body.iter().all(u8::is_ascii_whitespace) && !service::headers::is_json(request.headers()) {
        return Err(ApiError::NotJson);
    }
    input::object(body)
}

async fn route(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let path = segments(request.uri().path())?;
    // Wherever API Gateway or a proxy mounted it (a stage name before it, say).
    let Some(start) = path.iter().position(|s| s == "api" || s == "inbox") else {
        return Err(ApiError::NotFound(
            "no such route; the inbox is at /inbox".into(),
        ));
    };
    let path: Vec<&str> = path[start..].iter().map(String::as_str).collect();
    let method = request.method().clone();
    if path[0] == "inbox" {
        if method != Method::GET && method != Method::HEAD {
            return Err(ApiError::MethodNotAllowed { allowed: "GET" });
        }
        let asset = match path.as_slice() {
            ["inbox"] => None,
            ["inbox", asset] => Some(*asset),
            _ => return Err(ApiError::NotFound("no such file".into())),
        };
        return crate::page::serve(asset, &app.config.sign_in)
            .ok_or_else(|| ApiError::NotFound("no such file".into()));
    }
    let who = identity(&request, &app.config.trust).map_err(|e| {
        warn!(reason = %e, "request without a valid sign-in refused");
        ApiError::Unauthorized
    })?;
    let now = OffsetDateTime::now_utc();
    let needed = match (&method, &path[1..]) {
        (_, ["me"]) => None,
        (&Method::POST, ["tasks", _, _]) => Some((Role::Staff, "working on tasks")),
        (&Method::PATCH, ["pages", _]) => Some((Role::Owner, "changing page settings")),
        (&Method::POST, ["pages", _, _]) => Some((Role::Owner, "ending a crisis hold")),
        _ => Some((Role::Viewer, "reading the inbox")),
    };
    if let Some((role, what)) = needed {
        allowed(&who, role, what)?;
    }
    match (&method, &path[1..]) {
        (&Method::GET, ["me"]) => ok(&views::Me::of(&who)),
        (_, ["me"]) => Err(ApiError::MethodNotAllowed { allowed: "GET" }),
        (&Method::GET, ["tasks"]) => {
            let q = input::list_query(&query(&request))?;
            ok(&list(app, &who, &q, now).await?)
        }
        (_, ["tasks"]) => Err(ApiError::MethodNotAllowed { allowed: "GET" }),
        (&Method::GET, ["tasks", id]) => {
            let key = input::task_id(id)?;
            ok(&show(app, &who, &key, now).await?)
        }
        (_, ["tasks", _]) => Err(ApiError::MethodNotAllowed { allowed: "GET" }),
        (&Method::POST, ["tasks", id, action]) => {
            let key = input::task_id(id)?;
            let body = body_object(&request)?;
            act(app, &who, &key, action, body, now).await?;
            ok(&show(app, &who, &key, OffsetDateTime::now_utc()).await?)
        }
        (_, ["tasks", _, _]) => Err(ApiError::MethodNotAllowed { allowed: "POST" }),
        (&Method::GET, ["pages"]) => {
            let pages = app.store.pages().await?;
            let details: Vec<_> = pages
                .iter()
                .map(|p| {
                    views::page_detail(&p.platform, &p.account_id, Some(p), &app.config.defaults)
                })
                .collect();
            ok(&serde_json::json!({ "pages": details }))
        }
        (_, ["pages"]) => Err(ApiError::MethodNotAllowed { allowed: "GET" }),
        (&Method::GET, ["pages", id]) => {
            let (platform, account) = page_id(id)?;
            ok(&page(app, &platform, &account).await?)
        }
        (&Method::PATCH, ["pages", id]) => {
            let (platform, account) = page_id(id)?;
            let update = input::page_update(body_object(&request)?)?;
            let mut change = staff::pages::settings_change(update.changes)?;
            change.check = ReadCheck::ReadAt(update.read_at);
            app.staff()
                .update_page(&platform, &account, &change, now)
                .await?;
            info!(page = %format!("{platform}:{account}"), by = %who.subject, "page settings changed");
            ok(&page(app, &platform, &account).await?)
        }
        (_, ["pages", _]) => Err(ApiError::MethodNotAllowed {
            allowed: "GET, PATCH",
        }),
        (&Method::POST, ["pages", id, "end-crisis"]) => {
            let (platform, account) = page_id(id)?;
            input::nothing(body_object(&request)?)?;
            ok(&end_crisis(app, &who, &platform, &account, now).await?)
        }
        (_, ["pages", _, "end-crisis"]) => Err(ApiError::MethodNotAllowed { allowed: "POST" }),
        (&Method::GET, ["reports"]) => {
            let q = input::report_query(&query(&request))?;
            let before = now - time::Duration::days(2 * i64::from(q.days));
            let facts: Vec<_> = app
                .store
                .report_facts(before)
                .await?
                .into_iter()
                .filter(|f| {
                    q.page
                        .as_ref()
                        .is_none_or(|(p, a)| &f.task.platform == p && &f.task.account_id == a)
                })
                .collect();
            let page = q.page.as_ref().map(|(p, a)| format!("{p}:{a}"));
            let since = now - time::Duration::days(i64::from(q.days));
            let spikes = app.store.spikes_between(since, now).await?;
            ok(&staff::reports::overview(
                &facts, &spikes, q.days, page, now,
            ))
        }
        (_, ["reports"]) => Err(ApiError::MethodNotAllowed { allowed: "GET" }),
        _ => Err(ApiError::NotFound("no such route".into())),
    }
}

/// 403 unless `who`'s role is `role` or above, saying which group would allow it.
fn allowed(who: &Identity, role: Role, what: &str) -> Result<(), ApiError> {
    if who.may(role) {
        return Ok(());
    }
    let groups: Vec<&str> = Role::ALL
        .into_iter()
        .filter(|r| *r >= role)
        .map(|r| r.group())
        .collect();
    let yours = match who.role {
        Some(r) => format!("you are in {}", r.group()),
        None => "you are in none of the inbox's groups".to_owned(),
    };
    Err(ApiError::Forbidden(format!(
        "{what} is for the groups {}; {yours}. An owner can add you to one (README, \"The staff inbox\").",
        groups.join(", ")
    )))
}

fn page_id(id: &str) -> Result<(Platform, AccountId), ApiError> {
    staff::ids::page_id(id).map_err(|e| ApiError::invalid(format!("id: {e}")))
}

async fn page(
    app: &App,
    platform: &Platform,
    account: &AccountId,
) -> Result<views::PageDetail, ApiError> {
    let view = app.store.page_view(platform, account).await?;
    Ok(views::page_detail(
        platform,
        account,
        view.as_ref(),
        &app.config.defaults,
    ))
}

fn facets(tasks: &[&TaskView]) -> Facets {
    let mut pages = BTreeSet::new();
    let mut platforms = BTreeSet::new();
    let mut labels = BTreeSet::new();
    for t in tasks {
        pages.insert(format!("{}:{}", t.platform, t.account_id));
        platforms.insert(t.platform.to_string());
        if !t.label.is_empty() {
            labels.insert(t.label.clone());
        }
    }
    Facets {
        pages: pages.into_iter().collect(),
        platforms: platforms.into_iter().collect(),
        labels: labels.into_iter().collect(),
    }
}

async fn list(
    app: &App,
    who: &Identity,
    q: &ListQuery,
    now: OffsetDateTime,
) -> Result<TaskList, ApiError> {
    let tasks = app.staff().tasks(q.status).await?;
    let of_status: Vec<&TaskView> = tasks.iter().collect();
    let facets = facets(&of_status);
    let mut matching: Vec<&TaskView> = of_status
        .into_iter()
        .filter(|t| !q.overdue || t.is_overdue(now))
        .filter(|t| {
            q.page
                .as_ref()
                .is_none_or(|(p, a)| &t.platform == p && &t.account_id == a)
        })
        .filter(|t| q.platform.as_ref().is_none_or(|p| &t.platform == p))
        .filter(|t| q.label.as_ref().is_none_or(|l| &t.label == l))
        .filter(|t| {
            !q.mine
                || (t.status == TaskStatus::Claimed
                    && t.assignee.as_deref().is_some_and(|a| who.is(a)))
        })
        .collect();
    matching.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
    let total = matching.len();
    let start = q.after.as_ref().map_or(0, |(at, id)| {
        matching.partition_point(|t| (t.due_at, t.id.as_str()) <= (*at, id.as_str()))
    });
    let shown: Vec<&TaskView> = matching[start..].iter().take(q.limit).copied().collect();
    let next_cursor = (start + shown.len() < total)
        .then(|| shown.last().map(|t| input::cursor(t.due_at, &t.id)))
        .flatten();
    let keys: Vec<FeedbackKey> = shown.iter().map(|t| t.key()).collect();
    let summaries = app.store.feedback_summaries(&keys).await?;
    // Every page in a crisis, whatever the filters: the banner on top of the inbox.
    let crises = app
        .store
        .open_crises()
        .await?
        .iter()
        .map(|spike| views::crisis_banner(spike, who.may(Role::Owner)))
        .collect();
    Ok(TaskList {
        crises,
        tasks: shown
            .iter()
            .map(|t| views::task_row(t, summaries.get(&t.key()), now))
            .collect(),
        total,
        next_cursor,
        facets,
        now,
    })
}

async fn show(
    app: &App,
    who: &Identity,
    key: &FeedbackKey,
    now: OffsetDateTime,
) -> Result<TaskShow, ApiError> {
    let mut view = app.staff().show(key, now).await?;
    if !who.may(Role::Staff) {
        // Offer only what the role may do (the page shows these as buttons).
        view.actions.clear();
    }
    Ok(view)
}

/// A person ends a page's crisis, as `feedbackctl pages set PAGE --crisis off` does (the
/// same store call): recorded with who, the held drafts stay for approval, the page's
/// targets get `page.spike_ended`. Asked again, nothing more happens.
async fn end_crisis(
    app: &App,
    who: &Identity,
    platform: &Platform,
    account: &AccountId,
    now: OffsetDateTime,
) -> Result<views::CrisisEnded, ApiError> {
    let ended = app
        .store
        .end_crisis(platform, account, &who.by(), now)
        .await?;
    let ended = matches!(ended, store::spikes::CrisisEnd::Ended(_));
    if ended {
        info!(page = %format!("{platform}:{account}"), by = %who.subject, "crisis ended");
    }
    let record = app.store.page(platform, account).await?.unwrap_or_default();
    Ok(views::CrisisEnded {
        page: format!("{platform}:{account}"),
        ended,
        ended_at: record.crisis_ended_at,
        ended_by: record.crisis_ended_by,
    })
}

async fn act(
    app: &App,
    who: &Identity,
    key: &FeedbackKey,
    action: &str,
    body: serde_json::Map<String, serde_json::Value>,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    // Recorded by the subject, shown with the verified e-mail ([`Identity::by`]).
    let by = who.by();
    let by = by.as_str();
    let staff = app.staff();
    match action {
        "claim" => {
            input::nothing(body)?;
            staff.claim(key, by, now).await?;
        }
        "resolve" => {
            let r = input::resolve(body)?;
            staff.resolve(key, by, &r.note, now).await?;
        }
        "drop" => {
            let d = input::drop(body)?;
            staff.drop_task(key, by, &d.reason, now).await?;
        }
        "reopen" => {
            let r = input::reopen(body)?;
            staff
                .reopen(key, by, r.note.as_deref(), r.due_in_hours, now)
                .await?;
        }
        "close" => {
            let note = input::note_only(body)?;
            staff.close(key, by, note.as_deref(), now).await?;
        }
        "approve" => {
            let a = input::approve(body)?;
            let edits: Vec<(Channel, &str)> =
                a.edits.iter().map(|(c, t)| (*c, t.as_str())).collect();
            staff.approve(key, by, &edits, now).await?;
        }
        other => {
            return Err(ApiError::NotFound(format!(
                "no action {other:?} (claim, resolve, drop, reopen, close, approve)"
            )));
        }
    }
    // Who acted is in the task's history; the log names the account, not the person.
    info!(task = %key.id(), action, by = %who.subject, "task changed");
    Ok(())
}
