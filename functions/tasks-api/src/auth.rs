//! Who is asking: the claims API Gateway's JWT authorizer verified, read from the request
//! context and checked again (defence in depth: a request that reached the function
//! without them, or with another issuer's, is refused). Who did what is always taken from
//! here, never from a request body.

use crate::config::Trust;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// A signed-in member of staff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    /// The user's stable id (`sub`).
    pub subject: String,
    /// How history and claims name them: their e-mail address (Cognito), or the name
    /// given to the local sign-in.
    pub name: String,
}

/// Why a request is not signed in. The caller only learns "401"; the log says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no verified claims in the request context (not behind the JWT authorizer?)")]
    NoClaims,
    #[error("the token's issuer is not this deployment's user pool")]
    WrongIssuer,
    #[error("the token was not issued to the inbox's app client")]
    WrongClient,
    #[error("the token is neither an ID nor an access token")]
    WrongTokenUse,
    #[error("the token names no subject")]
    NoSubject,
}

/// Names are shown to other staff and kept in task history: printable, short.
const MAX_NAME_CHARS: usize = 120;

fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The signed-in member of staff behind `request`, checked against `trust`.
pub fn identity(request: &Request, trust: &Trust) -> Result<Identity, AuthError> {
    let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref() else {
        return Err(AuthError::NoClaims);
    };
    let claims = context
        .authorizer
        .as_ref()
        .and_then(|a| a.jwt.as_ref())
        .map(|jwt| &jwt.claims)
        .filter(|claims| !claims.is_empty())
        .ok_or(AuthError::NoClaims)?;
    let claim = |name: &str| {
        claims
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    if claim("iss") != Some(trust.issuer.as_str()) {
        return Err(AuthError::WrongIssuer);
    }
    // An ID token names the client in `aud`, an access token in `client_id`.
    let client = match claim("token_use") {
        Some("id") => claim("aud"),
        Some("access") => claim("client_id"),
        _ => return Err(AuthError::WrongTokenUse),
    };
    if client != Some(trust.client_id.as_str()) {
        return Err(AuthError::WrongClient);
    }
    let subject = claim("sub").ok_or(AuthError::NoSubject)?.to_owned();
    let name = ["email", "cognito:username", "username", "name"]
        .into_iter()
        .filter_map(claim)
        .map(clean_name)
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| clean_name(&subject));
    Ok(Identity { subject, name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust() -> Trust {
        Trust {
            issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123".into(),
            client_id: "4abc123def456".into(),
        }
    }

    fn request(claims: serde_json::Value) -> Request {
        let mut event: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/api-request.json")).unwrap();
        event["requestContext"]["authorizer"] =
            serde_json::json!({"jwt": {"claims": claims, "scopes": null}});
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    fn id_token_claims() -> serde_json::Value {
        serde_json::json!({
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
            "aud": "4abc123def456",
            "token_use": "id",
            "sub": "5f1c-42",
            "email": "anna@bakkerij-zon.nl",
            "cognito:username": "5f1c-42",
        })
    }

    #[test]
    fn an_id_token_names_staff_by_their_email() {
        let who = identity(&request(id_token_claims()), &trust()).unwrap();
        assert_eq!(who.name, "anna@bakkerij-zon.nl");
        assert_eq!(who.subject, "5f1c-42");
    }

    #[test]
    fn an_access_token_of_the_client_is_accepted_and_named_by_username() {
        let claims = serde_json::json!({
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
            "client_id": "4abc123def456",
            "token_use": "access",
            "sub": "5f1c-42",
            "username": "anna",
        });
        assert_eq!(identity(&request(claims), &trust()).unwrap().name, "anna");
    }

    #[test]
    fn claims_of_another_pool_client_or_kind_of_token_are_refused() {
        let mut other_pool = id_token_claims();
        other_pool["iss"] = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other".into();
        assert_eq!(
            identity(&request(other_pool), &trust()),
            Err(AuthError::WrongIssuer)
        );
        let mut other_client = id_token_claims();
        other_client["aud"] = "someoneelse".into();
        assert_eq!(
            identity(&request(other_client), &trust()),
            Err(AuthError::WrongClient)
        );
        let mut refresh = id_token_claims();
        refresh["token_use"] = "refresh".into();
        assert_eq!(
            identity(&request(refresh), &trust()),
            Err(AuthError::WrongTokenUse)
        );
        let mut no_subject = id_token_claims();
        no_subject["sub"] = "".into();
        assert_eq!(
            identity(&request(no_subject), &trust()),
            Err(AuthError::NoSubject)
        );
    }

    #[test]
    fn a_request_without_verified_claims_is_not_signed_in_whatever_its_headers_say() {
        let mut event: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/api-request.json")).unwrap();
        event["headers"]["authorization"] = "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.".into();
        let req = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(identity(&req, &trust()), Err(AuthError::NoClaims));
    }

    #[test]
    fn names_lose_control_characters_and_are_kept_short() {
        let mut claims = id_token_claims();
        claims["email"] = format!("anna\u{1b}[31m@x.nl{}", "a".repeat(300)).into();
        let who = identity(&request(claims), &trust()).unwrap();
        assert!(!who.name.contains('\u{1b}'));
        assert_eq!(who.name.chars().count(), MAX_NAME_CHARS);
    }
}
