//! The load's clients: each holds one stream, SSE or WebSocket connection and records the
//! numbered messages it receives.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::Endpoints;
use e2e::websocket::WebSocket;
use futures_util::StreamExt;
use tokio::sync::{Semaphore, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// A message every client ignores except to say that it is subscribed.
pub const WARM_UP: &str = "load warm-up";

/// How long one connection may take to open.
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Stream,
    Sse,
    WebSocket,
}

pub const KINDS: [Kind; 3] = [Kind::Stream, Kind::Sse, Kind::WebSocket];

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Stream => "/test/stream",
            Kind::Sse => "/test/sse",
            Kind::WebSocket => "/test/websocket",
        }
    }
}

/// Counts the clients update as they go, for the phases to wait on.
#[derive(Default)]
pub struct Progress {
    pub opened: AtomicUsize,
    pub failed_to_open: AtomicUsize,
    pub warmed_up: AtomicUsize,
    pub delivered: AtomicUsize,
}

/// What one client received.
pub struct Record {
    pub kind: Kind,
    pub opened: bool,
    pub warmed_up: bool,
    /// The sequence numbers received, in the order received.
    pub sequence: Vec<u32>,
    pub latencies_us: Vec<u64>,
    /// Why the connection could not be opened or ended early.
    pub failure: Option<String>,
}

impl Record {
    /// Takes in one received message (the text of an SSE `data:` line or of a WebSocket
    /// message).
    fn receive(&mut self, text: &str, progress: &Progress) {
        if text == WARM_UP {
            if !self.warmed_up {
                self.warmed_up = true;
                progress.warmed_up.fetch_add(1, Ordering::SeqCst);
            }
            return;
        }
        let Some((sequence, sent_us)) = parse_message(text) else {
            return;
        };
        self.sequence.push(sequence);
        self.latencies_us.push(now_us().saturating_sub(sent_us));
        progress.delivered.fetch_add(1, Ordering::SeqCst);
    }
}

/// `load <sequence> <microseconds since the epoch when published>`.
pub fn message(sequence: u32) -> String {
    format!("load {sequence} {}", now_us())
}

fn parse_message(text: &str) -> Option<(u32, u64)> {
    let mut words = text.strip_prefix("load ")?.split(' ');
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Opens one connection (waiting for a turn among those opening), then records what it
/// receives until told to stop.
pub async fn client(
    kind: Kind,
    endpoints: Endpoints,
    http: reqwest::Client,
    opening: Arc<Semaphore>,
    progress: Arc<Progress>,
    mut stop: watch::Receiver<bool>,
) -> Record {
    let mut record = Record {
        kind,
        opened: false,
        warmed_up: false,
        sequence: Vec::new(),
        latencies_us: Vec::new(),
        failure: None,
    };
    let turn = opening.acquire().await.expect("the semaphore stays open");
    let opened = timeout(OPEN_TIMEOUT, open(kind, &endpoints, &http)).await;
    drop(turn);
    let connection = match opened {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => return record.failed_to_open(error, &progress),
        Err(_) => {
            return record.failed_to_open(format!("no answer in {OPEN_TIMEOUT:?}"), &progress);
        }
    };
    record.opened = true;
    progress.opened.fetch_add(1, Ordering::SeqCst);
    let ended = tokio::select! {
        ended = receive(connection, &mut record, &progress) => ended,
        _ = stop.changed() => return record,
    };
    record.failure = Some(ended);
    record
}

impl Record {
    fn failed_to_open(mut self, error: String, progress: &Progress) -> Record {
        progress.failed_to_open.fetch_add(1, Ordering::SeqCst);
        self.failure = Some(error);
        self
    }
}

enum Connection {
    Http(reqwest::Response),
    WebSocket(Box<WebSocket>),
}

async fn open(
    kind: Kind,
    endpoints: &Endpoints,
    http: &reqwest::Client,
) -> Result<Connection, String> {
    if kind == Kind::WebSocket {
        let (socket, _) = tokio_tungstenite::connect_async(endpoints.ws_url(kind.path()))
            .await
            .map_err(|error| error.to_string())?;
        return Ok(Connection::WebSocket(Box::new(socket)));
    }
    let response = http
        .get(endpoints.url(kind.path()))
        .send()
        .await
        .map_err(|error| error.to_string())?;
    match response.status().as_u16() {
        200 => Ok(Connection::Http(response)),
        status => Err(format!(
            "{status}: {}",
            response.text().await.unwrap_or_default()
        )),
    }
}

/// Receives until the connection ends, and says how it ended.
async fn receive(connection: Connection, record: &mut Record, progress: &Progress) -> String {
    match connection {
        Connection::Http(mut response) => {
            let mut pending = String::new();
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => pending.push_str(&String::from_utf8_lossy(&chunk)),
                    Ok(None) => return "the server ended the response".into(),
                    Err(error) => return format!("the response broke: {error}"),
                }
                // Stream and SSE clients alike take the `data:` lines of the SSE events.
                while let Some(end) = pending.find('\n') {
                    if let Some(text) = pending[..end].strip_prefix("data: ") {
                        record.receive(text, progress);
                    }
                    pending.drain(..=end);
                }
            }
        }
        Connection::WebSocket(mut socket) => loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => record.receive(&text, progress),
                Some(Ok(Message::Close(frame))) => {
                    return format!("closed by the server: {frame:?}");
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return format!("the socket broke: {error}"),
                None => return "the socket ended".into(),
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_carries_its_sequence_number_and_when_it_was_sent() {
        let before = now_us();
        let (sequence, sent_us) = parse_message(&message(7)).unwrap();
        assert_eq!(sequence, 7);
        assert!((before..=now_us()).contains(&sent_us));
        assert_eq!(parse_message(WARM_UP), None);
    }
}
