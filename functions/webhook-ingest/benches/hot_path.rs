//! The ingest hot path — verify the signature, parse every change, build every storage
//! item — on realistic Meta deliveries of about 0.5, 2 and 20 KB, beside a bare SHA-256 of
//! the same bytes measured in the same run. The ratio is the figure (target ≤ 5× at 2 KB).
//! 2 KB comes in two shapes: four comments in one delivery, and one long comment.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderValue, Method};
use platforms::meta::{MetaWebhooks, SIGNATURE_HEADER};
use platforms::{InboundRequest, SecretList, WebhookPlatform};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::hint::black_box;
use time::OffsetDateTime;

const SECRET: &str = "bench-app-secret";

/// A page delivery with `n` comment changes, each about 480 bytes (with `\u00e4` escapes
/// as Meta sends them).
fn delivery(n: usize) -> Vec<u8> {
    let changes: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"field":"feed","value":{{"from":{{"id":"55500{i:02}","name":"J\u00fcrgen M\u00fcller"}},"post":{{"status_type":"added_photos","is_published":true,"id":"1029384756_777"}},"message":"Die Lieferung war sp\u00e4t und das Brot war hart, leider nicht zum ersten Mal. Bestellung {i}.","post_id":"1029384756_777","comment_id":"777_{i}","created_time":1763899990,"item":"comment","parent_id":"1029384756_777","verb":"add"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"page","entry":[{{"id":"1029384756","time":1763900000,"changes":[{}]}}]}}"#,
        changes.join(",")
    )
    .into_bytes()
}

/// A page delivery with one comment of about 1.7 KB (a long complaint).
fn one_long_comment() -> Vec<u8> {
    let sentence = "Die Lieferung war sp\\u00e4t, das Brot war hart und niemand hat auf meine Mail geantwortet. ";
    let message = sentence.repeat(16);
    format!(
        r#"{{"object":"page","entry":[{{"id":"1029384756","time":1763900000,"changes":[{{"field":"feed","value":{{"from":{{"id":"5550099","name":"J\u00fcrgen M\u00fcller"}},"post":{{"status_type":"added_photos","is_published":true,"id":"1029384756_777"}},"message":"{message}","post_id":"1029384756_777","comment_id":"777_99","created_time":1763899990,"item":"comment","parent_id":"1029384756_777","verb":"add"}}}}]}}]}}"#
    )
    .into_bytes()
}

/// The signed POST of `body`, as the ingest function hands it to the platform.
fn request(body: &[u8]) -> InboundRequest {
    let signature = format!(
        "sha256={}",
        platforms::signature::hmac_sha256_hex(SECRET, body)
    );
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = Method::POST;
    parts.headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).unwrap_or(HeaderValue::from_static("")),
    );
    parts
        .headers
        .insert("content-type", HeaderValue::from_static("application/json"));
    webhook_ingest::handler::inbound_request(parts, vec![], body)
}

fn hot_path(c: &mut Criterion) {
    let meta = MetaWebhooks::new(
        SecretList::from_comma_separated(SECRET),
        SecretString::from("token".to_owned()),
    );
    let now = OffsetDateTime::now_utc();
    let deliveries = [
        ("0.5KB", delivery(1), 1),
        ("2KB", delivery(4), 4),
        ("2KB-long", one_long_comment(), 1),
        ("20KB", delivery(40), 40),
    ];
    for (label, body, changes) in deliveries {
        let req = request(&body);
        // Measure only what works: each delivery must verify and parse into all its changes.
        let parsed = meta.verify_signature(&req).map(|v| meta.parse(&v, now));
        if !parsed.is_ok_and(|p| p.changes.len() == changes && p.unsupported.is_empty()) {
            eprintln!("the {label} delivery does not verify and parse into {changes} changes");
            std::process::exit(1);
        }
        let mut group = c.benchmark_group(format!("hot_path_{label}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(BenchmarkId::new("sha256", body.len()), |b| {
            b.iter(|| Sha256::digest(black_box(&body)))
        });
        group.bench_function(BenchmarkId::new("verify_parse_items", body.len()), |b| {
            b.iter(|| {
                let Ok(verified) = meta.verify_signature(black_box(&req)) else {
                    return 0;
                };
                let parsed = meta.parse(&verified, now);
                parsed
                    .changes
                    .iter()
                    .map(|c| store::new_feedback_item_attributes(&c.feedback))
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
