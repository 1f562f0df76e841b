//! The GRIP response the app gives, in each mode, to a request that came back through
//! Fanout: the `answer` of routes.toml, carried out on the second pass.

use crate::response::Response;
use crate::route::Mode;
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
            } => Response {
                status: 200,
                headers: vec![
                    ("Content-Type", content_type.to_owned()),
                    ("Grip-Hold", "stream".to_owned()),
                    ("Grip-Channel", grip_channel),
                ],
                body: initial_body.as_bytes().to_vec(),
            },
            Mode::Sse { keep_alive_secs } => Response {
                status: 200,
                headers: vec![
                    ("Content-Type", "text/event-stream".to_owned()),
                    ("Cache-Control", "no-cache".to_owned()),
                    ("Grip-Hold", "stream".to_owned()),
                    ("Grip-Channel", grip_channel),
                    // An SSE comment; cstring format because raw data cannot hold a newline.
                    (
                        "Grip-Keep-Alive",
                        format!(":\\n\\n; format=cstring; timeout={keep_alive_secs}"),
                    ),
                ],
                body: Vec::new(),
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
            Mode::WsEcho => ws_echo(channels, events),
        }
    }
}

/// WebSocket close code 1009: a message too big to process (RFC 6455, 7.4.1).
const CLOSE_MESSAGE_TOO_BIG: u16 = 1009;

fn ws_echo(channels: &[String], events: &[u8]) -> Response {
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    match websocket::echo(events, &channels) {
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
            keep_alive_secs: 20,
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
        let a = Mode::WsEcho.answer(&channels(&["test"]), b"OPEN\r\n");
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
        let a = Mode::WsEcho.answer(&channels(&["test"]), &body);
        assert_eq!(a.status, 200);
        let events = websocket::decode(&a.body).unwrap();
        assert_eq!(
            events,
            [Event::new(Kind::Close, b"\x03\xf1message too big")]
        );
        let declared_over = Mode::WsEcho.answer(&channels(&["test"]), b"TEXT 10001\r\n");
        assert_eq!(declared_over.body, a.body);
    }

    #[test]
    fn ws_echo_refuses_a_malformed_body_with_400() {
        let a = Mode::WsEcho.answer(&channels(&["test"]), b"TEXT zz\r\nhello\r\n");
        assert_eq!(a.status, 400);
        assert!(String::from_utf8_lossy(&a.body).starts_with("malformed WebSocket-over-HTTP body"));
    }
}
