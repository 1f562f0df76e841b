//! Hello world for the end-to-end benchmark: for each route of bench/e2e/routes.toml, the
//! least a Compute app can do to give the same kind of answer, with no routing table and no
//! Grip-Sig check. The answers are fixed: the GRIP headers the app's answer modes set on
//! channel `test`, and a WebSocket-over-HTTP body echoed as it came.

use fastly::{Request, Response};

fn main() {
    let mut req = Request::from_client();
    let answer = match req.get_path() {
        "/test/stream" => Response::new()
            .with_header("Content-Type", "text/plain")
            .with_header("Grip-Hold", "stream")
            .with_header("Grip-Channel", "test"),
        "/test/sse" => Response::new()
            .with_header("Content-Type", "text/event-stream")
            .with_header("Cache-Control", "no-cache")
            .with_header("Grip-Hold", "stream")
            .with_header("Grip-Channel", "test")
            .with_header("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=20"),
        "/test/long-poll" => Response::new()
            .with_header("Content-Type", "text/plain")
            .with_header("Grip-Hold", "response")
            .with_header("Grip-Channel", "test")
            .with_header("Grip-Timeout", "55"),
        "/test/websocket" => Response::from_body(req.take_body_bytes())
            .with_header("Content-Type", "application/websocket-events")
            .with_header("Sec-WebSocket-Extensions", "grip"),
        path if path.starts_with("/fanout") => match req.handoff_fanout("origin") {
            Ok(()) => return,
            // Viceroy without Pushpin refuses the handoff, as it does the app's.
            Err(e) => Response::from_status(503).with_body(format!("{e}\n")),
        },
        _ => match req.send("origin") {
            Ok(response) => response,
            Err(e) => Response::from_status(502).with_body(format!("{e}\n")),
        },
    };
    answer.send_to_client();
}
