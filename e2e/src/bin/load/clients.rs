//! The load's clients: each holds one stream, SSE or WebSocket connection and records the
//! numbered messages it receives. An SSE client with disconnections planned drops its
//! connection at each and reconnects with `Last-Event-ID`, the last id it saw.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::Endpoints;
use e2e::websocket::WebSocket;
use futures_util::StreamExt;
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

use crate::plan::Disconnect;

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
    /// How many of the numbered messages the publish endpoint has taken, in order.
    pub published: AtomicU32,
    pub reconnected: AtomicUsize,
}

/// What one client received.
pub struct Record {
    pub kind: Kind,
    pub opened: bool,
    pub warmed_up: bool,
    /// The sequence numbers received, in the order received.
    pub sequence: Vec<u32>,
    /// The id of the event of each of them, when it had one (stream and SSE clients, when
    /// the demo origin publishes).
    pub ids: Vec<Option<String>>,
    /// Publish to receive, of the messages received live...
    pub latencies_us: Vec<u64>,
    /// ... and of those missed while away and received after reconnecting.
    pub recovered_us: Vec<u64>,
    pub reconnects: Vec<Reconnect>,
    /// The id of the last event taken in: the client's `Last-Event-ID`.
    pub last_id: Option<String>,
    /// Why the connection could not be opened or ended early.
    pub failure: Option<String>,
}

/// One reconnection, with `Last-Event-ID`, after the client dropped its connection.
pub struct Reconnect {
    /// The messages numbered `from..until` were taken by the publish endpoint before the
    /// client sent its request, and not yet by the client: it can have them only from the
    /// history.
    pub from: u32,
    pub until: u32,
    /// How many of those it received after reconnecting.
    pub recovered: u32,
    started: Instant,
    /// From sending the request to receiving the last of them.
    pub caught_up: Option<Duration>,
}

impl Reconnect {
    pub fn missed(&self) -> u32 {
        self.until.saturating_sub(self.from)
    }
}

impl Record {
    pub fn new(kind: Kind) -> Record {
        Record {
            kind,
            opened: false,
            warmed_up: false,
            sequence: Vec::new(),
            ids: Vec::new(),
            latencies_us: Vec::new(),
            recovered_us: Vec::new(),
            reconnects: Vec::new(),
            last_id: None,
            failure: None,
        }
    }

    /// Takes in one received message (the text of an SSE `data:` line or of a WebSocket
    /// message) and the id of its event.
    fn receive(&mut self, text: &str, id: Option<String>, progress: &Progress) {
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
        self.ids.push(id);
        let latency = now_us().saturating_sub(sent_us);
        match self.reconnects.last_mut() {
            Some(reconnect) if (reconnect.from..reconnect.until).contains(&sequence) => {
                reconnect.recovered += 1;
                reconnect.caught_up = Some(reconnect.started.elapsed());
                self.recovered_us.push(latency);
            }
            _ => self.latencies_us.push(latency),
        }
        progress.delivered.fetch_add(1, Ordering::SeqCst);
    }

    /// Whether the client is to disconnect now: it has taken in the message it is to
    /// disconnect after, and everything it missed at its last reconnection (so that what a
    /// reconnection missed is counted once).
    fn reached(&self, disconnect: Option<&Disconnect>) -> bool {
        let last = self.sequence.last();
        let caught_up = self
            .reconnects
            .last()
            .is_none_or(|reconnect| reconnect.recovered >= reconnect.missed());
        caught_up
            && disconnect
                .is_some_and(|disconnect| last.is_some_and(|&last| last >= disconnect.after))
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
/// receives until told to stop, dropping it and reconnecting at each of `disconnects`.
pub async fn client(
    kind: Kind,
    endpoints: Endpoints,
    http: reqwest::Client,
    opening: Arc<Semaphore>,
    progress: Arc<Progress>,
    disconnects: Vec<Disconnect>,
    mut stop: watch::Receiver<bool>,
) -> Record {
    let mut record = Record::new(kind);
    let turn = opening.acquire().await.expect("the semaphore stays open");
    let opened = open(kind, &endpoints, &http, None).await;
    drop(turn);
    let mut connection = match opened {
        Ok(connection) => connection,
        Err(error) => {
            progress.failed_to_open.fetch_add(1, Ordering::SeqCst);
            record.failure = Some(error);
            return record;
        }
    };
    record.opened = true;
    progress.opened.fetch_add(1, Ordering::SeqCst);
    let mut disconnects = disconnects.into_iter().peekable();
    loop {
        let next = disconnects.peek().copied();
        let ended = tokio::select! {
            ended = receive(connection, &mut record, &progress, next) => ended,
            _ = stop.changed() => return record,
        };
        if let Ended::Failed(why) = ended {
            record.failure = Some(why);
            return record;
        }
        let disconnect = disconnects.next().expect("it disconnects only as planned");
        // The connection is closed; the client stays away, then reconnects.
        tokio::select! {
            () = sleep(disconnect.away) => {}
            _ = stop.changed() => return record,
        }
        let from = record.sequence.last().map_or(0, |&last| last + 1);
        let until = progress.published.load(Ordering::SeqCst);
        let started = Instant::now();
        connection = match open(kind, &endpoints, &http, record.last_id.as_deref()).await {
            Ok(connection) => connection,
            Err(error) => {
                record.failure = Some(format!("reconnecting: {error}"));
                return record;
            }
        };
        record.reconnects.push(Reconnect {
            from,
            until,
            recovered: 0,
            started,
            caught_up: None,
        });
        progress.reconnected.fetch_add(1, Ordering::SeqCst);
    }
}

enum Connection {
    Http(reqwest::Response),
    WebSocket(Box<WebSocket>),
}

/// Opens a connection within `OPEN_TIMEOUT`; an SSE client that reconnects sends its
/// `last_id` as `Last-Event-ID`.
async fn open(
    kind: Kind,
    endpoints: &Endpoints,
    http: &reqwest::Client,
    last_id: Option<&str>,
) -> Result<Connection, String> {
    match timeout(OPEN_TIMEOUT, try_open(kind, endpoints, http, last_id)).await {
        Ok(opened) => opened,
        Err(_) => Err(format!("no answer in {OPEN_TIMEOUT:?}")),
    }
}

async fn try_open(
    kind: Kind,
    endpoints: &Endpoints,
    http: &reqwest::Client,
    last_id: Option<&str>,
) -> Result<Connection, String> {
    if kind == Kind::WebSocket {
        let (socket, _) = tokio_tungstenite::connect_async(endpoints.ws_url(kind.path()))
            .await
            .map_err(|error| error.to_string())?;
        return Ok(Connection::WebSocket(Box::new(socket)));
    }
    let mut request = http.get(endpoints.url(kind.path()));
    if let Some(last_id) = last_id {
        request = request.header("Last-Event-ID", last_id);
    }
    let response = request.send().await.map_err(|error| error.to_string())?;
    match response.status().as_u16() {
        200 => Ok(Connection::Http(response)),
        status => Err(format!(
            "{status}: {}",
            response.text().await.unwrap_or_default()
        )),
    }
}

/// How a connection ended: dropped by the client as planned, or otherwise.
enum Ended {
    Disconnected,
    Failed(String),
}

/// Receives until the connection ends, or until the client has taken in the message of
/// `disconnect` and drops it (with whatever it has read and not taken in yet).
async fn receive(
    connection: Connection,
    record: &mut Record,
    progress: &Progress,
    disconnect: Option<Disconnect>,
) -> Ended {
    match connection {
        Connection::Http(mut response) => {
            let mut pending = String::new();
            let mut id = None;
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => pending.push_str(&String::from_utf8_lossy(&chunk)),
                    Ok(None) => return Ended::Failed("the server ended the response".into()),
                    Err(error) => return Ended::Failed(format!("the response broke: {error}")),
                }
                // Stream and SSE clients alike take the `id:` and `data:` lines of the SSE
                // events.
                while let Some(end) = pending.find('\n') {
                    let line = &pending[..end];
                    if let Some(value) = line.strip_prefix("id: ") {
                        id = Some(value.to_owned());
                        record.last_id = id.clone();
                    } else if let Some(text) = line.strip_prefix("data: ") {
                        record.receive(text, id.take(), progress);
                    }
                    pending.drain(..=end);
                    if record.reached(disconnect.as_ref()) {
                        return Ended::Disconnected;
                    }
                }
            }
        }
        Connection::WebSocket(mut socket) => loop {
            let why = match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    record.receive(&text, None, progress);
                    continue;
                }
                Some(Ok(Message::Close(frame))) => format!("closed by the server: {frame:?}"),
                Some(Ok(_)) => continue,
                Some(Err(error)) => format!("the socket broke: {error}"),
                None => "the socket ended".into(),
            };
            return Ended::Failed(why);
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
