//! The GRIP response the app gives, in each mode, to a request that came back through
//! Fanout. Pure data: the thin layer in `src/` turns it into a `fastly::Response`.

use crate::route::Mode;
use crate::websocket;

/// A response to send: status, headers in order, body.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// What the client sent, as far as answering needs to know.
pub struct Request<'a> {
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// Builds the answer of `mode` for a client subscribed to `channels`; a WebSocket-over-HTTP
/// request that cannot be decoded gets a 400 that says why.
pub fn answer(mode: &Mode, channels: &[String], request: &Request) -> Answer {
    let grip_channel = channels.join(", ");
    match *mode {
        Mode::Stream {
            content_type,
            initial_body,
        } => Answer {
            status: 200,
            headers: vec![
                ("Content-Type", content_type.to_owned()),
                ("Grip-Hold", "stream".to_owned()),
                ("Grip-Channel", grip_channel),
            ],
            body: initial_body.as_bytes().to_vec(),
        },
        Mode::Sse { keep_alive_secs } => Answer {
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
        } => Answer {
            status: on_timeout.status,
            headers: vec![
                ("Content-Type", on_timeout.content_type.to_owned()),
                ("Grip-Hold", "response".to_owned()),
                ("Grip-Channel", grip_channel),
                ("Grip-Timeout", timeout_secs.to_string()),
            ],
            body: on_timeout.body.as_bytes().to_vec(),
        },
        Mode::WsEcho => ws_echo(channels, request),
    }
}

fn ws_echo(channels: &[String], request: &Request) -> Answer {
    // Exact match: Pushpin sends exactly this, and anything else is a client talking to
    // the route directly rather than through Fanout's WebSocket-over-HTTP.
    if request.content_type != Some(websocket::CONTENT_TYPE) {
        return plain(
            400,
            "this route speaks WebSocket-over-HTTP: connect with a WebSocket client\n",
        );
    }
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    match websocket::echo(request.body, &channels) {
        Ok(body) => Answer {
            status: 200,
            headers: vec![
                ("Content-Type", websocket::CONTENT_TYPE.to_owned()),
                // Enables `c:` control messages and the `m:` prefix on the echo.
                ("Sec-WebSocket-Extensions", "grip".to_owned()),
            ],
            body,
        },
        Err(e) => plain(400, &format!("malformed WebSocket-over-HTTP body: {e}\n")),
    }
}

/// A short plain-text response, for errors.
pub fn plain(status: u16, message: &str) -> Answer {
    Answer {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".to_owned())],
        body: message.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::TimeoutResponse;

    const NO_BODY: Request = Request {
        content_type: None,
        body: b"",
    };

    fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
        answer
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn channels(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn stream_holds_on_every_channel() {
        let mode = Mode::Stream {
            content_type: "text/plain",
            initial_body: "hi\n",
        };
        let a = answer(&mode, &channels(&["a", "room-1"]), &NO_BODY);
        assert_eq!(a.status, 200);
        assert_eq!(header(&a, "Grip-Hold"), Some("stream"));
        assert_eq!(header(&a, "Grip-Channel"), Some("a, room-1"));
        assert_eq!(header(&a, "Content-Type"), Some("text/plain"));
        assert_eq!(a.body, b"hi\n");
    }

    #[test]
    fn sse_keeps_the_connection_alive_with_a_comment() {
        let a = answer(
            &Mode::Sse {
                keep_alive_secs: 20,
            },
            &channels(&["test"]),
            &NO_BODY,
        );
        assert_eq!(header(&a, "Content-Type"), Some("text/event-stream"));
        assert_eq!(header(&a, "Grip-Hold"), Some("stream"));
        assert_eq!(
            header(&a, "Grip-Keep-Alive"),
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
        let a = answer(&mode, &channels(&["test"]), &NO_BODY);
        assert_eq!(a.status, 204);
        assert_eq!(header(&a, "Grip-Hold"), Some("response"));
        assert_eq!(header(&a, "Grip-Timeout"), Some("30"));
    }

    #[test]
    fn ws_echo_answers_websocket_over_http_only() {
        let plain_http = answer(&Mode::WsEcho, &channels(&["test"]), &NO_BODY);
        assert_eq!(plain_http.status, 400);
        let with_charset = Request {
            content_type: Some("application/websocket-events; charset=utf-8"),
            body: b"OPEN\r\n",
        };
        assert_eq!(
            answer(&Mode::WsEcho, &channels(&["test"]), &with_charset).status,
            400
        );
    }

    #[test]
    fn ws_echo_subscribes_on_open_and_enables_grip_control() {
        let open = Request {
            content_type: Some(websocket::CONTENT_TYPE),
            body: b"OPEN\r\n",
        };
        let a = answer(&Mode::WsEcho, &channels(&["test"]), &open);
        assert_eq!(a.status, 200);
        assert_eq!(
            header(&a, "Content-Type"),
            Some("application/websocket-events")
        );
        assert_eq!(header(&a, "Sec-WebSocket-Extensions"), Some("grip"));
        assert!(a.body.starts_with(b"OPEN\r\n"));
    }

    #[test]
    fn ws_echo_refuses_a_malformed_body_with_400() {
        let bad = Request {
            content_type: Some(websocket::CONTENT_TYPE),
            body: b"TEXT zz\r\nhello\r\n",
        };
        let a = answer(&Mode::WsEcho, &channels(&["test"]), &bad);
        assert_eq!(a.status, 400);
        assert!(String::from_utf8_lossy(&a.body).starts_with("malformed WebSocket-over-HTTP body"));
    }
}
