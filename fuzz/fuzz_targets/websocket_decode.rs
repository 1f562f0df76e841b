//! The WebSocket-over-HTTP codec on arbitrary bodies: `decode` and `echo` never panic, a
//! body that decodes re-encodes to the same events, and `echo` answers with a body that
//! decodes to what each event calls for.

#![no_main]

use fanout_router_core::websocket::{
    DecodeError, Event, Kind, MAX_MESSAGE_BYTES, MESSAGE_PREFIX, Problem, decode, echo, encode,
};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

/// Channel names that need escaping in the subscribe message.
const CHANNELS: [&str; 3] = ["test", "a\"b\\c\nd\u{1}\u{7f}", "é/x"];

fuzz_target!(|body: &[u8]| {
    let decoded = decode(body);
    if let Ok(events) = &decoded {
        let mut encoded = Vec::new();
        for &event in events {
            encode(&mut encoded, event);
        }
        assert_eq!(
            decode(&encoded).as_ref(),
            Ok(events),
            "re-encoded events differ"
        );
    }

    let echoed = echo(body, &CHANNELS, None);
    match (&decoded, &echoed) {
        (Ok(events), Ok(answer)) => {
            let answer = decode(answer).expect("echo's answer decodes");
            let answer: Vec<Owned> = answer.into_iter().map(owned).collect();
            assert_eq!(answer, expected_echo(events), "echo's answer");
        }
        (
            Ok(events),
            Err(DecodeError {
                event,
                kind,
                problem: Problem::EchoTooLarge,
            }),
        ) => {
            let refused = events[event - 1];
            assert_eq!(Some(refused.kind), *kind);
            assert!(refused.kind.is_message());
            assert!(refused.content.len() + MESSAGE_PREFIX.len() > MAX_MESSAGE_BYTES);
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "echo reports the decoding error"),
        (decoded, echoed) => panic!("decode gave {decoded:?} but echo {echoed:?}"),
    }
});

/// An event by name and content; a control message (`c:` + JSON) is held as its JSON value
/// so that equivalent escapes compare equal.
#[derive(Debug, PartialEq)]
enum Owned {
    Event(&'static str, Vec<u8>),
    Control(serde_json::Value),
}

fn owned(event: Event<'_>) -> Owned {
    match (event.kind, event.content.strip_prefix(b"c:")) {
        (Kind::Text, Some(json)) => {
            Owned::Control(serde_json::from_slice(json).expect("a control message is JSON"))
        }
        _ => Owned::Event(event.kind.name(), event.content.to_vec()),
    }
}

/// What echo answers, event by event: OPEN with a subscription per channel, messages behind
/// `m:`, PING with PONG, CLOSE with CLOSE; PONG and DISCONNECT with nothing.
fn expected_echo(events: &[Event<'_>]) -> Vec<Owned> {
    let mut expected = Vec::new();
    for &event in events {
        let content = event.content;
        match event.kind {
            Kind::Open => {
                expected.push(Owned::Event("OPEN", Vec::new()));
                for channel in CHANNELS {
                    let subscribe = json!({"type": "subscribe", "channel": channel});
                    expected.push(Owned::Control(subscribe));
                }
            }
            Kind::Text | Kind::Binary => {
                expected.push(Owned::Event(
                    event.kind.name(),
                    [MESSAGE_PREFIX, content].concat(),
                ));
            }
            Kind::Ping => expected.push(Owned::Event("PONG", content.to_vec())),
            Kind::Close => expected.push(Owned::Event("CLOSE", content.to_vec())),
            Kind::Pong | Kind::Disconnect => {}
        }
    }
    expected
}
