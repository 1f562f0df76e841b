//! The Compute handler: the only code that touches the Fastly host API. It looks the
//! request up in the table generated from routes.toml, decides what to do with it, and
//! does it: hand it to Fanout, send it to a backend, or answer it in a GRIP mode.

mod routes;

use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

use fanout_router_core::answer::{self, Answer};
use fanout_router_core::grip_sig::{self, TrustedSigner};
use fanout_router_core::route::{Action, Match, Mode};
use fanout_router_core::websocket;
use fastly::http::header;
use fastly::http::request::{SendError, SendErrorCause};
use fastly::{Request, Response};

/// The backend through which Fanout hands `answer` routes back to the app (fastly.toml).
const SELF_BACKEND: &str = "self";

/// Largest WebSocket-over-HTTP batch read: a few messages at Fanout's 64 KB limit.
const MAX_EVENTS_BODY_BYTES: u64 = 4 * websocket::MAX_MESSAGE_BYTES as u64;

fn main() {
    // A panic is a bug, but the client still gets a short answer rather than a trap.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {info}");
        send(answer::plain(500, "internal error\n"));
    }));
    let req = Request::from_client();
    let path = req.get_path().to_owned();
    let matched = routes::lookup(req.get_method_str(), &path);
    let step = decide(&req, matched.as_ref(), trusted_signers, unix_now());
    execute(req, step);
}

/// What to do with a request, decided before anything consumes it.
#[derive(Debug, PartialEq)]
enum Step {
    Reply(Answer),
    /// Hand off to Fanout, which forwards to the backend.
    Handoff(&'static str),
    /// Send straight to the backend.
    Direct(&'static str),
    /// Answer in a GRIP mode: the request came back through Fanout.
    Answer(&'static Mode, Vec<String>),
}

/// `signers` is called only for a request that carries a `Grip-Sig`, so a first pass pays
/// nothing for key parsing.
fn decide(
    req: &Request,
    matched: Option<&Match>,
    signers: fn() -> Vec<TrustedSigner>,
    now: u64,
) -> Step {
    let Some(matched) = matched else {
        return Step::Reply(answer::plain(404, "no route matches this request\n"));
    };
    let from_fanout = match came_through_fanout(req, signers, now) {
        Ok(from_fanout) => from_fanout,
        // Never GRIP instructions, never another handoff: the header was not Fanout's.
        Err(e) => return Step::Reply(answer::plain(403, &format!("Grip-Sig rejected: {e}\n"))),
    };
    match (&matched.route.action, from_fanout) {
        (Action::Answer(mode), _) => match channels(matched) {
            Err(bad) => Step::Reply(bad),
            Ok(channels) if from_fanout => Step::Answer(mode, channels),
            Ok(_) => Step::Handoff(SELF_BACKEND),
        },
        (Action::Fanout { .. } | Action::Direct { .. }, true) => Step::Reply(answer::plain(
            508,
            "Fanout sent this request back to the app on a route that hands it off again: \
             check the `self` backend\n",
        )),
        (Action::Fanout { backend }, false) => Step::Handoff(backend),
        (Action::Direct { backend }, false) => Step::Direct(backend),
    }
}

/// The one place that decides whether a request came back through Fanout: it did when its
/// `Grip-Sig` verifies against a signer trusted on this platform; a `Grip-Sig` that does
/// not verify is an error, not a first pass.
fn came_through_fanout(
    req: &Request,
    signers: fn() -> Vec<TrustedSigner>,
    now: u64,
) -> Result<bool, grip_sig::SigError> {
    match req.get_header_str("Grip-Sig") {
        None => Ok(false),
        Some(token) => grip_sig::verify(token, &signers(), now).map(|()| true),
    }
}

/// Viceroy, the local server, sets `FASTLY_HOSTNAME=localhost`; Fastly sets the name of the
/// cache node. Only locally is a shared development key trusted; on Fastly only a public
/// key is, Fastly Fanout's unless routes.toml names another.
fn trusted_signers() -> Vec<TrustedSigner> {
    let hostname = std::env::var("FASTLY_HOSTNAME").unwrap_or_default();
    if hostname == "localhost" {
        vec![routes::SIGNERS.local()]
    } else {
        let service_id = std::env::var("FASTLY_SERVICE_ID").unwrap_or_default();
        vec![routes::SIGNERS.production(&service_id)]
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn channels(matched: &Match) -> Result<Vec<String>, Answer> {
    matched
        .route
        .channels
        .iter()
        .map(|c| c.render(matched))
        .collect::<Result<_, _>>()
        .map_err(|e| answer::plain(400, &format!("{e}\n")))
}

fn execute(mut req: Request, step: Step) {
    match step {
        Step::Reply(answer) => send(answer),
        Step::Handoff(backend) => {
            set_forwarded_headers(&mut req);
            if let Err(e) = req.handoff_fanout(backend) {
                send(handoff_failed(backend, &e));
            }
        }
        Step::Direct(backend) => {
            set_forwarded_headers(&mut req);
            direct(req, backend);
        }
        Step::Answer(mode, channels) => {
            let body = match mode {
                Mode::WsEcho => match read_events_body(&mut req) {
                    Ok(body) => body,
                    Err(answer) => return send(answer),
                },
                _ => Vec::new(),
            };
            let request = answer::Request {
                content_type: req.get_header_str(header::CONTENT_TYPE),
                body: &body,
            };
            send(answer::answer(mode, &channels, &request));
        }
    }
}

fn read_events_body(req: &mut Request) -> Result<Vec<u8>, Answer> {
    let mut body = Vec::new();
    req.take_body()
        .take(MAX_EVENTS_BODY_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|_| answer::plain(400, "could not read the request body\n"))?;
    if body.len() as u64 > MAX_EVENTS_BODY_BYTES {
        return Err(answer::plain(
            413,
            &format!("WebSocket-over-HTTP body over {MAX_EVENTS_BODY_BYTES} bytes\n"),
        ));
    }
    Ok(body)
}

/// Like the official starter kit, tells the origin who the client is.
fn set_forwarded_headers(req: &mut Request) {
    if let Some(ip) = req.get_client_ip_addr() {
        req.set_header("X-Forwarded-For", ip.to_string());
    }
    let proto = if req.get_url().scheme() == "https" {
        "https"
    } else {
        "http"
    };
    req.set_header("X-Forwarded-Proto", proto);
}

/// Straight to the backend; a WebSocket upgrade cannot be sent, so it is passed through.
fn direct(req: Request, backend: &str) {
    let upgrade = req
        .get_header_str(header::UPGRADE)
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if upgrade {
        if let Err(e) = req.handoff_websocket(backend) {
            send(handoff_failed(backend, &e));
        }
        return;
    }
    match req.send(backend) {
        Ok(response) => response.send_to_client(),
        Err(e) => send(unreachable(backend, &e)),
    }
}

fn handoff_failed(backend: &str, e: &SendError) -> Answer {
    match e.root_cause() {
        SendErrorCause::FanoutNotEnabled => answer::plain(
            503,
            "Fanout is not enabled on this service: enable it, or run the local stack with \
             `cargo xtask serve`\n",
        ),
        cause => answer::plain(
            502,
            &format!("handoff to backend `{backend}` failed: {cause}\n"),
        ),
    }
}

fn unreachable(backend: &str, e: &SendError) -> Answer {
    let cause = e.root_cause();
    let status = match cause {
        SendErrorCause::ConnectionTimeout
        | SendErrorCause::DnsTimeout
        | SendErrorCause::HttpResponseTimeout => 504,
        _ => 502,
    };
    // An internal error carries only a status code, which would tell the client nothing.
    let message = match cause {
        SendErrorCause::InternalError(_) => format!("backend `{backend}` is unreachable\n"),
        cause => format!("backend `{backend}` is unreachable: {cause}\n"),
    };
    answer::plain(status, &message)
}

fn send(answer: Answer) {
    let mut response = Response::from_status(answer.status).with_body(answer.body);
    for (name, value) in answer.headers {
        response.append_header(name, value);
    }
    response.send_to_client();
}

#[cfg(test)]
mod tests;
