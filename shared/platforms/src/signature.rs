//! Secrets and HMAC checks shared by the platform modules.

use crate::request::HeaderProblem;
use crate::{InboundRequest, VerifiedDelivery, VerifyError};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// One or more secrets, so a secret can be rotated without downtime: configure the new one
/// beside the old, switch the platform over, then drop the old one.
#[derive(Clone, Default)]
pub struct SecretList(Vec<SecretString>);

impl SecretList {
    /// From a comma-separated list; blanks around and between entries are ignored.
    pub fn from_comma_separated(s: &str) -> Self {
        Self(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| SecretString::from(s.to_owned()))
                .collect(),
        )
    }

    /// The first secret of the list (the one new signatures are made with).
    pub fn first(&self) -> Option<&SecretString> {
        self.0.first()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Does `expected` equal HMAC-SHA256(secret, message) for any of the secrets?
    /// Compared in constant time.
    pub fn any_hmac_sha256_matches(&self, message: &[&[u8]], expected: &[u8]) -> bool {
        self.0.iter().any(|secret| {
            let Ok(mut mac) = HmacSha256::new_from_slice(secret.expose_secret().as_bytes()) else {
                return false;
            };
            for part in message {
                mac.update(part);
            }
            mac.verify_slice(expected).is_ok()
        })
    }

    /// The request as verified for `route` when one of `digests` is the HMAC-SHA256 under one
    /// of the secrets of one of `messages` (each the parts signed, in order), else a mismatch.
    pub(crate) fn verify_hmac_sha256<'r>(
        &self,
        route: &'static str,
        request: &'r InboundRequest,
        messages: &[&[&[u8]]],
        digests: &[impl AsRef<[u8]>],
    ) -> Result<VerifiedDelivery<'r>, VerifyError> {
        let matched = messages.iter().any(|message| {
            digests
                .iter()
                .any(|digest| self.any_hmac_sha256_matches(message, digest.as_ref()))
        });
        verified_if(matched, route, request)
    }
}

impl fmt::Debug for SecretList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretList([REDACTED; {}])", self.0.len())
    }
}

/// The secrets listed in the variable `name` (comma-separated). `None`: it is not set, so
/// the platform is not configured.
pub(crate) fn secrets_from_lookup(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
) -> Option<Result<SecretList, Vec<String>>> {
    let value = get(name).filter(|v| !v.trim().is_empty())?;
    let secrets = SecretList::from_comma_separated(&value);
    if secrets.is_empty() {
        return Some(Err(vec![format!("{name} lists no secret")]));
    }
    Some(Ok(secrets))
}

/// The one value of the header `header`, which carries a signature or credential (`name`
/// is how errors call it).
pub(crate) fn signature_header<'r>(
    request: &'r InboundRequest,
    header: &str,
    name: &'static str,
) -> Result<&'r str, VerifyError> {
    match request.single_header(header) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(VerifyError::MissingSignature(name)),
        Err(HeaderProblem::Repeated) => Err(VerifyError::DuplicateSignature(name)),
        Err(HeaderProblem::NotText) => Err(VerifyError::MalformedSignature(name, "not ASCII text")),
    }
}

/// The one value of the signature header `header` (`name` is how errors call it), when
/// there is a secret in `secrets` to check it with.
pub(crate) fn signature_for<'r>(
    secrets: &SecretList,
    request: &'r InboundRequest,
    header: &str,
    name: &'static str,
) -> Result<&'r str, VerifyError> {
    if secrets.is_empty() {
        return Err(VerifyError::NoSecretConfigured);
    }
    signature_header(request, header, name)
}

/// What follows `sha256=` in the signature header `name` (Meta's hex, X's base64).
pub(crate) fn after_sha256<'h>(
    header: &'h str,
    name: &'static str,
) -> Result<&'h str, VerifyError> {
    header
        .strip_prefix("sha256=")
        .ok_or(VerifyError::MalformedSignature(
            name,
            "does not start with \"sha256=\"",
        ))
}

/// The request as verified for `route` when a signature `matched`, else a mismatch.
pub(crate) fn verified_if<'r>(
    matched: bool,
    route: &'static str,
    request: &'r InboundRequest,
) -> Result<VerifiedDelivery<'r>, VerifyError> {
    if matched {
        Ok(VerifiedDelivery::new(route, request))
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

/// Constant-time equality of a presented token and a configured one.
pub fn token_matches(presented: &str, configured: &SecretString) -> bool {
    presented
        .as_bytes()
        .ct_eq(configured.expose_secret().as_bytes())
        .into()
}

/// Lowercase hex HMAC-SHA256, for signing test deliveries and for tests.
pub fn hmac_sha256_hex(secret: &str, message: &[u8]) -> String {
    match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message);
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC accepts keys of any length; this arm cannot be reached.
        Err(_) => String::new(),
    }
}

/// Decode exactly 64 lowercase hex digits into a SHA-256 sized digest.
pub fn parse_lower_hex_digest(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // GitHub's published vector (same construction as Meta and Mastodon).
    const VECTOR_SECRET: &str = "It's a Secret to Everybody";
    const VECTOR_BODY: &[u8] = b"Hello, World!";
    const VECTOR_HEX: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn hex_hmac_reproduces_the_github_known_answer() {
        assert_eq!(hmac_sha256_hex(VECTOR_SECRET, VECTOR_BODY), VECTOR_HEX);
    }

    #[test]
    fn any_of_several_secrets_may_match() {
        let secrets = SecretList::from_comma_separated(" old-secret , It's a Secret to Everybody,");
        assert_eq!(secrets.len(), 2);
        let digest = parse_lower_hex_digest(VECTOR_HEX).unwrap_or_default();
        assert!(secrets.any_hmac_sha256_matches(&[VECTOR_BODY], &digest));
        let only_old = SecretList::from_comma_separated("old-secret");
        assert!(!only_old.any_hmac_sha256_matches(&[VECTOR_BODY], &digest));
    }

    #[test]
    fn a_message_split_in_parts_is_signed_as_its_concatenation() {
        let secrets = SecretList::from_comma_separated(VECTOR_SECRET);
        let digest = parse_lower_hex_digest(VECTOR_HEX).unwrap_or_default();
        assert!(secrets.any_hmac_sha256_matches(&[b"Hello, ", b"World!"], &digest));
    }

    #[test]
    fn only_64_lowercase_hex_digits_parse_as_a_digest() {
        assert!(parse_lower_hex_digest(VECTOR_HEX).is_some());
        assert!(parse_lower_hex_digest(&VECTOR_HEX.to_uppercase()).is_none());
        assert!(parse_lower_hex_digest(&VECTOR_HEX[..63]).is_none());
        assert!(parse_lower_hex_digest("").is_none());
        assert!(parse_lower_hex_digest(&format!("{VECTOR_HEX}00")).is_none());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let secrets = SecretList::from_comma_separated("hunter2,swordfish");
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("swordfish"));
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    fn tokens_are_compared_exactly() {
        let token = SecretString::from("verify-me".to_owned());
        assert!(token_matches("verify-me", &token));
        assert!(!token_matches("verify-m", &token));
        assert!(!token_matches("Verify-me", &token));
        assert!(!token_matches("", &token));
    }
}
