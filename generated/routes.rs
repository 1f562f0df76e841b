// @generated from routes.toml by fanout-router-codegen. Do not edit.
// Refresh the reviewed copy in generated/routes.rs with `cargo xtask codegen`.

use fanout_router_core::route::prelude::*;

/// Every route of routes.toml, in precedence order: the first that matches a request
/// handles it.
pub static ROUTES: [&Route; 5] = [
    &PATH_TEST_STREAM,
    &PATH_TEST_SSE,
    &PATH_TEST_LONG_POLL,
    &PATH_TEST_WEBSOCKET,
    &PREFIX_ROOT,
];

static PATH_TEST_STREAM: Route = Route {
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

static PATH_TEST_SSE: Route = Route {
    pattern: "/test/sse",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[],
    action: Action::Answer(Mode::Sse {
        keep_alive: KeepAlive {
            interval_secs: 20,
            mode: KeepAliveMode::Idle,
            content: ":\n\n",
        },
        initial_body: "",
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

static PATH_TEST_LONG_POLL: Route = Route {
    pattern: "/test/long-poll",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[],
    action: Action::Answer(Mode::LongPoll {
        timeout_secs: 55,
        on_timeout: TimeoutResponse {
            status: 200,
            content_type: "text/plain",
            body: "",
        },
    }),
    channels: &[Channel(&[Piece::Text("test")])],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static PATH_TEST_WEBSOCKET: Route = Route {
    pattern: "/test/websocket",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[],
    action: Action::Answer(Mode::WsEcho { keep_alive: None }),
    channels: &[Channel(&[Piece::Text("test")])],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static PREFIX_ROOT: Route = Route {
    pattern: "/",
    kind: PatternKind::Prefix,
    methods: Methods::ANY,
    params: &[],
    action: Action::Fanout {
        backend: "origin",
    },
    channels: &[],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

/// The route that handles a request with this method, host, path and headers
/// (`Match::new` reads its parameters). Allocates nothing.
pub fn lookup<'p>(request: &RequestKey<'p>) -> Option<&'static Route> {
    match request.path {
        "/test/long-poll" => {
            return Some(&PATH_TEST_LONG_POLL);
        }
        "/test/sse" => {
            return Some(&PATH_TEST_SSE);
        }
        "/test/stream" => {
            return Some(&PATH_TEST_STREAM);
        }
        "/test/websocket" => {
            return Some(&PATH_TEST_WEBSOCKET);
        }
        _ => {}
    }
    request.path.strip_prefix('/')?;
    Some(&PREFIX_ROOT)
}

/// Who may sign `Grip-Sig` (routes.toml's `[grip_sig]`); `None` keeps the default:
/// Fastly Fanout on Fastly, the local stack's Pushpin under the local server.
pub static SIGNERS: Signers = Signers {
    production: None,
    local: None,
};

/// The code of the features routes.toml uses; `None` leaves out one that no route
/// uses.
pub const FEATURES: Features = Features {
    authorize: None,
    cors: None,
    reliable: None,
    rewrite: None,
};
