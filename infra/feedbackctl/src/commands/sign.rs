//! `sign ROUTE`: a delivery authenticated the way the platform on `/webhooks/{ROUTE}`
//! would authenticate it, made by that platform's module with this deployment's own
//! secrets; printed as a `curl` command, or sent.

use super::{Result, Words};
use crate::cli::SignArgs;
use crate::output::clean;
use logging::error_chain as chain;
use platforms::TestDelivery;
use reqwest::Url;
use std::path::Path;
use time::OffsetDateTime;

/// The env file, read as the local runner reads it.
pub(super) use logging::local_env::LocalEnv as EnvFile;

pub(super) async fn run(args: &SignArgs) -> Result<()> {
    let file = args.file.display();
    let body = std::fs::read(&args.file).map_err(|e| format!("--file {file}: {e}"))?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&body)
        .map_err(|e| format!("--file {file}: not JSON: {e}"))?;
    let now = OffsetDateTime::now_utc();
    // Samples get their times when sent: see platforms::sample.
    let moved = (!args.keep_times)
        .then(|| platforms::sample::move_times(&body, now))
        .flatten();
    let env = EnvFile::load(&args.env_file)?;
    let lookup = env.lookup();
    let hint = format!(
        "\n  hint: the variables come from the environment, then {}{}",
        args.env_file.display(),
        if env.missing { " (not found)" } else { "" }
    );
    let body = moved.unwrap_or(body);
    let (route, delivery) = sign(&args.route, &body, &lookup, &hint, now)?;
    match &args.url {
        None => {
            // The signature covers the body with its moved times: curl must send that one.
            let sent = if body == std::fs::read(&args.file).unwrap_or_default() {
                args.file.clone()
            } else {
                let copy = std::env::temp_dir().join(format!(
                    "feedbackctl-{}",
                    args.file
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or("delivery.json")
                ));
                std::fs::write(&copy, &body)
                    .map_err(|e| format!("writing {}: {e}", copy.display()))?;
                eprintln!(
                    "(times moved to now: the signed body is {}; --keep-times sends the file as written)",
                    copy.display()
                );
                copy
            };
            for (name, value) in &delivery.headers {
                println!("{name}: {value}");
            }
            println!();
            println!("{}", curl(route, &delivery, &sent)?);
            Ok(())
        }
        Some(url) => {
            let url = target(url, route, &delivery.path_tail)?;
            send(url, &delivery, body).await
        }
    }
}

/// The configured platform on `route` authenticates `body`. `hint` is added to errors of
/// configuration: where the variables come from.
fn sign(
    route: &str,
    body: &[u8],
    lookup: &dyn Fn(&str) -> Option<String>,
    hint: &str,
    now: OffsetDateTime,
) -> Words<(&'static str, TestDelivery)> {
    let registry = platforms::registry::from_lookup(lookup).map_err(|problems| {
        format!(
            "the platform settings do not read: {}{hint}",
            problems.join("; ")
        )
    })?;
    let platform = registry.get(route).ok_or_else(|| {
        let routes: Vec<&str> = registry.routes().collect();
        format!(
            "no platform is configured on route {route:?} (configured: {}){hint}",
            routes.join(", ")
        )
    })?;
    let delivery = platform
        .sign_for_test(body, now)
        .ok_or_else(|| {
            format!(
                "the platform on /webhooks/{} cannot make test deliveries: only the platform holds its signing keys",
                platform.route()
            )
        })?;
    Ok((platform.route(), delivery))
}

/// The non-empty segments of a URL's path, as they read in it (percent-encoded).
fn segments(url: &Url) -> Vec<String> {
    url.path_segments()
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Where to send: `url` as given when it already ends with `/webhooks/{route}` (and the
/// path tail, if any); else with what is missing of `/webhooks/{route}/{tail…}` appended.
fn target(url: &str, route: &str, tail: &[String]) -> Words<Url> {
    let bad = |why: String| format!("--url {url:?}: {why}");
    let mut parsed = Url::parse(url).map_err(|e| bad(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("use an http:// or https:// URL".into()));
    }
    // The tail as it reads once in a path (percent-encoded like `push` encodes it).
    let mut probe = parsed.clone();
    probe.set_path("/");
    probe
        .path_segments_mut()
        .map_err(|()| bad("not a base URL".into()))?
        .clear()
        .extend(tail);
    let tail_encoded = segments(&probe);
    let path = segments(&parsed);
    let webhook = ["webhooks".to_owned(), route.to_owned()];
    let full: Vec<String> = webhook.iter().cloned().chain(tail_encoded).collect();
    if path.ends_with(&full) {
        return Ok(parsed);
    }
    let mut segments = parsed
        .path_segments_mut()
        .map_err(|()| bad("not a base URL".into()))?;
    segments.pop_if_empty();
    if !path.ends_with(&webhook) {
        segments.extend(&webhook);
    }
    segments.extend(tail);
    drop(segments);
    Ok(parsed)
}

/// One argument for a POSIX shell.
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=+,%".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A ready `curl` command; `<URL>` is where the functions run (the local runner:
/// http://127.0.0.1:3000).
fn curl(route: &str, delivery: &TestDelivery, file: &Path) -> Words<String> {
    let mut path = Url::parse("http://127.0.0.1/").map_err(|e| e.to_string())?;
    path.path_segments_mut()
        .map_err(|()| "no path".to_owned())?
        .clear()
        .push("webhooks")
        .push(route)
        .extend(&delivery.path_tail);
    let mut out = format!(
        "curl -i -X POST '<URL>{}' -H 'Content-Type: application/json'",
        path.path()
    );
    for (name, value) in &delivery.headers {
        out.push_str(&format!(" -H {}", sh_quote(&format!("{name}: {value}"))));
    }
    out.push_str(&format!(
        " --data-binary {}",
        sh_quote(&format!("@{}", file.display()))
    ));
    Ok(out)
}

async fn send(url: Url, delivery: &TestDelivery, body: Vec<u8>) -> Result<()> {
    let mut request = reqwest::Client::new()
        .post(url.clone())
        .header("content-type", "application/json");
    for (name, value) in &delivery.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request
        .body(body)
        .send()
        .await
        .map_err(|e| format!("sending to {url}: {}", chain(&e)))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("{status} {}", clean(&text));
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{url} answered {status}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use feedback::settings::fixed as lookup;

    const META: [(&str, &str); 2] = [
        ("META_APP_SECRETS", "s1, s2"),
        ("META_VERIFY_TOKEN", "verify"),
    ];

    #[test]
    fn the_default_env_file_is_the_local_setup() {
        let env = EnvFile::load(Path::new(crate::cli::LOCAL_ENV)).unwrap();
        assert!(!env.missing, "infra/local.env is found from the crate");
        assert!(env.file_value("META_APP_SECRETS").is_some());
        // Its URLs follow the runner's ports (the defaults when none is set).
        assert!(
            env.file_value("GOOGLE_API_URL")
                .is_some_and(|u| u.starts_with("http://127.0.0.1:") && !u.contains("${")),
            "{:?}",
            env.file_value("GOOGLE_API_URL")
        );
    }

    #[test]
    fn meta_deliveries_are_signed_with_the_first_app_secret() {
        let body = br#"{"object":"page","entry":[]}"#;
        let (route, delivery) =
            sign("meta", body, &lookup(&META), "", OffsetDateTime::now_utc()).unwrap();
        assert_eq!(route, "meta");
        assert!(delivery.path_tail.is_empty());
        let want = format!(
            "sha256={}",
            platforms::signature::hmac_sha256_hex("s1", body)
        );
        assert_eq!(delivery.headers, [("x-hub-signature-256".to_owned(), want)]);
    }

    #[test]
    fn an_unknown_route_or_missing_settings_are_explained() {
        let err = sign(
            "trustpilot",
            b"{}",
            &lookup(&META),
            "",
            OffsetDateTime::now_utc(),
        )
        .err()
        .unwrap_or_default();
        assert!(
            err.contains("\"trustpilot\"") && err.contains("configured: meta"),
            "{err}"
        );
        let err = sign("meta", b"{}", &lookup(&[]), "", OffsetDateTime::now_utc())
            .err()
            .unwrap_or_default();
        assert!(err.contains("META_APP_SECRETS"), "{err}");
    }

    fn url(base: &str, tail: &[&str]) -> String {
        let tail: Vec<String> = tail.iter().map(|s| (*s).to_owned()).collect();
        target(base, "meta", &tail)
            .map(String::from)
            .unwrap_or_else(|e| e)
    }

    #[test]
    fn the_webhook_url_is_used_as_given() {
        assert_eq!(
            url("http://127.0.0.1:3000/webhooks/meta", &[]),
            "http://127.0.0.1:3000/webhooks/meta"
        );
        assert_eq!(
            url(
                "https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/meta",
                &[]
            ),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/webhooks/meta"
        );
        assert_eq!(
            url("http://127.0.0.1:3000/webhooks/meta/s3cr%20t", &["s3cr t"]),
            "http://127.0.0.1:3000/webhooks/meta/s3cr%20t"
        );
    }

    #[test]
    fn a_base_url_gets_the_webhook_path_and_tail() {
        assert_eq!(
            url("http://127.0.0.1:3000", &[]),
            "http://127.0.0.1:3000/webhooks/meta"
        );
        assert_eq!(
            url("http://127.0.0.1:3000/", &[]),
            "http://127.0.0.1:3000/webhooks/meta"
        );
        assert_eq!(
            url("https://api.example/prod/", &["k/1"]),
            "https://api.example/prod/webhooks/meta/k%2F1"
        );
        assert_eq!(
            url("http://127.0.0.1:3000/webhooks/meta", &["key"]),
            "http://127.0.0.1:3000/webhooks/meta/key"
        );
        assert!(url("ftp://127.0.0.1/", &[]).contains("http://"));
        assert!(url("not a url", &[]).contains("--url"));
    }

    #[test]
    fn the_curl_command_is_ready_to_paste() {
        let delivery = TestDelivery {
            path_tail: vec!["a b".into()],
            headers: vec![("x-sig".into(), "it's=1".into())],
        };
        let cmd = curl("meta", &delivery, Path::new("my body.json")).unwrap();
        assert_eq!(
            cmd,
            r"curl -i -X POST '<URL>/webhooks/meta/a%20b' -H 'Content-Type: application/json' -H 'x-sig: it'\''s=1' --data-binary '@my body.json'"
        );
        let plain = TestDelivery {
            path_tail: Vec::new(),
            headers: Vec::new(),
        };
        assert!(
            curl("meta", &plain, Path::new("infra/samples/comment.json"))
                .unwrap()
                .ends_with("'<URL>/webhooks/meta' -H 'Content-Type: application/json' --data-binary @infra/samples/comment.json")
        );
    }

    /// A request as the test server saw it: request line, headers (lowercase), body.
    type Asked = (String, Vec<String>, Vec<u8>);

    /// One HTTP request, answered 200; what was asked is sent back over the channel.
    fn one_request_server() -> (String, std::sync::mpsc::Receiver<Asked>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut headers = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end().to_owned();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = n.trim().parse().unwrap();
                }
                headers.push(line.to_ascii_lowercase());
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = stream;
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\nconnection: close\r\n\r\n{\"changes\":1}")
                .unwrap();
            tx.send((request_line.trim_end().to_owned(), headers, body))
                .unwrap();
        });
        (format!("http://{addr}"), rx)
    }

    #[tokio::test]
    async fn sending_posts_the_signed_body_to_the_webhook_url() {
        let (base, asked) = one_request_server();
        let body = br#"{"object":"page","entry":[]}"#.to_vec();
        let (route, delivery) =
            sign("meta", &body, &lookup(&META), "", OffsetDateTime::now_utc()).unwrap();
        let url = target(&format!("{base}/webhooks/meta"), route, &delivery.path_tail).unwrap();
        send(url, &delivery, body.clone()).await.unwrap();
        let (request_line, headers, got) = asked.recv().unwrap();
        assert_eq!(request_line, "POST /webhooks/meta HTTP/1.1");
        assert!(headers.contains(&"content-type: application/json".to_owned()));
        let signature = format!(
            "x-hub-signature-256: sha256={}",
            platforms::signature::hmac_sha256_hex("s1", &body)
        );
        assert!(headers.contains(&signature), "{headers:?}");
        assert_eq!(got, body);
    }
}
