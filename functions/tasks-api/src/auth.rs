//! Who is asking: the claims API Gateway's JWT authorizer verified, read from the request
//! context and checked again (defence in depth: a request that reached the function
//! without them, or with another issuer's, is refused). Who did what is always taken from
//! here, never from a request body: the subject (`sub`, which nobody can change), shown
//! with the e-mail address only when Cognito verified it ([`Identity::by`]), and the role
//! from the token's groups ([`Role`]).

use crate::config::Trust;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// A signed-in member of staff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    /// The user's stable id (`sub`): what names them in task history and approvals,
    /// since nobody can change it.
    pub subject: String,
    /// How they are shown: their verified e-mail address (Cognito), or the name given
    /// to the local sign-in.
    pub name: String,
    /// What they may do, from the token's `cognito:groups`; `None` when they are in none
    /// of the inbox's groups (they may only ask who they are).
    pub role: Option<Role>,
}

/// What a person may do in the inbox, one Cognito group each. Each role may do what the
/// roles below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// `viewers`: read the queue, tasks, pages and reports.
    Viewer,
    /// `staff`: also work tasks (claim, resolve, drop, reopen, close) and approve drafts.
    Staff,
    /// `owners`: also change page settings (reply mode, brand, signature, contact line…).
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Staff, Role::Owner];

    /// The Cognito group (template.yaml) that gives this role.
    pub fn group(self) -> &'static str {
        match self {
            Role::Viewer => "viewers",
            Role::Staff => "staff",
            Role::Owner => "owners",
        }
    }

    fn from_group(group: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.group() == group)
    }
}

impl Identity {
    /// How task history, claims and approvals record this person: the stable subject,
    /// shown with the verified e-mail (`anna@example.com (5f1c…)`). A changed address
    /// starts a new label; the subject in it stays the same.
    pub fn by(&self) -> String {
        format!("{} ({})", self.name, self.subject)
    }

    /// Whether `recorded` (a `by` or assignee) names this person: by the subject in it.
    pub fn is(&self, recorded: &str) -> bool {
        recorded
            .strip_suffix(')')
            .and_then(|r| r.rsplit_once(" ("))
            .is_some_and(|(_, subject)| subject == self.subject)
    }

    /// Whether this person's role is `role` or above it.
    pub fn may(&self, role: Role) -> bool {
        self.role.is_some_and(|r| r >= role)
    }
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
    /// An address nobody confirmed could be anyone's: it never names a person here.
    #[error("the token carries no verified e-mail address")]
    EmailNotVerified,
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

/// `email_verified` as API Gateway hands it over: every claim is text, so Cognito's
/// boolean `true` and its string `"true"` both arrive as `true`.
fn verified_flag(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

/// The inbox's groups in `cognito:groups` as API Gateway writes a list (`[owners staff]`),
/// or as JSON or a comma-separated list; the highest role wins, other groups are ignored.
fn role(groups: &str) -> Option<Role> {
    groups
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|g| g.trim_matches('"'))
        .filter_map(Role::from_group)
        .max()
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
    let subject = clean_name(claim("sub").ok_or(AuthError::NoSubject)?);
    if subject.is_empty() {
        return Err(AuthError::NoSubject);
    }
    let name = if trust.issuer == Trust::LOCAL_ISSUER {
        // The local runner's sign-in has names, not addresses (README, "Open it locally").
        claim("cognito:username")
            .map(clean_name)
            .unwrap_or_default()
    } else {
        // An address users could change without confirming it would let them write
        // someone else's name into the history: only a verified one is shown.
        if !claim("email_verified").is_some_and(verified_flag) {
            return Err(AuthError::EmailNotVerified);
        }
        claim("email").map(clean_name).unwrap_or_default()
    };
    if name.is_empty() {
        return Err(AuthError::EmailNotVerified);
    }
    Ok(Identity {
        subject,
        name,
        role: claim("cognito:groups").and_then(role),
    })
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
            "email_verified": "true",
            "cognito:username": "5f1c-42",
            "cognito:groups": "[staff]",
        })
    }

    #[test]
    fn an_id_token_names_staff_by_their_subject_shown_with_their_verified_email() {
        let who = identity(&request(id_token_claims()), &trust()).unwrap();
        assert_eq!(who.name, "anna@bakkerij-zon.nl");
        assert_eq!(who.subject, "5f1c-42");
        assert_eq!(who.by(), "anna@bakkerij-zon.nl (5f1c-42)");
        assert!(who.is("anna@bakkerij-zon.nl (5f1c-42)"));
        assert!(
            who.is("anna.old@bakkerij-zon.nl (5f1c-42)"),
            "the subject decides, not the e-mail"
        );
        assert!(!who.is("anna@bakkerij-zon.nl (5f1c-43)"));
        assert!(!who.is("anna@bakkerij-zon.nl"));
    }

    #[test]
    fn a_token_whose_email_is_not_verified_or_missing_is_refused() {
        for verified in [Some("false"), Some(""), Some("yes"), None] {
            let mut claims = id_token_claims();
            match verified {
                Some(v) => claims["email_verified"] = v.into(),
                None => {
                    claims.as_object_mut().unwrap().remove("email_verified");
                }
            }
            assert_eq!(
                identity(&request(claims), &trust()),
                Err(AuthError::EmailNotVerified),
                "email_verified {verified:?}"
            );
        }
        let mut no_email = id_token_claims();
        no_email.as_object_mut().unwrap().remove("email");
        assert_eq!(
            identity(&request(no_email), &trust()),
            Err(AuthError::EmailNotVerified)
        );
    }

    #[test]
    fn email_verified_is_accepted_as_the_string_true_or_a_boolean_written_as_text() {
        // API Gateway hands every claim over as text: Cognito's boolean `true` arrives
        // as "true", its string "true" as itself.
        for verified in ["true", "True", " true "] {
            let mut claims = id_token_claims();
            claims["email_verified"] = verified.into();
            assert!(
                identity(&request(claims), &trust()).is_ok(),
                "email_verified {verified:?}"
            );
        }
        assert!(verified_flag(&serde_json::Value::Bool(true).to_string()));
        assert!(!verified_flag(&serde_json::Value::Bool(false).to_string()));
    }

    #[test]
    fn an_access_token_carries_no_email_and_is_refused() {
        let claims = serde_json::json!({
            "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123",
            "client_id": "4abc123def456",
            "token_use": "access",
            "sub": "5f1c-42",
            "username": "anna",
            "cognito:groups": "[owners]",
        });
        assert_eq!(
            identity(&request(claims), &trust()),
            Err(AuthError::EmailNotVerified)
        );
    }

    #[test]
    fn the_role_is_the_highest_of_the_token_s_groups_however_they_are_written() {
        for (groups, role) in [
            ("[viewers]", Some(Role::Viewer)),
            ("[staff]", Some(Role::Staff)),
            ("[owners]", Some(Role::Owner)),
            ("[viewers owners]", Some(Role::Owner)),
            ("[staff viewers]", Some(Role::Staff)),
            ("[\"staff\",\"owners\"]", Some(Role::Owner)),
            ("staff,viewers", Some(Role::Staff)),
            ("[]", None),
            ("[admins Owners ownersx]", None),
        ] {
            let mut claims = id_token_claims();
            claims["cognito:groups"] = groups.into();
            let who = identity(&request(claims), &trust()).unwrap();
            assert_eq!(who.role, role, "{groups}");
        }
        let mut no_groups = id_token_claims();
        no_groups.as_object_mut().unwrap().remove("cognito:groups");
        assert_eq!(identity(&request(no_groups), &trust()).unwrap().role, None);
    }

    #[test]
    fn each_role_may_do_what_the_roles_below_it_may() {
        assert!(Role::Owner > Role::Staff && Role::Staff > Role::Viewer);
        let mut claims = id_token_claims();
        claims["cognito:groups"] = "[staff]".into();
        let staff = identity(&request(claims), &trust()).unwrap();
        assert!(staff.may(Role::Viewer) && staff.may(Role::Staff));
        assert!(!staff.may(Role::Owner));
    }

    #[test]
    fn the_local_runner_names_people_by_their_sign_in_name_without_an_email() {
        let local = Trust {
            issuer: Trust::LOCAL_ISSUER.into(),
            client_id: Trust::LOCAL_CLIENT_ID.into(),
        };
        let claims = serde_json::json!({
            "iss": Trust::LOCAL_ISSUER,
            "aud": Trust::LOCAL_CLIENT_ID,
            "token_use": "id",
            "sub": "local:Anna",
            "cognito:username": "Anna",
            "cognito:groups": "[owners]",
        });
        let who = identity(&request(claims), &local).unwrap();
        assert_eq!(who.name, "Anna");
        assert_eq!(who.role, Some(Role::Owner));
    }

    #[test]
    fn claims_of_another_pool_client_or_kind_of_token_are_refused() {
        for (case, claim, value, refused) in [
            (
                "other pool",
                "iss",
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other",
                AuthError::WrongIssuer,
            ),
            ("other client", "aud", "someoneelse", AuthError::WrongClient),
            ("refresh", "token_use", "refresh", AuthError::WrongTokenUse),
            ("no subject", "sub", "", AuthError::NoSubject),
        ] {
            let mut claims = id_token_claims();
            claims[claim] = value.into();
            assert_eq!(identity(&request(claims), &trust()), Err(refused), "{case}");
        }
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
