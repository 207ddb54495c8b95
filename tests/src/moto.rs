//! moto in server mode for the AWS services DynamoDB Local does not cover: SSM Parameter
//! Store (SecureString, decrypted on read) and STS. Started through `infra/moto.sh` when
//! it does not answer, on 127.0.0.1:`MOTO_PORT` (default 4566).

use std::path::PathBuf;
use tokio::sync::OnceCell;

pub fn port() -> u16 {
    crate::port_from_env("MOTO_PORT", 4566)
}

pub fn endpoint() -> String {
    format!("http://127.0.0.1:{}", port())
}

static STARTED: OnceCell<()> = OnceCell::const_new();

pub async fn ensure_running() {
    STARTED
        .get_or_init(|| async {
            let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/moto.sh");
            let status = tokio::process::Command::new("bash")
                .arg(&script)
                .arg("start")
                .env("MOTO_PORT", port().to_string())
                .status()
                .await
                .expect("bash runs infra/moto.sh");
            assert!(status.success(), "infra/moto.sh start failed");
        })
        .await;
}

/// Store a SecureString parameter in moto's SSM (region eu-west-1, as the functions read).
pub async fn put_secure(name: &str, value: &str) {
    ensure_running().await;
    let response = reqwest::Client::new()
        .post(endpoint())
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AmazonSSM.PutParameter")
        // moto takes the region (and nothing else) from the credential scope.
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/ssm/aws4_request, SignedHeaders=host, Signature=0",
        )
        .json(&serde_json::json!({
            "Name": name, "Value": value, "Type": "SecureString", "Overwrite": true
        }))
        .send()
        .await
        .expect("moto answers");
    assert!(
        response.status().is_success(),
        "PutParameter {name}: {}",
        response.text().await.unwrap_or_default()
    );
}
