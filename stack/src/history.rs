//! What the demo origin publishes, recorded with ids, and its history endpoint for the
//! routes declared `reliable` (README: Reliable delivery): items of a channel are numbered
//! 1, 2, 3, ..., each published with `id` and `prev-id` (the first with `prev-id` 0).
//! One record per process: every demo origin of the process shares it.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Value, json};

/// The most items one history answer holds, whatever `limit` asks.
pub const MAX_ITEMS: usize = 100;

static CHANNELS: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

fn channels() -> MutexGuard<'static, Option<HashMap<String, Vec<String>>>> {
    CHANNELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Records the next item of `channel`, its `http-stream` content made from its id by
/// `content`, and returns its id and prev-id.
pub fn record(channel: &str, content: impl FnOnce(&str) -> String) -> (String, String) {
    let mut guard = channels();
    let items = guard
        .get_or_insert_with(HashMap::new)
        .entry(channel.to_owned())
        .or_default();
    let id = (items.len() + 1).to_string();
    items.push(content(&id));
    (id, (items.len() - 1).to_string())
}

fn data_lines(message: &str) -> String {
    // A lone CR ends a line in SSE too.
    let lines = message.lines().flat_map(|line| line.split('\r'));
    lines.map(|line| format!("data: {line}\n")).collect()
}

/// The SSE event of a published message: its id first, so that a client's
/// `Last-Event-ID` says where it is.
pub fn event(id: &str, message: &str) -> String {
    format!("id: {id}\n{}\n", data_lines(message))
}

/// `GET /history?channel=<c>&after=<id>&limit=<n>`: the items of `c` after `after`, oldest
/// first, at most `limit` (and `MAX_ITEMS`). `None` for a bad query (a 400).
pub fn answer(query: &str) -> Option<Value> {
    let param = |name: &str| {
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| decode(value))
        })
    };
    let channel = param("channel")?;
    let after: usize = param("after")?.parse().ok()?;
    let limit = param("limit")
        .and_then(|limit| limit.parse().ok())
        .unwrap_or(MAX_ITEMS)
        .min(MAX_ITEMS);
    let guard = channels();
    let items = guard.as_ref().and_then(|c| c.get(&channel));
    let items: Vec<Value> = items
        .map(|items| &items[after.min(items.len())..])
        .unwrap_or_default()
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, content)| {
            let id = after + i + 1;
            json!({ "id": id.to_string(), "prev-id": (id - 1).to_string(), "content": content })
        })
        .collect();
    Some(json!({ "items": items }))
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
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
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_numbered_and_the_history_answers_after_an_id() {
        let channel = "history-test-numbering";
        assert_eq!(record(channel, |_| "a".into()), ("1".into(), "0".into()));
        assert_eq!(record(channel, |_| "b".into()), ("2".into(), "1".into()));
        record(channel, |_| "c".into());
        let answer = answer(&format!("channel={channel}&after=1&limit=1")).unwrap();
        assert_eq!(
            answer,
            json!({ "items": [{ "id": "2", "prev-id": "1", "content": "b" }] })
        );
        let all = answer_items(&format!("channel={channel}&after=0"));
        assert_eq!(all, 3);
        assert_eq!(answer_items("channel=nothing-here&after=5"), 0);
        assert_eq!(super::answer("channel=x"), None);
    }

    fn answer_items(query: &str) -> usize {
        answer(query).unwrap()["items"].as_array().unwrap().len()
    }

    #[test]
    fn an_event_carries_its_id() {
        assert_eq!(event("7", "a\nb"), "id: 7\ndata: a\ndata: b\n\n");
    }
}
