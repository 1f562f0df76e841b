//! What the app does with a request, decided from a small view of it before anything
//! consumes it: the host layer in `src/` reads the request into an [`Incoming`], calls
//! [`decide`] and carries the [`Decision`] out.

use crate::channel::BadCapture;
use crate::grip_sig::{self, SigError, TrustedSigner};
use crate::path::Target;
use crate::response::Response;
use crate::route::{Action, Match, Mode};
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
    pub headers: &'a dyn Headers,
}

/// The generated route lookup.
pub type Lookup = for<'p> fn(&str, &'p str) -> Option<Match<'p>>;

/// Where the decision finds routes and trusted signers, and what time it is.
pub struct Context {
    pub lookup: Lookup,
    /// Called only for a request that carries a `Grip-Sig`, so a first pass pays nothing
    /// for key parsing.
    pub signers: fn() -> Vec<TrustedSigner>,
    pub now_unix_secs: u64,
}

/// What to do with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Answer at once: an error or a refusal, never GRIP instructions.
    Respond(Response),
    /// Hand off to Fanout, which forwards to `backend`; the request carries `target`.
    Handoff {
        backend: &'static str,
        target: Target,
        websocket: bool,
    },
    /// Send straight to `backend` with `target`, passing a WebSocket upgrade through.
    Send {
        backend: &'static str,
        target: Target,
        websocket: bool,
    },
    /// The request came back through Fanout: answer it in `mode` on `channels`.
    Answer {
        mode: &'static Mode,
        channels: Vec<String>,
    },
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
        let upgrade = headers.get("upgrade").is_some_and(|upgrade| {
            upgrade
                .split(|&b| b == b',')
                .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"websocket"))
        });
        if upgrade {
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
    let target = match Target::normalise(incoming.path, incoming.query) {
        Ok(target) => target,
        Err(e) => return refuse(400, &e.to_string()),
    };
    let Some(matched) = (context.lookup)(incoming.method, &target.path) else {
        return refuse(404, "no route matches this request");
    };
    let from_fanout = match came_through_fanout(incoming.headers, context) {
        Ok(from_fanout) => from_fanout,
        // Never GRIP instructions, never another handoff: the header was not Fanout's.
        Err(e) => return refuse(403, &format!("Grip-Sig rejected: {e}")),
    };
    let protocol = Protocol::of(incoming.headers);
    let route = matched.route;
    match &route.action {
        Action::Answer(mode) => {
            let channels = match channels(&matched) {
                Ok(channels) => channels,
                Err(bad) => return refuse(400, &bad.to_string()),
            };
            if let Some(refusal) = wrong_protocol(mode, protocol, from_fanout) {
                return refusal;
            }
            if from_fanout {
                Decision::Answer { mode, channels }
            } else {
                Decision::Handoff {
                    backend: SELF_BACKEND,
                    target,
                    websocket: protocol == Protocol::WebSocketUpgrade,
                }
            }
        }
        Action::Fanout { .. } | Action::Direct { .. } if from_fanout => refuse(
            508,
            "Fanout sent this request back to the app on a route that hands it off again: \
             check the `self` backend",
        ),
        Action::Fanout { backend } => Decision::Handoff {
            backend,
            target,
            websocket: protocol == Protocol::WebSocketUpgrade,
        },
        Action::Direct { backend } => Decision::Send {
            backend,
            target,
            websocket: protocol == Protocol::WebSocketUpgrade,
        },
    }
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
        (Mode::WsEcho, false) => Protocol::WebSocketUpgrade,
        (Mode::WsEcho, true) => Protocol::WebSocketOverHttp,
        _ => Protocol::Http,
    };
    if protocol == expected {
        return None;
    }
    Some(match mode {
        Mode::WsEcho => refuse(
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

fn refuse(status: u16, message: &str) -> Decision {
    Decision::Respond(Response::text(status, &format!("{message}\n")))
}

#[cfg(test)]
mod tests;
