//! A small GRIP-aware origin for backend `origin`, served from a thread with the standard
//! library only (one thread per connection, one request per connection):
//! - `GET /`: the demo page (`demo_page.html`), one panel per default test endpoint and a
//!   form that publishes to a channel.
//! - `POST /publish`: the form's `channel` and `message`, forwarded to Pushpin's publish
//!   endpoint in the formats of all four test endpoints.
//! - `/stream/<channel>`: when the request came through Fanout (it carries `Grip-Sig`),
//!   answers with `Grip-Hold: stream` on `<channel>`, so that a publish to that channel
//!   reaches the client: push driven by the origin. Without `Grip-Sig` it says so.
//! - any other path: a plain-text page naming the method, the path and whether `Grip-Sig`
//!   came along, which shows whether a route went through Fanout or bypassed it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{Value, json};

use crate::ports::Ports;

/// Requests bigger than this are refused; the origin only needs small ones.
const MAX_REQUEST_BYTES: u64 = 64 * 1024;

const DEMO_PAGE: &str = include_str!("demo_page.html");

pub struct DemoOrigin {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DemoOrigin {
    /// Serves on 127.0.0.1:`ports.origin` until dropped, publishing through Pushpin's
    /// publish endpoint on 127.0.0.1:`ports.publish`.
    pub fn start(ports: &Ports) -> io::Result<DemoOrigin> {
        let listener = TcpListener::bind(("127.0.0.1", ports.origin))?;
        let publish_port = ports.publish;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = thread::spawn({
            let stopping = stopping.clone();
            move || accept_until_stopped(&listener, &stopping, publish_port)
        });
        Ok(DemoOrigin {
            address,
            stopping,
            thread: Some(thread),
        })
    }
}

impl Drop for DemoOrigin {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_until_stopped(listener: &TcpListener, stopping: &AtomicBool, publish_port: u16) {
    for connection in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(connection) = connection {
            thread::spawn(move || {
                // A client that goes away mid-request needs no answer.
                let _ = serve_one(connection, publish_port);
            });
        }
    }
}

fn serve_one(connection: TcpStream, publish_port: u16) -> io::Result<()> {
    connection.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(connection.try_clone()?.take(MAX_REQUEST_BYTES));
    let answer = match read_request(&mut reader)? {
        Some(request)
            if (request.method.as_str(), request.path.as_str()) == ("POST", "/publish") =>
        {
            publish(&request.body, publish_port).to_bytes(true)
        }
        Some(request) => respond(&request).to_bytes(request.method != "HEAD"),
        None => Response::text(400, "Bad Request", "malformed request\n").to_bytes(true),
    };
    let mut connection = connection;
    connection.write_all(&answer)
}

#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub grip_sig: bool,
    pub body: Vec<u8>,
}

/// Reads the request line, headers and body. Reading the whole body also keeps closing the
/// connection from resetting it before the peer has read the answer.
fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let (Some(method), Some(path)) = (words.next(), words.next()) else {
        return Ok(None);
    };
    let mut request = Request {
        method: method.to_string(),
        path: path.to_string(),
        grip_sig: false,
        body: Vec::new(),
    };
    let (mut content_length, mut chunked) = (0, false);
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break; // the empty line that ends the headers
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "grip-sig" => request.grip_sig = true,
            "content-length" => content_length = value.parse().unwrap_or(0),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    if chunked {
        read_chunked_body(reader, &mut request.body)?;
    } else {
        reader.take(content_length).read_to_end(&mut request.body)?;
    }
    Ok(Some(request))
}

fn read_chunked_body(reader: &mut impl BufRead, body: &mut Vec<u8>) -> io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size_text = line.trim().split(';').next().unwrap_or_default();
        let size = u64::from_str_radix(size_text, 16).unwrap_or(0);
        reader.take(size).read_to_end(body)?;
        // The chunk's CRLF; after the last (empty) chunk, the final CRLF.
        io::copy(&mut reader.take(2), &mut io::sink())?;
        if size == 0 {
            return Ok(());
        }
    }
}

/// What the origin answers to `request` (except `POST /publish`, see `publish`).
pub fn respond(request: &Request) -> Response {
    if matches!(request.method.as_str(), "GET" | "HEAD") && request.path == "/" {
        let mut page = Response::text(200, "OK", DEMO_PAGE);
        page.headers = vec![("Content-Type", "text/html; charset=utf-8".into())];
        return page;
    }
    let Some(channel) = request.path.strip_prefix("/stream/") else {
        let grip_sig = if request.grip_sig {
            "present"
        } else {
            "absent"
        };
        let page = format!(
            "fanout-router demo origin\nmethod: {}\npath: {}\ngrip-sig: {grip_sig}\n",
            request.method, request.path
        );
        return Response::text(200, "OK", &page);
    };
    if !valid_channel(channel) || channel.contains(['/', '?']) {
        return Response::text(400, "Bad Request", "usage: /stream/<channel>\n");
    }
    if !request.grip_sig {
        return Response::text(
            200,
            "OK",
            "this stream needs Fanout in front of the origin: the request carried no Grip-Sig\n",
        );
    }
    let mut response = Response::text(200, "OK", &format!("stream open on channel {channel}\n"));
    response.headers.push(("Grip-Hold", "stream".into()));
    response.headers.push(("Grip-Channel", channel.into()));
    response
}

/// `POST /publish` with a JSON body `{"channel": ..., "message": ...}`, from the demo page's
/// form: publishes the message to the channel through Pushpin's publish endpoint on
/// 127.0.0.1:`publish_port`, in the format of each kind of test endpoint.
pub fn publish(body: &[u8], publish_port: u16) -> Response {
    let form: Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |name| form.get(name).and_then(Value::as_str).unwrap_or_default();
    let (channel, message) = (field("channel"), field("message"));
    if !valid_channel(channel) {
        let usage = format!(
            "the channel must be 1 to {} bytes without `,`, `;`, spaces or control characters\n",
            fanout_router_core::channel::MAX_CAPTURE_BYTES
        );
        return Response::text(400, "Bad Request", &usage);
    }
    if message.trim().is_empty() {
        return Response::text(400, "Bad Request", "the message is empty\n");
    }
    match post_json(publish_port, "/publish/", &publish_item(channel, message)) {
        Ok((200, _)) => Response::text(200, "OK", &format!("published to channel {channel}\n")),
        Ok((status, answer)) => Response::text(
            502,
            "Bad Gateway",
            &format!("the publish endpoint answered {status}: {answer}"),
        ),
        Err(error) => Response::text(
            502,
            "Bad Gateway",
            &format!("the publish endpoint is unreachable: {error}\n"),
        ),
    }
}

/// One publish of `message` in all three formats. `/test/stream` and `/test/sse` share channel
/// `test` and the `http-stream` format, so its content is a whole SSE event: an EventSource
/// shows the message, and a plain stream shows the event as it is, `data: ` and all.
fn publish_item(channel: &str, message: &str) -> Value {
    // A lone CR ends a line in SSE too.
    let lines = message.lines().flat_map(|line| line.split('\r'));
    let event: String = lines.map(|line| format!("data: {line}\n")).collect();
    json!({ "items": [{ "channel": channel, "formats": {
        "http-stream": { "content": event + "\n" },
        "http-response": { "code": 200, "body": format!("{message}\n") },
        "ws-message": { "content": message },
    }}]})
}

/// Whether Pushpin and the app's routes take `channel` as a channel name.
fn valid_channel(channel: &str) -> bool {
    !channel.is_empty() && fanout_router_core::channel::check_capture(channel).is_ok()
}

/// POSTs `body` to 127.0.0.1:`port` and returns the status and the body of the answer.
fn post_json(port: u16, path: &str, body: &Value) -> io::Result<(u16, String)> {
    let body = body.to_string();
    let mut connection = TcpStream::connect(("127.0.0.1", port))?;
    connection.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        connection,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    connection.read_to_string(&mut answer)?;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok());
    let status = status.ok_or_else(|| io::Error::other(format!("not HTTP: {answer:?}")))?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.to_string()))
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Response {
    fn text(status: u16, reason: &'static str, body: &str) -> Response {
        Response {
            status,
            reason,
            headers: vec![("Content-Type", "text/plain".into())],
            body: body.into(),
        }
    }

    fn to_bytes(&self, with_body: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        let body = if with_body { self.body.as_bytes() } else { &[] };
        [head.as_bytes(), body].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Request {
        read_request(&mut text.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn reads_method_path_and_grip_sig() {
        let with_body = "POST /items HTTP/1.1\r\nGrip-Sig: x\r\nContent-Length: 2\r\n\r\nhi";
        assert_eq!(
            request(with_body),
            Request {
                method: "POST".into(),
                path: "/items".into(),
                grip_sig: true,
                body: b"hi".into(),
            }
        );
        let chunked =
            "PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n1\r\n!\r\n0\r\n\r\n";
        let chunked = request(chunked);
        assert!(!chunked.grip_sig);
        assert_eq!(chunked.body, b"hi!");
    }

    #[test]
    fn the_demo_page_is_at_the_root() {
        let response = respond(&request("GET / HTTP/1.1\r\nGrip-Sig: x\r\n\r\n"));
        assert_eq!(
            response.headers,
            [("Content-Type", "text/html; charset=utf-8".into())]
        );
        assert!(response.body.contains("<title>fanout-router demo</title>"));
    }

    /// A stand-in for Pushpin's publish endpoint that takes one request and answers `answer`.
    fn one_shot_server(answer: &'static str) -> (u16, JoinHandle<Request>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (mut connection, _) = listener.accept().unwrap();
            let request = read_request(&mut BufReader::new(connection.try_clone().unwrap()));
            connection.write_all(answer.as_bytes()).unwrap();
            request.unwrap().unwrap()
        });
        (port, server)
    }

    #[test]
    fn publish_forwards_the_message_in_every_format() {
        let (port, pushpin) =
            one_shot_server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nPublished\n");
        let response = publish(
            br#"{"channel":"test","message":"hi <b>\"there\"</b>"}"#,
            port,
        );
        assert_eq!(
            (response.status, response.body.as_str()),
            (200, "published to channel test\n")
        );
        let forwarded = pushpin.join().unwrap();
        assert_eq!(
            (forwarded.method.as_str(), forwarded.path.as_str()),
            ("POST", "/publish/")
        );
        let item: Value = serde_json::from_slice(&forwarded.body).unwrap();
        let message = r#"hi <b>"there"</b>"#;
        assert_eq!(
            item,
            json!({ "items": [{ "channel": "test", "formats": {
                "http-stream": { "content": format!("data: {message}\n\n") },
                "http-response": { "code": 200, "body": format!("{message}\n") },
                "ws-message": { "content": message },
            }}]})
        );
    }

    #[test]
    fn a_message_of_several_lines_is_one_event() {
        let item = publish_item("c", "one\r\ntwo\rthree");
        let content = &item["items"][0]["formats"]["http-stream"]["content"];
        assert_eq!(content, "data: one\ndata: two\ndata: three\n\n");
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
        let (port, _pushpin) = one_shot_server("HTTP/1.1 400 Bad Request\r\n\r\nInvalid format\n");
        let response = publish(br#"{"channel":"c","message":"m"}"#, port);
        assert_eq!(
            (response.status, response.body.as_str()),
            (502, "the publish endpoint answered 400: Invalid format\n")
        );
    }

    #[test]
    fn a_page_says_whether_the_request_came_through_fanout() {
        let response = respond(&request("GET /about HTTP/1.1\r\n\r\n"));
        assert_eq!(
            response.body,
            "fanout-router demo origin\nmethod: GET\npath: /about\ngrip-sig: absent\n"
        );
    }

    #[test]
    fn a_stream_through_fanout_holds_on_its_channel() {
        let response = respond(&request("GET /stream/news HTTP/1.1\r\nGrip-Sig: x\r\n\r\n"));
        assert!(response.headers.contains(&("Grip-Hold", "stream".into())));
        assert!(response.headers.contains(&("Grip-Channel", "news".into())));
        assert_eq!(response.body, "stream open on channel news\n");
    }

    #[test]
    fn a_stream_without_fanout_gets_no_grip_instructions() {
        let response = respond(&request("GET /stream/news HTTP/1.1\r\n\r\n"));
        assert!(
            response
                .headers
                .iter()
                .all(|(name, _)| !name.starts_with("Grip"))
        );
    }

    #[test]
    fn serves_over_tcp_until_dropped() {
        let origin = DemoOrigin::start(&Ports {
            origin: 0,
            ..Ports::default()
        })
        .unwrap();
        let mut connection = TcpStream::connect(origin.address).unwrap();
        connection.write_all(b"GET /x HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = String::new();
        connection.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(answer.ends_with("path: /x\ngrip-sig: absent\n"));
        drop(origin);
    }
}
