//! One error type for the API and its one mapping to status codes. 4xx bodies say what
//! to fix; a 5xx body is opaque (the cause chain is logged).

use http::{StatusCode, header};
use lambda_http::{Body, Response};
use logging::error_chain;
use serde::Serialize;
use staff::StaffError;
use store::StoreError;
use store::approvals::ApprovalError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Not signed in (or not with this deployment's user pool).
    #[error("sign in first")]
    Unauthorized,
    /// Signed in, but their role does not allow it (the message says which group does).
    #[error("{0}")]
    Forbidden(String),
    /// Input that breaks a rule, field by field (`note: required`).
    #[error("the request is invalid")]
    Invalid(Vec<String>),
    #[error("{0}")]
    NotFound(String),
    #[error("use {allowed} here")]
    MethodNotAllowed { allowed: &'static str },
    /// The state changed under the request (claimed by someone else, already approved).
    #[error("{0}")]
    Conflict(String),
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("send JSON (Content-Type: application/json)")]
    NotJson,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn invalid(problem: impl Into<String>) -> Self {
        ApiError::Invalid(vec![problem.into()])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        let body = match &self {
            ApiError::Invalid(problems) => serde_json::json!({
                "error": self.to_string(),
                "problems": problems,
            }),
            ApiError::Internal(e) => {
                tracing::error!(error = %error_chain(e.as_ref()), "request failed");
                serde_json::json!({ "error": "internal error; please try again" })
            }
            other => serde_json::json!({ "error": other.to_string() }),
        };
        let mut response = json(status, &body);
        if let ApiError::MethodNotAllowed { allowed } = self
            && let Ok(value) = allowed.parse()
        {
            response.headers_mut().insert(header::ALLOW, value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(Box::new(e))
    }
}

impl From<StaffError> for ApiError {
    fn from(e: StaffError) -> Self {
        match e {
            StaffError::InvalidId { .. } => ApiError::invalid(format!("id: {e}")),
            StaffError::InvalidSetting(_) => ApiError::invalid(format!("settings.{e}")),
            StaffError::Edit(ApprovalError::NoSuchMessage { channel, .. }) => {
                ApiError::invalid(format!("{channel}: {e}"))
            }
            StaffError::NoTask(_) => ApiError::NotFound(e.to_string()),
            StaffError::Refused(_) | StaffError::Edit(_) | StaffError::PageChanged(_) => {
                ApiError::Conflict(e.to_string())
            }
            StaffError::Store(e) => e.into(),
        }
    }
}

pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Body> {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "application/json"),
        // Staff data: never kept by a browser or a proxy.
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    response
}
