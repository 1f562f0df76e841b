//! HTTP/1.1 requests written byte for byte, for what a well-behaved client never sends: a
//! path with `..` or `\`, a header value that is not UTF-8, a hand-made WebSocket handshake.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response as it came: its head as text (lossy) and what followed the head.
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The value of header `name` in the head, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, value) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// Every header name of the head, in lower case.
    pub fn header_names(&self) -> Vec<String> {
        let names = self.head.lines().skip(1);
        let names = names.filter_map(|line| line.split_once(':').map(|(n, _)| n));
        names.map(str::to_ascii_lowercase).collect()
    }
}

/// Sends `GET target` (or any `method`) to the app at `app_url` with `headers` as given
/// (`Host` is the app's address unless they hold one), then reads the response head and whatever body arrives until the server closes or goes
/// quiet for a moment: a held stream is read only as far as it has come.
pub async fn request(app_url: &str, method: &str, target: &[u8], headers: &[&[u8]]) -> RawResponse {
    let address = app_url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address)
        .await
        .unwrap_or_else(|error| panic!("connecting to {address}: {error}"));
    let mut bytes = [method.as_bytes(), b" ", target, b" HTTP/1.1\r\n"].concat();
    let holds = |name: &[u8]| {
        headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with(name))
    };
    if !holds(b"host:") {
        bytes.extend_from_slice(format!("Host: {address}\r\n").as_bytes());
    }
    if !holds(b"connection:") {
        bytes.extend_from_slice(b"Connection: close\r\n");
    }
    for header in headers {
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    stream.write_all(&bytes).await.expect("writing the request");

    let mut received = Vec::new();
    let mut buffer = [0; 16 * 1024];
    loop {
        let quiet = Duration::from_millis(if head_end(&received).is_some() {
            300
        } else {
            10_000
        });
        match tokio::time::timeout(quiet, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Ok(Err(error)) => panic!("reading the response: {error}"),
        }
    }
    let end = head_end(&received).unwrap_or_else(|| {
        panic!(
            "no response head in {:?}",
            String::from_utf8_lossy(&received)
        )
    });
    let head = String::from_utf8_lossy(&received[..end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    RawResponse {
        status,
        head,
        body: received[end + 4..].to_vec(),
    }
}

fn head_end(received: &[u8]) -> Option<usize> {
    received.windows(4).position(|w| w == b"\r\n\r\n")
}

/// The headers of a WebSocket handshake, as a browser sends them.
pub const WEBSOCKET_HANDSHAKE: [&[u8]; 4] = [
    b"Upgrade: websocket",
    b"Connection: Upgrade",
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    b"Sec-WebSocket-Version: 13",
];
