//! What the app does with a request, decided from a small view of it before anything
//! consumes it: the host layer in `src/` reads the request into an [`Incoming`], calls
//! [`decide`] and carries the [`Decision`] out.

use crate::auth;
use crate::channel::BadCapture;
use crate::cors;
use crate::grip_sig::{self, SigError, TrustedSigner};
use crate::path::{Target, normalise_host};
use crate::reliable::{self, Resume};
use crate::response::Response;
use crate::route::{self, Action, Match, Mode, RequestHeaders, RequestKey, Rewrite, Route};
use crate::websocket;

/// The backend through which Fanout hands `answer` routes back to the app (fastly.toml).
pub const SELF_BACKEND: &str = "self";

/// The request headers the decision reads. Values are bytes: a header need not be UTF-8,
/// and reading one must never fail.
pub trait Headers {
    /// The first value of header `name` (given in lower case).
    fn get(&self, name: &str) -> Option<&[u8]>;
}

/// What the decision reads of a request.
pub struct Incoming<'a> {
    pub method: &'a str,
    /// The path and query as the platform hands them over, before [`Target::normalise`].
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// The host the client asked for: its `Host` header, else the host of the URL; before
    /// [`crate::path::normalise_host`].
    pub host: Option<&'a str>,
    pub headers: &'a dyn Headers,
}

/// The generated route lookup.
pub type Lookup = fn(&RequestKey) -> Option<&'static Route>;

/// Where the decision finds routes, trusted signers and stored keys, and what time it is.
pub struct Context<'a> {
    pub lookup: Lookup,
    /// Called only for a request that carries a `Grip-Sig`, so a first pass pays nothing
    /// for key parsing.
    pub signers: fn() -> Vec<TrustedSigner>,
    /// The generated table's `FEATURES`.
    pub features: Features,
    /// Read only for a route whose policy keeps its keys in a store.
    pub stores: &'a dyn auth::Stores,
    pub now_unix_secs: u64,
}

/// The code of the routes.toml features that only some routes use, each behind a pointer
/// that the generated table's `FEATURES` sets only when a route uses the feature: the
/// compiler then leaves out the code of every feature no route uses. A route whose feature
/// is missing here is answered 500, never served without it.
#[derive(Clone, Copy)]
pub struct Features {
    /// The token check of `[auth]` policies.
    pub authorize: Option<auth::Authorize>,
    pub cors: Option<cors::Calls>,
    pub reliable: Option<reliable::Calls>,
    pub rewrite: Option<fn(&Rewrite, &str) -> String>,
}

impl Features {
    /// Every feature, for tools that handle any routes file.
    pub const ALL: Features = Features {
        authorize: Some(auth::Policy::authorize),
        cors: Some(cors::CALLS),
        reliable: Some(reliable::CALLS),
        rewrite: Some(Rewrite::apply),
    };
}

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Answer at once: an error or a refusal, never GRIP instructions.
    Respond(Response),
    /// Hand off to Fanout, which forwards to the backend.
    Handoff(Forward),
    /// Send straight to the backend, passing a WebSocket upgrade through.
    Send(Forward),
    /// The request came back through Fanout: answer it in `mode` on `channels`, adding
    /// `headers` (CORS) to the answer.
    Answer {
        mode: &'static Mode,
        channels: Vec<String>,
        headers: Vec<(&'static str, String)>,
    },
    /// The request came back through Fanout on a reliable route: answer with
    /// [`Resume::answer`].
    Resume(Resume),
    /// Fanout followed a reliable route's next link: send `GET` [`Resume::history_target`]
    /// to the route's history backend, then answer with [`Resume::after_history`].
    FetchHistory(Resume),
}

/// A request that goes on to a backend, and what changes on the way.
#[derive(Debug, PartialEq, Eq)]
pub struct Forward {
    pub backend: &'static str,
    /// The path and query it carries: the ones it was routed on, less a token parameter.
    pub target: Target,
    /// A WebSocket handshake.
    pub websocket: bool,
    /// The route's auth policy keeps the client's `Authorization` from the backend.
    pub drop_authorization: bool,
    /// Headers to add to the backend's response when it comes back through the app (a
    /// `direct` route): CORS.
    pub response_headers: Vec<(&'static str, String)>,
    /// The route's `request_headers`: removed and added after the forwarding headers.
    pub request_headers: &'static RequestHeaders,
}

/// How the client talks: plain HTTP, a WebSocket handshake, or (from Fanout) a WebSocket
/// carried over HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    Http,
    WebSocketUpgrade,
    WebSocketOverHttp,
}

impl Protocol {
    fn of(headers: &dyn Headers) -> Protocol {
        if route::is_websocket_upgrade(headers) {
            Protocol::WebSocketUpgrade
        } else if headers.get("content-type") == Some(websocket::CONTENT_TYPE.as_bytes()) {
            // Exactly: Pushpin sends exactly this, and a `ws-echo` answer must carry it
            // back exactly.
            Protocol::WebSocketOverHttp
        } else {
            Protocol::Http
        }
    }
}

pub fn decide(incoming: &Incoming, context: &Context) -> Decision {
    let mut target = match Target::normalise(incoming.path, incoming.query) {
        Ok(target) => target,
        Err(e) => return refuse(400, &e.to_string()),
    };
    let headers = incoming.headers;
    let origin = match text(headers, "origin") {
        Ok(origin) => origin,
        Err(refusal) => return refusal,
    };
    let host = incoming.host.map(normalise_host).unwrap_or_default();
    let key = RequestKey {
        method: incoming.method,
        host: &host,
        path: &target.path,
        query: target.query.as_deref(),
        headers,
    };
    if let Some(preflight) = preflight(incoming, &key, origin, context) {
        return preflight;
    }
    let Some(route) = (context.lookup)(&key) else {
        return refuse(404, "no route matches this request");
    };
    let matched = Match::new(route, key.path);
    let cors_headers = match (route.cors, origin) {
        (Some(cors), Some(origin)) => match context.features.cors {
            Some(calls) => (calls.response_headers)(cors, origin),
            None => return not_compiled_in("CORS policy"),
        },
        _ => Vec::new(),
    };
    let with_cors = |decision: Decision| match decision {
        Decision::Respond(mut response) => {
            response.headers.extend(cors_headers.iter().cloned());
            Decision::Respond(response)
        }
        other => other,
    };
    let from_fanout = match came_through_fanout(headers, context) {
        Ok(from_fanout) => from_fanout,
        // Never GRIP instructions, never another handoff: the header was not Fanout's.
        Err(e) => return with_cors(refuse(403, &format!("Grip-Sig rejected: {e}"))),
    };
    let protocol = Protocol::of(headers);
    let channels = match channels(&matched) {
        Ok(channels) => channels,
        Err(bad) => return with_cors(refuse(400, &bad.to_string())),
    };
    if let Action::Answer(mode) = &route.action
        && let Some(refusal) = wrong_protocol(mode, protocol, from_fanout)
    {
        return with_cors(refusal);
    }
    if from_fanout {
        return match &route.action {
            Action::Answer(mode) => match mode.reliable() {
                Some(reliable) => {
                    let Some(calls) = context.features.reliable else {
                        return not_compiled_in("reliable delivery");
                    };
                    let mut resume = (calls.read)(
                        mode,
                        reliable,
                        channels,
                        &target.path,
                        target.query.as_deref(),
                        headers,
                    );
                    resume.headers = cors_headers;
                    if resume.needs_history() {
                        Decision::FetchHistory(resume)
                    } else {
                        Decision::Resume(resume)
                    }
                }
                None => Decision::Answer {
                    mode,
                    channels,
                    headers: cors_headers,
                },
            },
            Action::Fanout { .. } | Action::Direct { .. } => with_cors(refuse(
                508,
                "Fanout sent this request back to the app on a route that hands it off \
                 again: check the `self` backend",
            )),
        };
    }
    // The first pass: everything below is checked before any handoff.
    let websocket = protocol == Protocol::WebSocketUpgrade;
    if websocket
        && let Some(origin) = origin
        && !websocket_origin_allowed(route.cors, origin, headers, context)
    {
        return refuse(
            403,
            &format!("a WebSocket from origin {origin} is not allowed on this route"),
        );
    }
    let mut drop_authorization = false;
    if let Some(policy) = route.auth {
        let Some(authorize) = context.features.authorize else {
            return not_compiled_in("authorization");
        };
        let request = auth::Request {
            headers,
            query: target.query.as_deref(),
            now_unix_secs: context.now_unix_secs,
        };
        match authorize(policy, &request, &matched, &channels, context.stores) {
            Ok(authorized) => {
                if let (Some(name), Some(query)) = (authorized.strip_query, &target.query) {
                    target.query = auth::strip_query(query, name);
                }
                drop_authorization = authorized.strip_authorization;
            }
            Err(refusal) => return with_cors(Decision::Respond(refusal.response(policy.name))),
        }
    }
    if let Some(rewrite) = &route.rewrite {
        let Some(apply) = context.features.rewrite else {
            return not_compiled_in("rewrite");
        };
        target.path = apply(rewrite, &target.path);
    }
    let forward = |backend| Forward {
        backend,
        target,
        request_headers: &route.request_headers,
        websocket,
        drop_authorization,
        response_headers: cors_headers,
    };
    match &route.action {
        Action::Answer(_) => Decision::Handoff(forward(SELF_BACKEND)),
        Action::Fanout { backend } => Decision::Handoff(forward(backend)),
        Action::Direct { backend } => Decision::Send(forward(backend)),
    }
}

/// A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) for a
/// route with a CORS policy, answered by the app: the route is the one that would handle
/// the request the browser asks about.
fn preflight(
    incoming: &Incoming,
    key: &RequestKey,
    origin: Option<&str>,
    context: &Context,
) -> Option<Decision> {
    let origin = origin.filter(|_| incoming.method == "OPTIONS")?;
    let method = match text(incoming.headers, "access-control-request-method") {
        Ok(method) => method?,
        Err(refusal) => return Some(refusal),
    };
    let asked = RequestKey { method, ..*key };
    let cors = (context.lookup)(&asked)?.cors?;
    let Some(calls) = context.features.cors else {
        return Some(not_compiled_in("CORS policy"));
    };
    let requested = match text(incoming.headers, "access-control-request-headers") {
        Ok(requested) => requested.unwrap_or_default(),
        Err(refusal) => return Some(refusal),
    };
    Some(Decision::Respond((calls.preflight)(
        cors, origin, method, requested,
    )))
}

/// Browsers send a WebSocket handshake's `Origin` but apply no CORS to it, so a page on
/// any site could open one with the user's cookies: a route takes the origins its CORS
/// policy allows, or without one only its own.
fn websocket_origin_allowed(
    cors: Option<&cors::Policy>,
    origin: &str,
    headers: &dyn Headers,
    context: &Context,
) -> bool {
    match cors {
        Some(cors) => context
            .features
            .cors
            .is_some_and(|calls| (calls.allows)(cors, origin)),
        None => headers
            .get("host")
            .and_then(|host| std::str::from_utf8(host).ok())
            .is_some_and(|host| cors::same_origin(origin, host)),
    }
}

/// The value of header `name` as text; one that is not text is a 400.
fn text<'h>(headers: &'h dyn Headers, name: &str) -> Result<Option<&'h str>, Decision> {
    headers
        .get(name)
        .map(|value| {
            std::str::from_utf8(value)
                .map_err(|_| refuse(400, &format!("the {name} header is not text")))
        })
        .transpose()
}

/// The one place that decides whether a request came back through Fanout: it did when its
/// `Grip-Sig` verifies against a signer trusted on this platform; a `Grip-Sig` that does
/// not verify is an error, not a first pass.
fn came_through_fanout(headers: &dyn Headers, context: &Context) -> Result<bool, SigError> {
    let Some(token) = headers.get("grip-sig") else {
        return Ok(false);
    };
    let token = std::str::from_utf8(token).map_err(|_| SigError::Malformed("not text"))?;
    grip_sig::verify(token, &(context.signers)(), context.now_unix_secs).map(|()| true)
}

/// A refusal when the client speaks another protocol than the route's mode: a GRIP answer
/// to the wrong kind of request would reach the client as it is, instructions and all.
/// Checked on the first pass, so a refused request costs no handoff, and again on the
/// second.
fn wrong_protocol(mode: &Mode, protocol: Protocol, from_fanout: bool) -> Option<Decision> {
    let expected = match (mode, from_fanout) {
        (Mode::WsEcho { .. }, false) => Protocol::WebSocketUpgrade,
        (Mode::WsEcho { .. }, true) => Protocol::WebSocketOverHttp,
        _ => Protocol::Http,
    };
    if protocol == expected {
        return None;
    }
    Some(match mode {
        Mode::WsEcho { .. } => refuse(
            400,
            "this route speaks WebSocket-over-HTTP: connect with a WebSocket client",
        ),
        _ => refuse(
            400,
            &format!(
                "this route answers in `{}` mode over plain HTTP: it does not take WebSocket \
                 connections",
                mode.name()
            ),
        ),
    })
}

fn channels(matched: &Match) -> Result<Vec<String>, BadCapture> {
    matched
        .route
        .channels
        .iter()
        .map(|channel| channel.render(matched))
        .collect()
}

/// A route uses a feature that `FEATURES` leaves out. The generator never emits such a
/// table; if it ever did, the request is refused rather than served without the feature.
fn not_compiled_in(feature: &str) -> Decision {
    refuse(500, &format!("this route's {feature} is not compiled in"))
}

fn refuse(status: u16, message: &str) -> Decision {
    Decision::Respond(Response::text(status, &format!("{message}\n")))
}

#[cfg(test)]
mod tests;
