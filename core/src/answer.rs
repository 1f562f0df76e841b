//! The GRIP response the app gives, in each mode, to a request that came back through
//! Fanout: the `answer` of routes.toml, carried out on the second pass.

use crate::response::Response;
use crate::route::{KeepAlive, KeepAliveMode, Mode};
use crate::websocket::{self, DecodeError, Event, Kind, Problem};

impl Mode {
    /// The answer of this mode for a client subscribed to `channels`. `events` is the
    /// WebSocket-over-HTTP body of a `ws-echo` request (empty in the other modes); one that
    /// cannot be decoded gets a 400 that says why.
    pub fn answer(&self, channels: &[String], events: &[u8]) -> Response {
        let grip_channel = channels.join(", ");
        match *self {
            Mode::Stream {
                content_type,
                initial_body,
                ref keep_alive,
                ..
            } => {
                let mut headers = vec![
                    ("Content-Type", content_type.to_owned()),
                    ("Grip-Hold", "stream".to_owned()),
                    ("Grip-Channel", grip_channel),
                ];
                headers.extend(keep_alive.as_ref().map(grip_keep_alive));
                Response {
                    status: 200,
                    headers,
                    body: initial_body.as_bytes().to_vec(),
                }
            }
            Mode::Sse {
                ref keep_alive,
                initial_body,
                ..
            } => Response {
                status: 200,
                headers: vec![
                    ("Content-Type", "text/event-stream".to_owned()),
                    ("Cache-Control", "no-cache".to_owned()),
                    ("Grip-Hold", "stream".to_owned()),
                    ("Grip-Channel", grip_channel),
                    grip_keep_alive(keep_alive),
                ],
                body: initial_body.as_bytes().to_vec(),
            },
            Mode::LongPoll {
                timeout_secs,
                ref on_timeout,
            } => Response {
                status: on_timeout.status,
                headers: vec![
                    ("Content-Type", on_timeout.content_type.to_owned()),
                    ("Grip-Hold", "response".to_owned()),
                    ("Grip-Channel", grip_channel),
                    ("Grip-Timeout", timeout_secs.to_string()),
                ],
                body: on_timeout.body.as_bytes().to_vec(),
            },
            Mode::WsEcho { ref keep_alive } => ws_echo(channels, keep_alive.as_ref(), events),
        }
    }
}

/// `Grip-Keep-Alive` in cstring format, the only one that carries any bytes: Pushpin reads
/// `\n`, `\r`, `\\` and `\xHH`; every byte that header parameters would split on is
/// written as `\xHH`.
fn grip_keep_alive(keep_alive: &KeepAlive) -> (&'static str, String) {
    let mut value = String::new();
    for byte in keep_alive.content.bytes() {
        match byte {
            b'\n' => value.push_str("\\n"),
            b'\r' => value.push_str("\\r"),
            b'\\' => value.push_str("\\\\"),
            b'!' | b'#'..=b'+' | b'-'..=b':' | b'<' | b'>'..=b'[' | b']'..=b'~' => {
                value.push(byte as char)
            }
            _ => value.push_str(&format!("\\x{byte:02x}")),
        }
    }
    value.push_str(&format!(
        "; format=cstring; timeout={}",
        keep_alive.interval_secs
    ));
    if keep_alive.mode == KeepAliveMode::Interval {
        value.push_str("; mode=interval");
    }
    ("Grip-Keep-Alive", value)
}

/// WebSocket close code 1009: a message too big to process (RFC 6455, 7.4.1).
const CLOSE_MESSAGE_TOO_BIG: u16 = 1009;

fn ws_echo(channels: &[String], keep_alive: Option<&KeepAlive>, events: &[u8]) -> Response {
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    match websocket::echo(events, &channels, keep_alive) {
        Ok(body) => events_response(body),
        // A message over the limit closes the connection with the code that says so, rather
        // than ending it without a word.
        Err(DecodeError {
            problem: Problem::TooLarge | Problem::EchoTooLarge,
            ..
        }) => {
            let mut close = CLOSE_MESSAGE_TOO_BIG.to_be_bytes().to_vec();
            close.extend_from_slice(b"message too big");
            let mut body = Vec::new();
            websocket::encode(&mut body, Event::new(Kind::Close, &close));
            events_response(body)
        }
        Err(e) => Response::text(400, &format!("malformed WebSocket-over-HTTP body: {e}\n")),
    }
}

fn events_response(body: Vec<u8>) -> Response {
    Response {
        status: 200,
        headers: vec![
            ("Content-Type", websocket::CONTENT_TYPE.to_owned()),
            // Enables `c:` control messages and the `m:` prefix on the echo.
            ("Sec-WebSocket-Extensions", "grip".to_owned()),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::TimeoutResponse;

    fn channels(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn stream_holds_on_every_channel() {
        let mode = Mode::Stream {
            content_type: "text/plain",
            initial_body: "hi\n",
            keep_alive: None,
            reliable: None,
        };
        let a = mode.answer(&channels(&["a", "room-1"]), b"");
        assert_eq!(a.status, 200);
        assert_eq!(a.header("Grip-Hold"), Some("stream"));
        assert_eq!(a.header("Grip-Channel"), Some("a, room-1"));
        assert_eq!(a.header("Content-Type"), Some("text/plain"));
        assert_eq!(a.body, b"hi\n");
    }

    #[test]
    fn sse_keeps_the_connection_alive_with_a_comment() {
        let mode = Mode::Sse {
            keep_alive: KeepAlive {
                interval_secs: 20,
                mode: KeepAliveMode::Idle,
                content: ":\n\n",
            },
            initial_body: "",
            reliable: None,
        };
        let a = mode.answer(&channels(&["test"]), b"");
        assert_eq!(a.header("Content-Type"), Some("text/event-stream"));
        assert_eq!(a.header("Grip-Hold"), Some("stream"));
        assert_eq!(
            a.header("Grip-Keep-Alive"),
            Some(r":\n\n; format=cstring; timeout=20")
        );
    }

    #[test]
    fn a_stream_keep_alive_escapes_what_header_parameters_split_on() {
        let mode = Mode::Stream {
            content_type: "text/plain",
            initial_body: "",
            keep_alive: Some(KeepAlive {
                interval_secs: 5,
                mode: KeepAliveMode::Interval,
                content: "a; b=\\\n",
            }),
            reliable: None,
        };
        let a = mode.answer(&channels(&["test"]), b"");
        assert_eq!(
            a.header("Grip-Keep-Alive"),
            Some(r"a\x3b\x20b\x3d\\\n; format=cstring; timeout=5; mode=interval")
        );
    }

    #[test]
    fn long_poll_holds_a_response_with_its_timeout_reply() {
        let mode = Mode::LongPoll {
            timeout_secs: 30,
            on_timeout: TimeoutResponse {
                status: 204,
                content_type: "text/plain",
                body: "",
            },
        };
        let a = mode.answer(&channels(&["test"]), b"");
        assert_eq!(a.status, 204);
        assert_eq!(a.header("Grip-Hold"), Some("response"));
        assert_eq!(a.header("Grip-Timeout"), Some("30"));
    }

    #[test]
    fn ws_echo_subscribes_on_open_and_enables_grip_control() {
        let a = Mode::WsEcho { keep_alive: None }.answer(&channels(&["test"]), b"OPEN\r\n");
        assert_eq!(a.status, 200);
        assert_eq!(
            a.header("Content-Type"),
            Some("application/websocket-events")
        );
        assert_eq!(a.header("Sec-WebSocket-Extensions"), Some("grip"));
        assert!(a.body.starts_with(b"OPEN\r\n"));
    }

    #[test]
    fn ws_echo_closes_with_1009_on_a_message_over_the_limit() {
        let over = vec![b'a'; websocket::MAX_MESSAGE_BYTES - websocket::MESSAGE_PREFIX.len() + 1];
        let mut body = Vec::new();
        websocket::encode(&mut body, Event::new(Kind::Text, &over));
        let a = Mode::WsEcho { keep_alive: None }.answer(&channels(&["test"]), &body);
        assert_eq!(a.status, 200);
        let events = websocket::decode(&a.body).unwrap();
        assert_eq!(
            events,
            [Event::new(Kind::Close, b"\x03\xf1message too big")]
        );
        let declared_over =
            Mode::WsEcho { keep_alive: None }.answer(&channels(&["test"]), b"TEXT 10001\r\n");
        assert_eq!(declared_over.body, a.body);
    }

    #[test]
    fn ws_echo_refuses_a_malformed_body_with_400() {
        let a =
            Mode::WsEcho { keep_alive: None }.answer(&channels(&["test"]), b"TEXT zz\r\nhello\r\n");
        assert_eq!(a.status, 400);
        assert!(String::from_utf8_lossy(&a.body).starts_with("malformed WebSocket-over-HTTP body"));
    }
}
