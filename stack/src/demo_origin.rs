//! A small GRIP-aware origin for backend `origin`, served from a thread with the standard
//! library only (one thread per connection, one request per connection):
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

/// Requests bigger than this are refused; the origin only needs small ones.
const MAX_REQUEST_BYTES: u64 = 64 * 1024;

pub struct DemoOrigin {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DemoOrigin {
    /// Serves on 127.0.0.1:`port` until dropped.
    pub fn start(port: u16) -> io::Result<DemoOrigin> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = thread::spawn({
            let stopping = stopping.clone();
            move || accept_until_stopped(&listener, &stopping)
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

fn accept_until_stopped(listener: &TcpListener, stopping: &AtomicBool) {
    for connection in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(connection) = connection {
            thread::spawn(move || {
                // A client that goes away mid-request needs no answer.
                let _ = serve_one(connection);
            });
        }
    }
}

fn serve_one(connection: TcpStream) -> io::Result<()> {
    connection.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(connection.try_clone()?.take(MAX_REQUEST_BYTES));
    let answer = match read_request(&mut reader)? {
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
}

/// Reads the request line and headers, then the body (discarded) so that closing the
/// connection does not reset it before the peer has read the answer.
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
        skip_chunked_body(reader)?;
    } else {
        io::copy(&mut reader.take(content_length), &mut io::sink())?;
    }
    Ok(Some(request))
}

fn skip_chunked_body(reader: &mut impl BufRead) -> io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let size_text = line.trim().split(';').next().unwrap_or_default();
        let size = u64::from_str_radix(size_text, 16).unwrap_or(0);
        // The chunk and its CRLF; after the last (empty) chunk, the final CRLF.
        io::copy(&mut reader.take(size + 2), &mut io::sink())?;
        if size == 0 {
            return Ok(());
        }
    }
}

/// What the origin answers to `request`.
pub fn respond(request: &Request) -> Response {
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
    if channel.is_empty() || channel.contains([',', ';', '/', '?']) {
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
                grip_sig: true
            }
        );
        let chunked = "PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
        assert!(!request(chunked).grip_sig);
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
        let origin = DemoOrigin::start(0).unwrap();
        let mut connection = TcpStream::connect(origin.address).unwrap();
        connection.write_all(b"GET /x HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = String::new();
        connection.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(answer.ends_with("path: /x\ngrip-sig: absent\n"));
        drop(origin);
    }
}
