//! A validated route table with the lookup that picks from it, and what the app does with a
//! request under it: the handler's own decision (`fanout_router_core::decision::decide`),
//! run natively, so that path normalisation, 404s, method splits and channel names are the
//! app's.
//!
//! The lookup is the generated one compiled into this tool when the routes file generates
//! exactly that code (the default routes.toml while generated/routes.rs is fresh, and
//! e2e/routes.toml), and
//! otherwise the reference lookup of the validated table (`precedence::reference_lookup`),
//! which the agreement test and the `lookup_vs_reference` fuzz target hold to the generated
//! one: any routes file, committed or not, can be tried without compiling it.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use fanout_router_codegen::model::{self, ActionDef, ModeDef, Pattern, RouteDef, Table};
use fanout_router_codegen::{generate, precedence};
use fanout_router_core::channel::{Channel, Piece};
use fanout_router_core::decision::{
    self, Context, Decision, Features, Forward, Headers, Incoming, Lookup,
};
use fanout_router_core::method::Methods;
use fanout_router_core::path::{Target, normalise_host};
use fanout_router_core::route::{
    Action, Conditions, HeaderCondition, KeepAlive, KeepAliveMode, Match, Mode, Param, Reliable,
    RequestHeaders, RequestKey, Rewrite, Route, TimeoutResponse,
};
use fanout_router_core::{auth, cors, jwt};
use serde_json::{Map, Value};

/// A lookup compiled into this tool, with the text it was compiled from.
pub struct Compiled {
    pub text: &'static str,
    /// In the order of the validated table's routes.
    pub routes: &'static [&'static Route],
    pub lookup: Lookup,
}

/// A route table and its lookup. Everything is `'static`, as the app's generated table is:
/// a table read at run time is leaked, once per file, for the life of the command.
#[derive(Clone, Copy)]
pub struct Routing {
    /// The routes file as messages name it.
    pub file: &'static str,
    pub table: &'static Table,
    /// `table.routes` as the app's route type, in the same order.
    routes: &'static [&'static Route],
    lookup: Lookup,
    generated: bool,
}

thread_local! {
    /// The routing whose reference lookup runs: the decision takes a plain `fn`, which
    /// cannot carry its table.
    static ACTIVE: Cell<Option<Routing>> = const { Cell::new(None) };
    /// The token claims of the case being decided, for [`authorize_case`], which is a
    /// plain `fn` too.
    static CLAIMS: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The token check of a route test: with the case's claims, the policy's checks of the
/// claims (times, `iss`, `aud`, the binding to the path and the channels); without them,
/// the app's own check, which finds no token.
fn authorize_case(
    policy: &auth::Policy,
    request: &auth::Request,
    matched: &Match,
    channels: &[String],
    stores: &dyn auth::Stores,
) -> Result<auth::Authorized, auth::Refusal> {
    let Some(claims) = CLAIMS.with(|claims| claims.borrow().clone()) else {
        return policy.authorize(request, matched, channels, stores);
    };
    let claims: Map<String, Value> = serde_json::from_str(&claims).unwrap_or_default();
    policy.check_claims(&claims, matched, channels, request.now_unix_secs)?;
    Ok(auth::Authorized {
        strip_query: None,
        strip_authorization: !policy.forward_authorization,
    })
}

impl Routing {
    /// `table` looked up by the one of `compiled` that is exactly the code it generates,
    /// otherwise by its reference lookup.
    pub fn new(file: &str, table: Table, compiled: &[&Compiled]) -> Routing {
        let routing = Routing::reference(file, table);
        let code = generate(routing.table);
        match compiled.iter().find(|c| c.text == code) {
            Some(compiled) => Routing {
                routes: compiled.routes,
                lookup: compiled.lookup,
                generated: true,
                ..routing
            },
            None => routing,
        }
    }

    /// `table` looked up by its reference lookup.
    pub fn reference(file: &str, table: Table) -> Routing {
        let table: &'static Table = Box::leak(Box::new(table));
        let routes: Vec<&'static Route> = table
            .routes
            .iter()
            .map(|def| leak_route(table, def))
            .collect();
        Routing {
            file: String::leak(file.to_owned()),
            table,
            routes: routes.leak(),
            lookup: reference_lookup,
            generated: false,
        }
    }

    /// Whether the lookup is generated code compiled into this tool.
    pub fn is_generated(&self) -> bool {
        self.generated
    }

    /// The route the lookup picks for `request` (a normalised path and host), and its
    /// captures.
    pub fn find<'p>(&self, request: &RequestKey<'p>) -> Option<Match<'p>> {
        let route = self.enter(|| (self.lookup)(request))?;
        Some(Match::new(route, request.path))
    }

    /// The validated route that `route`, one of this routing's, was built from, and its
    /// index in the table.
    pub fn def(&self, route: &Route) -> Option<(usize, &'static RouteDef)> {
        let index = self.routes.iter().position(|r| std::ptr::eq(*r, route))?;
        Some((index, self.table.routes.get(index)?))
    }

    /// The routes with the validated routes they come from, in precedence order.
    pub fn routes(&self) -> impl Iterator<Item = (&'static Route, &'static RouteDef)> {
        self.routes.iter().copied().zip(&self.table.routes)
    }

    /// What the app does with `request` on its first pass: the handler's decision, and the
    /// route it was made on.
    pub fn handle(&self, request: &Request) -> Outcome {
        let (path, query) = match request.target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (request.target.as_str(), None),
        };
        let headers = HeaderList(&request.headers);
        let host = headers
            .get("host")
            .and_then(|h| std::str::from_utf8(h).ok());
        let incoming = Incoming {
            method: &request.method,
            path,
            query,
            host,
            headers: &headers,
        };
        CLAIMS.with(|claims| claims.replace(request.token.clone()));
        let decision = self.enter(|| {
            let context = Context {
                lookup: self.lookup,
                // A case is a first pass: a `Grip-Sig` header is refused as unverified.
                signers: Vec::new,
                features: Features {
                    authorize: Some(authorize_case),
                    ..Features::ALL
                },
                stores: &NoStores,
                now_unix_secs: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            };
            decision::decide(&incoming, &context)
        });
        let target = Target::normalise(path, query).ok();
        let host = host.map(normalise_host).unwrap_or_default();
        let matched = target.as_ref().and_then(|target| {
            self.find(&RequestKey {
                method: &request.method,
                host: &host,
                path: &target.path,
                query: target.query.as_deref(),
                headers: &headers,
            })
        });
        let handling = match decision {
            Decision::Respond(response) => Handling::Status {
                status: response.status,
                body: String::from_utf8_lossy(&response.body)
                    .trim_end()
                    .to_owned(),
            },
            Decision::Handoff(Forward { backend, .. }) => match &matched {
                // Fanout hands it back to the app, which answers on the rendered channels.
                Some(m) if backend == decision::SELF_BACKEND => match &m.route.action {
                    Action::Answer(mode) => Handling::Answer {
                        mode,
                        channels: m
                            .route
                            .channels
                            .iter()
                            .filter_map(|c| c.render(m).ok())
                            .collect(),
                    },
                    _ => Handling::Fanout { backend },
                },
                _ => Handling::Fanout { backend },
            },
            Decision::Send(Forward { backend, .. }) => Handling::Direct { backend },
            Decision::Answer { mode, channels, .. } => Handling::Answer { mode, channels },
            Decision::Resume(resume) | Decision::FetchHistory(resume) => Handling::Answer {
                mode: resume.mode,
                channels: vec![resume.channel],
            },
        };
        Outcome {
            route: matched
                .and_then(|m| self.def(m.route))
                .map(|(index, _)| index),
            handling,
        }
    }

    /// Runs `f` with this routing's reference lookup reachable from [`reference_lookup`].
    fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        let previous = ACTIVE.replace(Some(*self));
        let result = f();
        ACTIVE.set(previous);
        result
    }
}

/// The reference lookup of the active routing, as the decision's plain `fn`.
fn reference_lookup(request: &RequestKey) -> Option<&'static Route> {
    let routing = ACTIVE
        .get()
        .expect("a reference lookup runs inside Routing::enter");
    let index = precedence::reference_lookup(routing.table, request)?;
    Some(routing.routes[index])
}

/// A template as the app's pieces.
fn leak_pieces(pieces: &'static [model::Piece]) -> &'static [Piece] {
    let pieces: Vec<Piece> = pieces
        .iter()
        .map(|piece| match piece {
            model::Piece::Text(text) => Piece::Text(text),
            model::Piece::Param(index) => Piece::Param(*index),
        })
        .collect();
    pieces.leak()
}

/// The app's auth policy for a route's use of a validated one.
fn leak_auth(table: &'static Table, usage: &'static model::AuthUse) -> &'static auth::Policy {
    let def = table
        .auth
        .iter()
        .find(|d| d.name == usage.policy)
        .expect("a route names a valid policy");
    let algorithm = |a: model::AlgorithmDef| -> &'static jwt::Algorithm {
        match a {
            model::AlgorithmDef::Es256 => &jwt::ES256,
            model::AlgorithmDef::Rs256 => &jwt::RS256,
        }
    };
    let token_from: Vec<auth::TokenSource> = def
        .token_from
        .iter()
        .map(|source| match source {
            model::TokenSourceDef::Header => auth::TokenSource::Header,
            model::TokenSourceDef::Query(name) => auth::TokenSource::Query(name),
            model::TokenSourceDef::Cookie(name) => auth::TokenSource::Cookie(name),
        })
        .collect();
    let keys: Vec<jwt::Key> = def
        .keys
        .iter()
        .map(|key| jwt::Key {
            algorithm: algorithm(key.algorithm),
            id: key.kid.as_deref().map(Cow::Borrowed),
            material: Cow::Borrowed(&key.material),
        })
        .collect();
    let claims: Vec<auth::ClaimRule> = usage
        .claims
        .iter()
        .map(|(claim, value)| auth::ClaimRule {
            claim,
            value: leak_pieces(value),
        })
        .collect();
    Box::leak(Box::new(auth::Policy {
        name: &def.name,
        token_from: token_from.leak(),
        keys: keys.leak(),
        secret: def.secret.as_ref().map(|s| auth::StoredSecret {
            store: &s.store,
            key: &s.key,
            kid: s.kid.as_deref(),
        }),
        jwks: def.jwks.as_ref().map(|j| auth::StoredJwks {
            store: &j.store,
            key: &j.key,
            algorithms: j
                .algorithms
                .iter()
                .map(|a| algorithm(*a))
                .collect::<Vec<_>>()
                .leak(),
        }),
        issuer: def.issuer.as_deref(),
        audience: def.audience.as_deref(),
        leeway_secs: def.leeway_secs,
        claims: claims.leak(),
        channels_claim: def.channels_claim.as_deref(),
        forward_authorization: def.forward_authorization,
    }))
}

/// The app's CORS policy for a validated one.
fn leak_cors(table: &'static Table, name: &str) -> &'static cors::Policy {
    let def = table
        .cors
        .iter()
        .find(|d| d.name == name)
        .expect("a route names a valid policy");
    let strs = |list: &'static [String]| -> &'static [&'static str] {
        list.iter().map(String::as_str).collect::<Vec<_>>().leak()
    };
    Box::leak(Box::new(cors::Policy {
        name: &def.name,
        origins: strs(&def.origins),
        methods: strs(&def.methods),
        headers: strs(&def.headers),
        credentials: def.credentials,
        max_age_secs: def.max_age_secs,
    }))
}

fn keep_alive_of(def: &'static model::KeepAliveDef) -> KeepAlive {
    KeepAlive {
        interval_secs: def.interval_secs,
        mode: if def.interval_mode {
            KeepAliveMode::Interval
        } else {
            KeepAliveMode::Idle
        },
        content: &def.content,
    }
}

fn reliable_of(def: &'static model::ReliableDef) -> Reliable {
    Reliable {
        backend: &def.backend,
        path: &def.path,
        last_event_id_query: &def.query,
    }
}

/// The app's route for a validated one: what the generator writes as code, as a value.
fn leak_route(table: &'static Table, def: &'static RouteDef) -> &'static Route {
    let params: Vec<Param> = def
        .pattern
        .param_segments()
        .map(|(segment, name)| Param { name, segment })
        .collect();
    let channels: Vec<Channel> = def
        .channels
        .iter()
        .map(|pieces| Channel(leak_pieces(pieces)))
        .collect();
    let action = match &def.action {
        ActionDef::Fanout(backend) => Action::Fanout { backend },
        ActionDef::Direct(backend) => Action::Direct { backend },
        ActionDef::Answer(mode) => Action::Answer(match mode {
            ModeDef::Stream {
                content_type,
                initial_body,
                keep_alive,
                reliable,
            } => Mode::Stream {
                content_type,
                initial_body,
                keep_alive: keep_alive.as_ref().map(keep_alive_of),
                reliable: reliable.as_ref().map(reliable_of),
            },
            ModeDef::Sse {
                keep_alive,
                initial_body,
                reliable,
            } => Mode::Sse {
                keep_alive: keep_alive_of(keep_alive),
                initial_body,
                reliable: reliable.as_ref().map(reliable_of),
            },
            ModeDef::LongPoll {
                timeout_secs,
                on_timeout_status,
                on_timeout_content_type,
                on_timeout_body,
            } => Mode::LongPoll {
                timeout_secs: *timeout_secs,
                on_timeout: TimeoutResponse {
                    status: *on_timeout_status,
                    content_type: on_timeout_content_type,
                    body: on_timeout_body,
                },
            },
            ModeDef::WsEcho { keep_alive } => Mode::WsEcho {
                keep_alive: keep_alive.as_ref().map(keep_alive_of),
            },
        }),
    };
    Box::leak(Box::new(Route {
        pattern: &def.pattern.text,
        kind: def.pattern.kind,
        methods: def.methods,
        params: params.leak(),
        action,
        channels: channels.leak(),
        auth: def.auth.as_ref().map(|usage| leak_auth(table, usage)),
        cors: def.cors.as_deref().map(|name| leak_cors(table, name)),
        hosts: def
            .hosts
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .leak(),
        when: leak_conditions(&def.when),
        rewrite: def.rewrite.as_deref().map(|prefix| Rewrite {
            segments: def.pattern.segments.len(),
            prefix,
        }),
        request_headers: RequestHeaders {
            add: def
                .request_headers
                .add
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect::<Vec<_>>()
                .leak(),
            remove: def
                .request_headers
                .remove
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .leak(),
        },
    }))
}

/// A route's conditions as the app's.
fn leak_conditions(when: &'static model::ConditionsDef) -> Conditions {
    let headers: Vec<HeaderCondition> = when
        .headers
        .iter()
        .map(|(name, value)| HeaderCondition {
            name,
            value: value.as_deref(),
        })
        .collect();
    Conditions {
        websocket: when.websocket,
        accept: when.accept.as_deref(),
        headers: headers.leak(),
        query: when
            .query
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .leak(),
    }
}

/// No Secret or Config Store: a route whose policy keeps its keys there refuses tokens.
struct NoStores;

impl auth::Stores for NoStores {
    fn secret(&self, _store: &str, _key: &str) -> Option<Vec<u8>> {
        None
    }

    fn config(&self, _store: &str, _key: &str) -> Option<String> {
        None
    }
}

/// A request as a test case or a probe gives it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    pub method: String,
    /// The path and query, as the client sends them.
    pub target: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    /// The claims of a token the route's policy would verify: a route test holds no keys,
    /// so the token's signature is taken as good and only its claims are checked.
    /// As JSON text, so that a request stays ordered for the diff's probe sets.
    pub token: Option<String>,
}

impl Request {
    pub fn new(method: &str, target: &str) -> Request {
        Request {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            token: None,
        }
    }

    /// A WebSocket handshake.
    pub fn websocket(mut self) -> Request {
        self.headers
            .push(("upgrade".to_owned(), "websocket".to_owned()));
        self
    }
}

impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.target)?;
        for (name, value) in &self.headers {
            write!(f, " ({name}: {value})")?;
        }
        Ok(())
    }
}

struct HeaderList<'a>(&'a [(String, String)]);

impl Headers for HeaderList<'_> {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_bytes())
    }
}

/// What the app does with a request, and on which route.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Index into the table's routes; `None` when no route matched or the path was refused
    /// before routing.
    pub route: Option<usize>,
    pub handling: Handling,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Handling {
    /// The app answers itself: an error or a refusal.
    Status {
        status: u16,
        body: String,
    },
    Fanout {
        backend: &'static str,
    },
    Direct {
        backend: &'static str,
    },
    /// Through Fanout and back to the app, which holds it open in `mode` on `channels`.
    Answer {
        mode: &'static Mode,
        channels: Vec<String>,
    },
}

impl Handling {
    /// `fanout`, `direct` or `answer`; `None` for a status.
    pub fn action(&self) -> Option<&'static str> {
        match self {
            Handling::Status { .. } => None,
            Handling::Fanout { .. } => Some("fanout"),
            Handling::Direct { .. } => Some("direct"),
            Handling::Answer { .. } => Some("answer"),
        }
    }

    pub fn backend(&self) -> Option<&'static str> {
        match self {
            Handling::Fanout { backend } | Handling::Direct { backend } => Some(backend),
            Handling::Answer { .. } => Some(decision::SELF_BACKEND),
            Handling::Status { .. } => None,
        }
    }
}

impl std::fmt::Display for Handling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handling::Status { status, body } => write!(f, "{status} {body:?}"),
            Handling::Fanout { backend } => write!(f, "fanout = {backend:?}"),
            Handling::Direct { backend } => write!(f, "direct = {backend:?}"),
            Handling::Answer { mode, channels } => {
                write!(f, "answer = {:?}, channels = {channels:?}", mode.name())
            }
        }
    }
}

impl Outcome {
    /// The route as written and what happens: `path = "/test/sse": answer = "sse", ...`, or
    /// the status alone when no route matched.
    pub fn describe(&self, routing: &Routing) -> String {
        match self.route.and_then(|i| routing.table.routes.get(i)) {
            Some(def) => format!("{}: {}", written(def), self.handling),
            None => self.handling.to_string(),
        }
    }

    /// [`Outcome::describe`] after the route's line: `routes.toml:15  path = ...`.
    pub fn describe_at(&self, routing: &Routing) -> String {
        match self.route.and_then(|i| routing.table.routes.get(i)) {
            Some(def) => format!("{}:{}  {}", routing.file, def.line, self.describe(routing)),
            None => self.describe(routing),
        }
    }
}

/// A route as written in routes.toml: `prefix = "/rooms", methods = ["GET"]`.
pub fn written(route: &RouteDef) -> String {
    let Pattern { kind, text, .. } = &route.pattern;
    let mut out = format!("{} = {text:?}", kind.key());
    if !route.methods.is_any() {
        write!(out, ", methods = {}", methods_list(route.methods)).unwrap();
    }
    out
}

/// `["GET", "HEAD"]`.
pub fn methods_list(methods: Methods) -> String {
    format!("{:?}", methods.names().collect::<Vec<_>>())
}
