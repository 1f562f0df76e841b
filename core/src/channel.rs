//! Channel names, literal or built from the values a route's parameters captured.

use std::fmt;

use crate::route::Match;

/// Longest value a path parameter may contribute to a channel name.
pub const MAX_CAPTURE_BYTES: usize = 128;

/// A channel name template from routes.toml: `room-{room}` is `[Text("room-"), Param(0)]`.
#[derive(Debug, PartialEq, Eq)]
pub struct Channel(pub &'static [Piece]);

#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Text(&'static str),
    /// Index of the parameter in the route's pattern.
    Param(usize),
}

/// `Grip-Channel` separates channels with `,` and a channel's parameters with `;`.
pub const SEPARATORS: [char; 2] = [',', ';'];

/// Whether `c` cannot be part of a channel name: a separator of `Grip-Channel`, a space or
/// a control character. The one rule for names in routes.toml, captured values and the
/// demo origin's channels.
pub fn is_forbidden(c: char) -> bool {
    SEPARATORS.contains(&c) || c.is_whitespace() || c.is_control()
}

/// Why a captured value cannot go into a channel name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFault {
    /// Longer than [`MAX_CAPTURE_BYTES`].
    TooLong,
    /// Holds one of [`SEPARATORS`], so it would name other channels than the route declares.
    Separator,
    ControlOrSpace,
}

impl fmt::Display for CaptureFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureFault::TooLong => write!(f, "is longer than {MAX_CAPTURE_BYTES} bytes"),
            CaptureFault::Separator => {
                f.write_str("holds `,` or `;`, which a channel name cannot carry")
            }
            CaptureFault::ControlOrSpace => f.write_str("holds a control or space character"),
        }
    }
}

/// Why a captured value cannot go into a channel name; sent to the client as a 400.
#[derive(Debug, PartialEq, Eq)]
pub struct BadCapture {
    pub param: &'static str,
    pub reason: CaptureFault,
}

impl fmt::Display for BadCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "path parameter `{}` {}", self.param, self.reason)
    }
}

impl Channel {
    /// The channel name for a request that matched the route this channel belongs to.
    pub fn render(&self, matched: &Match) -> Result<String, BadCapture> {
        let mut name = String::new();
        for piece in self.0 {
            match *piece {
                Piece::Text(text) => name.push_str(text),
                Piece::Param(index) => {
                    let value = matched.value(index);
                    check_capture(value).map_err(|reason| BadCapture {
                        param: matched.route.params[index].name,
                        reason,
                    })?;
                    name.push_str(value);
                }
            }
        }
        Ok(name)
    }
}

/// Whether `value` may be part of a channel name: at most [`MAX_CAPTURE_BYTES`], and no
/// character [`is_forbidden`].
pub fn check_capture(value: &str) -> Result<(), CaptureFault> {
    if value.len() > MAX_CAPTURE_BYTES {
        Err(CaptureFault::TooLong)
    } else if value.contains(SEPARATORS) {
        Err(CaptureFault::Separator)
    } else if value.contains(is_forbidden) {
        Err(CaptureFault::ControlOrSpace)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::Methods;
    use crate::route::{Action, Conditions, Mode, Param, PatternKind, RequestHeaders, Route};

    static ROOM: Route = Route {
        pattern: "/rooms/{room}",
        kind: PatternKind::Exact,
        methods: Methods::ANY,
        params: &[Param {
            name: "room",
            segment: 1,
        }],
        action: Action::Answer(Mode::WsEcho { keep_alive: None }),
        channels: &[Channel(&[Piece::Text("room-"), Piece::Param(0)])],
        auth: None,
        cors: None,
        hosts: &[],
        when: Conditions::NONE,
        rewrite: None,
        request_headers: RequestHeaders::NONE,
    };

    fn render(value: &str) -> Result<String, BadCapture> {
        let path = format!("/rooms/{value}");
        ROOM.channels[0].render(&Match::new(&ROOM, &path))
    }

    #[test]
    fn renders_text_and_captured_values() {
        assert_eq!(render("lobby").unwrap(), "room-lobby");
        // Percent-escapes are kept as they came: the channel is named after the raw path.
        assert_eq!(render("a%2Fb").unwrap(), "room-a%2Fb");
    }

    #[test]
    fn refuses_values_that_would_corrupt_grip_channel() {
        for value in ["a,b", "a;b", "a\u{7f}", "a\tb"] {
            let err = render(value).unwrap_err();
            assert_eq!(err.param, "room", "{value:?}");
        }
        assert_eq!(
            render(&"x".repeat(129)).unwrap_err().to_string(),
            "path parameter `room` is longer than 128 bytes"
        );
        assert!(render(&"x".repeat(128)).is_ok());
    }
}
