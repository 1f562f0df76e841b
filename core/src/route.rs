//! The route table that `build.rs` generates from routes.toml, and the helpers its lookup
//! calls. Everything here is `'static` data or borrows the request path: a lookup allocates
//! nothing.

use crate::channel::Channel;
use crate::decision::Headers;
use crate::method::Methods;

/// Most parameters one route may capture; the generator rejects more.
pub const MAX_PARAMS: usize = 8;

/// One `[[route]]` of routes.toml.
#[derive(Debug, PartialEq, Eq)]
pub struct Route {
    /// The pattern as written in routes.toml, for logs and `cargo xtask routes`.
    pub pattern: &'static str,
    pub kind: PatternKind,
    pub methods: Methods,
    /// The parameters of `pattern`, in order of appearance.
    pub params: &'static [Param],
    pub action: Action,
    pub channels: &'static [Channel],
    /// The `[auth.NAME]` policy a request must pass, checked before any handoff.
    pub auth: Option<&'static crate::auth::Policy>,
    /// The `[cors.NAME]` policy for browsers on other origins.
    pub cors: Option<&'static crate::cors::Policy>,
    /// The hosts the route is limited to (`hosts`), in normal form; empty for any host.
    pub hosts: &'static [&'static str],
    /// What the request must be besides its method and path (`websocket`, `accept`,
    /// `headers`, `query`).
    pub when: Conditions,
    /// `rewrite = { prefix }`: the prefix that replaces the matched one on the way on.
    pub rewrite: Option<Rewrite>,
    /// Request headers added and removed for the backend (`request_headers`).
    pub request_headers: RequestHeaders,
}

/// A parameter of a route's pattern: its name, and the segment of the path it captures.
#[derive(Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    /// The index of the segment, counted from 0 after the path's leading `/`.
    pub segment: usize,
}

/// What the route lookup reads of a request.
#[derive(Clone, Copy)]
pub struct RequestKey<'p> {
    pub method: &'p str,
    /// In normal form ([`crate::path::normalise_host`]); empty when the request names none.
    pub host: &'p str,
    /// In normal form ([`crate::path::normalise`]).
    pub path: &'p str,
    pub query: Option<&'p str>,
    pub headers: &'p dyn Headers,
}

impl<'p> RequestKey<'p> {
    /// A request with no host, query or headers: what a route without `hosts` or conditions
    /// is looked up by.
    pub fn plain(method: &'p str, path: &'p str) -> RequestKey<'p> {
        RequestKey {
            method,
            host: "",
            path,
            query: None,
            headers: &NoHeaders,
        }
    }
}

/// A request without headers.
pub struct NoHeaders;

impl Headers for NoHeaders {
    fn get(&self, _name: &str) -> Option<&[u8]> {
        None
    }
}

/// The conditions on the kind of request a route takes; every condition given must hold.
#[derive(Debug, PartialEq, Eq)]
pub struct Conditions {
    /// `Some(true)`: only a WebSocket upgrade; `Some(false)`: never one.
    pub websocket: Option<bool>,
    /// A media type the `Accept` header must name with a non-zero q-value, in lower case.
    pub accept: Option<&'static str>,
    pub headers: &'static [HeaderCondition],
    /// Query parameters that must be present, with or without a value.
    pub query: &'static [&'static str],
}

/// `headers = { name = true }` (present) or `{ name = "value" }` (equal to it).
#[derive(Debug, PartialEq, Eq)]
pub struct HeaderCondition {
    /// In lower case.
    pub name: &'static str,
    pub value: Option<&'static str>,
}

impl Conditions {
    /// No condition: any kind of request.
    pub const NONE: Conditions = Conditions {
        websocket: None,
        accept: None,
        headers: &[],
        query: &[],
    };

    pub fn is_none(&self) -> bool {
        *self == Conditions::NONE
    }

    /// Whether the request meets every condition.
    pub fn holds(&self, request: &RequestKey) -> bool {
        self.websocket
            .is_none_or(|ws| is_websocket_upgrade(request.headers) == ws)
            && self.accept.is_none_or(|media| {
                request
                    .headers
                    .get("accept")
                    .is_some_and(|accept| accepts(accept, media))
            })
            && self.headers.iter().all(|h| h.holds(request.headers))
            && self
                .query
                .iter()
                .all(|name| has_query_param(request.query, name))
    }
}

impl HeaderCondition {
    pub fn holds(&self, headers: &dyn Headers) -> bool {
        match (headers.get(self.name), self.value) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(value), Some(expected)) => value.trim_ascii() == expected.as_bytes(),
        }
    }
}

/// Whether the request asks to upgrade to a WebSocket: `Upgrade` lists `websocket`.
pub fn is_websocket_upgrade(headers: &dyn Headers) -> bool {
    headers.get("upgrade").is_some_and(|upgrade| {
        upgrade
            .split(|&b| b == b',')
            .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"websocket"))
    })
}

/// Whether an `Accept` value names `media` (in lower case) with a q-value above zero.
/// Only the media type itself counts: `*/*` and `text/*` do not name it.
pub fn accepts(accept: &[u8], media: &str) -> bool {
    accept.split(|&b| b == b',').any(|element| {
        let mut parts = element.split(|&b| b == b';');
        let range = parts.next().unwrap_or_default().trim_ascii();
        range.eq_ignore_ascii_case(media.as_bytes())
            && !parts.any(|param| {
                let param = param.trim_ascii();
                let Some((name, value)) = param.split_at_checked(2) else {
                    return false;
                };
                name.eq_ignore_ascii_case(b"q=") && q_is_zero(value.trim_ascii())
            })
    })
}

/// `0`, `0.`, `0.0`, ... `0.000`: a weight of zero, "not acceptable".
fn q_is_zero(value: &[u8]) -> bool {
    match value.split_first() {
        Some((b'0', rest)) => match rest.split_first() {
            None => true,
            Some((b'.', decimals)) => decimals.len() <= 3 && decimals.iter().all(|&b| b == b'0'),
            Some(_) => false,
        },
        _ => false,
    }
}

/// Whether the query holds parameter `name`, with or without a value.
pub fn has_query_param(query: Option<&str>, name: &str) -> bool {
    query.is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair.split_once('=').map_or(pair, |(n, _)| n) == name)
    })
}

/// Whether a route's `hosts` admit a host in normal form: an exact name, or `*.suffix` for
/// any name ending in `.suffix` (with at least one label before it).
pub fn host_admits(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        None => pattern == host,
    }
}

/// `rewrite = { prefix = "/v2" }` on a `prefix` route of `segments` segments.
#[derive(Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub segments: usize,
    pub prefix: &'static str,
}

impl Rewrite {
    /// `path` (in normal form, matched by the route) with its first `segments` segments
    /// replaced by the prefix: `/api/x` is `/v2/x` for `/api` rewritten to `/v2`.
    pub fn apply(&self, path: &str) -> String {
        let mut rest = path;
        for _ in 0..self.segments {
            let after = &rest[1..];
            rest = &after[after.find('/').unwrap_or(after.len())..];
        }
        match (self.prefix, rest) {
            ("/", "") => "/".to_owned(),
            ("/", rest) => rest.to_owned(),
            (prefix, rest) => format!("{prefix}{rest}"),
        }
    }
}

/// What changes in a request's headers on the way to the backend, after the app's own
/// forwarding headers are set: `remove` first, then `add`.
#[derive(Debug, PartialEq, Eq)]
pub struct RequestHeaders {
    pub add: &'static [(&'static str, &'static str)],
    pub remove: &'static [&'static str],
}

impl RequestHeaders {
    pub const NONE: RequestHeaders = RequestHeaders {
        add: &[],
        remove: &[],
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// `path = ...`: the whole path.
    Exact,
    /// `prefix = ...`: the path or anything below it, on segment boundaries.
    Prefix,
}

impl PatternKind {
    /// The routes.toml key that gives a pattern of this kind.
    pub const fn key(self) -> &'static str {
        match self {
            PatternKind::Exact => "path",
            PatternKind::Prefix => "prefix",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Hand off to Fanout, which forwards to `backend`; the backend speaks GRIP itself.
    Fanout { backend: &'static str },
    /// Send straight to `backend`, bypassing Fanout.
    Direct { backend: &'static str },
    /// Hand off to Fanout targeting the app itself, which answers in `mode` on the second pass.
    Answer(Mode),
}

/// How the app answers a request that came back through Fanout.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    Stream {
        content_type: &'static str,
        initial_body: &'static str,
        /// Off unless routes.toml gives one: its bytes become part of the client's body.
        keep_alive: Option<KeepAlive>,
        reliable: Option<Reliable>,
    },
    Sse {
        keep_alive: KeepAlive,
        /// SSE the client receives first, e.g. `retry: 3000\n\n`; checked at build time.
        initial_body: &'static str,
        reliable: Option<Reliable>,
    },
    LongPoll {
        timeout_secs: u32,
        on_timeout: TimeoutResponse,
    },
    WsEcho {
        /// Pushpin's keep-alive control message, sent when the WebSocket opens.
        keep_alive: Option<KeepAlive>,
    },
}

/// What Fanout sends on a held connection so that proxies and load balancers do not cut
/// it: bytes of the body (`stream`, `sse`) or a text message (`ws-echo`).
#[derive(Debug, PartialEq, Eq)]
pub struct KeepAlive {
    pub interval_secs: u32,
    pub mode: KeepAliveMode,
    pub content: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepAliveMode {
    /// Sent after `interval_secs` without anything else sent.
    Idle,
    /// Sent every `interval_secs`, whatever else is sent.
    Interval,
}

impl KeepAliveMode {
    /// The name routes.toml and GRIP use.
    pub const fn name(self) -> &'static str {
        match self {
            KeepAliveMode::Idle => "idle",
            KeepAliveMode::Interval => "interval",
        }
    }
}

/// A route whose clients resume where they left off: what they missed comes from the
/// history endpoint of `backend` (see `reliable`).
#[derive(Debug, PartialEq, Eq)]
pub struct Reliable {
    pub backend: &'static str,
    /// The history endpoint's path on `backend`.
    pub path: &'static str,
    /// The query parameter that carries the last id for clients that cannot send
    /// `Last-Event-ID`.
    pub last_event_id_query: &'static str,
}

impl Mode {
    pub fn kind(&self) -> ModeKind {
        match self {
            Mode::Stream { .. } => ModeKind::Stream,
            Mode::Sse { .. } => ModeKind::Sse,
            Mode::LongPoll { .. } => ModeKind::LongPoll,
            Mode::WsEcho { .. } => ModeKind::WsEcho,
        }
    }

    /// The route's reliable delivery, on `stream` and `sse` routes that declare it.
    pub fn reliable(&self) -> Option<&Reliable> {
        match self {
            Mode::Stream { reliable, .. } | Mode::Sse { reliable, .. } => reliable.as_ref(),
            Mode::LongPoll { .. } | Mode::WsEcho { .. } => None,
        }
    }

    /// The name routes.toml uses for the mode.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// A mode without its options: what `answer = "..."` names in routes.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeKind {
    Stream,
    Sse,
    LongPoll,
    WsEcho,
}

impl ModeKind {
    /// Every mode, in the order documentation lists them.
    pub const ALL: [ModeKind; 4] = [
        ModeKind::Stream,
        ModeKind::Sse,
        ModeKind::LongPoll,
        ModeKind::WsEcho,
    ];

    /// The name routes.toml uses for the mode: `answer = "long-poll"`.
    pub const fn name(self) -> &'static str {
        match self {
            ModeKind::Stream => "stream",
            ModeKind::Sse => "sse",
            ModeKind::LongPoll => "long-poll",
            ModeKind::WsEcho => "ws-echo",
        }
    }

    pub fn from_name(name: &str) -> Option<ModeKind> {
        ModeKind::ALL.into_iter().find(|mode| mode.name() == name)
    }
}

/// What a long-poll client receives when nothing is published before the timeout.
#[derive(Debug, PartialEq, Eq)]
pub struct TimeoutResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The route a request matched, and the path it matched on, from which its parameters'
/// values are read.
#[derive(Debug)]
pub struct Match<'p> {
    pub route: &'static Route,
    path: &'p str,
}

impl<'p> Match<'p> {
    /// `route`, found by the lookup on `path`. The lookup returns the route alone: a
    /// parameter always takes a whole segment at the same place, so its value is read from
    /// the path when it is asked for.
    pub fn new(route: &'static Route, path: &'p str) -> Match<'p> {
        Match { route, path }
    }

    /// The value of the route's parameter `index` (in the order of `route.params`); empty
    /// for an index past them.
    pub fn value(&self, index: usize) -> &'p str {
        self.values().nth(index).unwrap_or("")
    }

    /// The values of all the route's parameters, in order, read in one pass over the path.
    pub fn values(&self) -> impl Iterator<Item = &'p str> + use<'p> {
        let rest = self.path.strip_prefix('/').unwrap_or(self.path);
        let bytes = rest.as_bytes();
        // The end of the segment that starts at `start`: a plain loop, as segments are short.
        let end = move |start: usize| {
            let tail = bytes.get(start..).unwrap_or_default();
            start
                + tail
                    .iter()
                    .position(|&byte| byte == b'/')
                    .unwrap_or(tail.len())
        };
        let (mut segment, mut start) = (0, 0);
        self.route.params.iter().map(move |param| {
            while segment < param.segment && start <= bytes.len() {
                start = end(start) + 1;
                segment += 1;
            }
            // Past the last segment, every value is empty.
            rest.get(start..end(start)).unwrap_or_default()
        })
    }

    pub fn param(&self, name: &str) -> Option<&'p str> {
        let index = self.route.params.iter().position(|p| p.name == name)?;
        Some(self.value(index))
    }
}

/// Splits `rest`, the part of a path after its leading `/`, into `segments` in one pass and
/// returns how many segments the path has: 0 for an empty `rest`, `N + 1` for any count past
/// `N` (the segments past `N` are not read). `a/` has two segments, the second empty.
#[inline]
pub fn split_path<'p, const N: usize>(rest: &'p str, segments: &mut [&'p str; N]) -> usize {
    if rest.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut start = 0;
    for (i, byte) in rest.bytes().enumerate() {
        if byte == b'/' {
            if count == N {
                return N + 1;
            }
            segments[count] = &rest[start..i];
            count += 1;
            start = i + 1;
        }
    }
    if count == N {
        return N + 1;
    }
    segments[count] = &rest[start..];
    count + 1
}

/// Everything the generated route table and lookup name, imported whole by the generated
/// code, so the generator needs no list of what each file uses.
pub mod prelude {
    pub use super::{
        Action, Conditions, HeaderCondition, KeepAlive, KeepAliveMode, Mode, Param, PatternKind,
        Reliable, RequestHeaders, RequestKey, Rewrite, Route, TimeoutResponse, split_path,
    };
    pub use crate::channel::{Channel, Piece};
    pub use crate::grip_sig::{PublicSigner, SharedKeySigner, Signers};
    pub use crate::method::Methods;
    pub use crate::p256_fixed::VerifyingKey;
    // The policies of `[auth.NAME]` and `[cors.NAME]`, named by module: both are `Policy`.
    pub use crate::decision::Features;
    pub use crate::{auth, cors, jwt, reliable};
    pub use std::borrow::Cow;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_path_counts_every_segment_and_keeps_the_first_n() {
        let mut s = [""; 2];
        assert_eq!(split_path("", &mut s), 0);
        assert_eq!(split_path("a", &mut s), 1);
        assert_eq!(s[0], "a");
        assert_eq!(split_path("a/bc", &mut s), 2);
        assert_eq!(s, ["a", "bc"]);
        assert_eq!(split_path("a/", &mut s), 2);
        assert_eq!(s, ["a", ""]);
        assert_eq!(split_path("/", &mut s), 2);
        assert_eq!(s, ["", ""]);
        assert_eq!(split_path("a/b/c/d", &mut s), 3);
        assert_eq!(split_path("x", &mut [""; 0]), 1);
    }

    struct Pairs(&'static [(&'static str, &'static str)]);

    impl Headers for Pairs {
        fn get(&self, name: &str) -> Option<&[u8]> {
            self.0
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_bytes())
        }
    }

    #[test]
    fn accept_names_the_media_type_with_a_weight_above_zero() {
        let sse = "text/event-stream";
        for (accept, expected) in [
            ("text/event-stream", true),
            ("Text/Event-Stream", true),
            ("application/json, text/event-stream;q=0.5", true),
            ("text/event-stream; charset=utf-8", true),
            ("text/event-stream;q=0", false),
            ("text/event-stream; Q=0.000", false),
            ("text/event-stream;q=0.001", true),
            ("*/*", false),
            ("text/*", false),
            ("text/event-streams", false),
            ("", false),
        ] {
            assert_eq!(accepts(accept.as_bytes(), sse), expected, "{accept}");
        }
    }

    #[test]
    fn conditions_hold_when_all_do() {
        static HEADERS: [HeaderCondition; 1] = [HeaderCondition {
            name: "x-stream",
            value: Some("yes"),
        }];
        let when = Conditions {
            websocket: Some(false),
            accept: None,
            headers: &HEADERS,
            query: &["live"],
        };
        let headers = Pairs(&[("x-stream", " yes ")]);
        let request = |query, headers| RequestKey {
            query,
            headers,
            ..RequestKey::plain("GET", "/")
        };
        assert!(when.holds(&request(Some("a=1&live"), &headers)));
        assert!(when.holds(&request(Some("live=0"), &headers)));
        assert!(!when.holds(&request(Some("lively=1"), &headers)));
        assert!(!when.holds(&request(Some("live"), &NoHeaders)));
        let upgrade = Pairs(&[("x-stream", "yes"), ("upgrade", "websocket")]);
        assert!(!when.holds(&request(Some("live"), &upgrade)));
        assert!(Conditions::NONE.holds(&RequestKey::plain("GET", "/")));
    }

    #[test]
    fn hosts_admit_exact_names_and_wildcards() {
        assert!(host_admits("api.example.com", "api.example.com"));
        assert!(!host_admits("api.example.com", "x.api.example.com"));
        assert!(host_admits("*.example.com", "a.example.com"));
        assert!(host_admits("*.example.com", "a.b.example.com"));
        assert!(!host_admits("*.example.com", "example.com"));
        assert!(!host_admits("*.example.com", ".example.com"));
        assert!(!host_admits("*.example.com", "badexample.com"));
    }

    #[test]
    fn a_rewrite_replaces_the_matched_segments() {
        let v2 = Rewrite {
            segments: 1,
            prefix: "/v2",
        };
        assert_eq!(v2.apply("/api"), "/v2");
        assert_eq!(v2.apply("/api/"), "/v2/");
        assert_eq!(v2.apply("/api/x/y"), "/v2/x/y");
        let root = Rewrite {
            segments: 2,
            prefix: "/",
        };
        assert_eq!(root.apply("/a/b"), "/");
        assert_eq!(root.apply("/a/b/c"), "/c");
        let from_root = Rewrite {
            segments: 0,
            prefix: "/app",
        };
        assert_eq!(from_root.apply("/"), "/app/");
        assert_eq!(from_root.apply("/x"), "/app/x");
    }

    #[test]
    fn mode_names_read_back() {
        for mode in ModeKind::ALL {
            assert_eq!(ModeKind::from_name(mode.name()), Some(mode));
        }
        assert_eq!(ModeKind::from_name("steam"), None);
    }

    static FILE: Route = Route {
        pattern: "/repos/{owner}/x/{file}",
        kind: PatternKind::Prefix,
        methods: Methods::ANY,
        params: &[
            Param {
                name: "owner",
                segment: 1,
            },
            Param {
                name: "file",
                segment: 3,
            },
        ],
        action: Action::Direct { backend: "origin" },
        channels: &[],
        auth: None,
        cors: None,
        hosts: &[],
        when: Conditions::NONE,
        rewrite: None,
        request_headers: RequestHeaders::NONE,
    };

    #[test]
    fn a_match_reads_each_parameter_from_its_segment() {
        let matched = Match::new(&FILE, "/repos/alice/x/notes.txt/more");
        assert_eq!(matched.param("owner"), Some("alice"));
        assert_eq!(matched.param("file"), Some("notes.txt"));
        assert_eq!(matched.param("repo"), None);
        assert_eq!(
            (matched.value(0), matched.value(1), matched.value(2)),
            ("alice", "notes.txt", "")
        );
        assert_eq!(matched.values().collect::<Vec<_>>(), ["alice", "notes.txt"]);
        // A path the route was not found on reads as empty values, never a panic.
        let short = Match::new(&FILE, "/repos/bob");
        assert_eq!(short.values().collect::<Vec<_>>(), ["bob", ""]);
        assert_eq!(Match::new(&FILE, "").value(0), "");
    }
}
