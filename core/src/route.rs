//! The route table that `build.rs` generates from routes.toml, and the helpers its lookup
//! calls. Everything here is `'static` data or borrows the request path: a lookup allocates
//! nothing.

use crate::channel::Channel;
use crate::method::Methods;

/// Most parameters one route may capture; the generator rejects more.
pub const MAX_PARAMS: usize = 8;

/// One `[[route]]` of routes.toml.
#[derive(Debug, PartialEq, Eq)]
pub struct Route {
    /// The pattern as written in routes.toml, for logs and `cargo xtask routes`.
    pub pattern: &'static str,
    pub kind: PatternKind,
    pub methods: Methods,
    /// Names of the parameters in `pattern`, in order of appearance.
    pub params: &'static [&'static str],
    pub action: Action,
    pub channels: &'static [Channel],
    /// The `[auth.NAME]` policy a request must pass, checked before any handoff.
    pub auth: Option<&'static crate::auth::Policy>,
    /// The `[cors.NAME]` policy for browsers on other origins.
    pub cors: Option<&'static crate::cors::Policy>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// `path = ...`: the whole path.
    Exact,
    /// `prefix = ...`: the path or anything below it, on segment boundaries.
    Prefix,
}

impl PatternKind {
    /// The routes.toml key that gives a pattern of this kind.
    pub const fn key(self) -> &'static str {
        match self {
            PatternKind::Exact => "path",
            PatternKind::Prefix => "prefix",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Hand off to Fanout, which forwards to `backend`; the backend speaks GRIP itself.
    Fanout { backend: &'static str },
    /// Send straight to `backend`, bypassing Fanout.
    Direct { backend: &'static str },
    /// Hand off to Fanout targeting the app itself, which answers in `mode` on the second pass.
    Answer(Mode),
}

/// How the app answers a request that came back through Fanout.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    Stream {
        content_type: &'static str,
        initial_body: &'static str,
        /// Off unless routes.toml gives one: its bytes become part of the client's body.
        keep_alive: Option<KeepAlive>,
        reliable: Option<Reliable>,
    },
    Sse {
        keep_alive: KeepAlive,
        /// SSE the client receives first, e.g. `retry: 3000\n\n`; checked at build time.
        initial_body: &'static str,
        reliable: Option<Reliable>,
    },
    LongPoll {
        timeout_secs: u32,
        on_timeout: TimeoutResponse,
    },
    WsEcho {
        /// Pushpin's keep-alive control message, sent when the WebSocket opens.
        keep_alive: Option<KeepAlive>,
    },
}

/// What Fanout sends on a held connection so that proxies and load balancers do not cut
/// it: bytes of the body (`stream`, `sse`) or a text message (`ws-echo`).
#[derive(Debug, PartialEq, Eq)]
pub struct KeepAlive {
    pub interval_secs: u32,
    pub mode: KeepAliveMode,
    pub content: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeepAliveMode {
    /// Sent after `interval_secs` without anything else sent.
    Idle,
    /// Sent every `interval_secs`, whatever else is sent.
    Interval,
}

impl KeepAliveMode {
    /// The name routes.toml and GRIP use.
    pub const fn name(self) -> &'static str {
        match self {
            KeepAliveMode::Idle => "idle",
            KeepAliveMode::Interval => "interval",
        }
    }
}

/// A route whose clients resume where they left off: what they missed comes from the
/// history endpoint of `backend` (see `reliable`).
#[derive(Debug, PartialEq, Eq)]
pub struct Reliable {
    pub backend: &'static str,
    /// The history endpoint's path on `backend`.
    pub path: &'static str,
    /// The query parameter that carries the last id for clients that cannot send
    /// `Last-Event-ID`.
    pub last_event_id_query: &'static str,
}

impl Mode {
    pub fn kind(&self) -> ModeKind {
        match self {
            Mode::Stream { .. } => ModeKind::Stream,
            Mode::Sse { .. } => ModeKind::Sse,
            Mode::LongPoll { .. } => ModeKind::LongPoll,
            Mode::WsEcho { .. } => ModeKind::WsEcho,
        }
    }

    /// The route's reliable delivery, on `stream` and `sse` routes that declare it.
    pub fn reliable(&self) -> Option<&Reliable> {
        match self {
            Mode::Stream { reliable, .. } | Mode::Sse { reliable, .. } => reliable.as_ref(),
            Mode::LongPoll { .. } | Mode::WsEcho { .. } => None,
        }
    }

    /// The name routes.toml uses for the mode.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// A mode without its options: what `answer = "..."` names in routes.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeKind {
    Stream,
    Sse,
    LongPoll,
    WsEcho,
}

impl ModeKind {
    /// Every mode, in the order documentation lists them.
    pub const ALL: [ModeKind; 4] = [
        ModeKind::Stream,
        ModeKind::Sse,
        ModeKind::LongPoll,
        ModeKind::WsEcho,
    ];

    /// The name routes.toml uses for the mode: `answer = "long-poll"`.
    pub const fn name(self) -> &'static str {
        match self {
            ModeKind::Stream => "stream",
            ModeKind::Sse => "sse",
            ModeKind::LongPoll => "long-poll",
            ModeKind::WsEcho => "ws-echo",
        }
    }

    pub fn from_name(name: &str) -> Option<ModeKind> {
        ModeKind::ALL.into_iter().find(|mode| mode.name() == name)
    }
}

/// What a long-poll client receives when nothing is published before the timeout.
#[derive(Debug, PartialEq, Eq)]
pub struct TimeoutResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The route a request matched and the values its parameters captured, in the order of
/// `route.params`.
#[derive(Debug)]
pub struct Match<'p> {
    pub route: &'static Route,
    pub captures: Captures<'p>,
}

impl<'p> Match<'p> {
    pub fn param(&self, name: &str) -> Option<&'p str> {
        let index = self.route.params.iter().position(|p| *p == name)?;
        Some(self.captures.get(index))
    }
}

/// Parameter values, borrowed from the request path.
#[derive(Clone, Copy, Debug, Default)]
pub struct Captures<'p>([&'p str; MAX_PARAMS]);

impl<'p> Captures<'p> {
    pub fn set(&mut self, index: usize, value: &'p str) {
        self.0[index] = value;
    }

    pub fn get(&self, index: usize) -> &'p str {
        self.0[index]
    }

    /// The values of a route's parameters, in order; the generated lookup names them.
    #[inline]
    pub fn of<const N: usize>(values: [&'p str; N]) -> Captures<'p> {
        let mut captures = Captures::default();
        captures.0[..N].copy_from_slice(&values);
        captures
    }
}

/// Splits `rest`, the part of a path after its leading `/`, into `segments` in one pass and
/// returns how many segments the path has: 0 for an empty `rest`, `N + 1` for any count past
/// `N` (the segments past `N` are not read). `a/` has two segments, the second empty.
#[inline]
pub fn split_path<'p, const N: usize>(rest: &'p str, segments: &mut [&'p str; N]) -> usize {
    if rest.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut start = 0;
    for (i, byte) in rest.bytes().enumerate() {
        if byte == b'/' {
            if count == N {
                return N + 1;
            }
            segments[count] = &rest[start..i];
            count += 1;
            start = i + 1;
        }
    }
    if count == N {
        return N + 1;
    }
    segments[count] = &rest[start..];
    count + 1
}

/// Everything the generated route table and lookup name, imported whole by the generated
/// code, so the generator needs no list of what each file uses.
pub mod prelude {
    pub use super::{
        Action, Captures, KeepAlive, KeepAliveMode, Match, Mode, PatternKind, Reliable, Route,
        TimeoutResponse, split_path,
    };
    pub use crate::channel::{Channel, Piece};
    pub use crate::grip_sig::{PublicSigner, SharedKeySigner, Signers};
    pub use crate::method::Methods;
    // The policies of `[auth.NAME]` and `[cors.NAME]`, named by module: both are `Policy`.
    pub use crate::{auth, cors, jwt};
    pub use std::borrow::Cow;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_path_counts_every_segment_and_keeps_the_first_n() {
        let mut s = [""; 2];
        assert_eq!(split_path("", &mut s), 0);
        assert_eq!(split_path("a", &mut s), 1);
        assert_eq!(s[0], "a");
        assert_eq!(split_path("a/bc", &mut s), 2);
        assert_eq!(s, ["a", "bc"]);
        assert_eq!(split_path("a/", &mut s), 2);
        assert_eq!(s, ["a", ""]);
        assert_eq!(split_path("/", &mut s), 2);
        assert_eq!(s, ["", ""]);
        assert_eq!(split_path("a/b/c/d", &mut s), 3);
        assert_eq!(split_path("x", &mut [""; 0]), 1);
    }

    #[test]
    fn mode_names_read_back() {
        for mode in ModeKind::ALL {
            assert_eq!(ModeKind::from_name(mode.name()), Some(mode));
        }
        assert_eq!(ModeKind::from_name("steam"), None);
    }

    #[test]
    fn captures_of_fills_in_order() {
        let captures = Captures::of(["a", "b"]);
        assert_eq!(
            (captures.get(0), captures.get(1), captures.get(2)),
            ("a", "b", "")
        );
    }
}
