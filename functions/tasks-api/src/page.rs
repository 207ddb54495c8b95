//! The inbox page: plain HTML, CSS and a small script, compiled into the function, so
//! there is nothing else to host. `/inbox` itself is public (it holds no data); every
//! call it makes goes to `/api/*` with the signed-in member's token.

use crate::config::SignIn;
use http::{StatusCode, header};
use lambda_http::{Body, Response};

const HTML: &str = include_str!("../assets/inbox.html");
const CSS: &str = include_str!("../assets/inbox.css");
const JS: &str = include_str!("../assets/inbox.js");

/// The paths under `/inbox` the page is made of.
pub const ASSETS: [&str; 3] = ["inbox.css", "inbox.js", "config.json"];

fn with_headers(status: StatusCode, content_type: &str, body: String, csp: &str) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        // Small files, changed by a deployment: always revalidated.
        (header::CACHE_CONTROL, "no-cache"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, csp),
    ] {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    response
}

/// Scripts and styles from this origin only, no inline code, no framing; the page talks
/// to this origin and, with Cognito, to the Hosted UI's token endpoint.
fn csp(sign_in: &SignIn) -> String {
    let cognito = match sign_in {
        SignIn::Cognito { domain, .. } => format!(" {domain}"),
        SignIn::Local => String::new(),
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{cognito}; form-action 'self'{cognito}; frame-ancestors 'none'; \
         base-uri 'none'"
    )
}

/// How the page signs in, for the script.
fn config(sign_in: &SignIn) -> String {
    match sign_in {
        SignIn::Cognito { domain, client_id } => serde_json::json!({
            "sign_in": "cognito",
            "domain": domain,
            "client_id": client_id,
            "scopes": "openid email",
        }),
        SignIn::Local => serde_json::json!({ "sign_in": "local" }),
    }
    .to_string()
}

/// `GET /inbox` or `GET /inbox/{asset}`; `None` for anything else.
pub fn serve(asset: Option<&str>, sign_in: &SignIn) -> Option<Response<Body>> {
    let csp = csp(sign_in);
    let (content_type, body) = match asset {
        None => ("text/html; charset=utf-8", HTML.to_owned()),
        Some("inbox.css") => ("text/css; charset=utf-8", CSS.to_owned()),
        Some("inbox.js") => ("text/javascript; charset=utf-8", JS.to_owned()),
        Some("config.json") => ("application/json", config(sign_in)),
        Some(_) => return None,
    };
    Some(with_headers(StatusCode::OK, content_type, body, &csp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_never_writes_html_so_customer_text_stays_text() {
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ] {
            assert!(!JS.contains(forbidden), "inbox.js uses {forbidden}");
        }
    }

    #[test]
    fn the_page_has_no_inline_script_or_style_the_policy_would_block() {
        assert!(!HTML.contains("<script>"), "inline script");
        assert!(!HTML.contains("style="), "inline style");
        assert!(HTML.contains(r#"<script src="/inbox/inbox.js" defer></script>"#));
    }

    #[test]
    fn the_page_is_served_with_a_strict_content_security_policy() {
        let sign_in = SignIn::Cognito {
            domain: "https://inbox-1.auth.eu-west-1.amazoncognito.com".into(),
            client_id: "abc".into(),
        };
        let page = serve(None, &sign_in).unwrap();
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(
            csp.contains("connect-src 'self' https://inbox-1.auth.eu-west-1.amazoncognito.com"),
            "{csp}"
        );
        assert!(serve(Some("../template.yaml"), &sign_in).is_none());
        let config: serde_json::Value = serde_json::from_slice(
            serve(Some("config.json"), &sign_in)
                .unwrap()
                .body()
                .as_ref(),
        )
        .unwrap();
        assert_eq!(config["sign_in"], "cognito");
        assert_eq!(config["client_id"], "abc");
    }

    #[test]
    fn the_inbox_words_every_task_flag_in_each_of_its_languages() {
        // The flags come from one list (`feedback::records::TaskFlag`); the page says each
        // in English and in Dutch, so no flag ever shows as its stored name.
        for flag in feedback::records::TaskFlag::ALL {
            let key = format!("'flag.{}':", flag.as_str());
            assert_eq!(JS.matches(&key).count(), 2, "{key} in inbox.js");
        }
    }
}
