//! The webhook routes over HTTP/1.1 on 127.0.0.1, handed to the Lambda handler as the
//! `lambda_http::Request` API Gateway would produce; the inbox's paths go to [`Inbox`].

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::warn;
use webhook_ingest::{App, MAX_BODY_BYTES};

use crate::inbox::{self, Inbox};

async fn answer(
    app: Arc<App>,
    inbox: Arc<Inbox>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if inbox::serves(request.uri().path()) {
        return Ok(inbox.answer(request).await);
    }
    let (parts, body) = request.into_parts();
    // One byte over the limit is enough to answer 413 the way the handler does.
    let bytes = match Limited::new(body, MAX_BODY_BYTES + 1).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let mut too_large = Response::new(Full::new(Bytes::from_static(
                br#"{"error":"body is larger than 1 MiB"}"#,
            )));
            *too_large.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(too_large);
        }
    };
    let body = if bytes.is_empty() {
        lambda_http::Body::Empty
    } else {
        lambda_http::Body::Binary(bytes.to_vec())
    };
    let response = match webhook_ingest::handle(&app, Request::from_parts(parts, body)).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    Ok(Response::from_parts(
        parts,
        Full::new(Bytes::copy_from_slice(body.as_ref())),
    ))
}

pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    inbox: Arc<Inbox>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let app = Arc::clone(&app);
                let inbox = Arc::clone(&inbox);
                tokio::spawn(async move {
                    let service = service_fn(move |req| answer(Arc::clone(&app), Arc::clone(&inbox), req));
                    if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                        warn!(error = %e, "connection ended with an error");
                    }
                });
            }
            _ = stop.changed() => return,
        }
    }
}
