//! The committed text of `fixtures/rich.rs` compiles against the core crate, and its lookup
//! and signers do what `fixtures/rich.toml` says, down to the functions split off large
//! subtrees.

use fanout_router_core::decision::Headers;
use fanout_router_core::grip_sig::{FASTLY_KEY, SignerKey};
use fanout_router_core::jwt;
use fanout_router_core::route::{Action, Match, Mode, RequestKey};

#[allow(dead_code, clippy::all)]
mod rich {
    include!("fixtures/rich.rs");
}

/// The pattern of the route handling `method path`, and the values it captured.
fn handler(method: &str, path: &str) -> Option<(&'static str, Vec<String>)> {
    let matched = Match::new(rich::lookup(&RequestKey::plain(method, path))?, path);
    let captures = (0..matched.route.params.len())
        .map(|i| matched.value(i).to_owned())
        .collect();
    Some((matched.route.pattern, captures))
}

#[test]
fn the_split_off_functions_find_their_routes() {
    assert_eq!(
        handler("GET", "/repos/a/b/stats"),
        Some(("/repos/{owner}/{repo}/stats", vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        handler("PATCH", "/repos/a/b/issues/7"),
        Some((
            "/repos/{owner}/{repo}/issues/{number}",
            vec!["a".into(), "b".into(), "7".into()]
        ))
    );
    // A method neither issue route lists falls through to the catch-all.
    assert_eq!(handler("POST", "/repos/a/b/issues/7"), Some(("/", vec![])));
}

#[test]
fn methods_literals_and_prefixes_pick_as_the_rules_say() {
    assert_eq!(
        handler("GET", "/rooms/lobby/events").unwrap().0,
        "/rooms/lobby/events"
    );
    assert_eq!(
        handler("GET", "/rooms/x/events").unwrap().0,
        "/rooms/{room}/events"
    );
    assert_eq!(
        handler("GET", "/rooms/x/history").unwrap().0,
        "/rooms/{room}"
    );
    assert_eq!(handler("PUT", "/api/v1/items").unwrap().0, "/api/v1");
    assert_eq!(handler("GET", "/api/v1/items").unwrap().0, "/api");
    let job = rich::lookup(&RequestKey::plain("GET", "/jobs/9/result")).unwrap();
    let Action::Answer(Mode::LongPoll { on_timeout, .. }) = &job.action else {
        panic!("{:?}", job.action);
    };
    assert_eq!(on_timeout.status, 204);
}

#[test]
fn the_signers_are_the_grip_sig_table() {
    let production = rich::SIGNERS.production("svc");
    assert_eq!(production.issuer, "my-pushpin");
    let SignerKey::Es256(key) = production.key else {
        panic!("an ES256 key fixed at build time");
    };
    assert_ne!(key, &FASTLY_KEY, "routes.toml's key, not Fastly's");
    let local = rich::SIGNERS.local();
    assert_eq!(local.issuer, "pushpin");
    let SignerKey::Jwt(key) = local.key else {
        panic!("an HS256 key");
    };
    assert_eq!(key.algorithm, &jwt::HS256);
    assert_eq!(&*key.material, b"my-pushpin-sig-key");
}

#[test]
fn routes_point_at_their_policies_bound_to_their_patterns() {
    use fanout_router_core::channel::Piece;
    let route = |path: &str| rich::lookup(&RequestKey::plain("GET", path)).expect("a route");
    let notifications = route("/notifications/alice");
    let members = route("/rooms/lobby/members/alice");
    let (a, b) = (notifications.auth.unwrap(), members.auth.unwrap());
    assert_eq!((a.name, b.name), ("users", "users"));
    // `{user}` is parameter 0 of one pattern and 1 of the other.
    assert_eq!(a.claims[0].value, [Piece::Param(0)]);
    assert_eq!(b.claims[0].value, [Piece::Param(1)]);
    assert!(
        std::ptr::eq(a.keys, b.keys),
        "the keys are compiled in once"
    );
    let names: Vec<&str> = a.keys.iter().map(|k| k.algorithm.name).collect();
    assert_eq!(names, ["ES256", "RS256"]);
    let cors = notifications.cors.unwrap();
    assert!(cors.allows("https://app.example.com") && !cors.allows("https://evil.example"));
    assert_eq!(cors.headers, ["authorization", "last-event-id"]);
    assert!(members.cors.is_none());
}

struct Pairs<'a>(&'a [(&'a str, &'a str)]);

impl Headers for Pairs<'_> {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| *n == name);
        found.map(|(_, value)| value.as_bytes())
    }
}

#[test]
fn hosts_select_before_paths_and_conditions_pick_on_one_pattern() {
    let pick = |host: &str, path: &str, query: Option<&str>, headers: &[(&str, &str)]| {
        let request = RequestKey {
            host,
            query,
            headers: &Pairs(headers),
            ..RequestKey::plain("GET", path)
        };
        let route = rich::lookup(&request).expect("a route");
        (route.pattern, route.hosts, route.action.backend_kind())
    };
    // The exact host takes every path, and beats the wildcard on /events.
    let admin = pick(
        "admin.example.com",
        "/events",
        None,
        &[("accept", "text/event-stream")],
    );
    assert_eq!(admin.1, &["admin.example.com"]);
    let sse = [("accept", "text/event-stream")];
    assert_eq!(pick("a.eu.example.com", "/events/x", None, &sse).1.len(), 2);
    // Without the host, SSE falls to the route with no conditions on /events: direct.
    assert_eq!(
        pick("other.org", "/events", None, &sse),
        ("/events", &[][..], "direct")
    );
    assert_eq!(
        pick("other.org", "/events", None, &[("upgrade", "websocket")]).2,
        "fanout"
    );
    let live = [("x-stream", "yes")];
    assert_eq!(pick("", "/events", Some("live"), &live).2, "fanout");
    assert_eq!(
        pick("", "/events", Some("live"), &[("x-stream", "no")]).2,
        "direct"
    );
}

trait BackendKind {
    fn backend_kind(&self) -> &'static str;
}

impl BackendKind for Action {
    fn backend_kind(&self) -> &'static str {
        match self {
            Action::Fanout { .. } => "fanout",
            Action::Direct { .. } => "direct",
            Action::Answer(_) => "answer",
        }
    }
}
