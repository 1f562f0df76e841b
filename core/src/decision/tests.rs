//! The handler's decisions, natively: a hand-written lookup over four routes stands in for
//! the generated one, and headers are literals.

use super::*;
use crate::channel::{Channel, Piece};
use crate::grip_sig::{LOCAL_ISSUER, LOCAL_KEY};
use crate::method::Methods;
use crate::route::{
    Conditions, KeepAlive, KeepAliveMode, Param, PatternKind, Reliable, Rewrite, Route,
};
use crate::{auth, cors, jwt};

const NOW: u64 = 1_800_000_000;

static ROOM: Route = Route {
    pattern: "/rooms/{room}",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[Param {
        name: "room",
        segment: 1,
    }],
    action: Action::Answer(Mode::WsEcho { keep_alive: None }),
    channels: &[Channel(&[Piece::Text("room-"), Piece::Param(0)])],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static STREAM: Route = Route {
    pattern: "/test/stream",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[],
    action: Action::Answer(Mode::Stream {
        content_type: "text/plain",
        initial_body: "",
        keep_alive: None,
        reliable: None,
    }),
    channels: &[Channel(&[Piece::Text("test")])],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static DIRECT: Route = Route {
    pattern: "/static",
    kind: PatternKind::Prefix,
    methods: Methods::ANY,
    params: &[],
    action: Action::Direct { backend: "origin" },
    channels: &[],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static THROUGH_FANOUT: Route = Route {
    pattern: "/",
    kind: PatternKind::Prefix,
    methods: Methods::ANY,
    params: &[],
    action: Action::Fanout { backend: "origin" },
    channels: &[],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static FRONT_END: cors::Policy = cors::Policy {
    name: "front-end",
    origins: &["https://app.example.com"],
    methods: &["GET"],
    headers: &["authorization"],
    credentials: false,
    max_age_secs: 600,
};

static USERS: auth::Policy = auth::Policy {
    name: "users",
    token_from: &[
        auth::TokenSource::Header,
        auth::TokenSource::Query("access_token"),
    ],
    keys: &[jwt::Key {
        algorithm: &jwt::HS256,
        id: None,
        material: std::borrow::Cow::Borrowed(b"users secret"),
    }],
    secret: None,
    jwks: None,
    issuer: None,
    audience: None,
    leeway_secs: 30,
    claims: &[auth::ClaimRule {
        claim: "sub",
        value: &[Piece::Param(0)],
    }],
    channels_claim: None,
    forward_authorization: false,
};

static NOTIFICATIONS: Route = Route {
    pattern: "/notifications/{user}",
    kind: PatternKind::Exact,
    methods: Methods::GET,
    params: &[Param {
        name: "user",
        segment: 1,
    }],
    action: Action::Answer(Mode::Sse {
        keep_alive: KeepAlive {
            interval_secs: 20,
            mode: KeepAliveMode::Idle,
            content: ":\n\n",
        },
        initial_body: "",
        reliable: None,
    }),
    channels: &[Channel(&[Piece::Text("user-"), Piece::Param(0)])],
    auth: Some(&USERS),
    cors: Some(&FRONT_END),
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static CHAT: Route = Route {
    pattern: "/chat/{room}",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[Param {
        name: "room",
        segment: 1,
    }],
    action: Action::Answer(Mode::WsEcho { keep_alive: None }),
    channels: &[Channel(&[Piece::Text("room-"), Piece::Param(0)])],
    auth: None,
    cors: Some(&FRONT_END),
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static FEED: Route = Route {
    pattern: "/feeds/{feed}",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[Param {
        name: "feed",
        segment: 1,
    }],
    action: Action::Answer(Mode::Sse {
        keep_alive: KeepAlive {
            interval_secs: 20,
            mode: KeepAliveMode::Idle,
            content: ":\n\n",
        },
        initial_body: "",
        reliable: Some(Reliable {
            backend: "origin",
            path: "/history",
            last_event_id_query: "last_event_id",
        }),
    }),
    channels: &[Channel(&[Piece::Text("feed-"), Piece::Param(0)])],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static LEGACY: Route = Route {
    pattern: "/legacy",
    kind: PatternKind::Prefix,
    methods: Methods::ANY,
    params: &[],
    action: Action::Direct { backend: "origin" },
    channels: &[],
    auth: None,
    cors: None,
    hosts: &["admin.example.com"],
    when: Conditions::NONE,
    rewrite: Some(Rewrite {
        segments: 1,
        prefix: "/v2",
    }),
    request_headers: RequestHeaders {
        add: &[("x-env", "edge")],
        remove: &["cookie"],
    },
};

fn lookup(key: &RequestKey) -> Option<&'static Route> {
    let (method, path) = (key.method, key.path);
    let route = if path.starts_with("/feeds/") {
        &FEED
    } else if key.host == "admin.example.com" && (path == "/legacy" || path.starts_with("/legacy/"))
    {
        &LEGACY
    } else if path.starts_with("/notifications/") {
        return (method == "GET").then_some(&NOTIFICATIONS);
    } else if path.starts_with("/chat/") {
        &CHAT
    } else if path.starts_with("/rooms/") {
        &ROOM
    } else if path == "/test/stream" {
        &STREAM
    } else if path == "/static" || path.starts_with("/static/") {
        &DIRECT
    } else if path == "/nowhere" {
        return None;
    } else {
        &THROUGH_FANOUT
    };
    Some(route)
}

struct Fake(Vec<(&'static str, Vec<u8>)>);

impl Headers for Fake {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_slice())
    }
}

/// Stores that hold nothing: the routes here keep no keys in a store.
struct NoStores;

impl auth::Stores for NoStores {
    fn secret(&self, _: &str, _: &str) -> Option<Vec<u8>> {
        None
    }
    fn config(&self, _: &str, _: &str) -> Option<String> {
        None
    }
}

fn context(features: Features) -> Context<'static> {
    Context {
        lookup,
        signers: || vec![TrustedSigner::local()],
        features,
        stores: &NoStores,
        now_unix_secs: NOW,
    }
}

fn decide_with(method: &str, target: &str, headers: &[(&'static str, &[u8])]) -> Decision {
    decide_without(Features::ALL, method, target, headers)
}

/// The decision with only `features` compiled in.
fn decide_without(
    features: Features,
    method: &str,
    target: &str,
    headers: &[(&'static str, &[u8])],
) -> Decision {
    let headers = Fake(headers.iter().map(|(n, v)| (*n, v.to_vec())).collect());
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let host = headers
        .get("host")
        .and_then(|h| std::str::from_utf8(h).ok());
    let incoming = Incoming {
        method,
        path,
        query,
        host,
        headers: &headers,
    };
    decide(&incoming, &context(features))
}

fn get(path: &str) -> Decision {
    decide_with("GET", path, &[])
}

fn local_token(exp: u64) -> String {
    jwt::sign_hs256(
        LOCAL_KEY,
        None,
        &format!(r#"{{"iss":"{LOCAL_ISSUER}","exp":{exp}}}"#),
    )
}

fn valid_sig() -> (&'static str, Vec<u8>) {
    ("Grip-Sig", local_token(NOW + 3600).into_bytes())
}

const UPGRADE: (&str, &[u8]) = ("Upgrade", b"websocket");
const EVENTS: (&str, &[u8]) = ("Content-Type", b"application/websocket-events");

/// The refusal's status, checking that it carries no GRIP instruction.
fn refused(decision: &Decision) -> (u16, String) {
    let Decision::Respond(response) = decision else {
        panic!("expected a refusal, got {decision:?}")
    };
    let grip = response
        .headers
        .iter()
        .find(|(n, _)| n.starts_with("Grip-"));
    assert_eq!(grip, None, "a refusal carries no GRIP instruction");
    let body = String::from_utf8(response.body.clone()).unwrap();
    (response.status, body)
}

/// The normal target `path`, with the query that follows a `?` in it.
fn target(path: &str) -> Target {
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (path, None),
    };
    Target {
        path: path.to_owned(),
        query,
    }
}

fn forward(backend: &'static str, path: &str, websocket: bool) -> Forward {
    Forward {
        backend,
        target: target(path),
        websocket,
        drop_authorization: false,
        response_headers: Vec::new(),
        request_headers: &RequestHeaders::NONE,
    }
}

fn handoff(backend: &'static str, path: &str) -> Decision {
    Decision::Handoff(forward(backend, path, false))
}

fn second_pass(path: &str, extra: &[(&'static str, &[u8])]) -> Decision {
    let (name, token) = valid_sig();
    let mut headers = vec![(name, token.as_slice())];
    headers.extend_from_slice(extra);
    decide_with("POST", path, &headers)
}

#[test]
fn no_route_is_a_404() {
    let (status, body) = refused(&get("/nowhere"));
    assert_eq!(
        (status, body.as_str()),
        (404, "no route matches this request\n")
    );
}

#[test]
fn a_first_pass_of_an_answer_route_is_handed_to_fanout_and_back_to_self() {
    assert_eq!(get("/test/stream"), handoff("self", "/test/stream"));
}

#[test]
fn the_request_goes_on_with_the_path_it_was_routed_on() {
    let cases = [
        ("/test/stream/../../echo", handoff("origin", "/echo")),
        ("/%74est/stream", handoff("self", "/test/stream")),
        ("/test\\stream", handoff("self", "/test/stream")),
        ("//test//stream", handoff("self", "/test/stream")),
        ("/static/../test/stream", handoff("self", "/test/stream")),
        ("/%73tatic/a%2cb", send("/static/a%2Cb", false)),
        (
            "/page?next=%2fa&q=%74",
            handoff("origin", "/page?next=%2Fa&q=t"),
        ),
    ];
    for (raw, expected) in cases {
        assert_eq!(get(raw), expected, "{raw}");
    }
}

fn send(path: &str, websocket: bool) -> Decision {
    Decision::Send(forward("origin", path, websocket))
}

#[test]
fn a_path_without_a_normal_form_is_a_400_that_says_why() {
    for raw in [
        "/rooms/a%2Fb",
        "/static/a%5C",
        "/a%00",
        "/a%zz",
        "*",
        "/page?q=%",
    ] {
        let (status, body) = refused(&get(raw));
        assert_eq!(status, 400, "{raw}");
        assert!(body.starts_with("the path "), "{raw}: {body}");
    }
}

#[test]
fn a_verified_second_pass_is_answered_on_the_route_channels() {
    assert_eq!(
        second_pass("/rooms/lobby", &[EVENTS]),
        Decision::Answer {
            mode: &Mode::WsEcho { keep_alive: None },
            channels: vec!["room-lobby".to_owned()],
            headers: Vec::new(),
        }
    );
}

#[test]
fn a_grip_sig_that_does_not_verify_gets_403() {
    let expired = local_token(NOW - 3600);
    let tokens: [&[u8]; 4] = [b"anything", expired.as_bytes(), b"\xff", b"eyJ\x80.e30.sig"];
    for token in tokens {
        let decision = decide_with("GET", "/rooms/lobby", &[("Grip-Sig", token), UPGRADE]);
        let (status, body) = refused(&decision);
        assert_eq!(status, 403, "{}", token.escape_ascii());
        assert!(body.starts_with("Grip-Sig rejected: "), "{body}");
    }
}

#[test]
fn a_capture_that_would_corrupt_grip_channel_gets_400_before_any_handoff() {
    let (status, _) = refused(&decide_with("GET", "/rooms/a,b", &[UPGRADE]));
    assert_eq!(status, 400);
}

#[test]
fn fanout_and_direct_routes_go_to_their_backend() {
    assert_eq!(get("/page"), handoff("origin", "/page"));
    assert_eq!(get("/static/app.js"), send("/static/app.js", false));
    let upgrade = decide_with("GET", "/static/ws", &[("Upgrade", b"WebSocket")]);
    assert_eq!(upgrade, send("/static/ws", true));
}

#[test]
fn a_verified_request_on_a_handoff_route_is_not_handed_off_again() {
    for path in ["/page", "/static/x"] {
        assert_eq!(refused(&second_pass(path, &[])).0, 508, "{path}");
    }
}

#[test]
fn a_websocket_on_an_http_mode_route_is_refused_on_either_pass() {
    let first = decide_with("GET", "/test/stream", &[UPGRADE]);
    let second = second_pass("/test/stream", &[EVENTS]);
    for decision in [first, second] {
        let (status, body) = refused(&decision);
        assert_eq!(status, 400);
        assert_eq!(
            body,
            "this route answers in `stream` mode over plain HTTP: it does not take WebSocket \
             connections\n"
        );
    }
}

#[test]
fn ws_echo_takes_only_a_websocket_on_either_pass() {
    let charset: (&str, &[u8]) = (
        "Content-Type",
        b"application/websocket-events; charset=utf-8",
    );
    let cases = [
        decide_with("GET", "/rooms/lobby", &[]),
        decide_with("POST", "/rooms/lobby", &[EVENTS]),
        decide_with("GET", "/rooms/lobby", &[("Upgrade", b"h2c")]),
        second_pass("/rooms/lobby", &[]),
        second_pass("/rooms/lobby", &[charset]),
    ];
    for decision in cases {
        assert_eq!(refused(&decision).0, 400);
    }
    let upgrade = decide_with("GET", "/rooms/lobby", &[("Upgrade", b"h2c, websocket")]);
    assert_eq!(
        upgrade,
        Decision::Handoff(forward("self", "/rooms/lobby", true))
    );
}

/// Every header the decision reads, with a value that is not UTF-8: an answer, never a
/// panic.
#[test]
fn header_values_that_are_not_utf8_are_read_without_panic() {
    let bad: &[u8] = b"\xff\xfe";
    let read = [
        "Grip-Sig",
        "Content-Type",
        "Upgrade",
        "Host",
        "Origin",
        "Authorization",
        "Cookie",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
    ];
    let paths = ["/test/stream", "/rooms/lobby", "/static/x", "/page"];
    let with_policies = ["/notifications/alice", "/chat/lobby"];
    for name in read {
        for path in paths.iter().chain(&with_policies) {
            for method in ["GET", "OPTIONS"] {
                let _ = decide_with(method, path, &[(name, bad)]);
                let _ = decide_with(method, path, &[(name, bad), APP_ORIGIN, UPGRADE]);
            }
            let _ = second_pass(path, &[(name, bad)]);
        }
    }
    let origin = decide_with("GET", "/notifications/alice", &[("Origin", bad)]);
    assert_eq!(
        refused(&origin),
        (400, "the origin header is not text\n".to_owned())
    );
    let authorization = decide_with("GET", "/notifications/alice", &[("Authorization", bad)]);
    assert_eq!(refused(&authorization).0, 400);
    let upgrade = decide_with("GET", "/rooms/lobby", &[("Upgrade", bad)]);
    assert_eq!(refused(&upgrade).0, 400);
    let content_type = second_pass("/rooms/lobby", &[("Content-Type", bad)]);
    assert_eq!(refused(&content_type).0, 400);
}

fn user_token(user: &str) -> String {
    let claims = format!(r#"{{"sub":"{user}","exp":{}}}"#, NOW + 600);
    jwt::sign_hs256(b"users secret", None, &claims)
}

const APP_ORIGIN: (&str, &[u8]) = ("Origin", b"https://app.example.com");

#[test]
fn a_user_holds_their_own_stream_and_the_token_goes_no_further() {
    let bearer = format!("Bearer {}", user_token("alice"));
    let headers = [("Authorization", bearer.as_bytes()), APP_ORIGIN];
    let Decision::Handoff(forward) = decide_with("GET", "/notifications/alice", &headers) else {
        panic!("alice holds her own stream")
    };
    assert_eq!(forward.backend, "self");
    assert!(forward.drop_authorization);

    let query = format!(
        "/notifications/alice?x=1&access_token={}",
        user_token("alice")
    );
    let Decision::Handoff(forward) = decide_with("GET", &query, &[]) else {
        panic!("a token in the query is as good")
    };
    assert_eq!(forward.target, target("/notifications/alice?x=1"));
}

#[test]
fn another_user_s_stream_or_no_token_is_refused_before_any_handoff() {
    let bob = format!("Bearer {}", user_token("bob"));
    let refused = decide_with(
        "GET",
        "/notifications/alice",
        &[("Authorization", bob.as_bytes()), APP_ORIGIN],
    );
    let (status, _) = refused_with_cors(&refused);
    assert_eq!(status, 403);
    let missing = decide_with("GET", "/notifications/alice", &[APP_ORIGIN]);
    assert_eq!(refused_with_cors(&missing).0, 401);
}

/// A refusal's status, checking that a browser on the allowed origin may read it.
fn refused_with_cors(decision: &Decision) -> (u16, String) {
    let Decision::Respond(response) = decision else {
        panic!("expected a refusal, got {decision:?}")
    };
    assert_eq!(
        response.header("Access-Control-Allow-Origin"),
        Some("https://app.example.com")
    );
    refused(decision)
}

#[test]
fn a_preflight_is_answered_by_the_app_for_the_route_of_the_requested_method() {
    let preflight = [
        APP_ORIGIN,
        ("Access-Control-Request-Method", b"GET"),
        ("Access-Control-Request-Headers", b"Authorization"),
    ];
    let Decision::Respond(answer) = decide_with("OPTIONS", "/notifications/alice", &preflight)
    else {
        panic!("a preflight is answered")
    };
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("Access-Control-Allow-Methods"), Some("GET"));
    let evil = [
        ("Origin", &b"https://evil.example"[..]),
        ("Access-Control-Request-Method", b"GET"),
    ];
    assert_eq!(
        refused(&decide_with("OPTIONS", "/notifications/alice", &evil)).0,
        403
    );
    // A route without a CORS policy: the OPTIONS request is routed as any other.
    let elsewhere = decide_with("OPTIONS", "/page", &preflight);
    assert_eq!(elsewhere, handoff("origin", "/page"));
}

#[test]
fn a_websocket_from_an_origin_the_route_does_not_allow_is_refused() {
    let mut handshake = vec![UPGRADE];
    handshake.push(("Origin", b"https://evil.example"));
    assert_eq!(
        refused(&decide_with("GET", "/chat/lobby", &handshake)).0,
        403
    );
    handshake[1] = APP_ORIGIN;
    assert!(matches!(
        decide_with("GET", "/chat/lobby", &handshake),
        Decision::Handoff(_)
    ));
    // Without a CORS policy only the route's own origin may open one.
    let host: (&str, &[u8]) = ("Host", b"rooms.example.com");
    let same = [UPGRADE, host, ("Origin", b"https://rooms.example.com")];
    assert!(matches!(
        decide_with("GET", "/rooms/lobby", &same),
        Decision::Handoff(_)
    ));
    let cross = [UPGRADE, host, ("Origin", b"https://evil.example")];
    assert_eq!(refused(&decide_with("GET", "/rooms/lobby", &cross)).0, 403);
}

/// The second pass is the request the first pass let through, forwarded by Fanout with
/// its `Grip-Sig`: not checked again (its query token is gone by then).
#[test]
fn the_second_pass_answers_with_cors_headers_and_no_second_check() {
    let (name, token) = valid_sig();
    let answered = decide_with("GET", "/notifications/alice", &[(name, &token), APP_ORIGIN]);
    let Decision::Answer {
        channels, headers, ..
    } = answered
    else {
        panic!("answered: {answered:?}")
    };
    assert_eq!(channels, ["user-alice"]);
    assert!(headers.contains(&(
        "Access-Control-Allow-Origin",
        "https://app.example.com".to_owned()
    )));
}

#[test]
fn a_reliable_route_hands_off_as_usual_and_resumes_on_the_second_pass() {
    assert_eq!(get("/feeds/news"), handoff(SELF_BACKEND, "/feeds/news"));
    let Decision::Resume(resume) = second_pass("/feeds/news", &[("Last-Event-ID", b"7")]) else {
        panic!("a reliable route's second pass resumes")
    };
    assert_eq!(
        (
            resume.channel.as_str(),
            resume.last_id.as_deref(),
            resume.next_link
        ),
        ("feed-news", Some("7"), false)
    );
}

#[test]
fn fanout_following_the_next_link_makes_the_app_fetch_the_history() {
    let decision = second_pass(
        "/feeds/news?grip_next=feed-news",
        &[("Grip-Last", b"feed-news; last-id=7")],
    );
    let Decision::FetchHistory(resume) = decision else {
        panic!("expected a history fetch, got {decision:?}")
    };
    assert_eq!(
        resume.history_target(),
        "/history?channel=feed-news&after=7&limit=100"
    );
}

#[test]
fn a_client_s_own_grip_last_without_a_verified_sig_is_a_first_pass() {
    let decision = decide_with(
        "GET",
        "/feeds/news?grip_next=feed-news",
        &[("Grip-Last", b"feed-news; last-id=7")],
    );
    assert!(matches!(decision, Decision::Handoff(_)), "{decision:?}");
}

#[test]
fn the_normalised_host_selects_and_a_rewrite_changes_the_path_sent_on() {
    let host: &[(&'static str, &[u8])] = &[("host", b"Admin.Example.com.:443")];
    let Decision::Send(forward) = decide_with("GET", "/legacy/a?x=1", host) else {
        panic!("a direct route");
    };
    assert_eq!(forward.target, target("/v2/a?x=1"));
    assert_eq!(forward.request_headers, &LEGACY.request_headers);
    // Another host does not reach the host's route.
    assert_eq!(
        decide_with("GET", "/legacy/a", &[("host", b"www.example.com")]),
        handoff("origin", "/legacy/a")
    );
}

#[test]
fn a_route_whose_feature_is_not_compiled_in_is_refused_not_served_without_it() {
    let none = Features {
        authorize: None,
        cors: None,
        reliable: None,
        rewrite: None,
    };
    let (name, token) = valid_sig();
    let bearer = format!("Bearer {}", user_token("alice"));
    let preflight = [APP_ORIGIN, ("Access-Control-Request-Method", &b"GET"[..])];
    let cases = [
        (
            "GET",
            "/notifications/alice",
            vec![("Authorization", bearer.as_bytes())],
            "authorization",
        ),
        (
            "GET",
            "/notifications/alice",
            vec![APP_ORIGIN],
            "CORS policy",
        ),
        (
            "OPTIONS",
            "/notifications/alice",
            preflight.to_vec(),
            "CORS policy",
        ),
        (
            "POST",
            "/feeds/news",
            vec![(name, token.as_slice())],
            "reliable delivery",
        ),
        (
            "GET",
            "/legacy/a",
            vec![("host", &b"admin.example.com"[..])],
            "rewrite",
        ),
    ];
    for (method, path, headers, feature) in cases {
        let decision = decide_without(none, method, path, &headers);
        let expected = format!("this route's {feature} is not compiled in\n");
        assert_eq!(refused(&decision), (500, expected), "{method} {path}");
    }
}
