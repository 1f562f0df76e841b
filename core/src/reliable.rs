//! Reliable delivery on `stream` and `sse` routes (routes.toml's `reliable`): a client that
//! reconnects, or that Fanout finds behind, gets what it missed from the history endpoint
//! of the route's backend, in order and once.
//!
//! The app holds the client with `Grip-Channel: <channel>; prev-id=<last id>` and
//! `Grip-Link: <path?next=channel>; rel=next`. When a published item's `prev-id` does not
//! follow the connection's last id, Fanout requests that link with
//! `Grip-Last: <channel>; last-id=<id>`; the app then asks the history endpoint
//! (`GET <path>?channel=<channel>&after=<id>&limit=<MAX_ITEMS>`) and answers with the items
//! and fresh instructions. This module decides all of it; the host only sends the request.

use serde_json::Value;

use crate::decision::Headers;
use crate::response::Response;
use crate::route::{Mode, Reliable};

/// The query parameter of the next link, naming the channel. A request that carries it is
/// Fanout following the link, never a client's first request.
pub const NEXT_PARAM: &str = "grip_next";
/// Items asked of the history endpoint at once, and the most the app takes from one answer.
pub const MAX_ITEMS: usize = 100;
/// The most of a history answer the app reads; a longer one is refused as garbage.
pub const MAX_HISTORY_BYTES: usize = 256 * 1024;
/// The most bytes of missed content one answer carries: items past it wait for the next
/// fetch. Fanout's own message limit is 64 KB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest id accepted, from a client or from the history endpoint.
pub const MAX_ID_BYTES: usize = 128;
/// How long Fanout waits on the next link before it asks again (Pushpin's default).
pub const LINK_TIMEOUT_SECS: u32 = 120;

/// A second pass on a reliable route: everything its answer depends on.
#[derive(Debug, PartialEq, Eq)]
pub struct Resume {
    pub mode: &'static Mode,
    pub reliable: &'static Reliable,
    pub channel: String,
    /// The route's path as routed on, the base of the next link.
    pub path: String,
    /// The last id the client has: from `Last-Event-ID` (or the query) on a client's
    /// request, from `Grip-Last` on a next-link request.
    pub last_id: Option<String>,
    /// Fanout follows the next link: answer with what was missed, never the initial body.
    pub next_link: bool,
    /// CORS headers of the route.
    pub headers: Vec<(&'static str, String)>,
}

/// The second pass of a reliable route, through pointers that only the generated table's
/// `FEATURES` names, and only when a route declares `reliable`: a route set without one
/// carries none of it.
#[derive(Clone, Copy)]
pub struct Calls {
    pub read: Read,
    pub answer: fn(&Resume) -> Response,
    pub after_history: fn(&Resume, Fetched) -> (Response, Option<String>),
}

/// [`Resume::read`].
pub type Read =
    fn(&'static Mode, &'static Reliable, Vec<String>, &str, Option<&str>, &dyn Headers) -> Resume;

/// The history endpoint's status and body, or why it could not be reached.
pub type Fetched = Result<(u16, Vec<u8>), String>;

pub const CALLS: Calls = Calls {
    read: Resume::read,
    answer: Resume::answer,
    after_history: Resume::after_history,
};

/// One item of the history endpoint's answer.
#[derive(Debug, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub content: String,
}

impl Resume {
    /// Reads a reliable route's second pass; `channels` is the route's one channel.
    pub fn read(
        mode: &'static Mode,
        reliable: &'static Reliable,
        mut channels: Vec<String>,
        path: &str,
        query: Option<&str>,
        headers: &dyn Headers,
    ) -> Resume {
        let channel = channels.swap_remove(0);
        let next_link = query_value(query, NEXT_PARAM).is_some();
        let last_id = if next_link {
            grip_last(headers, &channel)
        } else {
            let header = headers
                .get("last-event-id")
                .and_then(|value| std::str::from_utf8(value).ok())
                .map(str::to_owned);
            header
                .or_else(|| query_value(query, reliable.last_event_id_query).map(percent_decode))
                .filter(|id| valid_id(id))
        };
        Resume {
            mode,
            reliable,
            channel,
            path: path.to_owned(),
            last_id,
            next_link,
            headers: Vec::new(),
        }
    }

    /// Whether the host must ask the history endpoint before answering.
    pub fn needs_history(&self) -> bool {
        self.next_link && self.last_id.is_some()
    }

    /// The path and query of the history request.
    pub fn history_target(&self) -> String {
        format!(
            "{}?channel={}&after={}&limit={MAX_ITEMS}",
            self.reliable.path,
            percent_encode(&self.channel),
            percent_encode(self.last_id.as_deref().unwrap_or_default()),
        )
    }

    /// The answer that needs no history: a client's request (the mode's answer with the
    /// reliable instructions), or a next link without a last id (instructions only).
    pub fn answer(&self) -> Response {
        let body = if self.next_link {
            Some(Vec::new())
        } else {
            None
        };
        self.instructions(self.last_id.as_deref(), body)
    }

    /// The answer to a next-link request once the history endpoint answered `fetched`, and
    /// what went wrong, for the log.
    /// Whatever went wrong, the client keeps its stream: the answer then holds it at the
    /// same last id, so the next publish that does not follow asks the history again.
    pub fn after_history(&self, fetched: Fetched) -> (Response, Option<String>) {
        let after = self.last_id.as_deref().unwrap_or_default();
        let items = fetched.and_then(|(status, body)| parse_history(status, &body, after));
        match items {
            Ok(items) => {
                let mut body = Vec::new();
                let mut last = after;
                for item in &items {
                    let event = self.event(item);
                    if !body.is_empty() && body.len() + event.len() > MAX_BODY_BYTES {
                        break;
                    }
                    body.extend_from_slice(event.as_bytes());
                    last = &item.id;
                }
                (self.instructions(Some(last), Some(body)), None)
            }
            Err(problem) => (
                self.instructions(Some(after), Some(Vec::new())),
                Some(format!(
                    "history of channel {} after id {after} from backend `{}`: {problem}",
                    self.channel, self.reliable.backend
                )),
            ),
        }
    }

    /// An item as the client receives it: its content as published, and on an SSE route
    /// with an `id:` line first when the content has none, so the client's `Last-Event-ID`
    /// follows.
    fn event(&self, item: &Item) -> String {
        let has_id = item.content.lines().any(|line| line.starts_with("id:"));
        if matches!(self.mode, Mode::Sse { .. }) && !has_id {
            format!("id: {}\n{}", item.id, item.content)
        } else {
            item.content.clone()
        }
    }

    /// The mode's answer with `prev-id` on the channel and the next link; `body` replaces
    /// the mode's initial body.
    fn instructions(&self, prev_id: Option<&str>, body: Option<Vec<u8>>) -> Response {
        let mut response = self.mode.answer(std::slice::from_ref(&self.channel), b"");
        let channel = match prev_id {
            Some(id) => format!("{}; prev-id={id}", self.channel),
            None => self.channel.clone(),
        };
        for (name, value) in &mut response.headers {
            if *name == "Grip-Channel" {
                *value = channel.clone();
            }
        }
        response.headers.push(("Grip-Link", self.link()));
        response.headers.extend(self.headers.iter().cloned());
        if let Some(body) = body {
            response.body = body;
        }
        response
    }

    /// `Grip-Link` back to the route: its path holds everything that differs between
    /// clients of this route (Fanout shares one request among connections with the same
    /// link), and the parameter names the channel and marks the request as a next link.
    fn link(&self) -> String {
        format!(
            "<{}?{NEXT_PARAM}={}>; rel=next; timeout={LINK_TIMEOUT_SECS}",
            self.path,
            percent_encode(&self.channel)
        )
    }
}

/// The history endpoint's answer: 200 with
/// `{"items":[{"id":"..","prev-id":"..","content":".."}]}`, oldest first, each item after
/// `after` and following the one before it.
pub fn parse_history(status: u16, body: &[u8], after: &str) -> Result<Vec<Item>, String> {
    if status != 200 {
        return Err(format!("status {status}, not 200"));
    }
    if body.len() > MAX_HISTORY_BYTES {
        return Err(format!("answer over {MAX_HISTORY_BYTES} bytes"));
    }
    let json: Value =
        serde_json::from_slice(body).map_err(|e| format!("answer is not JSON: {e}"))?;
    let list = json
        .get("items")
        .and_then(Value::as_array)
        .ok_or("answer has no `items` array")?;
    let mut items = Vec::new();
    let mut previous = after.to_owned();
    for (index, value) in list.iter().take(MAX_ITEMS).enumerate() {
        let field = |name: &str| value.get(name).and_then(Value::as_str);
        let id = field("id")
            .filter(|id| valid_id(id))
            .ok_or_else(|| format!("item {index} has no valid `id`"))?;
        let content =
            field("content").ok_or_else(|| format!("item {index} has no `content` string"))?;
        if let Some(prev_id) = field("prev-id")
            && prev_id != previous
        {
            return Err(format!(
                "item {index} has prev-id {prev_id}, but follows id {previous}"
            ));
        }
        previous = id.to_owned();
        items.push(Item {
            id: id.to_owned(),
            content: content.to_owned(),
        });
    }
    Ok(items)
}

/// An id goes into `Grip-Channel` as a parameter: printable ASCII that header parameters
/// do not split on.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_BYTES
        && id
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b',' | b';' | b'"' | b'\\' | b'='))
}

/// The last id Fanout holds for `channel`, from `Grip-Last: <channel>; last-id=<id>`
/// (repeated, or comma-joined for several channels).
fn grip_last(headers: &dyn Headers, channel: &str) -> Option<String> {
    let value = std::str::from_utf8(headers.get("grip-last")?).ok()?;
    value.split(',').find_map(|entry| {
        let mut parts = entry.split(';').map(str::trim);
        if parts.next()? != channel {
            return None;
        }
        parts
            .find_map(|param| param.strip_prefix("last-id="))
            .map(|id| id.trim_matches('"').to_owned())
            .filter(|id| valid_id(id))
    })
}

fn query_value<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
