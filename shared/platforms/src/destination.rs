//! Where a URL staff set (a page's Slack, Teams or signed-webhook notification) may send
//! to: one check, used both where the URL is accepted and right before each send.
//!
//! On Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) only `https://` is accepted: `http` to
//! 127.0.0.1 there is the Lambda Runtime API. Off Lambda (the local runner, tests) `http`
//! to this machine stays allowed. At send time a host that resolves to a private,
//! loopback, link-local or unspecified address (IPv4 or IPv6, IPv4-mapped included) is
//! refused, except that local `http` to this machine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether this process runs on AWS Lambda.
pub fn on_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some_and(|v| !v.is_empty())
}

fn is_this_machine(host: Option<url::Host<&str>>) -> bool {
    matches!(
        host,
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(Ipv6Addr::LOCALHOST))
    )
}

/// Whether `url` may be set as a destination (no name lookup).
pub fn is_allowed_url(url: &str, on_lambda: bool) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "https" => parsed.host().is_some(),
        "http" => !on_lambda && is_this_machine(parsed.host()),
        _ => false,
    }
}

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    // fe80::/10 link-local, fc00::/7 unique local
                    || (first & 0xffc0) == 0xfe80
                    || (first & 0xfe00) == 0xfc00
                    // ::/96 IPv4-compatible (deprecated), 64:ff9b::/96 NAT64 of anything
                    || v6.segments()[..6].iter().all(|s| *s == 0)
                    || (first == 0x64 && v6.segments()[1] == 0xff9b))
            }
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10 shared address space (carrier-grade NAT)
        || (a == 100 && (64..128).contains(&b)))
}

/// Check `url` right before sending: allowed, and every address its host resolves to
/// public (local `http` to this machine excepted). `Err`: why not, in words for staff.
pub async fn check_before_send(url: &str, on_lambda: bool) -> Result<(), String> {
    if !is_allowed_url(url, on_lambda) {
        return Err(if on_lambda {
            "the URL is not https".to_owned()
        } else {
            "the URL is not https (or http to this machine)".to_owned()
        });
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return Err("the URL cannot be read".to_owned());
    };
    if parsed.scheme() == "http" {
        // Allowed above only off Lambda and only to this machine.
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(url::Host::Domain(name)) => match tokio::net::lookup_host((name, port)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(_) => return Err("the URL's host cannot be resolved".to_owned()),
        },
        None => return Err("the URL has no host".to_owned()),
    };
    if addresses.is_empty() {
        return Err("the URL's host resolves to no address".to_owned());
    }
    if addresses.iter().any(|ip| !is_public(*ip)) {
        return Err("the URL's host is a private, loopback or link-local address".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_lambda_only_https_is_a_notification_url_and_locally_http_to_this_machine_too() {
        for ok in [
            "https://hooks.slack.com/services/T/B/x",
            "https://example.com:8443/h",
        ] {
            assert!(is_allowed_url(ok, true), "{ok}");
            assert!(is_allowed_url(ok, false), "{ok}");
        }
        for local in [
            "http://127.0.0.1:9001/hook",
            "http://localhost:3000/x",
            "http://[::1]:80/",
        ] {
            assert!(!is_allowed_url(local, true), "{local}");
            assert!(is_allowed_url(local, false), "{local}");
        }
        for bad in ["http://example.com/h", "ftp://x.example/", "not a url"] {
            assert!(!is_allowed_url(bad, true), "{bad}");
            assert!(!is_allowed_url(bad, false), "{bad}");
        }
    }

    #[test]
    fn private_loopback_link_local_unspecified_and_mapped_addresses_are_not_public() {
        for private in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "::ffff:93.184.216.34",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_host_resolving_to_a_private_address_is_refused_at_send_time() {
        for url in [
            "https://127.0.0.1/h",
            "https://[::ffff:169.254.169.254]/latest",
            "https://localhost/x",
        ] {
            assert!(check_before_send(url, true).await.is_err(), "{url}");
            assert!(check_before_send(url, false).await.is_err(), "{url}");
        }
        assert!(
            check_before_send("http://127.0.0.1:9/h", true)
                .await
                .is_err()
        );
        assert!(
            check_before_send("http://127.0.0.1:9/h", false)
                .await
                .is_ok()
        );
    }
}
