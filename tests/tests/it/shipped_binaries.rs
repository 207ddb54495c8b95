//! The Lambda binaries as AWS runs them: each built `bootstrap` started under a Lambda
//! Runtime API (`workspace_tests::runtime_api`), with Lambda's environment only, its
//! secrets and page tokens read from SSM (moto in server mode) under `SECRETS_SSM_PATH` and
//! `PAGE_TOKEN_SSM_PREFIX` exactly as the template sets them, the table in DynamoDB Local.
//! A signed delivery goes into the ingest; the stream record it writes goes to the
//! responder; the public reply comes out at a stand-in of the platform's API.

use base64::Engine;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use workspace_tests::dynamodb::{TestTable, endpoint};
use workspace_tests::mock::with_bearer;
use workspace_tests::mock::{Answer, token_endpoint};
use workspace_tests::runner::{binaries, workspace};
use workspace_tests::runtime_api::invoke_once;
use workspace_tests::{moto, runtime_api};

/// The two functions' bootstraps (debug builds with the workspace's features, so nothing is
/// compiled twice; the release artifacts run the same code under `sam local`).
async fn bootstraps() -> (PathBuf, PathBuf) {
    static BUILT: tokio::sync::OnceCell<(PathBuf, PathBuf)> = tokio::sync::OnceCell::const_new();
    BUILT
        .get_or_init(|| async {
            let status = tokio::process::Command::new(env!("CARGO"))
                .args([
                    "build",
                    "-q",
                    "--workspace",
                    "--bin",
                    "webhook-ingest",
                    "--bin",
                    "feedback-responder",
                ])
                .current_dir(workspace())
                .status()
                .await
                .unwrap();
            assert!(status.success(), "building the function binaries");
            let (runner, _) = binaries().await;
            let dir = runner.parent().unwrap().to_path_buf();
            (dir.join("webhook-ingest"), dir.join("feedback-responder"))
        })
        .await
        .clone()
}

static STACKS: AtomicUsize = AtomicUsize::new(0);

/// One "stack": its SSM paths in moto, its table, and the environment every function gets.
struct Stack {
    name: String,
    table: TestTable,
    log: PathBuf,
}

impl Stack {
    async fn new() -> Self {
        moto::ensure_running().await;
        let name = format!(
            "sb-{}-{}",
            std::process::id(),
            STACKS.fetch_add(1, Ordering::SeqCst)
        );
        let log = std::env::temp_dir().join(format!("{name}.log"));
        Self {
            name,
            table: TestTable::new().await,
            log,
        }
    }

    async fn secret(&self, name: &str, value: &str) {
        moto::put_secure(&format!("/{}/secrets/{name}", self.name), value).await;
    }

    async fn page_token(&self, page: &str, value: &str) {
        moto::put_secure(&format!("/{}/pages/{page}", self.name), value).await;
    }

    /// The template's Globals plus `extra`: no secret among them.
    fn env(&self, extra: &[(&str, String)]) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = [
            ("TABLE_NAME", self.table.name.clone()),
            ("RUST_LOG", "info".to_owned()),
            ("SECRETS_SSM_PATH", format!("/{}/secrets", self.name)),
            ("AWS_REGION", "eu-west-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "local".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
            ("AWS_ENDPOINT_URL_DYNAMODB", endpoint()),
            ("AWS_ENDPOINT_URL_SSM", moto::endpoint()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        env
    }

    fn responder_env(&self, extra: &[(&str, String)]) -> Vec<(String, String)> {
        let mut all = vec![("PAGE_TOKEN_SSM_PREFIX", format!("/{}/pages", self.name))];
        all.extend(extra.iter().cloned());
        self.env(&all)
    }

    /// `body` delivered to the Meta door, signed with the app secret `secret`.
    async fn deliver_meta(&self, body: &[u8], secret: &str) -> Value {
        let signature = format!(
            "sha256={}",
            platforms::signature::hmac_sha256_hex(secret, body)
        );
        self.deliver(
            "meta",
            &[("X-Hub-Signature-256".into(), signature)],
            body,
            &[],
        )
        .await
    }

    /// POST `body` with `headers` to `/webhooks/{route}` through the ingest bootstrap, as
    /// API Gateway hands it over; the ingest's answer.
    async fn deliver(
        &self,
        route: &str,
        headers: &[(String, String)],
        body: &[u8],
        extra: &[(&str, String)],
    ) -> Value {
        let mut event: Value = serde_json::from_str(
            &std::fs::read_to_string(workspace().join("infra/events/meta-comments.json")).unwrap(),
        )
        .unwrap();
        let path = format!("/webhooks/{route}");
        event["rawPath"] = json!(path);
        event["requestContext"]["http"]["path"] = json!(path);
        event["body"] = json!(String::from_utf8(body.to_vec()).unwrap());
        event["isBase64Encoded"] = json!(false);
        let mut h = json!({"content-type": "application/json", "host": "abc123.execute-api.eu-west-1.amazonaws.com"});
        for (k, v) in headers {
            h[k.to_ascii_lowercase()] = json!(v);
        }
        event["headers"] = h;
        let (ingest, _) = bootstraps().await;
        let posted = invoke_once(&ingest, &self.env(extra), &event, Some(&self.log)).await;
        assert!(
            posted.ok,
            "the ingest failed: {}\nsee {}",
            String::from_utf8_lossy(&posted.body),
            self.log.display()
        );
        posted.json()
    }

    /// The stream records the template's filter hands the responder, once some arrived.
    async fn stream_records(&self, reader: &mut store::local::StreamReader) -> Vec<Value> {
        let patterns =
            store::setup::responder_filter_patterns(store::setup::TEMPLATE_YAML).unwrap();
        let start = Instant::now();
        let mut records = Vec::new();
        while records.is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no stream record"
            );
            records = reader
                .poll()
                .await
                .into_iter()
                .filter(|r| patterns.iter().any(|p| store::setup::pattern_matches(p, r)))
                .collect();
        }
        records
    }

    /// The new stream records `reader` sees, handed to the shipped responder with `extra`
    /// variables; no record fails.
    async fn respond(
        &self,
        reader: &mut store::local::StreamReader,
        extra: &[(&str, String)],
    ) -> runtime_api::Posted {
        let records = self.stream_records(reader).await;
        let (_, responder) = bootstraps().await;
        let posted = invoke_once(
            &responder,
            &self.responder_env(extra),
            &json!({"Records": records}),
            Some(&self.log),
        )
        .await;
        assert!(
            posted.ok,
            "the responder failed: {}\nsee {}",
            String::from_utf8_lossy(&posted.body),
            self.log.display()
        );
        assert_eq!(
            posted.json()["batchItemFailures"],
            json!([]),
            "see {}",
            self.log.display()
        );
        posted
    }
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

/// The JSON body of the first request `server` received that `which` picks.
async fn body_sent(server: &MockServer, which: impl Fn(&wiremock::Request) -> bool) -> Value {
    let calls = received(server).await;
    let request = calls
        .iter()
        .find(|r| which(r))
        .expect("the request was sent");
    serde_json::from_slice(&request.body).unwrap()
}

/// The reply `server` received (the request `which` picks) has a text `field` that `says`,
/// and `server` was asked all it expected.
async fn assert_replied(
    server: &MockServer,
    which: impl Fn(&wiremock::Request) -> bool,
    field: &str,
    says: impl Fn(&str) -> bool,
) {
    let reply = body_sent(server, which).await;
    assert!(reply[field].as_str().is_some_and(says), "{reply}");
    server.verify().await;
}

#[tokio::test]
async fn a_signed_meta_comment_through_the_shipped_binaries_is_answered_with_secrets_from_ssm() {
    let stack = Stack::new().await;
    stack.secret("META_APP_SECRETS", "ssm-app-secret").await;
    stack.secret("META_VERIFY_TOKEN", "ssm-verify-token").await;
    stack
        .page_token("facebook/1029384756", "ssm-page-token")
        .await;
    let graph = MockServer::start().await;
    with_bearer("POST", "/v26.0/777_5501/comments", "ssm-page-token")
        .answer_once(200, json!({"id": "777_5501_1"}), &graph)
        .await;
    Mock::given(method("POST"))
        .and(path("/v26.0/1029384756/messages"))
        .answer_once(
            200,
            json!({"recipient_id": "1", "message_id": "m_1"}),
            &graph,
        )
        .await;
    let mut reader = stack.table.dynamo.stream(&stack.table.name).await.unwrap();
    let body = serde_json::to_vec(&json!({"object": "page", "entry": [{"id": "1029384756", "time": 1, "changes": [{"field": "feed", "value": {
        "from": {"id": "5550001", "name": "Anke de Vries"}, "post_id": "1029384756_777", "comment_id": "777_5501",
        "parent_id": "1029384756_777", "item": "comment", "verb": "add",
        "created_time": OffsetDateTime::now_utc().unix_timestamp(),
        "message": "Mijn bestelling is na twee weken nog steeds niet geleverd. Heel teleurstellend!"}}]}]}))
    .unwrap();

    // Signed with a secret the stack does not hold: refused, nothing stored.
    let forged = stack.deliver_meta(&body, "local-app-secret").await;
    assert_eq!(forged["statusCode"], 401, "{forged}");
    assert!(
        stack
            .table
            .dynamo
            .scan(&stack.table.name)
            .await
            .unwrap()
            .is_empty()
    );

    let answer = stack.deliver_meta(&body, "ssm-app-secret").await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    stack
        .respond(&mut reader, &[("META_GRAPH_API_URL", graph.uri())])
        .await;
    assert_replied(
        &graph,
        |r| r.url.path().ends_with("/777_5501/comments"),
        "message",
        |m| m.contains("Anke"),
    )
    .await;
}

#[tokio::test]
async fn a_google_push_through_the_shipped_binaries_is_fetched_and_answered_with_secrets_from_ssm()
{
    const REVIEW: &str = "accounts/111/locations/222/reviews/rv-shipped_1";
    const AUDIENCE: &str = "https://hooks.example/webhooks/google";
    const PUSHER: &str = "reviews-push@shop-1.iam.gserviceaccount.com";
    let stack = Stack::new().await;
    stack
        .secret("GOOGLE_OAUTH_CLIENT_SECRET", "ssm-client-secret")
        .await;
    stack
        .page_token("google/accounts/111/locations/222", "ssm-refresh-token")
        .await;
    let google = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            std::fs::read(workspace().join("infra/google-local/jwks.json")).unwrap(),
            "application/json",
        ))
        .mount(&google)
        .await;
    token_endpoint(
        &google,
        &[
            "refresh_token=ssm-refresh-token",
            "client_secret=ssm-client-secret",
        ],
        "g-at",
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("/v4/{REVIEW}")))
        .answer(200, json!({
            "name": REVIEW, "reviewId": "rv-shipped_1", "starRating": "ONE",
            "reviewer": {"displayName": "Piet de Boer"},
            "comment": "Twee keer besteld en twee keer te laat bezorgd. De taart was ook nog kapot.",
            "createTime": OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap()
        }), &google).await;
    with_bearer("PUT", &format!("/v4/{REVIEW}/reply"), "g-at")
        .answer_once(200, json!({"comment": "ok"}), &google)
        .await;
    let mut reader = stack.table.dynamo.stream(&stack.table.name).await.unwrap();
    let data = json!({"type": "NEW_REVIEW", "reviewName": REVIEW, "locationName": "accounts/111/locations/222"});
    let body = json!({"message": {"data": base64::engine::general_purpose::STANDARD.encode(data.to_string()), "messageId": "91"},
        "subscription": "projects/shop-1/subscriptions/reviews"}).to_string().into_bytes();
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut head = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    head.kid = Some("reputation-guard-local".into());
    let token = jsonwebtoken::encode(
        &head,
        &json!({"aud": AUDIENCE, "iss": "https://accounts.google.com", "email": PUSHER, "email_verified": true, "exp": now + 600, "iat": now}),
        &jsonwebtoken::EncodingKey::from_rsa_pem(&std::fs::read(workspace().join("infra/google-local/signing-key.pem")).unwrap()).unwrap(),
    )
    .unwrap();
    let ingest_env = [
        ("GOOGLE_PUBSUB_AUDIENCE", AUDIENCE.to_owned()),
        ("GOOGLE_PUBSUB_SERVICE_ACCOUNT", PUSHER.to_owned()),
        ("GOOGLE_JWKS_URL", format!("{}/certs", google.uri())),
    ];
    let answer = stack
        .deliver(
            "google",
            &[("Authorization".into(), format!("Bearer {token}"))],
            &body,
            &ingest_env,
        )
        .await;
    assert!(
        answer["statusCode"]
            .as_u64()
            .is_some_and(|s| (200..300).contains(&s)),
        "{answer}"
    );
    stack
        .respond(
            &mut reader,
            &[
                ("GOOGLE_API_URL", google.uri()),
                ("GOOGLE_OAUTH_TOKEN_URL", format!("{}/token", google.uri())),
                ("GOOGLE_OAUTH_CLIENT_ID", "client-1".to_owned()),
            ],
        )
        .await;
    assert_replied(
        &google,
        |r| r.method.as_str() == "PUT",
        "comment",
        |c| !c.is_empty(),
    )
    .await;
}

#[tokio::test]
async fn a_trustpilot_event_through_the_shipped_binaries_is_fetched_again_and_answered_with_secrets_from_ssm()
 {
    const REVIEW: &str = "6741f0c2a1b2c3d4e5f6a7b8";
    const URL_SECRET: &str = "ssm-trustpilot-url-secret-0123456789";
    let stack = Stack::new().await;
    stack.secret("TRUSTPILOT_URL_SECRETS", URL_SECRET).await;
    stack
        .secret("TRUSTPILOT_API_SECRET", "ssm-api-secret")
        .await;
    stack.page_token("trustpilot/bu-1", "ssm-tp-refresh").await;
    let api = MockServer::start().await;
    // The token answer exactly as Trustpilot documents it (expires_in a number in a string).
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("refresh_token=ssm-tp-refresh"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(
                std::fs::read(
                    workspace().join("tests/contracts/trustpilot/token-password-grant-quoted.json"),
                )
                .unwrap(),
                "application/json",
            ),
        )
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/private/reviews/{REVIEW}")))
        .answer(200, json!({
            "id": REVIEW, "stars": 2, "title": "Lang wachten",
            "text": "Mijn pakket kwam pas na drie weken, zonder enig bericht.",
            "consumer": {"id": "c-1", "displayName": "Joris Visser"},
            "createdAt": OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap()
        }), &api).await;
    with_bearer(
        "POST",
        &format!("/v1/private/reviews/{REVIEW}/reply"),
        "AccessToken",
    )
    .respond_with(ResponseTemplate::new(201))
    .expect(1)
    .mount(&api)
    .await;
    let mut reader = stack.table.dynamo.stream(&stack.table.name).await.unwrap();
    // What the delivery says is never trusted (Trustpilot signs nothing): planted stars.
    let body = json!({"events": [{"eventName": "service-review-created", "eventData": {
        "id": REVIEW, "stars": 5, "text": "planted", "consumer": {"id": "c-9", "name": "Planted"}}}]})
    .to_string()
    .into_bytes();
    let ingest_env = [("TRUSTPILOT_BUSINESS_UNIT_ID", "bu-1".to_owned())];
    let wrong = stack
        .deliver(
            "trustpilot/not-the-secret-0123456789abcdef",
            &[],
            &body,
            &ingest_env,
        )
        .await;
    assert_eq!(wrong["statusCode"], 401, "{wrong}");
    let answer = stack
        .deliver(&format!("trustpilot/{URL_SECRET}"), &[], &body, &ingest_env)
        .await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    stack
        .respond(
            &mut reader,
            &[
                ("TRUSTPILOT_API_URL", api.uri()),
                ("TRUSTPILOT_TOKEN_URL", format!("{}/token", api.uri())),
                ("TRUSTPILOT_API_KEY", "key-1".to_owned()),
                ("TRUSTPILOT_BUSINESS_USER_ID", "user-1".to_owned()),
            ],
        )
        .await;
    let reply = body_sent(&api, |r| r.url.path().ends_with("/reply")).await;
    let message = reply["message"].as_str().unwrap_or_default();
    // Answered as the two stars the API serves (an apology, in Dutch), not the planted five.
    assert!(
        message.contains("spijt") || message.to_lowercase().contains("sorry"),
        "{reply}"
    );
    api.verify().await;
}
