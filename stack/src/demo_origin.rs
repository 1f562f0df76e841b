//! A small GRIP-aware origin for backend `origin`, served by tiny_http (a thread per request):
//! - `GET /`: the demo page (`demo_page.html`), one panel per default test endpoint and a
//!   form that publishes to a channel.
//! - `POST /publish`: the form's `channel` and `message`, forwarded to Pushpin's publish
//!   endpoint in the formats of all four test endpoints; only when the stack was started with
//!   publishing on (`cargo xtask serve --demo-publish`) and only for a loopback client,
//!   otherwise a 403 that says why and how to turn it on. Each item is numbered per channel
//!   and published with `id` and `prev-id`; `"publish": false` only records it.
//! - `GET /history?channel=..&after=..&limit=..`: the recorded items, for reliable routes
//!   (`history.rs`).
//! - `/stream/<channel>`: when the request came through Fanout (it carries `Grip-Sig`),
//!   answers with `Grip-Hold: stream` on `<channel>`, so that a publish to that channel
//!   reaches the client: push driven by the origin. Without `Grip-Sig` it says so.
//! - any other path: a plain-text page naming the method, the path and whether `Grip-Sig`
//!   came along (which shows whether a route went through Fanout or bypassed it), then the
//!   request line and every header as the origin received them, in order (see `record`).

use std::io::{self, Cursor, Read};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{Value, json};
use tiny_http::{Header, Server, StatusCode};

use crate::history;
use crate::ports::Ports;

/// Request bodies bigger than this are refused; the origin only needs small ones.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// How long a publish through Pushpin may take.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);

const DEMO_PAGE: &str = include_str!("demo_page.html");

/// The first line of the page that records a request.
pub const RECORD_TITLE: &str = "fanout-router demo origin";

/// Whether `POST /publish` publishes. Off unless the stack is started with it on: the origin
/// is reachable through the app's catch-all route, and publishing through it would let any
/// client that reaches the app push to any channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Publishing {
    /// `POST /publish` is refused with a 403 that says how to turn it on.
    #[default]
    Off,
    /// `POST /publish` publishes when the client is on a loopback address.
    Loopback,
}

pub struct DemoOrigin {
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl DemoOrigin {
    /// Serves on 127.0.0.1:`ports.origin` until dropped, publishing (when `publishing`
    /// allows) through Pushpin's publish endpoint on 127.0.0.1:`ports.publish`.
    pub fn start(ports: &Ports, publishing: Publishing) -> io::Result<DemoOrigin> {
        let server = Server::http(("127.0.0.1", ports.origin)).map_err(io::Error::other)?;
        let server = Arc::new(server);
        let settings = Settings {
            publishing,
            publish_port: ports.publish,
        };
        let thread = thread::spawn({
            let server = server.clone();
            move || {
                // Ends when `Drop` unblocks the server.
                for request in server.incoming_requests() {
                    thread::spawn(move || serve(request, settings));
                }
            }
        });
        Ok(DemoOrigin {
            server,
            thread: Some(thread),
        })
    }

    /// The port it listens on (the one asked for, or the one the kernel chose for 0).
    pub fn port(&self) -> u16 {
        self.server
            .server_addr()
            .to_ip()
            .map_or(0, |address| address.port())
    }
}

impl Drop for DemoOrigin {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    publishing: Publishing,
    publish_port: u16,
}

fn serve(mut request: tiny_http::Request, settings: Settings) {
    let reply = match Request::read(&mut request) {
        Ok(received) => respond(&received, settings),
        Err(reply) => reply,
    };
    // A client that went away needs no answer.
    let _ = request.respond(reply.into_response());
}

/// A request as the origin received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: path and query, nothing decoded or resolved.
    pub target: String,
    /// `HTTP/1.1`
    pub version: String,
    /// Every header in the order received, names as spelled by the sender, values without
    /// the whitespace around them.
    pub headers: Vec<(String, String)>,
    /// Who connected: Pushpin, Viceroy or a local client.
    pub peer: Option<IpAddr>,
    pub body: Vec<u8>,
}

impl Request {
    /// Takes what tiny_http parsed, and the body (decoded when chunked), up to its limit.
    fn read(request: &mut tiny_http::Request) -> Result<Request, Reply> {
        let mut body = Vec::new();
        request
            .as_reader()
            .take(MAX_BODY_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|error| Reply::text(400, &format!("cannot read the body: {error}\n")))?;
        if body.len() as u64 > MAX_BODY_BYTES {
            let refusal =
                format!("the demo origin takes bodies of at most {MAX_BODY_BYTES} bytes\n");
            return Err(Reply::text(413, &refusal));
        }
        Ok(Request {
            method: request.method().as_str().to_string(),
            target: request.url().to_string(),
            version: format!("HTTP/{}", request.http_version()),
            headers: request
                .headers()
                .iter()
                .map(|header| (header.field.to_string(), header.value.to_string()))
                .collect(),
            peer: request.remote_addr().map(SocketAddr::ip),
            body,
        })
    }

    /// The value of the first header called `name`, compared without case.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn grip_sig(&self) -> bool {
        self.header("Grip-Sig").is_some()
    }

    /// The path, without the query.
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// What the origin answers to `request`.
fn respond(request: &Request, settings: Settings) -> Reply {
    match (request.method.as_str(), request.path()) {
        ("GET" | "HEAD", "/") => Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            grip: Vec::new(),
            body: DEMO_PAGE.into(),
        },
        ("POST", "/publish") => match publish_refusal(request, settings) {
            Some(refusal) => refusal,
            None => publish(&request.body, settings.publish_port),
        },
        ("GET", "/history") => history_page(
            request
                .target
                .split_once('?')
                .map_or("", |(_, query)| query),
        ),
        (_, path) => match path.strip_prefix("/stream/") {
            Some(channel) => stream(request, channel),
            None => Reply::text(200, &record(request)),
        },
    }
}

/// The page that shows what reached the origin: a summary (method, path, whether `Grip-Sig`
/// came along), a blank line, then the request line and every header exactly as received,
/// one `name: value` per line, in order.
pub fn record(request: &Request) -> String {
    let grip_sig = if request.grip_sig() {
        "present"
    } else {
        "absent"
    };
    let mut page = format!(
        "{RECORD_TITLE}\nmethod: {}\npath: {}\ngrip-sig: {grip_sig}\n\n{} {} {}\n",
        request.method, request.target, request.method, request.target, request.version
    );
    for (name, value) in &request.headers {
        page.push_str(&format!("{name}: {value}\n"));
    }
    page
}

/// The record page read back, for tests that assert what reached the origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub method: String,
    /// The request target as received.
    pub path: String,
    pub grip_sig: bool,
    /// `GET /x?y HTTP/1.1`
    pub request_line: String,
    /// In the order received.
    pub headers: Vec<(String, String)>,
}

impl Record {
    /// Reads a page that `record` wrote; `None` when `page` is not one.
    pub fn parse(page: &str) -> Option<Record> {
        let (summary, request) = page.split_once("\n\n")?;
        let mut summary = summary.lines();
        if summary.next()? != RECORD_TITLE {
            return None;
        }
        let mut field = |name: &str| {
            let line = summary.next()?;
            Some(line.strip_prefix(name)?.strip_prefix(": ")?.to_string())
        };
        let (method, path, grip_sig) = (field("method")?, field("path")?, field("grip-sig")?);
        let mut request = request.lines();
        let request_line = request.next()?.to_string();
        let headers = request
            .map(|line| {
                let (name, value) = line.split_once(": ").unwrap_or((line, ""));
                (name.to_string(), value.to_string())
            })
            .collect();
        Some(Record {
            method,
            path,
            grip_sig: grip_sig == "present",
            request_line,
            headers,
        })
    }

    /// The values of every header called `name` (compared without case), in order.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// `/stream/<channel>`: held on `<channel>` when the request came through Fanout.
fn stream(request: &Request, channel: &str) -> Reply {
    if !valid_channel(channel) || channel.contains('/') {
        return Reply::text(400, "usage: /stream/<channel>\n");
    }
    if !request.grip_sig() {
        return Reply::text(
            200,
            "this stream needs Fanout in front of the origin: the request carried no Grip-Sig\n",
        );
    }
    let mut reply = Reply::text(200, &format!("stream open on channel {channel}\n"));
    reply.grip = vec![
        ("Grip-Hold", "stream".into()),
        ("Grip-Channel", channel.into()),
    ];
    reply
}

/// Why `POST /publish` is refused, or `None` when it may publish.
fn publish_refusal(request: &Request, settings: Settings) -> Option<Reply> {
    if settings.publishing == Publishing::Off {
        return Some(Reply::text(
            403,
            &format!(
                "publishing through the demo origin is off: start the stack with `cargo xtask \
                 serve --demo-publish` to let the demo page publish (loopback clients only), or \
                 publish to Pushpin's endpoint, http://127.0.0.1:{}/publish/\n",
                settings.publish_port
            ),
        ));
    }
    // The connection is Pushpin's or Viceroy's; the client that sent the request through them
    // is named by the forwarding headers, when there are any.
    let forwarded = ["X-Forwarded-For", "Fastly-Client-IP"]
        .into_iter()
        .filter_map(|name| request.header(name))
        .flat_map(|value| value.split(','))
        .map(|address| address.trim().to_string());
    let peer = request.peer.map(|ip| ip.to_string());
    let outsider = peer
        .into_iter()
        .chain(forwarded)
        .find(|address| !address.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()));
    outsider.map(|address| {
        Reply::text(
            403,
            &format!(
                "publishing through the demo origin is for loopback clients only, and this \
                 request came from {address}\n"
            ),
        )
    })
}

/// `POST /publish` with a JSON body `{"channel": ..., "message": ...}`, from the demo page's
/// form: publishes the message to the channel through Pushpin's publish endpoint on
/// 127.0.0.1:`publish_port`, in the format of each kind of test endpoint.
fn publish(body: &[u8], publish_port: u16) -> Reply {
    let form: Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |name| form.get(name).and_then(Value::as_str).unwrap_or_default();
    let (channel, message) = (field("channel"), field("message"));
    if !valid_channel(channel) {
        let usage = format!(
            "the channel must be 1 to {} bytes without `,`, `;`, spaces or control characters\n",
            fanout_router_core::channel::MAX_CAPTURE_BYTES
        );
        return Reply::text(400, &usage);
    }
    if message.trim().is_empty() {
        return Reply::text(400, "the message is empty\n");
    }
    // `"publish": false` records the item without publishing it: a publish lost on its way
    // to Fanout, which the next one's prev-id reveals.
    let lost = form.get("publish") == Some(&Value::Bool(false));
    let (id, prev_id) = history::record(channel, |id| history::event(id, message));
    if lost {
        return Reply::text(200, &format!("recorded id {id} on channel {channel}\n"));
    }
    let url = format!("http://127.0.0.1:{publish_port}/publish/");
    match post_json(&url, &publish_item(channel, &id, &prev_id, message)) {
        Ok((200, _)) => Reply::text(200, &published(&id, channel)),
        Ok((status, answer)) => Reply::text(
            502,
            &format!("the publish endpoint answered {status}: {answer}"),
        ),
        Err(error) => Reply::text(
            502,
            &format!("the publish endpoint is unreachable: {error}\n"),
        ),
    }
}

/// `GET /history?channel=..&after=..&limit=..` of the reliable routes.
fn history_page(query: &str) -> Reply {
    match history::answer(query) {
        Some(items) => Reply {
            status: 200,
            content_type: "application/json",
            grip: Vec::new(),
            body: items.to_string(),
        },
        None => Reply::text(400, "usage: /history?channel=<c>&after=<id>\n"),
    }
}

/// One publish of `message` in all three formats, with its `id` and `prev-id`.
/// `/test/stream` and `/test/sse` share channel `test` and the `http-stream` format, so its
/// content is a whole SSE event with its id: an EventSource shows the message, and a plain
/// stream shows the event as it is, `data: ` and all.
fn publish_item(channel: &str, id: &str, prev_id: &str, message: &str) -> Value {
    json!({ "items": [{ "channel": channel, "id": id, "prev-id": prev_id, "formats": {
        "http-stream": { "content": history::event(id, message) },
        "http-response": { "code": 200, "body": format!("{message}\n") },
        "ws-message": { "content": message },
    }}]})
}

/// Whether Pushpin and the app's routes take `channel` as a channel name.
fn valid_channel(channel: &str) -> bool {
    !channel.is_empty() && fanout_router_core::channel::check_capture(channel).is_ok()
}

/// POSTs `body` to `url` (on loopback: no proxy) and returns the status and body of the answer,
/// whatever the status.
fn post_json(url: &str, body: &Value) -> Result<(u16, String), ureq::Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(PUBLISH_TIMEOUT))
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())?;
    let status = response.status().as_u16();
    Ok((status, response.body_mut().read_to_string()?))
}

/// An answer of the origin: a status, a content type, GRIP instructions for Pushpin and a body.
#[derive(Debug)]
struct Reply {
    status: u16,
    content_type: &'static str,
    grip: Vec<(&'static str, String)>,
    body: String,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain",
            grip: Vec::new(),
            body: body.into(),
        }
    }

    /// tiny_http adds `Date`, `Server` and, except for HEAD, sends the body.
    fn into_response(self) -> tiny_http::Response<Cursor<Vec<u8>>> {
        let headers = [("Content-Type", self.content_type.to_string())]
            .into_iter()
            .chain(self.grip)
            .filter_map(|(name, value)| Header::from_bytes(name, value).ok())
            .collect();
        let length = self.body.len();
        tiny_http::Response::new(
            StatusCode(self.status),
            headers,
            Cursor::new(self.body.into_bytes()),
            Some(length),
            None,
        )
    }
}

/// The demo origin's answer to a publish of item `id` to `channel`.
fn published(id: &str, channel: &str) -> String {
    format!("published id {id} to channel {channel}\n")
}

/// The id of the item an answer of the demo origin's publish says it published to
/// `channel`, for clients of the demo origin such as the tests.
pub fn published_id(answer: &str, channel: &str) -> Option<u64> {
    let rest = answer.strip_prefix("published id ")?;
    let id = rest.strip_suffix(&format!(" to channel {channel}\n"))?;
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::{Ipv4Addr, TcpStream};

    use super::*;

    const PUBLISHING: Settings = Settings {
        publishing: Publishing::Loopback,
        publish_port: 1,
    };

    fn request(method: &str, target: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: method.into(),
            target: target.into(),
            version: "HTTP/1.1".into(),
            headers: headers
                .iter()
                .map(|&(name, value)| (name.into(), value.into()))
                .collect(),
            peer: Some(Ipv4Addr::LOCALHOST.into()),
            body: Vec::new(),
        }
    }

    #[test]
    fn the_demo_page_is_at_the_root() {
        let reply = respond(&request("GET", "/", &[("Grip-Sig", "x")]), PUBLISHING);
        assert_eq!(reply.content_type, "text/html; charset=utf-8");
        assert!(reply.body.contains("<title>fanout-router demo</title>"));
    }

    /// A stand-in for Pushpin's publish endpoint that takes one request and answers `status`
    /// and `body`.
    fn one_shot_server(status: u16, body: &'static str) -> (u16, JoinHandle<Request>) {
        let server = Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let pushpin = thread::spawn(move || {
            let mut request = server.recv().unwrap();
            let received = Request::read(&mut request).unwrap();
            request
                .respond(Reply::text(status, body).into_response())
                .unwrap();
            received
        });
        (port, pushpin)
    }

    #[test]
    fn publish_forwards_the_message_in_every_format() {
        let (port, pushpin) = one_shot_server(200, "Published\n");
        let reply = publish(
            br#"{"channel":"formats","message":"hi <b>\"there\"</b>"}"#,
            port,
        );
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (200, "published id 1 to channel formats\n")
        );
        let forwarded = pushpin.join().unwrap();
        assert_eq!(
            (forwarded.method.as_str(), forwarded.target.as_str()),
            ("POST", "/publish/")
        );
        let item: Value = serde_json::from_slice(&forwarded.body).unwrap();
        let message = r#"hi <b>"there"</b>"#;
        assert_eq!(
            item,
            json!({ "items": [{ "channel": "formats", "id": "1", "prev-id": "0", "formats": {
                "http-stream": { "content": format!("id: 1\ndata: {message}\n\n") },
                "http-response": { "code": 200, "body": format!("{message}\n") },
                "ws-message": { "content": message },
            }}]})
        );
    }

    #[test]
    fn a_lost_publish_is_recorded_and_the_history_is_served() {
        let reply = publish(br#"{"channel":"lost","message":"m","publish":false}"#, 1);
        assert_eq!(reply.body, "recorded id 1 on channel lost\n");
        let page = history_page("channel=lost&after=0");
        let items: Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(items["items"][0]["content"], "id: 1\ndata: m\n\n");
        assert_eq!(history_page("after=0").status, 400);
    }

    #[test]
    fn a_message_of_several_lines_is_one_event() {
        let item = publish_item("c", "3", "2", "one\r\ntwo\rthree");
        let content = &item["items"][0]["formats"]["http-stream"]["content"];
        assert_eq!(content, "id: 3\ndata: one\ndata: two\ndata: three\n\n");
        assert_eq!(
            (&item["items"][0]["id"], &item["items"][0]["prev-id"]),
            (&json!("3"), &json!("2"))
        );
    }

    #[test]
    fn publish_refuses_a_bad_channel_or_no_message_and_reports_a_refusal() {
        for form in [
            r#"{"channel":"a b","message":"m"}"#,
            r#"{"channel":"","message":"m"}"#,
            r#"{"channel":"c","message":" "}"#,
            "not json",
        ] {
            assert_eq!(publish(form.as_bytes(), 1).status, 400, "{form}");
        }
        let (port, _pushpin) = one_shot_server(400, "Invalid format\n");
        let reply = publish(br#"{"channel":"c","message":"m"}"#, port);
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (502, "the publish endpoint answered 400: Invalid format\n")
        );
    }

    #[test]
    fn publishing_is_off_unless_turned_on_and_then_only_for_loopback_clients() {
        let off = Settings {
            publishing: Publishing::Off,
            publish_port: 5561,
        };
        let form = request("POST", "/publish", &[]);
        let refusal = respond(&form, off);
        assert_eq!(refusal.status, 403);
        assert!(
            refusal
                .body
                .starts_with("publishing through the demo origin is off: start the stack with `cargo xtask serve --demo-publish`"),
            "{}",
            refusal.body
        );

        assert!(publish_refusal(&form, PUBLISHING).is_none());
        let relayed = request("POST", "/publish", &[("X-Forwarded-For", "127.0.0.1, ::1")]);
        assert!(publish_refusal(&relayed, PUBLISHING).is_none());
        for (name, value) in [
            ("X-Forwarded-For", "127.0.0.1, 203.0.113.9"),
            ("x-forwarded-for", "203.0.113.9"),
            ("Fastly-Client-IP", "203.0.113.9"),
        ] {
            let refusal =
                publish_refusal(&request("POST", "/publish", &[(name, value)]), PUBLISHING);
            let body = refusal.map(|reply| (reply.status, reply.body));
            assert_eq!(
                body,
                Some((
                    403,
                    "publishing through the demo origin is for loopback clients only, and this \
                     request came from 203.0.113.9\n"
                        .into()
                )),
                "{name}: {value}"
            );
        }
        let mut remote = form.clone();
        remote.peer = Some("192.0.2.1".parse().unwrap());
        assert_eq!(publish_refusal(&remote, PUBLISHING).unwrap().status, 403);
        let unknown = request("POST", "/publish", &[("X-Forwarded-For", "unknown")]);
        assert_eq!(publish_refusal(&unknown, PUBLISHING).unwrap().status, 403);
    }

    #[test]
    fn a_page_records_the_request_line_and_every_header_as_received() {
        let received = request(
            "GET",
            "/about/../x%2Fy?b=2&a=1",
            &[
                ("Host", "origin"),
                ("X-Forwarded-For", "198.51.100.7"),
                ("x-dup", "1"),
                ("X-Dup", "2"),
            ],
        );
        let reply = respond(&received, PUBLISHING);
        assert_eq!(reply.content_type, "text/plain");
        assert_eq!(
            reply.body,
            "fanout-router demo origin\nmethod: GET\npath: /about/../x%2Fy?b=2&a=1\n\
             grip-sig: absent\n\n\
             GET /about/../x%2Fy?b=2&a=1 HTTP/1.1\n\
             Host: origin\nX-Forwarded-For: 198.51.100.7\nx-dup: 1\nX-Dup: 2\n"
        );
        let record = Record::parse(&reply.body).unwrap();
        assert_eq!(
            (
                record.method.as_str(),
                record.path.as_str(),
                record.grip_sig
            ),
            ("GET", received.target.as_str(), false)
        );
        assert_eq!(record.request_line, "GET /about/../x%2Fy?b=2&a=1 HTTP/1.1");
        assert_eq!(record.headers, received.headers);
        assert_eq!(record.header("X-DUP"), ["1", "2"]);
        assert_eq!(Record::parse("not a record\n\nGET / HTTP/1.1\n"), None);
    }

    #[test]
    fn a_stream_through_fanout_holds_on_its_channel() {
        let reply = respond(
            &request("GET", "/stream/news", &[("grip-sig", "x")]),
            PUBLISHING,
        );
        assert_eq!(
            reply.grip,
            [
                ("Grip-Hold", "stream".into()),
                ("Grip-Channel", "news".into())
            ]
        );
        assert_eq!(reply.body, "stream open on channel news\n");
    }

    #[test]
    fn a_stream_without_fanout_gets_no_grip_instructions() {
        let reply = respond(&request("GET", "/stream/news", &[]), PUBLISHING);
        assert!(reply.grip.is_empty());
        let reply = respond(
            &request("GET", "/stream/a,b", &[("Grip-Sig", "x")]),
            PUBLISHING,
        );
        assert_eq!(reply.status, 400);
    }

    /// Sends `raw` and returns the whole answer; the origin closes after `Connection: close`.
    fn exchange(origin: &DemoOrigin, raw: &[u8]) -> String {
        let mut connection = TcpStream::connect(("127.0.0.1", origin.port())).unwrap();
        connection.write_all(raw).unwrap();
        let mut answer = String::new();
        connection.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn serves_over_tcp_until_dropped_recording_raw_targets_and_refusing_publishes() {
        let ports = Ports {
            origin: 0,
            ..Ports::default()
        };
        let origin = DemoOrigin::start(&ports, Publishing::Off).unwrap();
        let answer = exchange(
            &origin,
            b"GET /a/./b/%2e%2e/c?q=%41 HTTP/1.1\r\nHost: h\r\nX-Seen:  padded \r\n\
              Connection: close\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        assert_eq!(
            body,
            "fanout-router demo origin\nmethod: GET\npath: /a/./b/%2e%2e/c?q=%41\n\
             grip-sig: absent\n\nGET /a/./b/%2e%2e/c?q=%41 HTTP/1.1\n\
             Host: h\nX-Seen: padded\nConnection: close\n"
        );

        let form = r#"{"channel":"test","message":"m"}"#;
        let publish = format!(
            "POST /publish HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{form}\r\n0\r\n\r\n",
            form.len()
        );
        let answer = exchange(&origin, publish.as_bytes());
        assert!(answer.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{answer}");
        assert!(answer.contains("--demo-publish"), "{answer}");
        let port = origin.port();
        drop(origin);
        // The accept thread closes the socket once it has seen the server go.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while TcpStream::connect(("127.0.0.1", port)).is_ok() {
            assert!(std::time::Instant::now() < deadline, "still listening");
            thread::sleep(Duration::from_millis(20));
        }
    }
}
