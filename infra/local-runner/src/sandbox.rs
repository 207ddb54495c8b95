//! A stand-in for the platforms' APIs, for trying review platforms on this machine: files
//! under `infra/sandbox/` served by path (`GET /google/v4/accounts/1/…/reviews/r1` →
//! `infra/sandbox/google/v4/accounts/1/…/reviews/r1.json`), whatever the method, so the
//! responder's real platform clients fetch a review and exchange a token exactly as they
//! would against the platform. It knows nothing of any platform: the files do. Every time
//! in an answer is moved to just before now when served (`platforms::sample`).

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{info, warn};

/// The file for a request path, if the path is plain (no `..`, no hidden parts).
pub fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty()
        || segments
            .iter()
            .any(|s| s.starts_with('.') || s.contains('\\'))
    {
        return None;
    }
    for s in &segments {
        file.push(s);
    }
    file.set_extension(match file.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{ext}.json"),
        None => "json".into(),
    });
    Some(file)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn answer(
    root: Arc<PathBuf>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let found = file_for(&root, &path).and_then(|f| std::fs::read(f).ok());
    let (status, body) = match found {
        Some(body) => {
            info!(method = %request.method(), path = %path.escape_debug(), "sandbox: answered from infra/sandbox");
            // Answers get their times when served, so a review never ages past a page's
            // max age however old the file is.
            let body = platforms::sample::move_times(&body, time::OffsetDateTime::now_utc())
                .unwrap_or(body);
            (StatusCode::OK, body)
        }
        None => {
            warn!(method = %request.method(), path = %path.escape_debug(), "sandbox: no such file");
            (
                StatusCode::NOT_FOUND,
                br#"{"error":"not in infra/sandbox"}"#.to_vec(),
            )
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

pub async fn serve(listener: TcpListener, root: PathBuf, mut stop: watch::Receiver<bool>) {
    let root = Arc::new(root);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let root = Arc::clone(&root);
                tokio::spawn(async move {
                    let service = service_fn(move |req| answer(Arc::clone(&root), req));
                    if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                        warn!(error = %e, "sandbox connection ended with an error");
                    }
                });
            }
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_path_maps_to_a_json_file_under_the_root_and_never_outside_it() {
        let root = Path::new("/sandbox");
        assert_eq!(
            file_for(root, "/google/v4/accounts/1/locations/2/reviews/r-1"),
            Some(PathBuf::from(
                "/sandbox/google/v4/accounts/1/locations/2/reviews/r-1.json"
            ))
        );
        assert_eq!(
            file_for(root, "/google/token"),
            Some(PathBuf::from("/sandbox/google/token.json"))
        );
        for bad in [
            "/../etc/passwd",
            "/google/%2E%2E/x",
            "/",
            "/.git/config",
            "/a\\b",
        ] {
            assert_eq!(file_for(root, bad), None, "{bad}");
        }
    }
}
