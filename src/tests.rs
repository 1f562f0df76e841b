//! Tests of the handler's decisions. They build `fastly::Request`s, which needs the host
//! API, so they run under Viceroy: `cargo nextest run --target wasm32-wasip1` with Viceroy
//! as the runner (`cargo xtask test` sets it up).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fanout_router_core::channel::{Channel, Piece};
use fanout_router_core::grip_sig::{LOCAL_ISSUER, LOCAL_KEY};
use fanout_router_core::method::Methods;
use fanout_router_core::route::{Captures, PatternKind, Route};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::*;

const NOW: u64 = 1_800_000_000;

static ANSWERED: Route = Route {
    pattern: "/rooms/{room}",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &["room"],
    action: Action::Answer(Mode::WsEcho),
    channels: &[Channel(&[Piece::Text("room-"), Piece::Param(0)])],
    line: 1,
};

static THROUGH_FANOUT: Route = Route {
    pattern: "/",
    kind: PatternKind::Prefix,
    methods: Methods::ANY,
    params: &[],
    action: Action::Fanout { backend: "origin" },
    channels: &[],
    line: 2,
};

static DIRECT: Route = Route {
    pattern: "/static",
    kind: PatternKind::Prefix,
    methods: Methods::ANY,
    params: &[],
    action: Action::Direct { backend: "origin" },
    channels: &[],
    line: 3,
};

fn matched(route: &'static Route, room: &'static str) -> Match<'static> {
    let mut captures = Captures::default();
    captures.set(0, room);
    Match { route, captures }
}

fn local_token(exp: u64) -> String {
    let encode = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let header = encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = encode(&format!(r#"{{"iss":"{LOCAL_ISSUER}","exp":{exp}}}"#));
    let input = format!("{header}.{claims}");
    let mut mac = Hmac::<Sha256>::new_from_slice(LOCAL_KEY).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn decide_for(req: &Request, matched: Option<&Match>) -> Step {
    decide(req, matched, || vec![TrustedSigner::local()], NOW)
}

fn status(step: &Step) -> u16 {
    match step {
        Step::Reply(answer) => answer.status,
        other => panic!("expected a reply, got {other:?}"),
    }
}

#[test]
fn no_route_is_a_404() {
    let req = Request::get("http://127.0.0.1/nowhere");
    let step = decide_for(&req, None);
    assert_eq!(
        step,
        Step::Reply(answer::plain(404, "no route matches this request\n"))
    );
}

#[test]
fn a_first_pass_of_an_answer_route_is_handed_to_fanout_and_back_to_self() {
    let req = Request::get("http://127.0.0.1/rooms/lobby");
    let step = decide_for(&req, Some(&matched(&ANSWERED, "lobby")));
    assert_eq!(step, Step::Handoff("self"));
}

#[test]
fn a_verified_second_pass_is_answered_on_the_route_channels() {
    let req = Request::post("http://127.0.0.1/rooms/lobby")
        .with_header("Grip-Sig", local_token(NOW + 3600));
    let step = decide_for(&req, Some(&matched(&ANSWERED, "lobby")));
    assert_eq!(
        step,
        Step::Answer(&Mode::WsEcho, vec!["room-lobby".to_owned()])
    );
}

#[test]
fn a_forged_grip_sig_gets_403_and_no_grip_instructions() {
    for token in ["anything".to_owned(), local_token(NOW - 3600)] {
        let req = Request::get("http://127.0.0.1/rooms/lobby").with_header("Grip-Sig", token);
        let step = decide_for(&req, Some(&matched(&ANSWERED, "lobby")));
        assert_eq!(status(&step), 403);
        let Step::Reply(answer) = step else {
            unreachable!()
        };
        assert!(
            answer
                .headers
                .iter()
                .all(|(name, _)| !name.starts_with("Grip-"))
        );
    }
}

#[test]
fn a_capture_that_would_corrupt_grip_channel_gets_400_before_any_handoff() {
    let req = Request::get("http://127.0.0.1/rooms/a,b");
    let step = decide_for(&req, Some(&matched(&ANSWERED, "a,b")));
    assert_eq!(status(&step), 400);
}

#[test]
fn fanout_and_direct_routes_go_to_their_backend() {
    let req = Request::get("http://127.0.0.1/page");
    assert_eq!(
        decide_for(&req, Some(&matched(&THROUGH_FANOUT, ""))),
        Step::Handoff("origin")
    );
    assert_eq!(
        decide_for(&req, Some(&matched(&DIRECT, ""))),
        Step::Direct("origin")
    );
}

#[test]
fn a_verified_request_on_a_handoff_route_is_not_handed_off_again() {
    let req = Request::get("http://127.0.0.1/page").with_header("Grip-Sig", local_token(NOW + 60));
    assert_eq!(
        status(&decide_for(&req, Some(&matched(&THROUGH_FANOUT, "")))),
        508
    );
}

#[test]
fn the_local_server_trusts_only_the_local_signer() {
    // Viceroy sets FASTLY_HOSTNAME=localhost, as it does for `fastly compute serve`.
    let signers = trusted_signers();
    assert_eq!(signers.len(), 1);
    assert_eq!(signers[0].issuer, LOCAL_ISSUER);
}

#[test]
fn forwarded_headers_name_the_client_and_scheme() {
    let mut req = Request::get("http://127.0.0.1/page");
    set_forwarded_headers(&mut req);
    assert_eq!(req.get_header_str("X-Forwarded-Proto"), Some("http"));
}

/// The path policy starts with what the platform hands the app: `get_path()` resolves dot
/// segments (also percent-encoded ones), keeps `//`, a trailing slash, case and every other
/// percent-escape, and percent-encodes bytes that are not UTF-8. Routes match that path
/// byte for byte.
#[test]
fn paths_reach_the_lookup_normalised_only_by_the_url_parser() {
    let cases = [
        ("/test/stream", "/test/stream"),
        ("/test//stream", "/test//stream"),
        ("/test/stream/", "/test/stream/"),
        ("/Test/Stream", "/Test/Stream"),
        ("/test/x/../stream", "/test/stream"),
        ("/test/./stream", "/test/stream"),
        ("/test/%2e%2E/test/stream", "/test/stream"),
        ("/rooms/a%2Fb", "/rooms/a%2Fb"),
        ("/rooms/a%2fb", "/rooms/a%2fb"),
        ("/rooms/%FF%FE", "/rooms/%FF%FE"),
        ("/rooms/caf\u{e9}", "/rooms/caf%C3%A9"),
        ("/rooms/a?x=1#f", "/rooms/a"),
    ];
    for (raw, path) in cases {
        let req = Request::get(format!("http://127.0.0.1{raw}"));
        assert_eq!(req.get_path(), path, "{raw}");
    }
}
