//! Who the caller is, from their AWS credentials: what staff tools record as who acts on
//! AWS, so it is proven by the credentials rather than typed.

/// Why the caller's identity could not be told.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("STS GetCallerIdentity failed")]
    Sts(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("STS GetCallerIdentity answered without an ARN")]
    NoArn,
}

/// The ARN of the caller's credentials (for an SSO or assumed role:
/// `arn:aws:sts::123456789012:assumed-role/Staff/anna@example.com`), from STS
/// GetCallerIdentity with the client the staff tools' DynamoDB client is built like (the
/// default chains: profiles, SSO, …; `AWS_ENDPOINT_URL_STS` points it elsewhere). The call
/// needs no IAM permission.
pub async fn caller() -> Result<String, IdentityError> {
    let answer = crate::client::sts_profile_client()
        .await
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| IdentityError::Sts(Box::new(e)))?;
    answer
        .arn
        .map(|arn| arn.trim().to_owned())
        .filter(|arn| !arn.is_empty())
        .ok_or(IdentityError::NoArn)
}
