//! A WebSocket client over plain TCP (tokio-tungstenite).

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type WebSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket as a client that is no browser does: with no `Origin`.
pub async fn connect(url: &str) -> WebSocket {
    open(url, None).await
}

/// Opens a WebSocket as a page on `origin` does: with `Origin: <origin>`.
pub async fn connect_from(url: &str, origin: &str) -> WebSocket {
    open(url, Some(origin)).await
}

async fn open(url: &str, origin: Option<&str>) -> WebSocket {
    let mut request = url
        .into_client_request()
        .unwrap_or_else(|error| panic!("WebSocket to {url}: {error}"));
    if let Some(origin) = origin {
        let origin = HeaderValue::from_str(origin).expect("an Origin header value");
        request.headers_mut().insert("Origin", origin);
    }
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .unwrap_or_else(|error| panic!("WebSocket to {url} (Origin {origin:?}): {error}"));
    assert_eq!(response.status(), 101);
    socket
}

/// The next data or close message, skipping pings and pongs; panics if the socket ends.
pub async fn next_message(socket: &mut WebSocket) -> Message {
    loop {
        let message = socket
            .next()
            .await
            .expect("the socket stays open")
            .expect("the socket reads cleanly");
        if !matches!(message, Message::Ping(_) | Message::Pong(_)) {
            return message;
        }
    }
}

/// Reads until `expected`, returning every message before it (other tests publish to the
/// same channel, so anything may come first).
pub async fn until(socket: &mut WebSocket, expected: Message) -> Vec<Message> {
    let mut before = Vec::new();
    loop {
        match next_message(socket).await {
            message if message == expected => return before,
            other => before.push(other),
        }
    }
}
