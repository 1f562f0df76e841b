//! A WebSocket client over plain TCP (tokio-tungstenite).

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type WebSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn connect(url: &str) -> WebSocket {
    let (socket, response) = tokio_tungstenite::connect_async(url)
        .await
        .unwrap_or_else(|error| panic!("WebSocket to {url}: {error}"));
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
