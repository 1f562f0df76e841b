//! The chat service of examples/chat/routes.toml end to end (README, Recipes, "A chat
//! service"): the app built with those routes, on a stack with the demo origin, and real
//! clients with the tokens of the service's issuers. A member holds their own notifications
//! with their session token in the query, and no one else's; the web app's preflights are
//! answered at the edge, with credentials; a room's live WebSocket opens from the web app
//! with a room token and echoes; and the web app's files go straight to the origin.

use std::process::ExitCode;
use std::sync::Arc;

use e2e::http::{client, get, header, origin_record};
use e2e::publish::{http_stream, ws_message};
use e2e::raw::{self, WEBSOCKET_HANDSHAKE};
use e2e::shared::{self, trial};
use e2e::tokens::{member_token, room_token, user_token};
use e2e::trials;
use e2e::websocket::{connect_from, until};
use e2e::{BodyReader, Endpoints, Fixture, Publisher, Routes};
use fanout_router_stack::{Origin, Publishing};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

const CHAT_ROUTES: Routes = Routes {
    file: "examples/chat/routes.toml",
    target_dir: "target/chat-example",
};

/// The origin of the chat's web app (`[cors.web-app]`).
const WEB_APP: &str = "https://app.chat.example.com";

fn main() -> ExitCode {
    let fixture = Arc::new(Fixture::with_routes("chat", Publishing::Off, CHAT_ROUTES));
    let trials = Vec::from(trials!(
        trial,
        &fixture,
        Origin::Demo,
        [
            a_member_holds_their_own_notifications_with_the_token_in_the_query,
            a_token_for_another_member_or_another_audience_is_refused,
            the_web_app_s_preflight_for_the_api_is_answered_with_credentials,
            a_room_s_live_websocket_opens_from_the_web_app_and_echoes,
            the_web_app_s_files_go_straight_to_the_origin,
        ]
    ));
    shared::run(fixture, trials)
}

fn notifications(member: &str, token: &str) -> String {
    format!("/members/{member}/notifications?access_token={token}")
}

async fn a_member_holds_their_own_notifications_with_the_token_in_the_query(stack: Endpoints) {
    let response = client()
        .get(stack.url(&notifications("alice", &member_token("alice"))))
        .header("Origin", WEB_APP)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "text/event-stream");
    assert_eq!(header(&response, "access-control-allow-origin"), WEB_APP);
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        "true"
    );
    let mut events = BodyReader::new(response);
    let event = "event: mention\ndata: alice, you were mentioned in #lobby\n\n";
    Publisher::new(&client(), &stack.publish)
        .publish_until(
            "member-alice",
            http_stream(event),
            events.until_contains(event),
        )
        .await;
}

async fn a_token_for_another_member_or_another_audience_is_refused(stack: Endpoints) {
    let cases = [
        // Bob's valid session token does not hold alice's notifications.
        (member_token("bob"), 403, r#"error="insufficient_scope""#),
        // A token of the same issuer for alice, but not for the chat service.
        (
            user_token("alice", 600),
            401,
            r#"error="invalid_token", error_description="the token is not for this audience""#,
        ),
    ];
    for (token, status, error) in cases {
        let response = get(&stack.url(&notifications("alice", &token))).await;
        assert_eq!(response.status(), status, "{error}");
        let challenge = header(&response, "www-authenticate");
        assert!(
            challenge.starts_with(r#"Bearer realm="member""#) && challenge.contains(error),
            "{challenge}"
        );
        let body = response.text().await.expect("a body");
        assert!(!body.contains(&token), "the token is echoed: {body}");
    }
}

async fn the_web_app_s_preflight_for_the_api_is_answered_with_credentials(stack: Endpoints) {
    let response = client()
        .request(
            reqwest::Method::OPTIONS,
            stack.url("/api/rooms/lobby/messages"),
        )
        .header("Origin", WEB_APP)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 204);
    for (name, value) in [
        ("access-control-allow-origin", WEB_APP),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "GET, POST, PUT, DELETE"),
        (
            "access-control-allow-headers",
            "authorization, content-type, last-event-id",
        ),
        ("access-control-max-age", "600"),
    ] {
        assert_eq!(header(&response, name), value, "{name}");
    }
}

async fn a_room_s_live_websocket_opens_from_the_web_app_and_echoes(stack: Endpoints) {
    let live = format!(
        "/rooms/lobby/live?token={}",
        room_token(&["room-lobby-live"])
    );
    let mut socket = connect_from(&stack.ws_url(&live), WEB_APP).await;
    let typing = Message::text("alice is typing");
    socket
        .send(typing.clone())
        .await
        .expect("the socket takes it");
    until(&mut socket, typing).await;
    let presence = "bob joined";
    Publisher::new(&client(), &stack.publish)
        .publish_until(
            "room-lobby-live",
            ws_message(presence),
            until(&mut socket, Message::text(presence)),
        )
        .await;

    // Another site's page, with the same token, is refused before the upgrade.
    let mut handshake: Vec<&[u8]> = WEBSOCKET_HANDSHAKE.to_vec();
    handshake.push(b"Origin: https://elsewhere.example");
    let refused = raw::request(&stack.app, "GET", live.as_bytes(), &handshake).await;
    assert_eq!(refused.status, 403, "{}", refused.head);
}

async fn the_web_app_s_files_go_straight_to_the_origin(stack: Endpoints) {
    let record = origin_record(get(&stack.url("/app/main.js")).await).await;
    assert_eq!(record.method, "GET");
    assert_eq!(record.path, "/app/main.js");
    assert!(
        !record.grip_sig,
        "the request went through Fanout: {record:?}"
    );
}
