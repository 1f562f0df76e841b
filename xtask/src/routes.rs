//! `cargo xtask routes [METHOD PATH]`: the route table in precedence order, or which route
//! handles one request and why.
//!
//! The answer comes from the lookup the app runs: the committed generated/routes.rs is
//! compiled in here, after checking that it is what routes.toml generates. The validated
//! table gives each route's line in routes.toml (the generated `ROUTES[i]` is the table's
//! route `i`) and the routes the winner beat, to name the rule that decided.

use std::fmt::Write;

use fanout_router_codegen::model::{Pattern, RouteDef, Table};
use fanout_router_codegen::precedence;
use fanout_router_core::channel::{Channel, Piece};
use fanout_router_core::method::Methods;
use fanout_router_core::route::{Action, Match, Mode, Route};

use crate::codegen;

// Generated code is linted where the app compiles it (src/routes.rs); this tool reads
// only its routes and lookup.
#[allow(dead_code, clippy::all)]
mod generated {
    include!("../../generated/routes.rs");
}

pub const USAGE: &str = "  routes [METHOD PATH]
                      list the routes in precedence order, or say which one handles
                      METHOD PATH and why";

/// A generated route table and its lookup.
struct Generated {
    /// In the order of the validated table's routes.
    routes: &'static [&'static Route],
    lookup: for<'p> fn(&str, &'p str) -> Option<Match<'p>>,
}

const GENERATED: Generated = Generated {
    routes: &generated::ROUTES,
    lookup: generated::lookup,
};

impl Generated {
    /// The validated route that `route`, one of `routes`, was generated from.
    fn def<'t>(&self, table: &'t Table, route: &Route) -> Option<&'t RouteDef> {
        let index = self.routes.iter().position(|r| std::ptr::eq(*r, route))?;
        table.routes.get(index)
    }
}

pub fn run(args: &[&str]) -> Result<(), String> {
    codegen::run(codegen::Mode::Check)?;
    let table = codegen::table()?;
    match args {
        [] => print!("{}", list(&GENERATED, &table)),
        [method, target] => print!("{}", explain(&GENERATED, &table, method, target)?),
        _ => return Err(format!("usage:\n{USAGE}")),
    }
    Ok(())
}

/// One line per route, in the order the lookup tries them.
fn list(generated: &Generated, table: &Table) -> String {
    let mut rows = vec![
        [
            "pattern", "methods", "action", "backend", "mode", "channels", "line",
        ]
        .map(String::from),
    ];
    for (route, def) in generated.routes.iter().zip(&table.routes) {
        let (action, backend, mode) = match &route.action {
            Action::Fanout { backend } => ("fanout", *backend, "-"),
            Action::Direct { backend } => ("direct", *backend, "-"),
            Action::Answer(mode) => ("answer", "self", mode.name()),
        };
        let channels: Vec<String> = route.channels.iter().map(|c| template(route, c)).collect();
        rows.push([
            format!("{} {}", route.kind.key(), route.pattern),
            methods(route.methods),
            action.to_owned(),
            backend.to_owned(),
            mode.to_owned(),
            if channels.is_empty() {
                "-".to_owned()
            } else {
                channels.join(", ")
            },
            format!("routes.toml:{}", def.line),
        ]);
    }
    let mut widths = [0; 7];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end()).unwrap();
    }
    out
}

/// Which route handles `method target`, what it does with the request, and which other
/// matching routes it beat by which rule.
fn explain(
    generated: &Generated,
    table: &Table,
    method: &str,
    target: &str,
) -> Result<String, String> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !path.starts_with('/') {
        return Err(format!(
            "`{target}` is not a request path: a path starts with `/`"
        ));
    }
    let mut out = format!("{method} {path}\n");
    if !query.is_empty() {
        writeln!(
            out,
            "  (the query `?{query}` is ignored: routes match the path only)"
        )
        .unwrap();
    }
    let requested = Methods::of(method);
    let on_path: Vec<&RouteDef> = table
        .routes
        .iter()
        .filter(|r| precedence::matches(&r.pattern, path))
        .collect();
    let Some(matched) = (generated.lookup)(method, path) else {
        out.push_str("\nno route matches: the app answers 404 \"no route matches this request\"\n");
        write_other_methods(&mut out, &on_path, requested);
        return Ok(out);
    };
    let route = matched.route;
    let winner = generated
        .def(table, route)
        .filter(|def| on_path.iter().any(|r| std::ptr::eq(*r, *def)));
    let Some(winner) = winner else {
        return Err(format!(
            "generated/routes.rs chose {} {:?}, which routes.toml does not match to {path}: \
             the generator is wrong",
            route.kind.key(),
            route.pattern
        ));
    };
    writeln!(
        out,
        "\nhandled by routes.toml:{}  {}",
        winner.line,
        written(winner)
    )
    .unwrap();
    writeln!(out, "  {}", action(&route.action)).unwrap();
    for (name, index) in route.params.iter().zip(0..) {
        writeln!(out, "  {{{name}}} = {:?}", matched.captures.get(index)).unwrap();
    }
    write_channels(&mut out, &matched);
    let beaten: Vec<&&RouteDef> = on_path
        .iter()
        .filter(|r| !std::ptr::eq(**r, winner) && r.methods.intersects(requested))
        .collect();
    if !beaten.is_empty() {
        out.push_str("\nit beat:\n");
        for other in beaten {
            let rule = precedence::deciding_rule(winner, other).ok_or_else(|| {
                format!(
                    "no precedence rule ranks line {} above line {}: generated/routes.rs \
                     disagrees with the rules",
                    winner.line, other.line
                )
            })?;
            writeln!(
                out,
                "  routes.toml:{}  {}\n    {rule}",
                other.line,
                written(other)
            )
            .unwrap();
        }
    }
    write_other_methods(&mut out, &on_path, requested);
    Ok(out)
}

fn write_channels(out: &mut String, matched: &Match) {
    let channels = matched.route.channels;
    if channels.is_empty() {
        return;
    }
    let names: Result<Vec<String>, _> = channels.iter().map(|c| c.render(matched)).collect();
    match names {
        Ok(names) => writeln!(out, "  channels: {}", names.join(", ")).unwrap(),
        // The handler's answer, word for word.
        Err(e) => writeln!(out, "  the app answers 400 \"{e}\"").unwrap(),
    }
}

/// Routes whose pattern matches but whose method list leaves this method out.
fn write_other_methods(out: &mut String, on_path: &[&RouteDef], requested: Methods) {
    let skipped: Vec<&&RouteDef> = on_path
        .iter()
        .filter(|r| !r.methods.intersects(requested))
        .collect();
    if skipped.is_empty() {
        return;
    }
    out.push_str("\nnot for this method:\n");
    for route in skipped {
        writeln!(out, "  routes.toml:{}  {}", route.line, written(route)).unwrap();
    }
}

/// A route as written in routes.toml: `prefix = "/rooms", methods = ["GET"]`.
fn written(route: &RouteDef) -> String {
    let Pattern { kind, text, .. } = &route.pattern;
    let mut out = format!("{} = {text:?}", kind.key());
    if !route.methods.is_any() {
        let names: Vec<String> = route.methods.names().map(|n| format!("{n:?}")).collect();
        write!(out, ", methods = [{}]", names.join(", ")).unwrap();
    }
    out
}

fn action(action: &Action) -> String {
    match action {
        Action::Fanout { backend } => {
            format!(
                "fanout = {backend:?}: handed to Fanout, which forwards it to backend `{backend}`"
            )
        }
        Action::Direct { backend } => {
            format!("direct = {backend:?}: sent straight to backend `{backend}`, bypassing Fanout")
        }
        Action::Answer(mode) => format!(
            "answer = {:?}: handed to Fanout, which sends it back to the app (backend `self`) \
             to hold open as {}",
            mode.name(),
            held(mode)
        ),
    }
}

fn held(mode: &Mode) -> String {
    match mode {
        Mode::Stream { content_type, .. } => format!("an HTTP stream of {content_type}"),
        Mode::Sse { keep_alive_secs } => {
            format!("a server-sent events stream, with a keep-alive every {keep_alive_secs} s")
        }
        Mode::LongPoll {
            timeout_secs,
            on_timeout,
        } => format!(
            "a long-poll until a publish, or for {timeout_secs} s and then answered {}",
            on_timeout.status
        ),
        Mode::WsEcho => "a WebSocket (over HTTP) that echoes messages".to_owned(),
    }
}

fn methods(methods: Methods) -> String {
    if methods.is_any() {
        "any".to_owned()
    } else {
        methods.names().collect::<Vec<_>>().join(", ")
    }
}

/// A channel as written in routes.toml: `room-{room}`.
fn template(route: &Route, channel: &Channel) -> String {
    channel
        .0
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => (*text).to_owned(),
            Piece::Param(index) => format!("{{{}}}", route.params[*index]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanout_router_codegen::{Input, Source};

    #[allow(dead_code, clippy::all)]
    mod test_routes {
        include!(concat!(env!("OUT_DIR"), "/test_routes.rs"));
    }

    const TEST_ROUTES: Generated = Generated {
        routes: &test_routes::ROUTES,
        lookup: test_routes::lookup,
    };

    fn table_of(name: &str, routes: &str) -> Table {
        let input = Input {
            routes: Source::new(name, routes),
            fastly: Source::new("fastly.toml", include_str!("../../fastly.toml")),
        };
        input.table().unwrap_or_else(|_| panic!("{name} is valid"))
    }

    fn default_table() -> Table {
        table_of("routes.toml", include_str!("../../routes.toml"))
    }

    fn test_table() -> Table {
        table_of("tests/routes.toml", include_str!("../tests/routes.toml"))
    }

    #[track_caller]
    fn assert_has(text: &str, part: &str) {
        assert!(text.contains(part), "{part:?} is not in:\n{text}");
    }

    fn explained(method: &str, target: &str) -> String {
        explain(&TEST_ROUTES, &test_table(), method, target).unwrap()
    }

    #[test]
    fn lists_the_default_routes_in_precedence_order() {
        assert_eq!(
            list(&GENERATED, &default_table()),
            "\
pattern               methods  action  backend  mode       channels  line
path /test/stream     any      answer  self     stream     test      routes.toml:10
path /test/sse        any      answer  self     sse        test      routes.toml:15
path /test/long-poll  any      answer  self     long-poll  test      routes.toml:20
path /test/websocket  any      answer  self     ws-echo    test      routes.toml:25
prefix /              any      fanout  origin   -          -         routes.toml:40
"
        );
    }

    #[test]
    fn lists_methods_and_channel_templates() {
        assert_eq!(
            list(&TEST_ROUTES, &test_table()),
            "\
pattern                    methods    action  backend  mode    channels     line
path /rooms/lobby/events   any        answer  self     stream  lobby        routes.toml:9
path /rooms/{room}/events  any        answer  self     sse     room-{room}  routes.toml:4
prefix /rooms/{room}       any        fanout  origin   -       -            routes.toml:14
prefix /static             GET        direct  origin   -       -            routes.toml:27
prefix /rooms              GET, HEAD  fanout  origin   -       -            routes.toml:18
prefix /rooms              any        direct  origin   -       -            routes.toml:23
"
        );
    }

    #[test]
    fn a_literal_beats_a_parameter_and_a_path_beats_every_prefix() {
        assert_eq!(
            explained("GET", "/rooms/lobby/events"),
            r#"GET /rooms/lobby/events

handled by routes.toml:9  path = "/rooms/lobby/events"
  answer = "stream": handed to Fanout, which sends it back to the app (backend `self`) to hold open as an HTTP stream of text/plain
  channels: lobby

it beat:
  routes.toml:4  path = "/rooms/{room}/events"
    a literal segment beats a parameter: segment 2 is `lobby` here, `{room}` there
  routes.toml:14  prefix = "/rooms/{room}"
    a `path` route beats any `prefix` route
  routes.toml:18  prefix = "/rooms", methods = ["GET", "HEAD"]
    a `path` route beats any `prefix` route
  routes.toml:23  prefix = "/rooms"
    a `path` route beats any `prefix` route
"#
        );
    }

    #[test]
    fn shows_captures_and_the_channels_they_name() {
        let text = explained("GET", "/rooms/42/events");
        assert_has(
            &text,
            "handled by routes.toml:4  path = \"/rooms/{room}/events\"",
        );
        assert_has(&text, "  {room} = \"42\"\n  channels: room-42\n");
    }

    #[test]
    fn a_capture_that_cannot_name_a_channel_gets_the_handlers_400() {
        let text = explained("GET", "/rooms/a,b/events");
        assert_has(
            &text,
            "  the app answers 400 \"path parameter `room` holds `,` or `;`, which a \
                 channel name cannot carry\"\n",
        );
    }

    #[test]
    fn the_longer_prefix_wins() {
        let text = explained("GET", "/rooms/42/history");
        assert_has(
            &text,
            "handled by routes.toml:14  prefix = \"/rooms/{room}\"",
        );
        assert_has(&text, "  {room} = \"42\"\n");
        assert_has(&text, "    the longer prefix wins (2 segments against 1)\n");
    }

    #[test]
    fn a_listed_method_beats_a_route_without_methods() {
        let text = explained("GET", "/rooms");
        assert_has(
            &text,
            "handled by routes.toml:18  prefix = \"/rooms\", methods",
        );
        assert_has(
            &text,
            "  routes.toml:23  prefix = \"/rooms\"\n    on the same pattern, a route that \
                 lists the method beats one without `methods`\n",
        );
    }

    #[test]
    fn a_route_without_the_method_is_set_aside() {
        let text = explained("POST", "/rooms");
        assert_has(&text, "handled by routes.toml:23  prefix = \"/rooms\"\n");
        assert!(
            text.ends_with(
                "\nnot for this method:\n  routes.toml:18  prefix = \"/rooms\", methods = \
                 [\"GET\", \"HEAD\"]\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn no_match_is_the_handlers_404() {
        let text = explained("POST", "/static/app.js?v=2");
        assert_eq!(
            text,
            r#"POST /static/app.js
  (the query `?v=2` is ignored: routes match the path only)

no route matches: the app answers 404 "no route matches this request"

not for this method:
  routes.toml:27  prefix = "/static", methods = ["GET"]
"#
        );
    }

    #[test]
    fn follows_the_path_policy() {
        let handler = |target: &str| {
            let text = explained("GET", target);
            let line = text
                .lines()
                .find(|l| l.starts_with("handled by") || l.starts_with("no route"));
            line.unwrap_or_default().to_owned()
        };
        // A trailing slash: not the exact path, but below the prefix.
        assert_eq!(
            handler("/rooms/42/events/"),
            "handled by routes.toml:14  prefix = \"/rooms/{room}\""
        );
        // An empty segment matches no parameter.
        assert_eq!(
            handler("/rooms//events"),
            "handled by routes.toml:18  prefix = \"/rooms\", methods = [\"GET\", \"HEAD\"]"
        );
        // Prefixes end on a segment boundary, and matching is case-sensitive.
        for target in ["/roomsx", "/Rooms"] {
            assert!(handler(target).starts_with("no route matches"), "{target}");
        }
        // `%2F` is not decoded: it stays inside one segment and one channel name.
        assert_has(
            &explained("GET", "/rooms/a%2Fb/events"),
            "  channels: room-a%2Fb\n",
        );
    }

    #[test]
    fn a_target_that_is_not_a_path_is_refused() {
        let err = explain(&TEST_ROUTES, &test_table(), "GET", "rooms").unwrap_err();
        assert!(err.contains("a path starts with `/`"), "{err}");
    }

    #[test]
    fn explains_with_the_default_routes() {
        let text = explain(&GENERATED, &default_table(), "GET", "/test/sse").unwrap();
        assert_has(&text, "handled by routes.toml:15  path = \"/test/sse\"");
        assert_has(
            &text,
            "routes.toml:40  prefix = \"/\"\n    a `path` route beats",
        );
    }
}
