//! Fanout's and Compute's documented limits, end to end on the local stack: WebSocket
//! messages up to 64 KB echoed and published whole, text and binary, and what is over refused;
//! request heads up to 69 KB and the header counts each layer takes. Also the demo origin's
//! publishing, which this binary's stack turns on (`Publishing::Loopback`, as
//! `cargo xtask serve --demo-publish` does).
//!
//! Each test asserts on the bytes received: a message that comes back late, cut, or not at
//! all fails it within `STEP`.

use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use e2e::http::{assert_answer, client, get, origin_record};
use e2e::shared::{self, trial};
use e2e::trials;
use e2e::websocket::{WebSocket, connect, until};
use e2e::{BodyReader, Endpoints, Fixture, Publisher};
use fanout_router_core::forwarding;
use fanout_router_core::websocket::MAX_MESSAGE_BYTES;
use fanout_router_stack::{Origin, Publishing, demo_origin};
use futures_util::{SinkExt, StreamExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The longest a message or an answer may take to arrive.
const STEP: Duration = Duration::from_secs(5);

/// The largest client message the app echoes: its echo carries the `m:` prefix that Pushpin
/// requires, and must itself fit in Fanout's 64 KB.
const LARGEST_ECHO: usize = MAX_MESSAGE_BYTES - "m:".len();

/// Pushpin's publish endpoint takes bodies of at most this (`push_in_http_max_body_size`).
const LARGEST_PUBLISH_BODY: usize = 65_536;

/// Compute's documented limit on one request header: 69 KB, here the whole header line.
const LARGEST_HEADER_LINE: usize = 69 * 1024;

/// Condure (Pushpin 1.36's connection manager) parses at most 64 headers per request, a fixed
/// number.
const HANDED_OFF_HEADERS_MAX: usize = 64;

/// The headers a handoff adds to the client's: the app's forwarding headers (core's
/// `forwarding::headers`, for a client on loopback that names its host) and Viceroy's
/// `Pushpin-Route`.
fn added_on_handoff() -> usize {
    let client = forwarding::Client {
        ip: Some(Ipv4Addr::LOCALHOST.into()),
        https: false,
        host: Some("127.0.0.1"),
    };
    forwarding::headers(&client).len() + 1
}

/// Viceroy (hyper 0.14) parses at most 100 headers per request, and answers 431 past that.
const VICEROY_HEADERS_MAX: usize = 100;

fn main() -> ExitCode {
    let fixture = Arc::new(Fixture::new("limits", Publishing::Loopback));
    let trials = Vec::from(trials!(
        trial,
        &fixture,
        Origin::Demo,
        [
            websocket_echoes_text_and_binary_of_the_largest_size_at_once,
            websocket_message_one_byte_over_the_echo_limit_closes_the_connection,
            websocket_receives_publishes_of_64_kb_whole_and_a_larger_one_is_refused,
            publish_while_a_large_echo_is_on_its_way_arrives_too,
            request_header_of_69_kb_reaches_the_origin_through_fanout,
            request_head_over_pushpins_buffer_is_a_502_from_viceroy,
            handed_off_request_of_64_headers_passes_and_one_more_is_a_502_from_viceroy,
            more_than_100_request_headers_are_a_431_from_viceroy,
            demo_origin_publishes_for_a_loopback_client_when_its_stack_turns_it_on,
        ]
    ));
    shared::run(fixture, trials)
}

/// `size` bytes that are not all alike, so that a message cut or shifted does not compare
/// equal: text of letters and digits (nothing that JSON or a header would escape), binary of
/// every byte value.
fn text_of(size: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..size)
        .map(|i| char::from(ALPHABET[i % ALPHABET.len()]))
        .collect()
}

fn binary_of(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 256) as u8).collect()
}

/// Every test that holds a WebSocket on `/test/websocket`, or publishes to channel `test`,
/// holds this: each asserts on the very next message its socket receives.
static CHANNEL_TEST: Mutex<()> = Mutex::const_new(());

/// Published until a socket receives it; copies of it may still arrive after that.
const SUBSCRIBED: &str = "subscribed";

/// The next data message (other than a late `SUBSCRIBED`), or what ended the socket; panics
/// after `STEP` with `what`.
async fn next_within(socket: &mut WebSocket, what: &str) -> Option<Result<Message, String>> {
    timeout(STEP, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Text(text))) if text.as_str() == SUBSCRIBED => {}
                other => return other.map(|next| next.map_err(|error| error.to_string())),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}: nothing within {STEP:?}"))
}

/// A WebSocket on `/test/websocket` that is known to receive publishes on `test`.
async fn subscribed_socket(stack: &Endpoints, publisher: &Publisher) -> WebSocket {
    let mut socket = connect(&stack.ws_url("/test/websocket")).await;
    let ready = json!({ "ws-message": { "content": "subscribed" } });
    publisher
        .publish_until(
            "test",
            ready,
            until(&mut socket, Message::text("subscribed")),
        )
        .await;
    socket
}

// WebSocket messages.

async fn websocket_echoes_text_and_binary_of_the_largest_size_at_once(stack: Endpoints) {
    let _turn = CHANNEL_TEST.lock().await;
    let mut socket = connect(&stack.ws_url("/test/websocket")).await;
    for message in [
        Message::text(text_of(LARGEST_ECHO)),
        Message::binary(binary_of(LARGEST_ECHO)),
    ] {
        socket.send(message.clone()).await.unwrap();
        // Nothing else is sent meanwhile: an echo held back until the client's next message
        // (as with Pushpin's default 8 KiB connection buffers) fails here.
        let echo = next_within(&mut socket, "the echo of the largest message").await;
        match echo {
            Some(Ok(echo)) => assert!(echo == message, "the echo differs: {} bytes", echo.len()),
            other => panic!("expected the echo, got {other:?}"),
        }
    }
}

/// The app answers a message whose echo would be over 64 KB by closing the connection with
/// code 1009 (message too big).
async fn websocket_message_one_byte_over_the_echo_limit_closes_the_connection(stack: Endpoints) {
    let _turn = CHANNEL_TEST.lock().await;
    for message in [
        Message::text(text_of(LARGEST_ECHO + 1)),
        Message::binary(binary_of(LARGEST_ECHO + 1)),
    ] {
        let mut socket = connect(&stack.ws_url("/test/websocket")).await;
        socket.send(message).await.unwrap();
        let end = next_within(&mut socket, "the end of the connection").await;
        match end {
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(frame.code, CloseCode::Size, "{frame:?}");
                assert_eq!(frame.reason, "message too big");
            }
            other => panic!("expected a close frame with code 1009, got {other:?}"),
        }
    }
    // The refusal cost only that connection.
    let mut socket = connect(&stack.ws_url("/test/websocket")).await;
    socket.send(Message::text("still echoing")).await.unwrap();
    let echo = next_within(&mut socket, "an echo after the refusals").await;
    assert_eq!(echo, Some(Ok(Message::text("still echoing"))));
}

/// A publish of `format` to channel `test`, as JSON.
fn publish_json(format: &Value, id: &str) -> String {
    let item = json!({ "channel": "test", "id": id, "formats": { "ws-message": format } });
    json!({ "items": [item] }).to_string()
}

/// The body of a publish of `format`, padded with the item's `id` to exactly `size` bytes.
fn publish_body(format: Value, size: usize) -> String {
    let padding = size
        .checked_sub(publish_json(&format, "").len())
        .expect("room for the JSON around the content");
    let body = publish_json(&format, &"i".repeat(padding));
    assert_eq!(body.len(), size);
    body
}

/// `(status, answer)` of posting `body` to Pushpin's publish endpoint.
async fn post_publish(stack: &Endpoints, body: String) -> (u16, String) {
    let response = timeout(STEP, client().post(&stack.publish).body(body).send())
        .await
        .expect("the publish endpoint answers in time")
        .expect("the publish endpoint answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

async fn websocket_receives_publishes_of_64_kb_whole_and_a_larger_one_is_refused(stack: Endpoints) {
    let _turn = CHANNEL_TEST.lock().await;
    let publisher = Publisher::new(&client(), &stack.publish);
    let mut socket = subscribed_socket(&stack, &publisher).await;
    // The largest content whose publish fits, for text and for binary (base64 in the JSON).
    let around = |format: Value| publish_json(&format, "").len();
    let text = text_of(LARGEST_PUBLISH_BODY - around(json!({ "content": "" })));
    let base64_room = LARGEST_PUBLISH_BODY - around(json!({ "type": "binary", "content-bin": "" }));
    let binary = binary_of(base64_room / 4 * 3);
    let cases = [
        (json!({ "content": text }), Message::text(text.as_str())),
        (
            json!({ "type": "binary", "content-bin": STANDARD.encode(&binary) }),
            Message::binary(binary.clone()),
        ),
    ];
    for (format, expected) in cases {
        let answer = post_publish(&stack, publish_body(format, LARGEST_PUBLISH_BODY)).await;
        assert_eq!(answer, (200, "Published\n".to_string()));
        let received = next_within(&mut socket, "a publish of 64 KB").await;
        match received {
            Some(Ok(message)) => assert!(
                message == expected,
                "received {} bytes instead of {}",
                message.len(),
                expected.len()
            ),
            other => panic!("expected the published message, got {other:?}"),
        }
    }

    let too_big = publish_body(json!({ "content": "over" }), LARGEST_PUBLISH_BODY + 1);
    let refusal = post_publish(&stack, too_big).await;
    assert_eq!(refusal, (400, "Request body too large.\n".to_string()));
    // Pushpin delivers a channel's messages in order: had the big one been taken, it would
    // come first.
    let marker = json!({ "ws-message": { "content": "after the refusal" } });
    publisher.publish("test", marker).await;
    let next = next_within(&mut socket, "the publish after the refusal").await;
    assert_eq!(next, Some(Ok(Message::text("after the refusal"))));
}

/// With Pushpin's default buffers, an echo of 33,000 bytes waited for the client's next
/// message, and a publish sent meanwhile never arrived.
async fn publish_while_a_large_echo_is_on_its_way_arrives_too(stack: Endpoints) {
    let _turn = CHANNEL_TEST.lock().await;
    let publisher = Publisher::new(&client(), &stack.publish);
    let mut socket = subscribed_socket(&stack, &publisher).await;
    let large = Message::text(text_of(LARGEST_ECHO));
    let meanwhile = Message::text("published meanwhile");
    socket.send(large.clone()).await.unwrap();
    publisher
        .publish(
            "test",
            json!({ "ws-message": { "content": "published meanwhile" } }),
        )
        .await;
    // Either may come first: the echo goes through the app, the publish does not.
    let mut received = Vec::new();
    for _ in 0..2 {
        match next_within(&mut socket, "the large echo and the publish").await {
            Some(Ok(message)) => received.push(message),
            other => panic!("expected a message, got {other:?}"),
        }
    }
    let large_first = received == [large.clone(), meanwhile.clone()];
    assert!(
        large_first || received == [meanwhile, large],
        "received messages of {:?} bytes",
        received.iter().map(Message::len).collect::<Vec<_>>()
    );
}

// Request heads. `/split` (GET) goes through Fanout to the demo origin, which shows what it got.

/// `count` headers `x-limit-<n>: <n>`, after the ones reqwest sends itself.
fn numbered_headers(count: usize) -> HeaderMap {
    (0..count)
        .map(|n| {
            let name = HeaderName::try_from(format!("x-limit-{n}")).unwrap();
            (name, HeaderValue::from(n))
        })
        .collect()
}

/// What reqwest sends on its own: `accept` and `host`.
const CLIENT_OWN_HEADERS: usize = 2;

async fn get_with(stack: &Endpoints, path: &str, headers: HeaderMap) -> reqwest::Response {
    let request = client().get(stack.url(path)).headers(headers).send();
    timeout(STEP, request)
        .await
        .unwrap_or_else(|_| panic!("GET {path}: no answer within {STEP:?}"))
        .unwrap_or_else(|error| panic!("GET {path}: {error}"))
}

async fn request_header_of_69_kb_reaches_the_origin_through_fanout(stack: Endpoints) {
    let value = text_of(LARGEST_HEADER_LINE - "x-big: ".len());
    let mut headers = HeaderMap::new();
    headers.insert("x-big", HeaderValue::from_str(&value).unwrap());
    let record = origin_record(get_with(&stack, "/split", headers).await).await;
    assert!(record.grip_sig, "it went through Fanout");
    let received = record.header("x-big");
    assert!(
        received == [value.as_str()],
        "the origin got {:?} bytes of x-big",
        received.iter().map(|value| value.len()).collect::<Vec<_>>()
    );
}

/// Condure takes a request head only when it fits in its buffer (`client_buffer_size`, 72 KiB
/// here); past that it resets the connection, and Viceroy answers for the handoff.
async fn request_head_over_pushpins_buffer_is_a_502_from_viceroy(stack: Endpoints) {
    let mut headers = HeaderMap::new();
    let value = "b".repeat(72 * 1024);
    headers.insert("x-big", HeaderValue::from_str(&value).unwrap());
    let response = get_with(&stack, "/split", headers).await;
    assert_eq!(response.status(), 502);
    let body = response.text().await.unwrap();
    assert!(
        body.starts_with("Error: Handoff request failed: "),
        "{body}"
    );
}

async fn handed_off_request_of_64_headers_passes_and_one_more_is_a_502_from_viceroy(
    stack: Endpoints,
) {
    let most = HANDED_OFF_HEADERS_MAX - added_on_handoff() - CLIENT_OWN_HEADERS;
    let record = origin_record(get_with(&stack, "/split", numbered_headers(most)).await).await;
    let last = format!("x-limit-{}", most - 1);
    assert_eq!(record.header(&last), [(most - 1).to_string()]);

    let response = get_with(&stack, "/split", numbered_headers(most + 1)).await;
    assert_answer(
        response,
        502,
        "(none)",
        "Error: Handoff request failed: connection closed before message completed",
    )
    .await;
}

/// Before the app runs, on any route.
async fn more_than_100_request_headers_are_a_431_from_viceroy(stack: Endpoints) {
    let most = VICEROY_HEADERS_MAX - CLIENT_OWN_HEADERS;
    // Straight to the origin: no handoff, so condure's limit does not apply.
    let record =
        origin_record(get_with(&stack, "/direct/many", numbered_headers(most)).await).await;
    assert_eq!(record.header("x-limit-0"), ["0"]);
    for path in ["/direct/many", "/split"] {
        let response = get_with(&stack, path, numbered_headers(most + 1)).await;
        assert_answer(response, 431, "(none)", "").await;
    }
}

// The demo origin's publishing, turned on for this stack.

async fn demo_origin_publishes_for_a_loopback_client_when_its_stack_turns_it_on(stack: Endpoints) {
    let _turn = CHANNEL_TEST.lock().await;
    let mut stream = BodyReader::new(get(&stack.url("/test/stream")).await);
    let form = json!({ "channel": "test", "message": "from the form" }).to_string();
    let event = "data: from the form\n\n";
    let deadline = tokio::time::Instant::now() + STEP;
    // The stream is subscribed some time after its response starts: publish until it sees one.
    loop {
        let response = client()
            .post(stack.url("/publish"))
            .header("Content-Type", "application/json")
            .body(form.clone())
            .send()
            .await
            .expect("POST /publish");
        assert_eq!(response.status(), 200);
        let answer = response.text().await.expect("an answer");
        let id = demo_origin::published_id(&answer, "test");
        assert!(id.is_some(), "the form's publish answered {answer:?}");
        if timeout(Duration::from_millis(250), stream.until_contains(event))
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the form's publish did not reach the stream: {:?}",
            stream.text
        );
    }
}
