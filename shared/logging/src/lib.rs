//! Start-up helpers shared by every function binary.
//!
//! - [`init_tracing`]: JSON lines on Lambda (CloudWatch parses them), readable text
//!   elsewhere (colours only on a terminal); `RUST_LOG` sets the level. Bodies, signatures, tokens and secrets are never
//!   logged by this project.
//! - [`error_chain`]: an error and all its sources on one line, for the log.
//! - [`metric`]: one CloudWatch metric in embedded metric format (a JSON line on stdout
//!   that CloudWatch turns into a metric, no API call).
//! - [`local_env`]: the env file the local runner and `feedbackctl` read (`infra/local.env`).

pub mod local_env;

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let on_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if on_lambda {
        builder.json().flatten_event(true).without_time().try_init()
    } else {
        builder
            .with_ansi(std::io::stdout().is_terminal())
            .try_init()
    };
}

/// Walk an error's `source()` chain into one line.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("storing failed")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn the_chain_names_every_cause() {
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&e), "storing failed: connection refused");
    }
}

/// The namespace of every metric this product emits.
pub const METRIC_NAMESPACE: &str = "ReputationGuard";

/// One count in embedded metric format: `name` = `value`, by `function`. Returns the line
/// (printed to stdout, where CloudWatch picks it up).
pub fn metric(function: &str, name: &str, value: u64) -> String {
    metric_with(function, name, value, &[])
}

/// [`metric`] with properties beside it (not dimensions: CloudWatch keeps them in the log
/// line for Logs Insights, so a page or a theme never multiplies the metrics).
pub fn metric_with(function: &str, name: &str, value: u64, properties: &[(&str, &str)]) -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let escape = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out
    };
    let (function, name) = (escape(function), escape(name));
    let properties: String = properties
        .iter()
        .map(|(k, v)| format!(r#","{}":"{}""#, escape(k), escape(v)))
        .collect();
    let line = format!(
        r#"{{"_aws":{{"Timestamp":{millis},"CloudWatchMetrics":[{{"Namespace":"{METRIC_NAMESPACE}","Dimensions":[["Function"]],"Metrics":[{{"Name":"{name}","Unit":"Count"}}]}}]}},"Function":"{function}"{properties},"{name}":{value}}}"#
    );
    println!("{line}");
    line
}

#[cfg(test)]
mod metric_tests {
    use super::*;

    #[test]
    fn properties_sit_beside_the_metric_escaped_as_json() {
        let line = metric_with(
            "sla-sweeper",
            "SpikesDetected",
            1,
            &[("Page", "facebook:1"), ("Theme", "a \"quoted\"\nline")],
        );
        assert!(
            line.ends_with(
                r#""Function":"sla-sweeper","Page":"facebook:1","Theme":"a \"quoted\"\u000aline","SpikesDetected":1}"#
            ),
            "{line}"
        );
    }

    #[test]
    fn a_metric_line_is_embedded_metric_format_json() {
        let line = metric("webhook-ingest", "DeliveriesRefusedByStorage", 1);
        assert!(line.starts_with(r#"{"_aws":{"Timestamp":"#), "{line}");
        assert!(line.contains(r#""Namespace":"ReputationGuard""#));
        assert!(
            line.contains(r#""Metrics":[{"Name":"DeliveriesRefusedByStorage","Unit":"Count"}]"#)
        );
        assert!(
            line.ends_with(r#""Function":"webhook-ingest","DeliveriesRefusedByStorage":1}"#),
            "{line}"
        );
    }
}
