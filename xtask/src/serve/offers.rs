//! What a routes file offers on the local stack, from its validated table: for each route
//! the app answers, a request that opens it and a publish that reaches it, with an example
//! value for each parameter; a line for each route to a backend.

use std::fmt::Write;

use fanout_router_codegen::model::{ActionDef, ModeDef, Piece, RouteDef, Table};
use fanout_router_core::route::PatternKind;

/// Where the local stack is reached, and how.
pub struct Local<'a> {
    /// The app's base URL, `http://127.0.0.1:PORT`.
    pub app: &'a str,
    /// The command that publishes to this stack, channel and message to follow.
    pub publish: &'a str,
    /// Whether `websocat` is on the PATH, for the WebSocket routes' line.
    pub websocat: bool,
}

/// The message the publish lines send.
const MESSAGE: &str = "hello";

/// Every route of `table`, in precedence order, with what to run to try it.
pub fn describe(table: &Table, local: &Local) -> String {
    let mut out = String::new();
    for route in &table.routes {
        let pattern = match route.pattern.kind {
            PatternKind::Exact => route.pattern.text.clone(),
            PatternKind::Prefix => format!("{} and below", route.pattern.text),
        };
        let methods = if route.methods.is_any() {
            String::new()
        } else {
            format!("{} ", route.methods.names().collect::<Vec<_>>().join(","))
        };
        let when = if route.when.is_none() {
            String::new()
        } else {
            format!(" ({})", route.when.describe())
        };
        let hosts = if route.hosts.is_empty() {
            String::new()
        } else {
            format!(" on {}", route.hosts.join(", "))
        };
        let (what, mode) = match &route.action {
            ActionDef::Fanout(backend) => (format!("through Fanout to backend {backend}"), None),
            ActionDef::Direct(backend) => (format!("straight to backend {backend}"), None),
            ActionDef::Answer(mode) => {
                let channels: Vec<String> = route
                    .channels
                    .iter()
                    .map(|channel| channel_example(route, channel, "{", "}"))
                    .collect();
                let what = format!("{} on {}", mode_name(mode), channels.join(", "));
                (what, Some(mode))
            }
        };
        writeln!(out, "  {methods}{pattern}{hosts}{when}: {what}").unwrap();
        let Some(mode) = mode else { continue };
        writeln!(out, "      {}", request(route, mode, local)).unwrap();
        if let Some(auth) = &route.auth {
            writeln!(
                out,
                "      (with a token that [auth.{}] accepts)",
                auth.policy
            )
            .unwrap();
        }
        // SSE clients need the stream format as an event.
        let sse = if let ModeDef::Sse { .. } = mode {
            " --sse"
        } else {
            ""
        };
        for channel in &route.channels {
            let channel = channel_example(route, channel, "", "1");
            writeln!(out, "      {}{sse} {channel} {MESSAGE}", local.publish).unwrap();
        }
    }
    out
}

fn mode_name(mode: &ModeDef) -> &'static str {
    match mode {
        ModeDef::Stream { .. } => "stream",
        ModeDef::Sse { .. } => "sse",
        ModeDef::LongPoll { .. } => "long-poll",
        ModeDef::WsEcho { .. } => "ws-echo",
    }
}

/// The parameter named `name`, written `{before}name{after}`: `{room}` as a template,
/// `room1` as an example value.
fn param(name: &str, before: &str, after: &str) -> String {
    format!("{before}{name}{after}")
}

/// A channel of `route` with each parameter written by [`param`].
fn channel_example(route: &RouteDef, channel: &[Piece], before: &str, after: &str) -> String {
    let params: Vec<&str> = route.pattern.params().collect();
    channel
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.clone(),
            Piece::Param(index) => param(params[*index], before, after),
        })
        .collect()
}

/// A command that opens the route: curl for HTTP, a WebSocket client for ws-echo; with the
/// method, host, headers and query parameters the route asks for.
fn request(route: &RouteDef, mode: &ModeDef, local: &Local) -> String {
    let mut path = route.pattern.text.clone();
    for name in route.pattern.params() {
        path = path.replace(&param(name, "{", "}"), &param(name, "", "1"));
    }
    if !route.when.query.is_empty() {
        path = format!("{path}?{}", route.when.query.join("&"));
    }
    let mut headers: Vec<String> = Vec::new();
    if let Some(host) = route.hosts.first() {
        headers.push(format!("Host: {}", host.replacen('*', "www", 1)));
    }
    if let Some(accept) = &route.when.accept {
        headers.push(format!("Accept: {accept}"));
    }
    for (name, value) in &route.when.headers {
        headers.push(format!("{name}: {}", value.as_deref().unwrap_or("1")));
    }
    let headers: String = headers.iter().map(|h| format!(" -H '{h}'")).collect();
    if let ModeDef::WsEcho { .. } = mode {
        let url = format!("{}{path}", local.app.replacen("http://", "ws://", 1));
        return if local.websocat {
            format!("websocat{headers} {url}")
        } else {
            format!("a WebSocket client{headers} on {url} (websocat is not installed)")
        };
    }
    let method = match route.methods.names().next() {
        Some(first) if !route.methods.names().any(|m| m == "GET") => format!(" -X {first}"),
        _ => String::new(),
    };
    let no_buffer = if let ModeDef::LongPoll { .. } = mode {
        ""
    } else {
        " -N"
    };
    format!("curl{no_buffer}{method}{headers} {}{path}", local.app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanout_router_codegen::{Input, Source};

    fn described(routes: &str, websocat: bool) -> String {
        let input = Input {
            routes: Source::new("routes.toml", routes),
            fastly: Source::new("fastly.toml", include_str!("../../../fastly.toml")),
        };
        let table = input.table().unwrap_or_else(|_| panic!("valid routes"));
        let local = Local {
            app: "http://127.0.0.1:7676",
            publish: "cargo xtask publish",
            websocat,
        };
        describe(&table, &local)
    }

    #[test]
    fn the_default_routes_each_get_a_request_and_a_publish() {
        let text = described(include_str!("../../../routes.toml"), true);
        assert_eq!(
            text,
            "  /test/stream: stream on test
      curl -N http://127.0.0.1:7676/test/stream
      cargo xtask publish test hello
  /test/sse: sse on test
      curl -N http://127.0.0.1:7676/test/sse
      cargo xtask publish --sse test hello
  /test/long-poll: long-poll on test
      curl http://127.0.0.1:7676/test/long-poll
      cargo xtask publish test hello
  /test/websocket: ws-echo on test
      websocat ws://127.0.0.1:7676/test/websocket
      cargo xtask publish test hello
  / and below: through Fanout to backend origin
"
        );
    }

    #[test]
    fn templated_channels_get_an_example_value_and_conditions_their_headers() {
        let routes = r#"
[[route]]
path = "/rooms/{room}/events"
methods = ["POST"]
hosts = ["*.example.com"]
accept = "text/event-stream"
headers = { "x-live" = true }
answer = "sse"
channels = ["room:{room}", "all"]

[[route]]
path = "/rooms/{room}/ws"
answer = "ws-echo"
channels = ["room:{room}"]

[[route]]
prefix = "/assets"
direct = "origin"
"#;
        assert_eq!(
            described(routes, false),
            "  POST /rooms/{room}/events on *.example.com (accept = \"text/event-stream\", header x-live present): sse on room:{room}, all
      curl -N -X POST -H 'Host: www.example.com' -H 'Accept: text/event-stream' -H 'x-live: 1' http://127.0.0.1:7676/rooms/room1/events
      cargo xtask publish --sse room:room1 hello
      cargo xtask publish --sse all hello
  /rooms/{room}/ws: ws-echo on room:{room}
      a WebSocket client on ws://127.0.0.1:7676/rooms/room1/ws (websocat is not installed)
      cargo xtask publish room:room1 hello
  /assets and below: straight to backend origin
"
        );
    }
}
