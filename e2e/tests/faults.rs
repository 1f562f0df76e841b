//! Faults, end to end: each test starts a stack of its own, breaks a part of it (the origin
//! is down, Pushpin is stopped, Viceroy restarts, a publish is too big) and checks what
//! clients get. Every client call has a deadline, so that a fault that makes something hang
//! fails the test with the name of the call rather than a timeout of the whole run.
//!
//! The stack here is local: clients connect to Viceroy, which proxies a handed-off request
//! to Pushpin and keeps proxying it for as long as it is held. On Fastly the client's
//! connection is Fanout's, and a new deployment of the app does not cut it.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use e2e::http::{assert_answer, client, get};
use e2e::publish::http_stream;
use e2e::shared::trial;
use e2e::trials;
use e2e::websocket::{WebSocket, until};
use e2e::{BodyReader, Endpoints, Fixture, Publisher};
use fanout_router_stack::{Origin, Service, Stack, signals};
use futures_util::StreamExt;
use libtest_mimic::Arguments;
use serde_json::{Value, json};
use tokio::time::{Instant, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

/// The longest any one client call may take.
const STEP: Duration = Duration::from_secs(10);

/// How long an attempt at opening a connection may take when it is tried again on failure,
/// and how long to wait before trying again.
const ATTEMPT: Duration = Duration::from_secs(2);
const RETRY_AFTER: Duration = Duration::from_millis(100);

/// What Viceroy answers itself when the Pushpin it hands requests to, or the backend it
/// hands a WebSocket to, does not accept the connection. The app has already returned by
/// then, so it cannot answer instead.
const VICEROY_HANDOFF_REFUSED: &str =
    "Error: Could not connect to handoff target: Connection refused (os error 111).";

fn main() -> ExitCode {
    let arguments = Arguments::from_args();
    signals::stop_children_on_signal();
    let fixture = Arc::new(Fixture::default());
    let mut trials = Vec::from(trials!(
        trial,
        &fixture,
        Origin::Down,
        [
            origin_down_websocket_on_a_fanout_route_is_a_502_from_pushpin,
            origin_down_websocket_on_a_direct_route_is_a_500_from_viceroy,
        ]
    ));
    trials.extend(trials!(
        trial,
        &fixture,
        Origin::Demo,
        [
            pushpin_down_handoffs_are_a_500_from_viceroy_and_direct_routes_still_work,
            viceroy_restart_cuts_held_connections_and_new_ones_receive_publishes,
            publish_over_64_kb_is_refused_and_reaches_no_subscriber,
        ]
    ));
    libtest_mimic::run(&arguments, trials).exit_code()
}

/// Awaits `future` for at most `STEP`; panics, naming `what`, when it takes longer.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    timeout(STEP, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: nothing within {STEP:?}"))
}

/// The answer to a WebSocket handshake at `path`, made with an HTTP client so that a
/// refusal is read whole (a WebSocket client may stop at its headers).
async fn handshake(stack: &Endpoints, path: &str) -> reqwest::Response {
    let request = client()
        .get(stack.url(path))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    within(path, request.send())
        .await
        .unwrap_or_else(|error| panic!("WebSocket handshake at {path}: {error}"))
}

/// One message for every kind of subscriber: an SSE event for streams, a WebSocket message.
fn everywhere(message: &str) -> Value {
    json!({
        "http-stream": { "content": format!("data: {message}\n\n") },
        "ws-message": { "content": message },
    })
}

/// A stream, an SSE stream and a WebSocket held on channel `test`, each known to receive
/// publishes: `message` has reached all three.
async fn hold_all_three(stack: &Endpoints, message: &str) -> (BodyReader, BodyReader, WebSocket) {
    let mut stream = until_held(&stack.url("/test/stream")).await;
    let mut sse = until_held(&stack.url("/test/sse")).await;
    let url = stack.ws_url("/test/websocket");
    let mut socket = until_ok(&url, || async {
        let (socket, _) = tokio_tungstenite::connect_async(&url).await?;
        Ok(socket)
    })
    .await;
    let event = format!("data: {message}\n\n");
    let publisher = Publisher::new(&client(), &stack.publish);
    publisher
        .publish_until("test", everywhere(message), async {
            stream.until_contains(&event).await;
            sse.until_contains(&event).await;
            until(&mut socket, Message::text(message)).await;
        })
        .await;
    (stream, sse, socket)
}

/// A held response of `url`, once it answers 200.
async fn until_held(url: &str) -> BodyReader {
    until_ok(url, || async {
        let response = client().get(url).send().await?;
        if response.status() != 200 {
            let status = response.status();
            return Err(format!("{status}: {}", response.text().await?).into());
        }
        Ok(BodyReader::new(response))
    })
    .await
}

/// Tries `attempt` until it succeeds, for at most `STEP`, giving up on an attempt after
/// `ATTEMPT`. For a moment after Pushpin has started, before its services are connected to
/// each other, a request gets `500 Accept service unavailable.`, or Viceroy's `502 Error:
/// Handoff request failed: connection closed before message completed`, or no answer at all.
async fn until_ok<T, F>(what: &str, attempt: impl Fn() -> F) -> T
where
    F: Future<Output = Result<T, Box<dyn std::error::Error>>>,
{
    let deadline = Instant::now() + STEP;
    loop {
        let failure = match timeout(ATTEMPT, attempt()).await {
            Ok(Ok(value)) => return value,
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {ATTEMPT:?}"),
        };
        assert!(
            Instant::now() < deadline,
            "{what}: still failing after {STEP:?}: {failure}"
        );
        sleep(RETRY_AFTER).await;
    }
}

// The origin is down: nothing listens on its port.

async fn origin_down_websocket_on_a_fanout_route_is_a_502_from_pushpin(stack: Stack) {
    let stack = Endpoints::of(&stack);
    let response = handshake(&stack, "/stream/anything").await;
    assert_answer(response, 502, "(none)", "Error while proxying to origin.\n").await;
}

async fn origin_down_websocket_on_a_direct_route_is_a_500_from_viceroy(stack: Stack) {
    let stack = Endpoints::of(&stack);
    // The app passes the upgrade on with handoff_websocket, which Viceroy carries out after
    // the app has returned; a plain request on this route gets the app's 502 instead.
    let response = handshake(&stack, "/direct/socket").await;
    assert_answer(response, 500, "(none)", VICEROY_HANDOFF_REFUSED).await;
}

// Pushpin is stopped.

async fn pushpin_down_handoffs_are_a_500_from_viceroy_and_direct_routes_still_work(
    mut stack: Stack,
) {
    stack.stop_service(Service::Pushpin);
    let endpoints = Endpoints::of(&stack);
    // An answer route's first pass, a fanout route and a long-poll: every handoff.
    for path in ["/test/stream", "/stream/news", "/test/long-poll"] {
        let response = within(path, get(&endpoints.url(path))).await;
        assert_answer(response, 500, "(none)", VICEROY_HANDOFF_REFUSED).await;
    }
    let response = handshake(&endpoints, "/test/websocket").await;
    assert_answer(response, 500, "(none)", VICEROY_HANDOFF_REFUSED).await;
    // What does not need Fanout does not notice.
    let direct = within("GET /direct/page", get(&endpoints.url("/direct/page"))).await;
    assert_eq!(direct.status(), 200);

    stack
        .start_service(Service::Pushpin)
        .unwrap_or_else(|error| panic!("{error}"));
    hold_all_three(&endpoints, "Pushpin is back").await;
}

// Viceroy is stopped and started again while clients hold connections.

async fn viceroy_restart_cuts_held_connections_and_new_ones_receive_publishes(mut stack: Stack) {
    let endpoints = Endpoints::of(&stack);
    let (mut stream, mut sse, mut socket) = hold_all_three(&endpoints, "before").await;

    stack.stop_service(Service::Viceroy);
    // Viceroy proxied them: they end at once, cut short, without a clean end of the
    // chunked body or a WebSocket close frame.
    for (name, reader) in [("stream", &mut stream), ("sse", &mut sse)] {
        let end = within(name, reader.until_end()).await;
        let error = end.expect_err("a held stream ends with an error, not cleanly");
        assert!(error.is_body() || error.is_decode(), "{name}: {error:?}");
    }
    let next = within("WebSocket", socket.next()).await;
    assert!(
        matches!(next, None | Some(Err(_))),
        "the WebSocket got {next:?} rather than a cut"
    );
    // Nothing listens on the app's port until Viceroy is back.
    let refused = within("GET while Viceroy is down", async {
        client().get(endpoints.url("/test/stream")).send().await
    })
    .await
    .expect_err("nothing answers while Viceroy is down");
    assert!(refused.is_connect(), "{refused:?}");

    stack
        .start_service(Service::Viceroy)
        .unwrap_or_else(|error| panic!("{error}"));
    hold_all_three(&endpoints, "after").await;
}

// Publishing.

async fn publish_over_64_kb_is_refused_and_reaches_no_subscriber(stack: Stack) {
    let stack = Endpoints::of(&stack);
    let mut stream = until_held(&stack.url("/test/stream")).await;
    let publisher = Publisher::new(&client(), &stack.publish);
    publisher
        .publish_until(
            "test",
            http_stream("subscribed\n"),
            stream.until_contains("subscribed\n"),
        )
        .await;

    // 64 KiB of content: with the JSON around it, the body is over the 65,536-byte limit.
    let too_big = "x".repeat(64 * 1024);
    let refusal = within("a publish over 64 KB", async {
        publisher.try_publish("test", http_stream(&too_big)).await
    })
    .await;
    assert_eq!(refusal, (400, "Request body too large.\n".to_string()));

    // Pushpin delivers a channel's messages in order: had the big one been taken, it would
    // arrive before this.
    publisher
        .publish_until(
            "test",
            http_stream("still open\n"),
            stream.until_contains("still open\n"),
        )
        .await;
    assert!(
        !stream.text.contains("xxxx"),
        "the refused publish reached the subscriber"
    );
}
