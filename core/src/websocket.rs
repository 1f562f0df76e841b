//! WebSocket-over-HTTP: the event codec Fanout speaks to a `ws-echo` route, and the echo
//! answer itself.
//!
//! Each event is `NAME SP hex-length CRLF content CRLF`, or `NAME CRLF` without content.

pub const CONTENT_TYPE: &str = "application/websocket-events";

/// Largest message content accepted (Fanout's limit).
pub const MAX_MESSAGE_BYTES: usize = 65_536;

/// The prefix Pushpin requires on TEXT and BINARY messages for the client when
/// `Sec-WebSocket-Extensions: grip` is set; `c:` marks control messages instead.
const MESSAGE_PREFIX: &[u8] = b"m:";

/// Longest piece of client input quoted back in an error message.
const QUOTE_LIMIT: usize = 32;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Event<'a> {
    Open,
    Text(&'a [u8]),
    Binary(&'a [u8]),
    Ping(&'a [u8]),
    Pong(&'a [u8]),
    Close(&'a [u8]),
    Disconnect,
}

/// Every kind of event, with empty content: what `decode` looks names up in.
const EVENT_KINDS: [Event<'static>; 7] = [
    Event::Open,
    Event::Text(b""),
    Event::Binary(b""),
    Event::Ping(b""),
    Event::Pong(b""),
    Event::Close(b""),
    Event::Disconnect,
];

impl<'a> Event<'a> {
    pub fn name(self) -> &'static str {
        match self {
            Event::Open => "OPEN",
            Event::Text(_) => "TEXT",
            Event::Binary(_) => "BINARY",
            Event::Ping(_) => "PING",
            Event::Pong(_) => "PONG",
            Event::Close(_) => "CLOSE",
            Event::Disconnect => "DISCONNECT",
        }
    }

    /// The content, or `None` for the events that cannot carry any.
    pub fn content(self) -> Option<&'a [u8]> {
        match self {
            Event::Open | Event::Disconnect => None,
            Event::Text(content)
            | Event::Binary(content)
            | Event::Ping(content)
            | Event::Pong(content)
            | Event::Close(content) => Some(content),
        }
    }

    /// The same kind of event carrying `content`; OPEN and DISCONNECT stay as they are.
    fn with_content<'b>(self, content: &'b [u8]) -> Event<'b> {
        match self {
            Event::Open => Event::Open,
            Event::Text(_) => Event::Text(content),
            Event::Binary(_) => Event::Binary(content),
            Event::Ping(_) => Event::Ping(content),
            Event::Pong(_) => Event::Pong(content),
            Event::Close(_) => Event::Close(content),
            Event::Disconnect => Event::Disconnect,
        }
    }
}

/// Why a body is not a valid batch of events. `event` counts from 1. Texts taken from the
/// body are escaped and shortened, so the message is safe to send back to the client.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The line holding the name (and length) has no CRLF.
    UnterminatedHeader {
        event: usize,
    },
    UnknownName {
        event: usize,
        name: String,
    },
    /// OPEN or DISCONNECT came with a length.
    UnexpectedLength {
        event: usize,
        name: &'static str,
    },
    /// The length is empty or holds something other than hexadecimal digits.
    BadLength {
        event: usize,
        name: &'static str,
        length: String,
    },
    /// The length is over `MAX_MESSAGE_BYTES`.
    TooLarge {
        event: usize,
        name: &'static str,
    },
    /// The body ends before the declared content does.
    MissingContent {
        event: usize,
        name: &'static str,
        declared: usize,
        available: usize,
    },
    /// The content is not followed by CRLF.
    UnterminatedContent {
        event: usize,
        name: &'static str,
    },
    /// A TEXT or BINARY message within the limit whose echo, behind the `m:` prefix, is not.
    EchoTooLarge {
        event: usize,
        name: &'static str,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnterminatedHeader { event } => {
                write!(f, "event {event}: the event line has no CRLF")
            }
            DecodeError::UnknownName { event, name } => {
                write!(f, "event {event}: unknown event name \"{name}\"")
            }
            DecodeError::UnexpectedLength { event, name } => {
                write!(f, "event {event}: {name} takes no content length")
            }
            DecodeError::BadLength {
                event,
                name,
                length,
            } => {
                write!(
                    f,
                    "event {event}: {name} length \"{length}\" is not hexadecimal"
                )
            }
            DecodeError::TooLarge { event, name } => write!(
                f,
                "event {event}: {name} content is longer than {MAX_MESSAGE_BYTES} bytes"
            ),
            DecodeError::MissingContent {
                event,
                name,
                declared,
                available,
            } => write!(
                f,
                "event {event}: {name} declares {declared} bytes of content but only {available} remain"
            ),
            DecodeError::UnterminatedContent { event, name } => {
                write!(f, "event {event}: {name} content is not followed by CRLF")
            }
            DecodeError::EchoTooLarge { event, name } => write!(
                f,
                "event {event}: {name} content behind the `m:` prefix of its echo would be \
                 longer than {MAX_MESSAGE_BYTES} bytes"
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
    let (header, rest) =
        split_line(input).ok_or(DecodeError::UnterminatedHeader { event: number })?;
    let mut header_parts = header.splitn(2, |&byte| byte == b' ');
    let name = header_parts.next().unwrap_or_default();
    let length = header_parts.next();

    let event = EVENT_KINDS
        .into_iter()
        .find(|kind| kind.name().as_bytes() == name)
        .ok_or_else(|| DecodeError::UnknownName {
            event: number,
            name: quote(name),
        })?;
    let Some(length) = length else {
        return Ok((event, rest));
    };
    let name = event.name();
    if event.content().is_none() {
        return Err(DecodeError::UnexpectedLength {
            event: number,
            name,
        });
    }
    let declared = parse_hex(length).ok_or_else(|| DecodeError::BadLength {
        event: number,
        name,
        length: quote(length),
    })?;
    if declared > MAX_MESSAGE_BYTES {
        return Err(DecodeError::TooLarge {
            event: number,
            name,
        });
    }
    let (content, after) = rest
        .split_at_checked(declared)
        .ok_or(DecodeError::MissingContent {
            event: number,
            name,
            declared,
            available: rest.len(),
        })?;
    let after = after
        .strip_prefix(b"\r\n")
        .ok_or(DecodeError::UnterminatedContent {
            event: number,
            name,
        })?;
    Ok((event.with_content(content), after))
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
    out.extend_from_slice(event.name().as_bytes());
    if let Some(content) = event.content().filter(|content| !content.is_empty()) {
        out.extend_from_slice(format!(" {:X}\r\n", content.len()).as_bytes());
        out.extend_from_slice(content);
    }
    out.extend_from_slice(b"\r\n");
}

/// The body answering one batch of events on a ws-echo route.
///
/// Client messages go back behind the `m:` prefix, so one that starts with `c:` is echoed
/// as `m:c:...` and never read as a control message: only OPEN subscribes, and only to
/// `channels`. The whole batch is decoded first, so a bad body gets no partial answer; a
/// message too long to echo behind the prefix refuses the batch too.
pub fn echo(body: &[u8], channels: &[&str]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    for (index, event) in decode(body)?.into_iter().enumerate() {
        if let Event::Text(message) | Event::Binary(message) = event
            && message.len() + MESSAGE_PREFIX.len() > MAX_MESSAGE_BYTES
        {
            return Err(DecodeError::EchoTooLarge {
                event: index + 1,
                name: event.name(),
            });
        }
        match event {
            Event::Open => {
                encode(&mut out, Event::Open);
                for channel in channels {
                    encode(&mut out, Event::Text(subscribe_message(channel).as_bytes()));
                }
            }
            Event::Text(message) => encode(&mut out, Event::Text(&prefixed(message))),
            Event::Binary(message) => encode(&mut out, Event::Binary(&prefixed(message))),
            Event::Ping(payload) => encode(&mut out, Event::Pong(payload)),
            Event::Close(_) => encode(&mut out, event),
            Event::Pong(_) | Event::Disconnect => {}
        }
    }
    Ok(out)
}

fn prefixed(message: &[u8]) -> Vec<u8> {
    [MESSAGE_PREFIX, message].concat()
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

    fn encoded(events: &[Event<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        for &event in events {
            encode(&mut out, event);
        }
        out
    }

    #[test]
    fn every_event_round_trips() {
        let contents: [&[u8]; 4] = [b"", b"hello", b"\r\n\0\xff", &[b'x'; 300]];
        for kind in EVENT_KINDS {
            for content in contents {
                let event = kind.with_content(content);
                let body = encoded(&[event]);
                assert_eq!(decode(&body), Ok(vec![event]), "{}", body.escape_ascii());
            }
        }
    }

    #[test]
    fn encoding_matches_the_wire_format() {
        assert_eq!(encoded(&[Event::Open]), b"OPEN\r\n");
        assert_eq!(encoded(&[Event::Disconnect]), b"DISCONNECT\r\n");
        assert_eq!(
            encoded(&[Event::Text(b"m:hello")]),
            b"TEXT 7\r\nm:hello\r\n"
        );
        assert_eq!(
            encoded(&[Event::Close(b"\x03\xe8")]),
            b"CLOSE 2\r\n\x03\xe8\r\n"
        );
        assert_eq!(encoded(&[Event::Text(b"")]), b"TEXT\r\n");
        assert_eq!(encoded(&[Event::Close(b"")]), b"CLOSE\r\n");
        assert_eq!(encoded(&[Event::Binary(&[0; 26])])[..11], *b"BINARY 1A\r\n");
    }

    #[test]
    fn empty_content_and_either_hex_case_decode() {
        assert_eq!(decode(b"TEXT 0\r\n\r\n"), Ok(vec![Event::Text(b"")]));
        assert_eq!(decode(b"TEXT\r\n"), Ok(vec![Event::Text(b"")]));
        assert_eq!(decode(b""), Ok(vec![]));
        let long = [b'y'; 0xab];
        for header in ["BINARY ab\r\n", "BINARY AB\r\n", "BINARY 00aB\r\n"] {
            let body = [header.as_bytes(), &long, b"\r\n"].concat();
            assert_eq!(decode(&body), Ok(vec![Event::Binary(&long)]), "{header}");
        }
    }

    /// A batch holding every kind of event, in the wire format, and its events.
    const BATCH: &[u8] = b"OPEN\r\nTEXT 5\r\nhello\r\nBINARY 3\r\n\0\r\n\r\nPING\r\nPONG 1\r\nx\r\nCLOSE 2\r\n\x03\xe8\r\nDISCONNECT\r\n";
    const BATCH_EVENTS: [Event<'static>; 7] = [
        Event::Open,
        Event::Text(b"hello"),
        Event::Binary(b"\0\r\n"),
        Event::Ping(b""),
        Event::Pong(b"x"),
        Event::Close(b"\x03\xe8"),
        Event::Disconnect,
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
                DecodeError::UnterminatedHeader { event: 1 },
                "event 1: the event line has no CRLF",
            ),
            (
                b"OPEN\r\nTEXT 2\nhi\n",
                DecodeError::UnterminatedHeader { event: 2 },
                "event 2: the event line has no CRLF",
            ),
            (
                b"OPEN\r\nHELLO \"\\\xff\r\n",
                DecodeError::UnknownName {
                    event: 2,
                    name: "HELLO".into(),
                },
                "event 2: unknown event name \"HELLO\"",
            ),
            (
                b"text 2\r\nhi\r\n",
                DecodeError::UnknownName {
                    event: 1,
                    name: "text".into(),
                },
                "event 1: unknown event name \"text\"",
            ),
            (
                b"OPEN 0\r\n\r\n",
                DecodeError::UnexpectedLength {
                    event: 1,
                    name: "OPEN",
                },
                "event 1: OPEN takes no content length",
            ),
            (
                b"OPEN\r\nTEXT zz\r\nhi\r\n",
                DecodeError::BadLength {
                    event: 2,
                    name: "TEXT",
                    length: "zz".into(),
                },
                "event 2: TEXT length \"zz\" is not hexadecimal",
            ),
            (
                b"PING \r\n",
                DecodeError::BadLength {
                    event: 1,
                    name: "PING",
                    length: String::new(),
                },
                "event 1: PING length \"\" is not hexadecimal",
            ),
            (
                b"TEXT +2\r\nhi\r\n",
                DecodeError::BadLength {
                    event: 1,
                    name: "TEXT",
                    length: "+2".into(),
                },
                "event 1: TEXT length \"+2\" is not hexadecimal",
            ),
            (
                b"BINARY FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\r\n",
                DecodeError::TooLarge {
                    event: 1,
                    name: "BINARY",
                },
                "event 1: BINARY content is longer than 65536 bytes",
            ),
            (
                b"TEXT 7\r\nhel",
                DecodeError::MissingContent {
                    event: 1,
                    name: "TEXT",
                    declared: 7,
                    available: 3,
                },
                "event 1: TEXT declares 7 bytes of content but only 3 remain",
            ),
            (
                b"CLOSE 2\r\n\x03\xe8DISCONNECT\r\n",
                DecodeError::UnterminatedContent {
                    event: 1,
                    name: "CLOSE",
                },
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
        let body = encoded(&[Event::Text(&largest)]);
        assert!(body.starts_with(b"TEXT 10000\r\n"));
        assert_eq!(decode(&body), Ok(vec![Event::Text(&largest)]));

        let too_large = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        let body = encoded(&[Event::Text(&too_large)]);
        assert_eq!(
            decode(&body),
            Err(DecodeError::TooLarge {
                event: 1,
                name: "TEXT"
            })
        );
        // Refused on the length alone, before any content is read.
        assert_eq!(
            decode(b"TEXT 10001\r\n"),
            Err(DecodeError::TooLarge {
                event: 1,
                name: "TEXT"
            })
        );
    }

    /// A message of the largest accepted size used to be echoed two bytes over the limit, in
    /// an answer that `decode` refuses (caught by the fuzz target `websocket_decode`).
    #[test]
    fn a_message_too_long_to_echo_behind_the_prefix_is_refused() {
        let largest_echoed = vec![b'a'; MAX_MESSAGE_BYTES - MESSAGE_PREFIX.len()];
        let answer = echo(&encoded(&[Event::Text(&largest_echoed)]), &[]).unwrap();
        assert_eq!(answer.len(), "TEXT 10000\r\n\r\n".len() + MAX_MESSAGE_BYTES);
        assert!(decode(&answer).is_ok());

        let too_long = vec![b'a'; MAX_MESSAGE_BYTES - MESSAGE_PREFIX.len() + 1];
        for event in [Event::Text(&too_long), Event::Binary(&too_long)] {
            let body = encoded(&[Event::Open, event]);
            assert!(decode(&body).is_ok());
            let error = echo(&body, &["c"]).unwrap_err();
            assert_eq!(
                error,
                DecodeError::EchoTooLarge {
                    event: 2,
                    name: event.name()
                }
            );
            assert_eq!(
                error.to_string(),
                format!(
                    "event 2: {} content behind the `m:` prefix of its echo would be longer \
                     than 65536 bytes",
                    event.name()
                )
            );
        }
    }

    #[test]
    fn open_is_answered_with_open_then_one_subscription_per_channel() {
        let answer = echo(b"OPEN\r\n", &["news", "user-7"]).unwrap();
        assert_eq!(
            decode(&answer).unwrap(),
            [
                Event::Open,
                Event::Text(br#"c:{"type":"subscribe","channel":"news"}"#),
                Event::Text(br#"c:{"type":"subscribe","channel":"user-7"}"#),
            ]
        );
        assert_eq!(echo(b"OPEN\r\n", &[]).unwrap(), b"OPEN\r\n");
    }

    #[test]
    fn channel_names_are_json_escaped() {
        let answer = echo(b"OPEN\r\n", &["a\"b\\c\nd\u{1}\u{7f}é/"]).unwrap();
        assert_eq!(
            decode(&answer).unwrap()[1],
            Event::Text(
                r#"c:{"type":"subscribe","channel":"a\"b\\c\u000ad\u0001\u007fé/"}"#.as_bytes()
            )
        );
    }

    #[test]
    fn a_client_control_message_is_echoed_as_a_plain_message() {
        let body = encoded(&[Event::Text(br#"c:{"type":"subscribe","channel":"admin"}"#)]);
        assert_eq!(
            decode(&echo(&body, &["mine"]).unwrap()).unwrap(),
            [Event::Text(
                br#"m:c:{"type":"subscribe","channel":"admin"}"#
            )]
        );
    }

    #[test]
    fn a_batch_is_echoed_event_by_event() {
        assert_eq!(
            decode(&echo(BATCH, &["news"]).unwrap()).unwrap(),
            [
                Event::Open,
                Event::Text(br#"c:{"type":"subscribe","channel":"news"}"#),
                Event::Text(b"m:hello"),
                Event::Binary(b"m:\0\r\n"),
                Event::Pong(b""),
                Event::Close(b"\x03\xe8"),
            ]
        );
        assert_eq!(echo(b"TEXT\r\n", &[]).unwrap(), b"TEXT 2\r\nm:\r\n");
        assert_eq!(echo(b"CLOSE\r\n", &[]).unwrap(), b"CLOSE\r\n");
    }

    #[test]
    fn a_bad_batch_gets_no_partial_answer() {
        assert_eq!(
            echo(b"OPEN\r\nTEXT 2\r\nhi", &["news"]),
            Err(DecodeError::UnterminatedContent {
                event: 2,
                name: "TEXT"
            })
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
            let _ = echo(truncated, &["c"]);
        }
    }

    /// xorshift64: enough randomness to wander the decoder, with no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound as u64) as usize
        }
    }

    #[test]
    fn random_bodies_never_panic_and_valid_ones_round_trip() {
        // Bytes that matter to the syntax, so mutations hit lengths and line ends.
        const NOISE: &[u8] = b" \r\n09afAFgz+-\xff";
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let random: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
            let _ = echo(&random, &["c"]);

            // A valid batch with a few bytes overwritten, removed or added.
            let mut body = Vec::new();
            for _ in 0..rng.below(5) {
                let content: Vec<u8> = (0..rng.below(20)).map(|_| rng.next() as u8).collect();
                encode(&mut body, EVENT_KINDS[rng.below(7)].with_content(&content));
            }
            for _ in 0..rng.below(3) {
                let at = rng.below(body.len() + 1);
                let noise = NOISE[rng.below(NOISE.len())];
                match rng.below(3) {
                    0 if at < body.len() => body[at] = noise,
                    1 if at < body.len() => {
                        body.remove(at);
                    }
                    _ => body.insert(at, noise),
                }
            }
            let _ = echo(&body, &["c"]);
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
