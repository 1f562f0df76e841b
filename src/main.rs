//! The Compute handler: the only code that touches the Fastly host API. It looks the
//! request up in the table generated from routes.toml and hands it to Fanout, sends it to
//! a backend, or answers it in a GRIP mode.

mod routes;

use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

use fanout_router_core::answer::{self, Answer};
use fanout_router_core::grip_sig::{self, SigError, TrustedSigner};
use fanout_router_core::route::{Action, Match, Mode};
use fanout_router_core::websocket;
use fastly::http::header;
use fastly::http::request::{SendError, SendErrorCause};
use fastly::{Request, Response};

/// The name a route's `answer` mode reaches the app through, as declared in fastly.toml.
const SELF_BACKEND: &str = "self";

/// Largest WebSocket-over-HTTP batch read: a few messages at Fanout's 64 KB limit.
const MAX_EVENTS_BODY_BYTES: u64 = 4 * websocket::MAX_MESSAGE_BYTES as u64;

fn main() {
    // A panic is a bug, but the client still gets a short answer rather than a trap.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {info}");
        send(answer::plain(500, "internal error\n"));
    }));
    handle(Request::from_client());
}

fn handle(mut req: Request) {
    let path = req.get_path().to_owned();
    let Some(matched) = routes::lookup(req.get_method_str(), &path) else {
        return send(answer::plain(404, "no route matches this request\n"));
    };
    let pass = fanout_pass(&req);
    if let Pass::Forged(e) = pass {
        // Never GRIP instructions, never another handoff: the header was not Fanout's.
        return send(answer::plain(403, &format!("Grip-Sig rejected: {e}\n")));
    }
    match &matched.route.action {
        Action::Answer(mode) if pass == Pass::FromFanout => answer_in_mode(req, mode, &matched),
        Action::Answer(_) => {
            // Check the channel names now, so a bad path gets its 400 before the handoff.
            if let Err(response) = channels(&matched) {
                return send(response);
            }
            handoff(req, SELF_BACKEND)
        }
        Action::Fanout { .. } | Action::Direct { .. } if pass == Pass::FromFanout => {
            send(answer::plain(
                508,
                "Fanout sent this request back to the app, on a route that would hand it off again: check the `self` backend\n",
            ))
        }
        Action::Fanout { backend } => {
            set_forwarded_headers(&mut req);
            handoff(req, backend)
        }
        Action::Direct { backend } => {
            set_forwarded_headers(&mut req);
            direct(req, backend)
        }
    }
}

/// Who sent the request: a client, or Fanout on its second pass.
#[derive(Debug, PartialEq)]
enum Pass {
    FromClient,
    FromFanout,
    Forged(SigError),
}

/// The one place that decides whether a request came back through Fanout: its `Grip-Sig`
/// must verify against the signer of the platform the app runs on.
fn fanout_pass(req: &Request) -> Pass {
    let Some(token) = req.get_header_str("Grip-Sig") else {
        return Pass::FromClient;
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match grip_sig::verify(token, &trusted_signers(), now) {
        Ok(()) => Pass::FromFanout,
        Err(e) => Pass::Forged(e),
    }
}

/// Viceroy, the local server, sets `FASTLY_HOSTNAME=localhost`; Fastly sets the name of the
/// cache node. Only locally is the local stack's development key trusted.
fn trusted_signers() -> Vec<TrustedSigner> {
    let hostname = std::env::var("FASTLY_HOSTNAME").unwrap_or_default();
    if hostname == "localhost" {
        vec![TrustedSigner::local()]
    } else {
        let service_id = std::env::var("FASTLY_SERVICE_ID").unwrap_or_default();
        vec![TrustedSigner::fastly(&service_id)]
    }
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

fn answer_in_mode(mut req: Request, mode: &Mode, matched: &Match) {
    let channels = match channels(matched) {
        Ok(channels) => channels,
        Err(response) => return send(response),
    };
    let mut body = Vec::new();
    if matches!(mode, Mode::WsEcho) {
        let read = req
            .take_body()
            .take(MAX_EVENTS_BODY_BYTES + 1)
            .read_to_end(&mut body);
        if read.is_err() {
            return send(answer::plain(400, "could not read the request body\n"));
        }
        if body.len() as u64 > MAX_EVENTS_BODY_BYTES {
            return send(answer::plain(
                413,
                &format!("WebSocket-over-HTTP body over {MAX_EVENTS_BODY_BYTES} bytes\n"),
            ));
        }
    }
    let request = answer::Request {
        content_type: req.get_header_str(header::CONTENT_TYPE),
        body: &body,
    };
    send(answer::answer(mode, &channels, &request));
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

fn handoff(req: Request, backend: &str) {
    if let Err(e) = req.handoff_fanout(backend) {
        send(handoff_failed(backend, &e));
    }
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
            "Fanout is not enabled on this service: enable it, or run the local stack with `cargo xtask serve`\n",
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
    answer::plain(
        status,
        &format!("backend `{backend}` is unreachable: {cause}\n"),
    )
}

fn send(answer: Answer) {
    let mut response = Response::from_status(answer.status).with_body(answer.body);
    for (name, value) in answer.headers {
        response.append_header(name, value);
    }
    response.send_to_client();
}
