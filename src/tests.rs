//! Tests of the host layer: what the platform hands the decision, and what a request that
//! goes on carries. They build `fastly::Request`s, which needs the host API, so they run
//! under Viceroy: `cargo nextest run --target wasm32-wasip1` with Viceroy as the runner
//! (`cargo xtask test` sets it up). The decisions themselves are tested natively in core.

use fanout_router_core::grip_sig::{LOCAL_ISSUER, LOCAL_KEY};
use fanout_router_core::jwt;
use fanout_router_core::path::{self, Target};
use fanout_router_core::route::RequestHeaders;
use fastly::http::HeaderValue;

use super::*;

fn local_token() -> String {
    let exp = unix_now() + 3600;
    jwt::sign_hs256(
        LOCAL_KEY,
        None,
        &format!(r#"{{"iss":"{LOCAL_ISSUER}","exp":{exp}}}"#),
    )
}

fn forward(path: &str, query: Option<&str>) -> Forward {
    Forward {
        backend: "origin",
        target: Target::normalise(path, query).unwrap(),
        websocket: false,
        drop_authorization: false,
        response_headers: Vec::new(),
        request_headers: &RequestHeaders::NONE,
    }
}

fn status(decision: &Decision) -> u16 {
    match decision {
        Decision::Respond(response) => response.status,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn local_signers() -> Vec<TrustedSigner> {
    vec![TrustedSigner::local()]
}

#[test]
#[cfg(not(feature = "production-grip-sig"))]
fn the_local_server_trusts_only_the_local_signer() {
    // Viceroy sets FASTLY_HOSTNAME=localhost, as it does for `fastly compute serve`.
    let signers = trusted_signers();
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0].issuer, LOCAL_ISSUER);
}

#[test]
fn a_verified_second_pass_reaches_the_decision_through_the_platform_headers() {
    let req = Request::post("http://127.0.0.1/test/stream").with_header("Grip-Sig", local_token());
    assert!(matches!(
        decide(&req, local_signers),
        Decision::Answer { .. }
    ));
}

/// Every header the decision reads, with a value that is not UTF-8, through the platform's
/// request: a refusal or a decision, never a panic.
#[test]
fn header_values_that_are_not_utf8_are_read_without_panic() {
    let bad = HeaderValue::from_bytes(b"\xff\xfe").unwrap();
    for name in ["Grip-Sig", "Content-Type", "Upgrade", "Host"] {
        for path in ["/test/stream", "/test/websocket", "/"] {
            let req = Request::get(format!("http://127.0.0.1{path}")).with_header(name, &bad);
            let _ = decide(&req, local_signers);
        }
    }
    let req = Request::get("http://127.0.0.1/test/stream").with_header("Grip-Sig", &bad);
    assert_eq!(status(&decide(&req, local_signers)), 403);
    let mut req = Request::get("http://127.0.0.1/").with_header("Host", &bad);
    prepare_to_forward(&mut req, None, &forward("/", None));
    assert_eq!(req.get_header("X-Forwarded-Host"), None);
}

#[test]
fn a_request_goes_on_with_its_routed_path_and_the_app_s_forwarding_headers() {
    let mut req = Request::get("http://127.0.0.1/test/x/../stream?q=1")
        .with_header("Host", "app.example.com")
        .with_header("X-Forwarded-For", "6.6.6.6")
        .with_header("Forwarded", "for=6.6.6.6")
        .with_header("X-Real-IP", "6.6.6.6")
        .with_header("Fastly-Client-IP", "6.6.6.6")
        .with_header("True-Client-IP", "6.6.6.6")
        .with_header("Grip-Last", "test; last-id=1")
        .with_header("Accept", "text/plain");
    let client = std::net::IpAddr::from([192, 0, 2, 7]);
    prepare_to_forward(
        &mut req,
        Some(client),
        &forward("/test/stream", Some("q=%74")),
    );
    assert_eq!(req.get_path(), "/test/stream");
    assert_eq!(req.get_query_str(), Some("q=t"));
    let value = |name: &str| req.get_header(name).map(|v| v.to_str().unwrap().to_owned());
    for name in ["Forwarded", "X-Real-IP", "True-Client-IP", "Grip-Last"] {
        assert_eq!(value(name), None, "{name}");
    }
    assert_eq!(value("X-Forwarded-Proto").as_deref(), Some("http"));
    assert_eq!(
        value("X-Forwarded-Host").as_deref(),
        Some("app.example.com")
    );
    assert_eq!(value("Accept").as_deref(), Some("text/plain"));
    // The client's address replaces what the client said it was.
    assert_eq!(value("X-Forwarded-For").as_deref(), Some("192.0.2.7"));
    assert_eq!(value("Fastly-Client-IP").as_deref(), Some("192.0.2.7"));
}

/// The path policy starts with what the platform hands the app: `get_path()` resolves dot
/// segments (also percent-encoded ones), reads `\` as `/`, keeps `//`, a trailing slash,
/// case and every percent-escape, and percent-encodes bytes that are not URL characters.
/// core's `path::normalise` takes it from there; the two together are what routes match.
#[test]
fn paths_reach_the_decision_parsed_by_the_platform_then_normalised() {
    let cases = [
        ("/test/stream", "/test/stream", Ok("/test/stream")),
        ("/test//stream", "/test//stream", Ok("/test/stream")),
        ("/test/stream/", "/test/stream/", Ok("/test/stream/")),
        ("/Test/Stream", "/Test/Stream", Ok("/Test/Stream")),
        ("/test/x/../stream", "/test/stream", Ok("/test/stream")),
        ("/test/./stream", "/test/stream", Ok("/test/stream")),
        (
            "/test/%2e%2E/test/stream",
            "/test/stream",
            Ok("/test/stream"),
        ),
        ("/test\\stream", "/test/stream", Ok("/test/stream")),
        ("/%74est/stream", "/%74est/stream", Ok("/test/stream")),
        ("/rooms/a%2cb", "/rooms/a%2cb", Ok("/rooms/a%2Cb")),
        (
            "/rooms/caf\u{e9}",
            "/rooms/caf%C3%A9",
            Ok("/rooms/caf%C3%A9"),
        ),
        ("/rooms/a?x=1#f", "/rooms/a", Ok("/rooms/a")),
        (
            "/rooms/a%2Fb",
            "/rooms/a%2Fb",
            Err(path::PathError::EncodedSeparator),
        ),
        ("/rooms/%FF%FE", "/rooms/%FF%FE", Ok("/rooms/%FF%FE")),
    ];
    for (raw, parsed, normal) in cases {
        let req = Request::get(format!("http://127.0.0.1{raw}"));
        assert_eq!(req.get_path(), parsed, "{raw}");
        let normalised = path::normalise(req.get_path());
        assert_eq!(normalised.as_deref().map_err(|e| *e), normal, "{raw}");
    }
}
