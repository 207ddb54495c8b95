//! Reading a deployment's settings (`get` looks a variable up): values trimmed, API URLs
//! checked before any call is made with them.

use crate::calls::Http;
use crate::reply::is_safe_base_url;
use std::time::Duration;

/// The value of `name`, trimmed; `None` when it is unset or blank.
pub(crate) fn setting(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The entries of the comma-separated list in `name`, each trimmed, blanks dropped; `None`
/// when it is unset or blank (the platform is not configured).
pub(crate) fn listed(get: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<Vec<String>> {
    let value = setting(get, name)?;
    Some(
        value
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// The settings `names`, each trimmed; `None` when not one of them is set (the platform
/// is not configured).
pub(crate) fn any_set<const N: usize>(
    get: &dyn Fn(&str) -> Option<String>,
    names: [&str; N],
) -> Option<[Option<String>; N]> {
    let values = names.map(|name| setting(get, name));
    values.iter().any(Option::is_some).then_some(values)
}

/// A client that needs nothing but its API URL (in `name`, `default` when unset): made by
/// `new` with that URL and an HTTP client that gives a call 8 s.
pub(crate) fn only_api_url<T>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: &str,
    new: fn(Http, String) -> T,
) -> Result<T, Vec<String>> {
    let mut problems = Vec::new();
    let url = api_url(get, name, default, &mut problems);
    checked(|| new(Http::new(Duration::from_secs(8)), url), problems)
}

/// The API URL in `name`, `default` when unset. One that is neither https nor http on this
/// machine is named in `problems`.
pub(crate) fn api_url(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    default: &str,
    problems: &mut Vec<String>,
) -> String {
    let url = setting(get, name).unwrap_or_else(|| default.to_owned());
    if !is_safe_base_url(&url) {
        problems.push(format!(
            "{name} must be https (or http on 127.0.0.1/localhost)"
        ));
    }
    url
}

/// The URLs of an API called with OAuth access tokens: the API's and its token endpoint's,
/// each read as [`api_url`] reads it from its setting (name, default when unset); with what
/// is wrong with them.
pub(crate) fn token_api_urls(
    get: &dyn Fn(&str) -> Option<String>,
    (api, default_api): (&str, &str),
    (token, default_token): (&str, &str),
) -> ([String; 2], Vec<String>) {
    let mut problems = Vec::new();
    let urls = [
        api_url(get, api, default_api, &mut problems),
        api_url(get, token, default_token, &mut problems),
    ];
    (urls, problems)
}

/// Names in `problems` each setting of `named` that is not set.
pub(crate) fn require(named: &[(&str, &Option<String>)], problems: &mut Vec<String>) {
    for (name, value) in named {
        if value.is_none() {
            problems.push(format!("{name} is not set"));
        }
    }
}

/// `value` when nothing was wrong, else every problem.
pub(crate) fn checked<T>(
    value: impl FnOnce() -> T,
    problems: Vec<String>,
) -> Result<T, Vec<String>> {
    if problems.is_empty() {
        Ok(value())
    } else {
        Err(problems)
    }
}
