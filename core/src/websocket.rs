//! WebSocket-over-HTTP: the event codec Fanout speaks to a `ws-echo` route, and the echo
//! answer itself.
//!
//! Each event is `NAME SP hex-length CRLF content CRLF`, or `NAME CRLF` without content.

use std::fmt;

use crate::route::KeepAlive;

pub const CONTENT_TYPE: &str = "application/websocket-events";

/// Largest message content accepted (Fanout's limit).
pub const MAX_MESSAGE_BYTES: usize = 65_536;

/// Largest WebSocket-over-HTTP body the app reads: a few messages at the limit.
pub const MAX_BATCH_BYTES: usize = 4 * MAX_MESSAGE_BYTES;

/// The prefix Pushpin requires on TEXT and BINARY messages for the client when
/// `Sec-WebSocket-Extensions: grip` is set; `c:` marks control messages instead.
pub const MESSAGE_PREFIX: &[u8] = b"m:";

/// Longest piece of client input quoted back in an error message.
const QUOTE_LIMIT: usize = 32;

/// What an event is; its name on the wire comes from here.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Kind {
    Open,
    Text,
    Binary,
    Ping,
    Pong,
    Close,
    Disconnect,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Open,
        Kind::Text,
        Kind::Binary,
        Kind::Ping,
        Kind::Pong,
        Kind::Close,
        Kind::Disconnect,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Open => "OPEN",
            Kind::Text => "TEXT",
            Kind::Binary => "BINARY",
            Kind::Ping => "PING",
            Kind::Pong => "PONG",
            Kind::Close => "CLOSE",
            Kind::Disconnect => "DISCONNECT",
        }
    }

    /// OPEN and DISCONNECT never carry content; the others may.
    pub fn carries_content(self) -> bool {
        !matches!(self, Kind::Open | Kind::Disconnect)
    }

    /// A message for the client, which Pushpin wants behind the `m:` prefix.
    pub fn is_message(self) -> bool {
        matches!(self, Kind::Text | Kind::Binary)
    }
}

/// One event; `content` is empty for the kinds that carry none.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Event<'a> {
    pub kind: Kind,
    pub content: &'a [u8],
}

impl<'a> Event<'a> {
    pub const fn new(kind: Kind, content: &'a [u8]) -> Event<'a> {
        Event { kind, content }
    }

    /// An event without content.
    pub const fn bare(kind: Kind) -> Event<'static> {
        Event { kind, content: b"" }
    }
}

/// Why a body is not a valid batch of events: which event (counting from 1), of which
/// kind once its name was read, and what is wrong with it. Texts taken from the body are
/// escaped and shortened, so the message is safe to send back to the client.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub event: usize,
    pub kind: Option<Kind>,
    pub problem: Problem,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    /// The line holding the name (and length) has no CRLF.
    UnterminatedHeader,
    UnknownName(String),
    /// OPEN or DISCONNECT came with a length.
    UnexpectedLength,
    /// The length is empty or holds something other than hexadecimal digits.
    BadLength(String),
    /// The length is over `MAX_MESSAGE_BYTES`.
    TooLarge,
    /// The body ends before the declared content does.
    MissingContent {
        declared: usize,
        available: usize,
    },
    /// The content is not followed by CRLF.
    UnterminatedContent,
    /// A TEXT or BINARY message within the limit whose echo, behind the `m:` prefix, is not.
    EchoTooLarge,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {}: ", self.event)?;
        let name = self.kind.map_or("", Kind::name);
        match &self.problem {
            Problem::UnterminatedHeader => f.write_str("the event line has no CRLF"),
            Problem::UnknownName(quoted) => write!(f, "unknown event name \"{quoted}\""),
            Problem::UnexpectedLength => write!(f, "{name} takes no content length"),
            Problem::BadLength(quoted) => {
                write!(f, "{name} length \"{quoted}\" is not hexadecimal")
            }
            Problem::TooLarge => {
                write!(f, "{name} content is longer than {MAX_MESSAGE_BYTES} bytes")
            }
            Problem::MissingContent {
                declared,
                available,
            } => write!(
                f,
                "{name} declares {declared} bytes of content but only {available} remain"
            ),
            Problem::UnterminatedContent => write!(f, "{name} content is not followed by CRLF"),
            Problem::EchoTooLarge => write!(
                f,
                "{name} content behind the `m:` prefix of its echo would be longer than \
                 {MAX_MESSAGE_BYTES} bytes"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The events of a request body, in order. Content borrows from `body`.
pub fn decode(body: &[u8]) -> Result<Vec<Event<'_>>, DecodeError> {
    let mut events = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (event, after) = decode_event(rest, events.len() + 1)?;
        events.push(event);
        rest = after;
    }
    Ok(events)
}

/// The first event of `input` and what follows it; `number` is for error messages.
fn decode_event(input: &[u8], number: usize) -> Result<(Event<'_>, &[u8]), DecodeError> {
    let error = |kind, problem| DecodeError {
        event: number,
        kind,
        problem,
    };
    let (header, rest) = split_line(input).ok_or(error(None, Problem::UnterminatedHeader))?;
    let mut header_parts = header.splitn(2, |&byte| byte == b' ');
    let name = header_parts.next().unwrap_or_default();
    let length = header_parts.next();

    let kind = Kind::ALL
        .into_iter()
        .find(|kind| kind.name().as_bytes() == name)
        .ok_or_else(|| error(None, Problem::UnknownName(quote(name))))?;
    let Some(length) = length else {
        return Ok((Event::bare(kind), rest));
    };
    let error = |problem| error(Some(kind), problem);
    if !kind.carries_content() {
        return Err(error(Problem::UnexpectedLength));
    }
    let declared = parse_hex(length).ok_or_else(|| error(Problem::BadLength(quote(length))))?;
    if declared > MAX_MESSAGE_BYTES {
        return Err(error(Problem::TooLarge));
    }
    let (content, after) =
        rest.split_at_checked(declared)
            .ok_or(error(Problem::MissingContent {
                declared,
                available: rest.len(),
            }))?;
    let after = after
        .strip_prefix(b"\r\n")
        .ok_or(error(Problem::UnterminatedContent))?;
    Ok((Event::new(kind, content), after))
}

/// `input` split around its first CRLF.
fn split_line(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = input.windows(2).position(|pair| pair == b"\r\n")?;
    let (line, rest) = input.split_at_checked(end)?;
    Some((line, rest.strip_prefix(b"\r\n")?))
}

/// A non-empty run of hexadecimal digits, either case. Saturates rather than overflowing:
/// any saturated value is far over `MAX_MESSAGE_BYTES` anyway.
fn parse_hex(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0usize, |value, &digit| {
        let digit = char::from(digit).to_digit(16)?;
        Some(value.saturating_mul(16).saturating_add(digit as usize))
    })
}

/// Client bytes fit to quote in a message: escaped to printable ASCII, cut to `QUOTE_LIMIT`.
fn quote(bytes: &[u8]) -> String {
    let shown = bytes.get(..QUOTE_LIMIT).unwrap_or(bytes);
    let ellipsis = if shown.len() < bytes.len() { "..." } else { "" };
    format!("{}{ellipsis}", shown.escape_ascii())
}

/// Appends `event` in the wire format; empty content is written as `NAME CRLF`.
pub fn encode(out: &mut Vec<u8>, event: Event<'_>) {
    out.extend_from_slice(event.kind.name().as_bytes());
    if !event.content.is_empty() {
        out.extend_from_slice(format!(" {:X}\r\n", event.content.len()).as_bytes());
        out.extend_from_slice(event.content);
    }
    out.extend_from_slice(b"\r\n");
}

/// The body answering one batch of events on a ws-echo route.
///
/// Client messages go back behind the `m:` prefix, so one that starts with `c:` is echoed
/// as `m:c:...` and never read as a control message: only OPEN subscribes, and only to
/// `channels`. The whole batch is decoded first, so a bad body gets no partial answer; a
/// message too long to echo behind the prefix refuses the batch too.
/// With `keep_alive`, OPEN is answered with Pushpin's keep-alive control message too.
pub fn echo(
    body: &[u8],
    channels: &[&str],
    keep_alive: Option<&KeepAlive>,
) -> Result<Vec<u8>, DecodeError> {
    let events = decode(body)?;
    if let Some(index) = events.iter().position(|event| {
        event.kind.is_message() && event.content.len() + MESSAGE_PREFIX.len() > MAX_MESSAGE_BYTES
    }) {
        return Err(DecodeError {
            event: index + 1,
            kind: Some(events[index].kind),
            problem: Problem::EchoTooLarge,
        });
    }
    let mut out = Vec::new();
    for event in events {
        match event.kind {
            Kind::Open => {
                encode(&mut out, event);
                for channel in channels {
                    let subscribe = subscribe_message(channel);
                    encode(&mut out, Event::new(Kind::Text, subscribe.as_bytes()));
                }
                if let Some(keep_alive) = keep_alive {
                    let message = keep_alive_message(keep_alive);
                    encode(&mut out, Event::new(Kind::Text, message.as_bytes()));
                }
            }
            Kind::Text | Kind::Binary => {
                let prefixed = [MESSAGE_PREFIX, event.content].concat();
                encode(&mut out, Event::new(event.kind, &prefixed));
            }
            Kind::Ping => encode(&mut out, Event::new(Kind::Pong, event.content)),
            Kind::Close => encode(&mut out, event),
            Kind::Pong | Kind::Disconnect => {}
        }
    }
    Ok(out)
}

/// The control message that has Pushpin send `keep_alive.content` as a text message when
/// the connection has been idle (or at every interval) for `interval_secs`
/// (Pushpin's `wscontrolmessage.cpp`).
pub fn keep_alive_message(keep_alive: &KeepAlive) -> String {
    let message = serde_json::json!({
        "type": "keep-alive",
        "content": keep_alive.content,
        "timeout": keep_alive.interval_secs,
        "mode": keep_alive.mode.name(),
    });
    format!("c:{message}")
}

/// The control message that subscribes the connection to `channel`.
fn subscribe_message(channel: &str) -> String {
    let mut message = String::from(r#"c:{"type":"subscribe","channel":""#);
    for c in channel.chars() {
        match c {
            '"' => message.push_str(r#"\""#),
            '\\' => message.push_str(r"\\"),
            c if c.is_control() => message.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => message.push(c),
        }
    }
    message.push_str(r#""}"#);
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(event: usize, kind: Option<Kind>, problem: Problem) -> DecodeError {
        DecodeError {
            event,
            kind,
            problem,
        }
    }

    fn encoded(events: &[Event<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        for &event in events {
            encode(&mut out, event);
        }
        out
    }

    #[test]
    fn open_with_a_keep_alive_sends_pushpin_its_control_message() {
        use crate::route::KeepAliveMode;
        let keep_alive = KeepAlive {
            interval_secs: 25,
            mode: KeepAliveMode::Interval,
            content: "{\"type\":\"ka\"}",
        };
        let body = echo(b"OPEN\r\n", &["news"], Some(&keep_alive)).unwrap();
        let answer = decode(&body).unwrap();
        assert_eq!(answer.len(), 3);
        assert_eq!(
            answer[2],
            Event::new(
                Kind::Text,
                br#"c:{"content":"{\"type\":\"ka\"}","mode":"interval","timeout":25,"type":"keep-alive"}"#
            )
        );
    }

    #[test]
    fn every_event_round_trips() {
        let contents: [&[u8]; 4] = [b"", b"hello", b"\r\n\0\xff", &[b'x'; 300]];
        for kind in Kind::ALL {
            for content in contents {
                let content = if kind.carries_content() { content } else { b"" };
                let event = Event::new(kind, content);
                let body = encoded(&[event]);
                assert_eq!(decode(&body), Ok(vec![event]), "{}", body.escape_ascii());
            }
        }
    }

    #[test]
    fn encoding_matches_the_wire_format() {
        assert_eq!(encoded(&[Event::bare(Kind::Open)]), b"OPEN\r\n");
        assert_eq!(encoded(&[Event::bare(Kind::Disconnect)]), b"DISCONNECT\r\n");
        assert_eq!(
            encoded(&[Event::new(Kind::Text, b"m:hello")]),
            b"TEXT 7\r\nm:hello\r\n"
        );
        assert_eq!(
            encoded(&[Event::new(Kind::Close, b"\x03\xe8")]),
            b"CLOSE 2\r\n\x03\xe8\r\n"
        );
        assert_eq!(encoded(&[Event::new(Kind::Text, b"")]), b"TEXT\r\n");
        assert_eq!(encoded(&[Event::new(Kind::Close, b"")]), b"CLOSE\r\n");
        assert_eq!(
            encoded(&[Event::new(Kind::Binary, &[0; 26])])[..11],
            *b"BINARY 1A\r\n"
        );
    }

    #[test]
    fn empty_content_and_either_hex_case_decode() {
        assert_eq!(
            decode(b"TEXT 0\r\n\r\n"),
            Ok(vec![Event::new(Kind::Text, b"")])
        );
        assert_eq!(decode(b"TEXT\r\n"), Ok(vec![Event::new(Kind::Text, b"")]));
        assert_eq!(decode(b""), Ok(vec![]));
        let long = [b'y'; 0xab];
        for header in ["BINARY ab\r\n", "BINARY AB\r\n", "BINARY 00aB\r\n"] {
            let body = [header.as_bytes(), &long, b"\r\n"].concat();
            assert_eq!(
                decode(&body),
                Ok(vec![Event::new(Kind::Binary, &long)]),
                "{header}"
            );
        }
    }

    /// A batch holding every kind of event, in the wire format, and its events.
    const BATCH: &[u8] = b"OPEN\r\nTEXT 5\r\nhello\r\nBINARY 3\r\n\0\r\n\r\nPING\r\nPONG 1\r\nx\r\nCLOSE 2\r\n\x03\xe8\r\nDISCONNECT\r\n";
    const BATCH_EVENTS: [Event<'static>; 7] = [
        Event::bare(Kind::Open),
        Event::new(Kind::Text, b"hello"),
        Event::new(Kind::Binary, b"\0\r\n"),
        Event::new(Kind::Ping, b""),
        Event::new(Kind::Pong, b"x"),
        Event::new(Kind::Close, b"\x03\xe8"),
        Event::bare(Kind::Disconnect),
    ];

    #[test]
    fn a_batch_decodes_in_order_and_encodes_back() {
        assert_eq!(decode(BATCH), Ok(BATCH_EVENTS.to_vec()));
        assert_eq!(encoded(&BATCH_EVENTS), BATCH);
    }

    #[test]
    fn each_decode_error_has_a_precise_message() {
        let cases: [(&[u8], DecodeError, &str); 11] = [
            (
                b"OPEN",
                error(1, None, Problem::UnterminatedHeader),
                "event 1: the event line has no CRLF",
            ),
            (
                b"OPEN\r\nTEXT 2\nhi\n",
                error(2, None, Problem::UnterminatedHeader),
                "event 2: the event line has no CRLF",
            ),
            (
                b"OPEN\r\nHELLO \"\\\xff\r\n",
                error(2, None, Problem::UnknownName("HELLO".into())),
                "event 2: unknown event name \"HELLO\"",
            ),
            (
                b"text 2\r\nhi\r\n",
                error(1, None, Problem::UnknownName("text".into())),
                "event 1: unknown event name \"text\"",
            ),
            (
                b"OPEN 0\r\n\r\n",
                error(1, Some(Kind::Open), Problem::UnexpectedLength),
                "event 1: OPEN takes no content length",
            ),
            (
                b"OPEN\r\nTEXT zz\r\nhi\r\n",
                error(2, Some(Kind::Text), Problem::BadLength("zz".into())),
                "event 2: TEXT length \"zz\" is not hexadecimal",
            ),
            (
                b"PING \r\n",
                error(1, Some(Kind::Ping), Problem::BadLength(String::new())),
                "event 1: PING length \"\" is not hexadecimal",
            ),
            (
                b"TEXT +2\r\nhi\r\n",
                error(1, Some(Kind::Text), Problem::BadLength("+2".into())),
                "event 1: TEXT length \"+2\" is not hexadecimal",
            ),
            (
                b"BINARY FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\r\n",
                error(1, Some(Kind::Binary), Problem::TooLarge),
                "event 1: BINARY content is longer than 65536 bytes",
            ),
            (
                b"TEXT 7\r\nhel",
                error(
                    1,
                    Some(Kind::Text),
                    Problem::MissingContent {
                        declared: 7,
                        available: 3,
                    },
                ),
                "event 1: TEXT declares 7 bytes of content but only 3 remain",
            ),
            (
                b"CLOSE 2\r\n\x03\xe8DISCONNECT\r\n",
                error(1, Some(Kind::Close), Problem::UnterminatedContent),
                "event 1: CLOSE content is not followed by CRLF",
            ),
        ];
        for (body, error, message) in cases {
            let decoded = decode(body);
            assert_eq!(decoded, Err(error), "{}", body.escape_ascii());
            assert_eq!(decoded.unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn quoted_client_text_is_escaped_and_shortened() {
        let error = decode(b"TEXT \"\\\xff\n\r\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            r#"event 1: TEXT length "\"\\\xff\n" is not hexadecimal"#
        );
        let long_name = [b'A'; 100];
        let error = decode(&[&long_name[..], b"\r\n"].concat()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("event 1: unknown event name \"{}...\"", "A".repeat(32))
        );
    }

    #[test]
    fn content_of_max_message_bytes_is_accepted_and_one_more_refused() {
        let largest = vec![b'a'; MAX_MESSAGE_BYTES];
        let body = encoded(&[Event::new(Kind::Text, &largest)]);
        assert!(body.starts_with(b"TEXT 10000\r\n"));
        assert_eq!(decode(&body), Ok(vec![Event::new(Kind::Text, &largest)]));

        let too_large = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        let body = encoded(&[Event::new(Kind::Text, &too_large)]);
        assert_eq!(
            decode(&body),
            Err(error(1, Some(Kind::Text), Problem::TooLarge))
        );
        // Refused on the length alone, before any content is read.
        assert_eq!(
            decode(b"TEXT 10001\r\n"),
            Err(error(1, Some(Kind::Text), Problem::TooLarge))
        );
    }

    /// A message of the largest accepted size used to be echoed two bytes over the limit, in
    /// an answer that `decode` refuses (caught by the fuzz target `websocket_decode`).
    #[test]
    fn a_message_too_long_to_echo_behind_the_prefix_is_refused() {
        let largest_echoed = vec![b'a'; MAX_MESSAGE_BYTES - MESSAGE_PREFIX.len()];
        let answer = echo(
            &encoded(&[Event::new(Kind::Text, &largest_echoed)]),
            &[],
            None,
        )
        .unwrap();
        assert_eq!(answer.len(), "TEXT 10000\r\n\r\n".len() + MAX_MESSAGE_BYTES);
        assert!(decode(&answer).is_ok());

        let too_long = vec![b'a'; MAX_MESSAGE_BYTES - MESSAGE_PREFIX.len() + 1];
        for event in [
            Event::new(Kind::Text, &too_long),
            Event::new(Kind::Binary, &too_long),
        ] {
            let body = encoded(&[Event::bare(Kind::Open), event]);
            assert!(decode(&body).is_ok());
            let refused = echo(&body, &["c"], None).unwrap_err();
            assert_eq!(refused, error(2, Some(event.kind), Problem::EchoTooLarge));
            assert_eq!(
                refused.to_string(),
                format!(
                    "event 2: {} content behind the `m:` prefix of its echo would be longer \
                     than 65536 bytes",
                    event.kind.name()
                )
            );
        }
    }

    #[test]
    fn open_is_answered_with_open_then_one_subscription_per_channel() {
        let answer = echo(b"OPEN\r\n", &["news", "user-7"], None).unwrap();
        assert_eq!(
            decode(&answer).unwrap(),
            [
                Event::bare(Kind::Open),
                Event::new(Kind::Text, br#"c:{"type":"subscribe","channel":"news"}"#),
                Event::new(Kind::Text, br#"c:{"type":"subscribe","channel":"user-7"}"#),
            ]
        );
        assert_eq!(echo(b"OPEN\r\n", &[], None).unwrap(), b"OPEN\r\n");
    }

    #[test]
    fn channel_names_are_json_escaped() {
        let answer = echo(b"OPEN\r\n", &["a\"b\\c\nd\u{1}\u{7f}é/"], None).unwrap();
        assert_eq!(
            decode(&answer).unwrap()[1],
            Event::new(
                Kind::Text,
                r#"c:{"type":"subscribe","channel":"a\"b\\c\u000ad\u0001\u007fé/"}"#.as_bytes()
            )
        );
    }

    #[test]
    fn a_client_control_message_is_echoed_as_a_plain_message() {
        let body = encoded(&[Event::new(
            Kind::Text,
            br#"c:{"type":"subscribe","channel":"admin"}"#,
        )]);
        assert_eq!(
            decode(&echo(&body, &["mine"], None).unwrap()).unwrap(),
            [Event::new(
                Kind::Text,
                br#"m:c:{"type":"subscribe","channel":"admin"}"#
            )]
        );
    }

    #[test]
    fn a_batch_is_echoed_event_by_event() {
        assert_eq!(
            decode(&echo(BATCH, &["news"], None).unwrap()).unwrap(),
            [
                Event::bare(Kind::Open),
                Event::new(Kind::Text, br#"c:{"type":"subscribe","channel":"news"}"#),
                Event::new(Kind::Text, b"m:hello"),
                Event::new(Kind::Binary, b"m:\0\r\n"),
                Event::new(Kind::Pong, b""),
                Event::new(Kind::Close, b"\x03\xe8"),
            ]
        );
        assert_eq!(echo(b"TEXT\r\n", &[], None).unwrap(), b"TEXT 2\r\nm:\r\n");
        assert_eq!(echo(b"CLOSE\r\n", &[], None).unwrap(), b"CLOSE\r\n");
    }

    #[test]
    fn a_bad_batch_gets_no_partial_answer() {
        assert_eq!(
            echo(b"OPEN\r\nTEXT 2\r\nhi", &["news"], None),
            Err(error(2, Some(Kind::Text), Problem::UnterminatedContent))
        );
    }

    #[test]
    fn every_truncation_of_a_batch_fails_except_at_event_boundaries() {
        let mut boundaries = vec![0];
        for event in BATCH_EVENTS {
            boundaries.push(boundaries[boundaries.len() - 1] + encoded(&[event]).len());
        }
        for end in 0..=BATCH.len() {
            let truncated = &BATCH[..end];
            let decoded = decode(truncated);
            assert_eq!(
                decoded.is_ok(),
                boundaries.contains(&end),
                "{}",
                truncated.escape_ascii()
            );
            let _ = echo(truncated, &["c"], None);
        }
    }

    #[test]
    fn random_bodies_never_panic_and_valid_ones_round_trip() {
        // Bytes that matter to the syntax, so mutations hit lengths and line ends.
        const NOISE: &[u8] = b" \r\n09afAFgz+-\xff";
        let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let random: Vec<u8> = (0..rng.usize(..40)).map(|_| rng.u8(..)).collect();
            let _ = echo(&random, &["c"], None);

            // A valid batch with a few bytes overwritten, removed or added.
            let mut body = Vec::new();
            for _ in 0..rng.usize(..5) {
                let kind = Kind::ALL[rng.usize(..Kind::ALL.len())];
                let length = if kind.carries_content() {
                    rng.usize(..20)
                } else {
                    0
                };
                let content: Vec<u8> = (0..length).map(|_| rng.u8(..)).collect();
                encode(&mut body, Event::new(kind, &content));
            }
            for _ in 0..rng.usize(..3) {
                let at = rng.usize(..=body.len());
                let noise = NOISE[rng.usize(..NOISE.len())];
                match rng.usize(..3) {
                    0 if at < body.len() => body[at] = noise,
                    1 if at < body.len() => {
                        body.remove(at);
                    }
                    _ => body.insert(at, noise),
                }
            }
            let _ = echo(&body, &["c"], None);
            if let Ok(events) = decode(&body) {
                assert_eq!(
                    decode(&encoded(&events)),
                    Ok(events),
                    "{}",
                    body.escape_ascii()
                );
            }
        }
    }
}
