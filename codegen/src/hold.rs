//! The keys that keep a held connection alive and complete: `keep_alive` on `stream`,
//! `sse` and `ws-echo` routes, an `sse` route's `initial_body`, and `reliable` on `stream`
//! and `sse` routes.

use std::ops::Range;

use fanout_router_core::route::ModeKind;
use toml::Spanned;

use crate::config::{KeepAliveEntry, KeepAliveTable, RouteEntry};
use crate::model::{KeepAliveDef, ReliableDef};
use crate::validate::{Checker, DEFAULT_KEEP_ALIVE_SECS, KEEP_ALIVE_SECS};

/// What an `sse` route sends by default: a comment, which EventSource ignores.
pub const SSE_KEEP_ALIVE: &str = ":\n\n";
/// What a `stream` route of a `text/*` type sends when `keep_alive` gives no content.
pub const TEXT_STREAM_KEEP_ALIVE: &str = "\n";
/// What a `ws-echo` route sends by default: a text message a client can recognise.
pub const WS_KEEP_ALIVE: &str = r#"{"type":"keep-alive"}"#;
pub const DEFAULT_HISTORY_PATH: &str = "/history";
pub const DEFAULT_LAST_EVENT_ID_QUERY: &str = "last_event_id";
/// Longest keep-alive content: it is sent on every idle connection.
pub const MAX_KEEP_ALIVE_BYTES: usize = 1024;
/// The SSE fields EventSource reads; any other is ignored, so likely a typo.
const SSE_FIELDS: [&str; 4] = ["event", "data", "id", "retry"];

impl Checker<'_, '_> {
    /// A route's `keep_alive`: `None` when it has none and the mode sends none by default.
    pub(crate) fn keep_alive(
        &mut self,
        r: &RouteEntry,
        mode: ModeKind,
        content_type: &str,
    ) -> Option<Option<KeepAliveDef>> {
        let empty = KeepAliveTable {
            interval: None,
            mode: None,
            content: None,
        };
        let (table, seconds) = match r.keep_alive.as_ref() {
            None if mode != ModeKind::Sse => return Some(None),
            None => (&empty, None),
            Some(entry) => match entry.get_ref() {
                KeepAliveEntry::Seconds(secs) => (&empty, Some(Spanned::new(entry.span(), *secs))),
                KeepAliveEntry::Table(table) => (table, table.interval.clone()),
            },
        };
        let why = format!(
            "a keep-alive must come before idle connections are dropped, and more often than \
             every {} s only wastes bandwidth",
            KEEP_ALIVE_SECS.start()
        );
        let interval_secs = self.seconds(
            seconds.as_ref(),
            "keep_alive",
            KEEP_ALIVE_SECS,
            DEFAULT_KEEP_ALIVE_SECS,
            &why,
        );
        let interval_mode = match &table.mode {
            None => Some(false),
            Some(value) => match value.get_ref().as_str() {
                "idle" => Some(false),
                "interval" => Some(true),
                other => {
                    self.reporter.error(
                        &value.span(),
                        format!("unknown keep-alive mode {other:?}"),
                        "write mode = \"idle\" (after that long without data) or mode = \
                         \"interval\" (every interval, whatever else is sent)",
                    );
                    None
                }
            },
        };
        let content = self.keep_alive_content(r, table, mode, content_type);
        Some(Some(KeepAliveDef {
            interval_secs: interval_secs?,
            interval_mode: interval_mode?,
            content: content?,
        }))
    }

    fn keep_alive_content(
        &mut self,
        r: &RouteEntry,
        table: &KeepAliveTable,
        mode: ModeKind,
        content_type: &str,
    ) -> Option<String> {
        let Some(value) = &table.content else {
            return match mode {
                ModeKind::Sse => Some(SSE_KEEP_ALIVE.to_owned()),
                ModeKind::WsEcho => Some(WS_KEEP_ALIVE.to_owned()),
                _ if content_type.starts_with("text/") => Some(TEXT_STREAM_KEEP_ALIVE.to_owned()),
                _ => {
                    let span = r.keep_alive.as_ref().map_or(0..0, Spanned::span);
                    self.reporter.error(
                        &span,
                        format!("a keep-alive on a stream of {content_type} needs its `content`"),
                        "the keep-alive becomes part of the body: write keep_alive = { \
                         interval = 20, content = \"...\" } with bytes your clients skip",
                    );
                    None
                }
            };
        };
        let text = value.get_ref();
        if text.is_empty() || text.len() > MAX_KEEP_ALIVE_BYTES {
            self.reporter.error(
                &value.span(),
                format!("a keep-alive's content must be 1 to {MAX_KEEP_ALIVE_BYTES} bytes"),
                "write e.g. content = \":\\n\\n\"",
            );
            return None;
        }
        if mode == ModeKind::Sse {
            self.sse_text(value, "keep_alive content")?;
        }
        Some(text.clone())
    }

    /// An `sse` route's `initial_body`: SSE the client reads first.
    pub(crate) fn sse_initial_body(&mut self, r: &RouteEntry) -> Option<String> {
        let Some(value) = &r.initial_body else {
            return Some(String::new());
        };
        self.sse_text(value, "initial_body")?;
        Some(value.get_ref().clone())
    }

    /// Checks that `value` is whole SSE: lines of `field: value` for a field EventSource
    /// reads, or `:` comments, ending with a blank line.
    fn sse_text(&mut self, value: &Spanned<String>, key: &str) -> Option<()> {
        let text = value.get_ref();
        if text.is_empty() {
            return Some(());
        }
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let bare = line.trim_end_matches('\n');
            let problem = if !line.ends_with('\n') {
                Some(format!(
                    "{key} must end with a blank line: SSE ends an event with one"
                ))
            } else if bare.contains('\r') {
                Some(format!(
                    "{key} has a carriage return: end its lines with \\n only"
                ))
            } else if bare.is_empty() || bare.starts_with(':') {
                None
            } else {
                let (field, rest) = bare.split_once(':').unwrap_or((bare, ""));
                let rest = rest.strip_prefix(' ').unwrap_or(rest);
                if !SSE_FIELDS.contains(&field) {
                    Some(format!(
                        "{key} has SSE field {field:?}, which EventSource ignores"
                    ))
                } else if field == "retry"
                    && (rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()))
                {
                    Some(format!(
                        "{key} has retry: {rest:?}, not a number of milliseconds"
                    ))
                } else {
                    None
                }
            };
            if let Some(problem) = problem {
                let at = self.inside(value, offset);
                self.reporter.error(
                    &(at..at),
                    problem,
                    "write SSE lines such as \"retry: 3000\\n\" or \": comment\\n\", then \"\\n\"",
                );
                return None;
            }
            offset += line.len();
        }
        if !text.ends_with("\n\n") {
            let at = self.inside(value, text.len());
            self.reporter.error(
                &(at..at),
                format!("{key} must end with a blank line: SSE ends an event with one"),
                "end it with \"\\n\\n\"",
            );
            return None;
        }
        Some(())
    }

    /// A route's `reliable`, on a `stream` or `sse` route with one channel.
    pub(crate) fn reliable(&mut self, r: &RouteEntry) -> Option<Option<ReliableDef>> {
        let Some(entry) = &r.reliable else {
            return Some(None);
        };
        let table = entry.get_ref();
        let Some(history) = &table.history else {
            self.reporter.error(
                &entry.span(),
                "`reliable` needs the `history` backend",
                "name the backend that answers the history endpoint: reliable = { history = \
                 \"origin\" }",
            );
            return None;
        };
        let backend = self.backend(history);
        let path = match &table.path {
            None => Some(DEFAULT_HISTORY_PATH.to_owned()),
            Some(path) => self.history_path(path),
        };
        let query = match &table.query {
            None => Some(DEFAULT_LAST_EVENT_ID_QUERY.to_owned()),
            Some(query) => self.query_name(query),
        };
        if let Some(channels) = &r.channels
            && channels.get_ref().len() > 1
        {
            self.reporter.error(
                &channels.span(),
                "a reliable route has one channel",
                "a client resumes from one last id, and ids are per channel: keep one channel",
            );
            return None;
        }
        backend?;
        Some(Some(ReliableDef {
            backend: history.get_ref().clone(),
            path: path?,
            query: query?,
        }))
    }

    fn history_path(&mut self, path: &Spanned<String>) -> Option<String> {
        let text = path.get_ref();
        let bad = text
            .char_indices()
            .find(|&(_, c)| !c.is_ascii_graphic() || matches!(c, '?' | '#'));
        if !text.starts_with('/') || bad.is_some() {
            let at = self.inside(path, bad.map_or(0, |(i, _)| i));
            self.reporter.error(
                &(at..at),
                "the history path must start with `/` and hold no query, fragment, space \
                 or non-ASCII character",
                "write e.g. path = \"/history\"; the app adds ?channel=...&after=...",
            );
            return None;
        }
        Some(text.clone())
    }

    fn query_name(&mut self, query: &Spanned<String>) -> Option<String> {
        let text = query.get_ref();
        let bad = text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
        if text.is_empty() || bad.is_some() || text == fanout_router_core::reliable::NEXT_PARAM {
            let at = self.inside(query, bad.map_or(0, |(i, _)| i));
            self.reporter.error(
                &(at..at),
                format!(
                    "query = {text:?} is not a query parameter name the app can read (letters, \
                     digits, `_`, `-`, `.`; not `{}`)",
                    fanout_router_core::reliable::NEXT_PARAM
                ),
                "write e.g. query = \"last_event_id\"",
            );
            return None;
        }
        Some(text.clone())
    }
}

/// Span of a route's `reliable`, for the options check.
pub(crate) fn reliable_span(r: &RouteEntry) -> Option<Range<usize>> {
    r.reliable.as_ref().map(Spanned::span)
}
