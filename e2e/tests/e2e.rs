//! End-to-end tests: real clients against the app in Viceroy behind Pushpin, publishing
//! through Pushpin's `/publish/`. A custom harness (libtest-mimic) so that the stacks are
//! started once, shared by the tests, and stopped after the last one, pass or fail.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use e2e::http::{APP_TEXT, assert_answer, client, get, header, origin_record};
use e2e::publish::{http_response, http_stream, ws_message};
use e2e::raw::{self, WEBSOCKET_HANDSHAKE};
use e2e::shared::{self, trial};
use e2e::tokens::{room_token, rooms_jwks, rooms_public_xy, user_token};
use e2e::trials;
use e2e::websocket::{connect, next_message, until};
use e2e::{BodyReader, Endpoints, Fixture, Publisher, sse};
use fanout_router_stack::demo_origin::Record;
use fanout_router_stack::{Origin, Publishing};
use futures_util::SinkExt;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

fn main() -> ExitCode {
    let fixture = Arc::new(Fixture::default());
    let mut trials = Vec::from(trials!(
        trial,
        &fixture,
        Origin::Demo,
        [
            stream_endpoint_receives_a_publish,
            sse_endpoint_receives_a_publish_as_an_event,
            long_poll_answers_with_a_published_message,
            long_poll_times_out_after_its_timeout,
            websocket_echoes_receives_publishes_and_closes,
            websocket_client_cannot_subscribe_itself_with_a_control_message,
            fanout_route_carries_push_driven_by_the_origin,
            direct_route_bypasses_fanout,
            method_split_sends_reads_through_fanout_and_writes_direct,
            demo_origin_refuses_to_publish_unless_its_stack_turns_it_on,
            room_route_receives_only_its_own_room,
            unmatched_path_is_a_404,
            forged_grip_sig_sent_straight_to_the_app_gets_no_grip_instructions,
            path_parameter_that_would_corrupt_a_channel_is_a_400,
            the_origin_receives_the_path_the_app_routed_on,
            a_path_without_a_normal_form_is_a_400,
            header_values_that_are_not_utf8_get_an_answer_not_a_panic,
            a_host_that_is_invalid_punycode_gets_a_400_not_a_panic,
            a_websocket_on_an_http_mode_route_gets_a_400_and_no_grip_headers,
            a_user_holds_their_own_stream_and_events_with_their_token,
            another_user_s_token_an_expired_one_or_none_is_refused,
            a_room_token_opens_only_its_rooms_and_only_from_an_allowed_origin,
            a_token_in_the_query_goes_no_further_than_the_app,
            the_origin_is_told_about_the_client_by_the_app_alone,
            a_fanout_route_behind_a_token_reaches_the_origin_only_with_one,
            the_local_jwk_set_holds_the_room_tokens_key,
            on_one_path_sse_goes_through_fanout_and_the_rest_direct,
            a_host_of_its_own_reaches_a_rewritten_path,
            a_stream_keep_alive_is_sent_every_interval,
            an_sse_route_opens_with_its_initial_body_and_keeps_alive_every_interval,
            a_websocket_keep_alive_message_is_sent_every_interval,
        ]
    ));
    // Reliable delivery publishes through the demo origin, which records what it publishes:
    // stacks of their own whose origin publishes.
    let publishing = Arc::new(Fixture::new("e2e-publishing", Publishing::Loopback));
    trials.extend(trials!(
        trial,
        &publishing,
        Origin::Demo,
        [
            a_reconnecting_sse_client_receives_exactly_what_it_missed,
            a_publish_lost_on_the_way_is_fetched_from_the_history,
        ]
    ));
    trials.extend(trials!(
        trial,
        &fixture,
        Origin::Down,
        [
            origin_down_direct_route_is_a_502_from_the_app,
            origin_down_fanout_route_is_a_502_from_pushpin,
            a_preflight_is_answered_by_the_app_without_the_origin,
        ]
    ));
    shared::run(fixture, trials)
}

// The default test endpoints, all on channel `test`.

async fn stream_endpoint_receives_a_publish(stack: Endpoints) {
    let response = get(&stack.url("/test/stream")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "text/plain");
    let mut stream = BodyReader::new(response);
    let publisher = Publisher::new(&client(), &stack.publish);
    let message = "stream says hello\n";
    publisher
        .publish_until("test", http_stream(message), stream.until_contains(message))
        .await;
}

async fn sse_endpoint_receives_a_publish_as_an_event(stack: Endpoints) {
    let response = get(&stack.url("/test/sse")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "text/event-stream");
    let mut events = BodyReader::new(response);
    let publisher = Publisher::new(&client(), &stack.publish);
    let event = "event: news\ndata: sse says hello\n\n";
    publisher
        .publish_until("test", http_stream(event), events.until_contains(event))
        .await;
    let news: Vec<_> = sse::events(&events.text)
        .into_iter()
        .filter(|event| event.event == "news")
        .collect();
    assert_eq!(news[0].data, "sse says hello");
}

/// The two long-poll tests take turns: a message published for one would answer the other.
static LONG_POLL_ON_TEST: Mutex<()> = Mutex::const_new(());

async fn long_poll_answers_with_a_published_message(stack: Endpoints) {
    let _turn = LONG_POLL_ON_TEST.lock().await;
    let publisher = Publisher::new(&client(), &stack.publish);
    let response = publisher
        .publish_until(
            "test",
            http_response("long-poll says hello\n"),
            get(&stack.url("/test/long-poll")),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "long-poll says hello\n");
}

async fn long_poll_times_out_after_its_timeout(stack: Endpoints) {
    let _turn = LONG_POLL_ON_TEST.lock().await;
    let started = Instant::now();
    let response = get(&stack.url("/test/long-poll")).await;
    let waited = started.elapsed();
    // e2e/routes.toml sets `timeout = 5`; no on_timeout, so the default answer.
    assert!(
        (Duration::from_secs(4)..Duration::from_secs(15)).contains(&waited),
        "answered after {waited:?}"
    );
    assert_answer(response, 200, "text/plain", "").await;
}

async fn websocket_echoes_receives_publishes_and_closes(stack: Endpoints) {
    let mut socket = connect(&stack.ws_url("/test/websocket")).await;
    for message in [
        Message::text("echo me"),
        Message::binary(&b"\x00\x01binary"[..]),
    ] {
        socket.send(message.clone()).await.unwrap();
        until(&mut socket, message).await;
    }

    let publisher = Publisher::new(&client(), &stack.publish);
    publisher
        .publish_until(
            "test",
            ws_message("websocket says hello"),
            until(&mut socket, Message::text("websocket says hello")),
        )
        .await;

    socket
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        })))
        .await
        .unwrap();
    loop {
        match next_message(&mut socket).await {
            Message::Close(frame) => {
                let code = frame.map(|frame| frame.code);
                assert_eq!(code, Some(CloseCode::Normal));
                break;
            }
            // Publishes of other tests may still be on their way.
            Message::Text(_) => {}
            other => panic!("expected the close handshake, got {other:?}"),
        }
    }
}

async fn websocket_client_cannot_subscribe_itself_with_a_control_message(stack: Endpoints) {
    let mut socket = connect(&stack.ws_url("/test/websocket")).await;
    let control = r#"c:{"type":"subscribe","channel":"other"}"#;
    socket.send(Message::text(control)).await.unwrap();
    // Echoed back as a plain message, which shows the app saw it and did not obey it.
    until(&mut socket, Message::text(control)).await;

    // Were the client subscribed to `other`, this would arrive before the marker that
    // follows it on `test`.
    let publisher = Publisher::new(&client(), &stack.publish);
    publisher.publish("other", ws_message("for other")).await;
    let before_marker = publisher
        .publish_until(
            "test",
            ws_message("marker"),
            until(&mut socket, Message::text("marker")),
        )
        .await;
    assert!(
        !before_marker.contains(&Message::text("for other")),
        "received a message published to `other`: {before_marker:?}"
    );
}

// Routes to the origin.

async fn fanout_route_carries_push_driven_by_the_origin(stack: Endpoints) {
    let response = get(&stack.url("/stream/origin-news")).await;
    assert_eq!(response.status(), 200);
    let mut stream = BodyReader::new(response);
    stream
        .until_contains("stream open on channel origin-news\n")
        .await;
    let publisher = Publisher::new(&client(), &stack.publish);
    let message = "the origin's channel says hello\n";
    publisher
        .publish_until(
            "origin-news",
            http_stream(message),
            stream.until_contains(message),
        )
        .await;
}

async fn direct_route_bypasses_fanout(stack: Endpoints) {
    let record = origin_record(get(&stack.url("/direct/page?x=1")).await).await;
    assert_eq!(
        (
            record.method.as_str(),
            record.path.as_str(),
            record.grip_sig
        ),
        ("GET", "/direct/page?x=1", false)
    );
    assert_eq!(record.request_line, "GET /direct/page?x=1 HTTP/1.1");
}

async fn method_split_sends_reads_through_fanout_and_writes_direct(stack: Endpoints) {
    let read = origin_record(get(&stack.url("/split")).await).await;
    assert_eq!(read.request_line, "GET /split HTTP/1.1");
    assert!(read.grip_sig, "a read went through Fanout: {read:?}");
    let write = client()
        .post(stack.url("/split"))
        .body("a write")
        .send()
        .await
        .expect("POST /split");
    let write = origin_record(write).await;
    assert_eq!(write.request_line, "POST /split HTTP/1.1");
    assert!(
        !write.grip_sig,
        "a write went straight to the origin: {write:?}"
    );
}

/// The default stack of the tests, like `cargo xtask serve` without `--demo-publish`.
async fn demo_origin_refuses_to_publish_unless_its_stack_turns_it_on(stack: Endpoints) {
    let response = client()
        .post(stack.url("/publish"))
        .header("Content-Type", "application/json")
        .body(r#"{"channel":"test","message":"relayed"}"#)
        .send()
        .await
        .expect("POST /publish");
    let refusal = format!(
        "publishing through the demo origin is off: start the stack with `cargo xtask serve \
         --demo-publish` to let the demo page publish (loopback clients only), or publish to \
         Pushpin's endpoint, {}\n",
        stack.publish
    );
    assert_answer(response, 403, "text/plain", &refusal).await;
}

async fn room_route_receives_only_its_own_room(stack: Endpoints) {
    let mut room_a = BodyReader::new(get(&stack.url("/rooms/a/events")).await);
    let mut room_b = BodyReader::new(get(&stack.url("/rooms/b/events")).await);
    let publisher = Publisher::new(&client(), &stack.publish);
    let deliver = async |room: &str, reader: &mut BodyReader, event: &str| {
        let channel = format!("room-{room}");
        publisher
            .publish_until(&channel, http_stream(event), reader.until_contains(event))
            .await;
    };
    // Once room a has its first event it is subscribed; room b's event comes next, and room
    // a's second event, delivered after it, shows that room b's did not reach room a.
    deliver("a", &mut room_a, "data: first for a\n\n").await;
    deliver("b", &mut room_b, "data: for b\n\n").await;
    deliver("a", &mut room_a, "data: second for a\n\n").await;
    assert!(
        !room_a.text.contains("for b"),
        "room a got {:?}",
        room_a.text
    );
    assert!(
        !room_b.text.contains("for a"),
        "room b got {:?}",
        room_b.text
    );
}

async fn unmatched_path_is_a_404(stack: Endpoints) {
    let response = get(&stack.url("/nothing/here")).await;
    assert_answer(response, 404, APP_TEXT, "no route matches this request\n").await;
}

/// The official starter kits answer any request carrying a `Grip-Sig` with GRIP
/// instructions; here a token that does not verify gets a 403 and nothing else.
async fn forged_grip_sig_sent_straight_to_the_app_gets_no_grip_instructions(stack: Endpoints) {
    let forged = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ2aWNlcm95IiwiZXhwIjo0MTAyNDQ0ODAwfQ.";
    for path in ["/test/stream", "/test/sse", "/test/long-poll"] {
        let response = client()
            .get(stack.url(path))
            .header("Grip-Sig", forged)
            .send()
            .await
            .expect("an answer");
        let grip_headers: Vec<_> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("grip-"))
            .collect();
        assert!(grip_headers.is_empty(), "{path}: {grip_headers:?}");
        assert_answer(
            response,
            403,
            APP_TEXT,
            "Grip-Sig rejected: Grip-Sig algorithm is not accepted\n",
        )
        .await;
    }
}

/// A `,` or `;` captured from the path would name other channels in `Grip-Channel`.
async fn path_parameter_that_would_corrupt_a_channel_is_a_400(stack: Endpoints) {
    let response = get(&stack.url("/rooms/a,b/events")).await;
    assert_answer(
        response,
        400,
        APP_TEXT,
        "path parameter `room` holds `,` or `;`, which a channel name cannot carry\n",
    )
    .await;
}

/// One target written several ways is routed once, and the origin receives exactly the
/// path the app routed on, through Fanout (`/split` GET) and directly (`/direct`).
async fn the_origin_receives_the_path_the_app_routed_on(stack: Endpoints) {
    let cases: [(&[u8], &str, &str); 8] = [
        (b"/direct/x/../page", "/direct/page", "absent"),
        (b"/%64irect/page", "/direct/page", "absent"),
        (b"/direct\\page", "/direct/page", "absent"),
        (b"//direct//page", "/direct/page", "absent"),
        (
            b"/direct/%7euser/a%2cb?q=%74&r=%2f",
            "/direct/~user/a%2Cb?q=t&r=%2F",
            "absent",
        ),
        (b"/%73plit", "/split", "present"),
        (b"/direct/../split", "/split", "present"),
        (b"/split?q=%74", "/split?q=t", "present"),
    ];
    for (target, path, expected_grip_sig) in cases {
        let shown = target.escape_ascii().to_string();
        let response = raw::request(&stack.app, "GET", target, &[]).await;
        assert_eq!(response.status, 200, "{shown}: {}", response.head);
        let page = String::from_utf8_lossy(&response.body);
        let record = Record::parse(&page).unwrap_or_else(|| panic!("{shown}: {page}"));
        assert_eq!(
            record.request_line,
            format!("GET {path} HTTP/1.1"),
            "{shown}"
        );
        let grip_sig = if record.grip_sig { "present" } else { "absent" };
        assert_eq!(grip_sig, expected_grip_sig, "{shown}: {page}");
    }
    // An answer route reached through an unusual spelling is held, not sent elsewhere.
    let held = raw::request(&stack.app, "GET", b"/test\\x\\..\\stream", &[]).await;
    assert_eq!(held.status, 200, "{}", held.head);
    assert_eq!(held.header("content-type"), Some("text/plain"));
}

async fn a_path_without_a_normal_form_is_a_400(stack: Endpoints) {
    let cases: [(&[u8], &str); 4] = [
        (b"/direct/a%2Fb", "the path holds an escaped `/` or `\\`"),
        (b"/direct/a%5cb", "the path holds an escaped `/` or `\\`"),
        (
            b"/direct/a%00",
            "the path holds an escaped control character",
        ),
        (
            b"/direct/?q=%zz",
            "the path or query holds a `%` that is not a percent-escape",
        ),
    ];
    for (target, message) in cases {
        let shown = target.escape_ascii().to_string();
        let response = raw::request(&stack.app, "GET", target, &[]).await;
        assert_eq!(response.status, 400, "{shown}");
        assert_eq!(response.header("content-type"), Some(APP_TEXT), "{shown}");
        let body = String::from_utf8_lossy(&response.body);
        assert!(body.contains(message), "{shown}: {body}");
    }
}

/// Each header the app reads, with bytes that are not UTF-8, as a client can send them.
async fn header_values_that_are_not_utf8_get_an_answer_not_a_panic(stack: Endpoints) {
    let bad_sig = raw::request(&stack.app, "GET", b"/direct/page", &[b"Grip-Sig: \xff"]).await;
    assert_eq!(bad_sig.status, 403, "{}", bad_sig.head);
    assert!(String::from_utf8_lossy(&bad_sig.body).contains("Grip-Sig rejected: malformed"));

    let mut handshake = WEBSOCKET_HANDSHAKE.to_vec();
    handshake.push(b"Content-Type: \xff\xfe");
    let websocket = raw::request(&stack.app, "GET", b"/test/websocket", &handshake).await;
    assert_eq!(websocket.status, 101, "{}", websocket.head);

    let mut bad_upgrade = WEBSOCKET_HANDSHAKE.to_vec();
    bad_upgrade[0] = b"Upgrade: \xffwebsocket";
    let refused = raw::request(&stack.app, "GET", b"/test/websocket", &bad_upgrade).await;
    assert_eq!(refused.status, 400, "{}", refused.head);

    let bad_type = raw::request(&stack.app, "GET", b"/test/stream", &[b"Content-Type: \xff"]).await;
    assert_eq!(bad_type.status, 200, "{}", bad_type.head);
    assert_eq!(bad_type.header("grip-hold"), None);
}

/// The SDK parses the request URL, host included, on first use and panics on one it cannot
/// parse; the app checks it first. `xn--zz` is punycode that decodes to nothing valid.
async fn a_host_that_is_invalid_punycode_gets_a_400_not_a_panic(stack: Endpoints) {
    for host in [&b"Host: xn--zz.example"[..], b"Host: a.xn--zz"] {
        let shown = host.escape_ascii().to_string();
        let response = raw::request(&stack.app, "GET", b"/direct/page", &[host]).await;
        assert_eq!(response.status, 400, "{shown}: {}", response.head);
        assert_eq!(response.header("content-type"), Some(APP_TEXT), "{shown}");
        let body = String::from_utf8_lossy(&response.body);
        assert_eq!(
            body, "the request URL is invalid: invalid international domain name\n",
            "{shown}"
        );
    }
    // A valid punycode host still reaches the route.
    let valid = raw::request(
        &stack.app,
        "GET",
        b"/direct/page",
        &[b"Host: xn--tda.example"],
    )
    .await;
    assert_eq!(valid.status, 200, "{}", valid.head);
}

/// Answering a WebSocket in an HTTP mode would hand the client Grip-Hold, Grip-Channel and
/// the rest as they are.
async fn a_websocket_on_an_http_mode_route_gets_a_400_and_no_grip_headers(stack: Endpoints) {
    for (path, mode) in [
        ("/test/stream", "stream"),
        ("/test/sse", "sse"),
        ("/test/long-poll", "long-poll"),
    ] {
        let response = raw::request(&stack.app, "GET", path.as_bytes(), &WEBSOCKET_HANDSHAKE).await;
        assert_eq!(response.status, 400, "{path}: {}", response.head);
        let grip: Vec<_> = response
            .header_names()
            .into_iter()
            .filter(|name| name.starts_with("grip-"))
            .collect();
        assert!(grip.is_empty(), "{path}: {grip:?}");
        let body = String::from_utf8_lossy(&response.body);
        let expected = format!("this route answers in `{mode}` mode over plain HTTP");
        assert!(body.contains(&expected), "{path}: {body}");
    }
}

// Authorization and CORS (the `[auth]` and `[cors]` policies of e2e/routes.toml).

/// The origin the browser front end of e2e/routes.toml is served from.
const FRONT_END: &str = "http://127.0.0.1:7690";

async fn a_user_holds_their_own_stream_and_events_with_their_token(stack: Endpoints) {
    let publisher = Publisher::new(&client(), &stack.publish);
    let response = client()
        .get(stack.url("/notifications/alice"))
        .bearer_auth(user_token("alice", 600))
        .header("Origin", FRONT_END)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "access-control-allow-origin"), FRONT_END);
    let mut stream = BodyReader::new(response);
    let message = "for alice only\n";
    publisher
        .publish_until(
            "user-alice",
            http_stream(message),
            stream.until_contains(message),
        )
        .await;

    // EventSource cannot set headers: the token comes in the query.
    let url = format!(
        "/users/alice/events?access_token={}",
        user_token("alice", 600)
    );
    let response = get(&stack.url(&url)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "text/event-stream");
    let mut events = BodyReader::new(response);
    let event = "event: note\ndata: alice's event\n\n";
    publisher
        .publish_until(
            "user-alice",
            http_stream(event),
            events.until_contains(event),
        )
        .await;
}

async fn another_user_s_token_an_expired_one_or_none_is_refused(stack: Endpoints) {
    let bob = user_token("bob", 600);
    let expired = user_token("alice", -3600);
    let cases = [
        (Some(bob.as_str()), 403, r#"error="insufficient_scope""#),
        (
            Some(expired.as_str()),
            401,
            r#"error="invalid_token", error_description="the token has expired""#,
        ),
        (None, 401, r#"Bearer realm="users""#),
    ];
    for (token, status, challenge) in cases {
        for path in ["/notifications/alice", "/users/alice/events"] {
            let mut request = client().get(stack.url(path)).header("Origin", FRONT_END);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("an answer");
            assert_eq!(response.status(), status, "{path} {token:?}");
            let www = header(&response, "www-authenticate");
            assert!(www.contains(challenge), "{path}: {www}");
            // A browser on the front end's origin may read the refusal.
            assert_eq!(header(&response, "access-control-allow-origin"), FRONT_END);
            let grip = response
                .headers()
                .keys()
                .any(|n| n.as_str().starts_with("grip-"));
            assert!(!grip, "{path}: GRIP headers on a refusal");
            let body = response.text().await.unwrap();
            assert!(
                !body.contains(token.unwrap_or("eyJ")),
                "{path}: the token is echoed"
            );
        }
    }
}

async fn a_room_token_opens_only_its_rooms_and_only_from_an_allowed_origin(stack: Endpoints) {
    let lobby = room_token(&["room-lobby"]);
    let origin_header = format!("Origin: {FRONT_END}");
    let handshake = |origin: &str| {
        let mut headers = WEBSOCKET_HANDSHAKE.map(<[u8]>::to_vec).to_vec();
        headers.push(origin.as_bytes().to_vec());
        headers
    };
    let cases = [
        (
            format!("/chat/lobby?token={lobby}"),
            origin_header.as_str(),
            101,
        ),
        (
            format!("/chat/kitchen?token={lobby}"),
            origin_header.as_str(),
            403,
        ),
        (
            format!("/chat/lobby?token={lobby}"),
            "Origin: https://evil.example",
            403,
        ),
        ("/chat/lobby".to_owned(), origin_header.as_str(), 401),
    ];
    for (target, origin, status) in cases {
        let headers = handshake(origin);
        let headers: Vec<&[u8]> = headers.iter().map(Vec::as_slice).collect();
        let response = raw::request(&stack.app, "GET", target.as_bytes(), &headers).await;
        assert_eq!(
            response.status, status,
            "{target} {origin}: {}",
            response.head
        );
    }

    // A client that is no browser sends no Origin; with its token it talks in the room.
    let mut socket = connect(&stack.ws_url(&format!("/chat/lobby?token={lobby}"))).await;
    let message = Message::text("hello lobby");
    socket.send(message.clone()).await.unwrap();
    until(&mut socket, message).await;
    let publisher = Publisher::new(&client(), &stack.publish);
    publisher
        .publish_until(
            "room-lobby",
            ws_message("news for the lobby"),
            until(&mut socket, Message::text("news for the lobby")),
        )
        .await;
}

/// A client's own forwarding headers never reach the origin, through Fanout or directly:
/// the app removes them and sets its own.
async fn the_origin_is_told_about_the_client_by_the_app_alone(stack: Endpoints) {
    let spoofed: [&[u8]; 9] = [
        b"X-Forwarded-For: 6.6.6.6",
        b"X-Forwarded-Proto: https",
        b"X-Forwarded-Host: evil.example",
        b"Forwarded: for=6.6.6.6;proto=https",
        b"X-Real-IP: 6.6.6.6",
        b"X-Client-IP: 6.6.6.6",
        b"Fastly-Client-IP: 6.6.6.6",
        b"True-Client-IP: 6.6.6.6",
        b"Grip-Last: test; last-id=1",
    ];
    let host = stack.app.trim_start_matches("http://").to_owned();
    for (target, through_fanout) in [(&b"/direct/page"[..], false), (b"/split", true)] {
        let response = raw::request(&stack.app, "GET", target, &spoofed).await;
        assert_eq!(response.status, 200, "{}", response.head);
        let page = String::from_utf8_lossy(&response.body);
        let record = Record::parse(&page).unwrap_or_else(|| panic!("{page}"));
        assert_eq!(record.grip_sig, through_fanout, "{page}");
        let values = |name: &str| -> Vec<&str> {
            let found = record
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name));
            found.map(|(_, v)| v.as_str()).collect()
        };
        for name in [
            "Forwarded",
            "X-Real-IP",
            "X-Client-IP",
            "True-Client-IP",
            "Grip-Last",
        ] {
            assert_eq!(
                values(name),
                Vec::<&str>::new(),
                "{name} reached the origin: {page}"
            );
        }
        assert_eq!(values("X-Forwarded-For"), ["127.0.0.1"], "{page}");
        assert_eq!(values("Fastly-Client-IP"), ["127.0.0.1"], "{page}");
        assert_eq!(values("X-Forwarded-Proto"), ["http"], "{page}");
        assert_eq!(values("X-Forwarded-Host"), [host.as_str()], "{page}");
    }
}

/// A token in the query would land in the logs of Fanout and the origin: the app takes it
/// out of the URL before the request goes on.
async fn a_token_in_the_query_goes_no_further_than_the_app(stack: Endpoints) {
    let target = format!("/api/whoami?x=1&access_token={}", user_token("alice", 600));
    let response = raw::request(&stack.app, "GET", target.as_bytes(), &[]).await;
    assert_eq!(response.status, 200, "{}", response.head);
    let page = String::from_utf8_lossy(&response.body);
    let record = Record::parse(&page).unwrap_or_else(|| panic!("{page}"));
    assert_eq!(
        record.request_line, "GET /api/whoami?x=1 HTTP/1.1",
        "{page}"
    );
    assert!(!page.contains("access_token"), "{page}");
    let refused = raw::request(&stack.app, "GET", b"/api/whoami", &[]).await;
    assert_eq!(refused.status, 401);
}

async fn a_fanout_route_behind_a_token_reaches_the_origin_only_with_one(stack: Endpoints) {
    let refused = get(&stack.url("/stream/private")).await;
    assert_eq!(refused.status(), 401);
    let response = client()
        .get(stack.url("/stream/private"))
        .bearer_auth(user_token("carol", 600))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    let mut stream = BodyReader::new(response);
    let publisher = Publisher::new(&client(), &stack.publish);
    let message = "origin-driven and private\n";
    publisher
        .publish_until(
            "private",
            http_stream(message),
            stream.until_contains(message),
        )
        .await;
}

/// The public half of the key the tests sign room tokens with is the key fastly.toml puts
/// in the local Config Store.
async fn the_local_jwk_set_holds_the_room_tokens_key(_stack: Endpoints) {
    let jwks = rooms_jwks();
    let key = &jwks["keys"][0];
    let (x, y) = rooms_public_xy();
    assert_eq!(
        (key["x"].as_str(), key["y"].as_str()),
        (Some(x.as_str()), Some(y.as_str()))
    );
    assert_eq!(key["kid"], "local-1");
}

// With nothing listening on the origin's port.

async fn origin_down_direct_route_is_a_502_from_the_app(stack: Endpoints) {
    let response = get(&stack.url("/direct/page")).await;
    assert_answer(
        response,
        502,
        APP_TEXT,
        // Viceroy reports a refused connection as a generic error.
        "backend `origin` is unreachable\n",
    )
    .await;
}

/// The preflight is the app's own answer: with the origin down, it still gets its 204.
async fn a_preflight_is_answered_by_the_app_without_the_origin(stack: Endpoints) {
    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, stack.url("/api/messages"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let allowed = preflight(FRONT_END).await.expect("an answer");
    assert_eq!(allowed.status(), 204);
    assert_eq!(header(&allowed, "access-control-allow-origin"), FRONT_END);
    assert_eq!(
        header(&allowed, "access-control-allow-methods"),
        "GET, POST"
    );
    assert_eq!(header(&allowed, "access-control-max-age"), "600");
    let refused = preflight("https://evil.example").await.expect("an answer");
    assert_eq!(refused.status(), 403);
    assert_eq!(header(&refused, "access-control-allow-origin"), "(none)");
}

async fn origin_down_fanout_route_is_a_502_from_pushpin(stack: Endpoints) {
    let response = get(&stack.url("/stream/anything")).await;
    assert_answer(
        response,
        502,
        "text/plain",
        "Error while proxying to origin.\n",
    )
    .await;
}

// Keep-alives, at the shortest interval the app accepts (5 s), in interval mode.

async fn a_stream_keep_alive_is_sent_every_interval(stack: Endpoints) {
    let started = Instant::now();
    let mut stream = BodyReader::new(get(&stack.url("/keep-alive/stream")).await);
    stream.until_contains("still here\nstill here\n").await;
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        stream.text.chars().all(|c| "still here\n".contains(c)),
        "{:?}",
        stream.text
    );
}

async fn an_sse_route_opens_with_its_initial_body_and_keeps_alive_every_interval(stack: Endpoints) {
    let started = Instant::now();
    let mut events = BodyReader::new(get(&stack.url("/keep-alive/sse")).await);
    events
        .until_contains(": still here\n\n: still here\n\n")
        .await;
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        events.text,
        "retry: 3000\n\n: still here\n\n: still here\n\n"
    );
}

async fn a_websocket_keep_alive_message_is_sent_every_interval(stack: Endpoints) {
    let started = Instant::now();
    let mut socket = connect(&stack.ws_url("/keep-alive/websocket")).await;
    for _ in 0..2 {
        assert_eq!(next_message(&mut socket).await, Message::text("still here"));
    }
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

// Reliable delivery, through the demo origin's publish (ids 1, 2, ...) and history.

/// Publishes `message` to `channel` through the demo origin, which numbers it and records
/// it; with `lost`, it is recorded only, as if the publish never reached Fanout.
async fn publish_numbered(stack: &Endpoints, channel: &str, message: &str, lost: bool) {
    let body = serde_json::json!({ "channel": channel, "message": message, "publish": !lost });
    let response = client()
        .post(format!("{}/publish", stack.origin))
        .body(body.to_string())
        .send()
        .await
        .expect("the demo origin answers");
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

/// Makes Fanout follow the next link of every client of `channel` (a `hint`), for a
/// client whose subscription may not have been in place for a publish.
async fn hint(stack: &Endpoints, channel: &str) {
    let publisher = Publisher::new(&client(), &stack.publish);
    publisher
        .publish(
            channel,
            serde_json::json!({ "http-stream": { "action": "hint" } }),
        )
        .await;
}

/// `/feed` with `Accept: text/event-stream` goes through Fanout, rewritten to the origin's
/// `/stream/feed`, which holds it on channel `feed`; without it, straight to the origin.
async fn on_one_path_sse_goes_through_fanout_and_the_rest_direct(stack: Endpoints) {
    let plain = origin_record(get(&stack.url("/feed/today")).await).await;
    assert_eq!(
        (plain.path.as_str(), plain.grip_sig),
        ("/feed/today", false)
    );
    let sse = client()
        .get(stack.url("/feed"))
        .header("Accept", "application/json;q=0.5, text/event-stream")
        .send()
        .await
        .expect("the app answers");
    assert_eq!(sse.status(), 200);
    let mut stream = BodyReader::new(sse);
    stream.until_contains("stream open on channel feed\n").await;
    let publisher = Publisher::new(&client(), &stack.publish);
    publisher
        .publish_until(
            "feed",
            http_stream("fresh news\n"),
            stream.until_contains("fresh news\n"),
        )
        .await;
}

/// Reads `events` until it holds `data: <last>`, hinting while it does not.
async fn until_event(stack: &Endpoints, channel: &str, events: &mut BodyReader, last: &str) {
    let needle = format!("data: {last}\n");
    loop {
        let read = tokio::time::timeout(Duration::from_secs(2), events.until_contains(&needle));
        if read.await.is_ok() {
            return;
        }
        hint(stack, channel).await;
    }
}

fn data_of(text: &str) -> Vec<String> {
    sse::events(text)
        .into_iter()
        .map(|event| event.data)
        .collect()
}

fn last_event_id(text: &str) -> String {
    let mut ids = text.lines().filter_map(|line| line.strip_prefix("id: "));
    ids.next_back().expect("an event with an id").to_owned()
}

async fn open_feed(stack: &Endpoints, feed: &str, last_id: &str) -> BodyReader {
    let response = client()
        .get(stack.url(&format!("/feeds/{feed}/events")))
        .header("Last-Event-ID", last_id)
        .send()
        .await
        .expect("the app answers");
    assert_eq!(response.status(), 200);
    BodyReader::new(response)
}

fn feed_name(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

async fn a_reconnecting_sse_client_receives_exactly_what_it_missed(stack: Endpoints) {
    let feed = feed_name("reconnect");
    let channel = format!("feed-{feed}");
    let mut events = open_feed(&stack, &feed, "0").await;
    publish_numbered(&stack, &channel, "one", false).await;
    until_event(&stack, &channel, &mut events, "one").await;
    let seen = last_event_id(&events.text);
    drop(events); // the client goes away
    publish_numbered(&stack, &channel, "two", false).await;
    publish_numbered(&stack, &channel, "three", false).await;
    let mut events = open_feed(&stack, &feed, &seen).await;
    until_event(&stack, &channel, &mut events, "three").await;
    publish_numbered(&stack, &channel, "four", false).await;
    until_event(&stack, &channel, &mut events, "four").await;
    // Room for a duplicate to arrive.
    let _ = tokio::time::timeout(Duration::from_millis(700), events.until_contains("\0")).await;
    assert_eq!(
        data_of(&events.text),
        ["two", "three", "four"],
        "{:?}",
        events.text
    );
}

async fn a_publish_lost_on_the_way_is_fetched_from_the_history(stack: Endpoints) {
    let feed = feed_name("lost");
    let channel = format!("feed-{feed}");
    let mut events = open_feed(&stack, &feed, "0").await;
    publish_numbered(&stack, &channel, "one", false).await;
    until_event(&stack, &channel, &mut events, "one").await;
    publish_numbered(&stack, &channel, "two", true).await;
    // Three's prev-id is 2, which the connection has not seen: Fanout follows the link.
    publish_numbered(&stack, &channel, "three", false).await;
    until_event(&stack, &channel, &mut events, "three").await;
    let _ = tokio::time::timeout(Duration::from_millis(700), events.until_contains("\0")).await;
    assert_eq!(
        data_of(&events.text),
        ["one", "two", "three"],
        "{:?}",
        events.text
    );
}

/// The `Host` header selects the routes of admin.example.test (in any case, with a port),
/// whose prefix is rewritten and whose backend gets `X-Env` and no `Cookie`; another host
/// has no route there.
async fn a_host_of_its_own_reaches_a_rewritten_path(stack: Endpoints) {
    let response = client()
        .get(stack.url("/reports?y=2"))
        .header("Host", "Admin.Example.TEST:7676")
        .header("Cookie", "session=1")
        .header("X-Env", "spoofed")
        .send()
        .await
        .expect("the app answers");
    let record = origin_record(response).await;
    assert_eq!(record.request_line, "GET /admin/reports?y=2 HTTP/1.1");
    assert!(!record.grip_sig);
    let values = |name: &str| -> Vec<&str> {
        let found = record
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, value)| value.as_str()).collect()
    };
    assert_eq!(values("x-env"), ["edge"], "{:?}", record.headers);
    assert!(values("cookie").is_empty(), "{:?}", record.headers);
    let other = client()
        .get(stack.url("/reports"))
        .header("Host", "www.example.test")
        .send()
        .await
        .expect("the app answers");
    assert_eq!(other.status(), 404);
}
