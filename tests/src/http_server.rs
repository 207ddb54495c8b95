//! A small HTTP/1 server on 127.0.0.1 for the harness's stand-ins and proxies.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use tokio::net::TcpListener;

/// Listen on a free port of 127.0.0.1 and answer every request with `handler`, in the
/// background; returns the address (`127.0.0.1:port`).
pub async fn spawn_server<F, Fut>(handler: F) -> String
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handler))
                    .await;
            });
        }
    });
    addr
}

/// A request's or an answer's body, read whole (empty when reading it fails).
pub async fn read_body<B: hyper::body::Body<Data = Bytes>>(body: B) -> Bytes {
    use http_body_util::BodyExt;
    body.collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default()
}
