//! The Compute handler: the only code that touches the Fastly host API. It reads the
//! request into the view `core` decides on, and carries the decision out: hand the request
//! to Fanout, send it to a backend, or answer it in a GRIP mode.

mod client_url;
mod routes;

use std::io::Read;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use fanout_router_core::auth::Stores;
use fanout_router_core::decision::{self, Context, Decision, Forward, Headers, Incoming};
use fanout_router_core::forwarding::{self, Client};
use fanout_router_core::grip_sig::TrustedSigner;
use fanout_router_core::reliable::{self, Resume};
use fanout_router_core::response::Response;
use fanout_router_core::route::Mode;
use fanout_router_core::websocket;
use fastly::Request;
use fastly::http::request::{SendError, SendErrorCause};

fn main() {
    // A panic is a bug, but the client still gets a short answer rather than a trap.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {info}");
        send(Response::text(500, "internal error\n"));
    }));
    let (handle, body) = fastly::handle::client_request_and_body();
    if let Err(refusal) = client_url::check(&handle) {
        return send(refusal);
    }
    // A request built from handles is not marked as the client's, and so cannot tell the
    // client's address: it is read from the handle here.
    let client_ip = handle.client_ip_addr();
    let req = Request::from_handles(handle, Some(body));
    let decision = decide(&req, trusted_signers);
    carry_out(req, client_ip, decision);
}

/// The platform's request as the decision reads it.
struct RequestHeaders<'a>(&'a Request);

impl Headers for RequestHeaders<'_> {
    fn get(&self, name: &str) -> Option<&[u8]> {
        self.0.get_header(name).map(|value| value.as_bytes())
    }
}

/// Fastly's stores, where auth policies keep what the package must not hold: an HS256
/// secret in a Secret Store, a JWK Set in a Config Store.
struct FastlyStores;

impl Stores for FastlyStores {
    fn secret(&self, store: &str, key: &str) -> Option<Vec<u8>> {
        let secret = fastly::SecretStore::open(store).ok()?.try_get(key).ok()??;
        Some(secret.plaintext().to_vec())
    }

    fn config(&self, store: &str, key: &str) -> Option<String> {
        fastly::ConfigStore::try_open(store)
            .ok()?
            .try_get(key)
            .ok()?
    }
}

fn decide(req: &Request, signers: fn() -> Vec<TrustedSigner>) -> Decision {
    let host = req
        .get_header("host")
        .and_then(|host| host.to_str().ok())
        .or_else(|| req.get_url().host_str());
    let incoming = Incoming {
        method: req.get_method_str(),
        path: req.get_path(),
        query: req.get_query_str(),
        host,
        headers: &RequestHeaders(req),
    };
    let context = Context {
        lookup: routes::lookup,
        signers,
        features: routes::FEATURES,
        stores: &FastlyStores,
        now_unix_secs: unix_now(),
    };
    decision::decide(&incoming, &context)
}

/// Viceroy, the local server, sets `FASTLY_HOSTNAME=localhost`; Fastly sets the name of the
/// cache node. Only locally is a shared development key trusted; on Fastly only a public
/// key is, Fastly Fanout's unless routes.toml names another; with the feature
/// `production-grip-sig`, locally too.
fn trusted_signers() -> Vec<TrustedSigner> {
    let hostname = std::env::var("FASTLY_HOSTNAME").unwrap_or_default();
    if hostname == "localhost" && !cfg!(feature = "production-grip-sig") {
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

fn carry_out(mut req: Request, client_ip: Option<IpAddr>, decision: Decision) {
    match decision {
        Decision::Respond(response) => send(response),
        Decision::Handoff(forward) => {
            prepare_to_forward(&mut req, client_ip, &forward);
            if let Err(e) = req.handoff_fanout(forward.backend) {
                send(handoff_failed(forward.backend, &e));
            }
        }
        // A WebSocket upgrade cannot be sent, so it is passed through.
        Decision::Send(forward) if forward.websocket => {
            prepare_to_forward(&mut req, client_ip, &forward);
            if let Err(e) = req.handoff_websocket(forward.backend) {
                send(handoff_failed(forward.backend, &e));
            }
        }
        Decision::Send(forward) => {
            prepare_to_forward(&mut req, client_ip, &forward);
            match req.send(forward.backend) {
                Ok(mut response) => {
                    for (name, value) in forward.response_headers {
                        response.append_header(name, value);
                    }
                    response.send_to_client();
                }
                Err(e) => send(unreachable(forward.backend, &e)),
            }
        }
        Decision::Answer {
            mode,
            channels,
            headers,
        } => {
            let events = match mode {
                Mode::WsEcho { .. } => match read_events(&mut req) {
                    Ok(events) => events,
                    Err(refusal) => return send(refusal),
                },
                _ => Vec::new(),
            };
            let mut answer = mode.answer(&channels, &events);
            answer.headers.extend(headers);
            send(answer);
        }
        Decision::Resume(resume) => send((reliable_calls().answer)(&resume)),
        Decision::FetchHistory(resume) => {
            let (answer, problem) =
                (reliable_calls().after_history)(&resume, fetch_history(&resume));
            if let Some(problem) = problem {
                eprintln!(
                    "reliable delivery: the client keeps its stream without the missed items: {problem}"
                );
            }
            send(answer);
        }
    }
}

/// The decision resumes only on a reliable route, which `FEATURES` compiles in.
fn reliable_calls() -> reliable::Calls {
    routes::FEATURES
        .reliable
        .expect("a reliable route's second pass has reliable delivery compiled in")
}

/// `GET` of the history endpoint (README: Reliable delivery): its status and at most
/// `MAX_HISTORY_BYTES + 1` bytes of its body, so that a longer one is refused as such.
fn fetch_history(resume: &Resume) -> reliable::Fetched {
    let backend = resume.reliable.backend;
    let url = format!("http://{backend}{}", resume.history_target());
    let request = Request::get(url).with_header("Accept", "application/json");
    let mut response = request
        .send(backend)
        .map_err(|e| format!("unreachable: {}", e.root_cause()))?;
    let mut body = Vec::new();
    response
        .take_body()
        .take(reliable::MAX_HISTORY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("answer cut short: {e}"))?;
    Ok((response.get_status().as_u16(), body))
}

/// The request goes on with the target it was routed on, and with the forwarding headers
/// the app sets in place of the client's.
fn prepare_to_forward(req: &mut Request, client_ip: Option<IpAddr>, forward: &Forward) {
    req.set_path(&forward.target.path);
    match &forward.target.query {
        Some(query) => req.set_query_str(query),
        None => req.remove_query(),
    }
    let removed: Vec<String> = req
        .get_header_names_str()
        .into_iter()
        .filter(|name| forwarding::removed(name, forward.websocket))
        .map(str::to_owned)
        .collect();
    for name in removed {
        req.remove_header(name);
    }
    if forward.drop_authorization {
        req.remove_header("authorization");
    }
    let host = req
        .get_header("host")
        .and_then(|host| host.to_str().ok())
        .map(str::to_owned);
    let client = Client {
        ip: client_ip,
        https: req.get_url().scheme() == "https",
        host: host.as_deref(),
    };
    for (name, value) in forwarding::headers(&client) {
        req.set_header(name, value);
    }
    for name in forward.request_headers.remove {
        req.remove_header(*name);
    }
    for (name, value) in forward.request_headers.add {
        req.set_header(*name, *value);
    }
}

fn read_events(req: &mut Request) -> Result<Vec<u8>, Response> {
    let limit = websocket::MAX_BATCH_BYTES;
    let mut body = Vec::new();
    req.take_body()
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| Response::text(400, "could not read the request body\n"))?;
    if body.len() > limit {
        return Err(Response::text(
            413,
            &format!("WebSocket-over-HTTP body over {limit} bytes\n"),
        ));
    }
    Ok(body)
}

fn handoff_failed(backend: &str, e: &SendError) -> Response {
    match e.root_cause() {
        SendErrorCause::FanoutNotEnabled => Response::text(
            503,
            "Fanout is not enabled on this service: enable it, or run the local stack with \
             `cargo xtask serve`\n",
        ),
        cause => Response::text(
            502,
            &format!("handoff to backend `{backend}` failed: {cause}\n"),
        ),
    }
}

fn unreachable(backend: &str, e: &SendError) -> Response {
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
    Response::text(status, &message)
}

fn send(response: Response) {
    let mut out = fastly::Response::from_status(response.status).with_body(response.body);
    for (name, value) in response.headers {
        out.append_header(name, value);
    }
    out.send_to_client();
}

#[cfg(test)]
mod tests;
