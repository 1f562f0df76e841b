//! `cargo xtask routes`: the route table in precedence order, which route handles one
//! request and why, the route tests (`--test`) and the routing change since a commit
//! (`--diff`).
//!
//! Answers come from the lookup the app runs: the committed generated/routes.rs, compiled
//! in here, while it is what the routes file generates; otherwise the reference lookup of
//! the working tree's file (see [`routing`]). The validated table gives each route's line
//! (the generated `ROUTES[i]` is the table's route `i`) and the routes the winner beat, to
//! name the rule that decided.

mod cases;
mod diff;
mod routing;

use std::fmt::Write;
use std::path::{Path, PathBuf};

use fanout_router_codegen::model::{RouteDef, Table};
use fanout_router_codegen::precedence;
use fanout_router_codegen::{Input, Source};
use fanout_router_core::channel::{Channel, Piece};
use fanout_router_core::decision::Headers;
use fanout_router_core::method::Methods;
use fanout_router_core::path::normalise_host;
use fanout_router_core::route::{
    Action, KeepAlive, KeepAliveMode, Match, Mode, Reliable, RequestKey, Route,
};
use fanout_router_stack::paths::repo_root;

use crate::codegen;
use routing::{Compiled, Routing, written};

// Generated code is linted where the app compiles it (src/routes.rs); this tool reads
// only its routes and lookup.
#[allow(dead_code, clippy::all)]
mod generated {
    include!("../../generated/routes.rs");
}

#[allow(dead_code, clippy::all)]
mod e2e_generated {
    include!(concat!(env!("OUT_DIR"), "/e2e_routes.rs"));
}

pub const USAGE: &str = "  routes [--routes FILE] [METHOD PATH|URL [-H 'NAME: VALUE']...]
                      list the routes in precedence order, or say which one handles
                      METHOD PATH (or an absolute URL, whose host routes select on, and
                      headers given with -H) and why; FILE defaults to routes.toml
  routes [--routes FILE] --test [TESTS] [--fail-under PERCENT]
                      run the route tests of TESTS (default: FILE's .test.toml beside it)
                      and report the routes no case exercises; fail below PERCENT coverage
  routes [--routes FILE] --diff [REV] [--markdown]
                      the routing change from FILE at git revision REV (default HEAD) to
                      the working tree, and the requests it handles differently";

/// The lookup compiled from the committed generated/routes.rs.
const GENERATED: Compiled = Compiled {
    text: include_str!("../../generated/routes.rs"),
    routes: &generated::ROUTES,
    lookup: generated::lookup,
};

/// The lookups compiled into this tool: the app's, and the one the end-to-end tests build
/// the app with (xtask/build.rs).
const COMPILED: [&Compiled; 2] = [
    &GENERATED,
    &Compiled {
        text: include_str!(concat!(env!("OUT_DIR"), "/e2e_routes.rs")),
        routes: &e2e_generated::ROUTES,
        lookup: e2e_generated::lookup,
    },
];

/// The routes file the app builds by default, relative to the repository root.
const DEFAULT_ROUTES: &str = "routes.toml";

/// What the command line asks for.
#[derive(Debug, Default, PartialEq)]
struct Args<'a> {
    routes: Option<&'a str>,
    /// `Some(None)`: `--test` without a file.
    test: Option<Option<&'a str>>,
    fail_under: Option<f64>,
    diff: Option<Option<&'a str>>,
    markdown: bool,
    request: Vec<&'a str>,
    /// `-H 'Name: value'`, as given.
    headers: Vec<&'a str>,
}

fn parse_args<'a>(args: &[&'a str]) -> Result<Args<'a>, String> {
    let mut parsed = Args::default();
    let mut rest = args.iter().copied().peekable();
    while let Some(arg) = rest.next() {
        let mut optional = || rest.next_if(|next| !next.starts_with("--"));
        match arg {
            "--routes" => parsed.routes = Some(optional().ok_or("--routes needs a FILE")?),
            "--test" => parsed.test = Some(optional()),
            "--diff" => parsed.diff = Some(optional()),
            "--markdown" => parsed.markdown = true,
            "-H" | "--header" => parsed
                .headers
                .push(rest.next().ok_or("-H needs a header, as 'Name: value'")?),
            "--fail-under" => {
                let percent = optional().ok_or("--fail-under needs a PERCENT")?;
                let percent = percent.trim_end_matches('%').parse::<f64>();
                match percent {
                    Ok(p) if (0.0..=100.0).contains(&p) => parsed.fail_under = Some(p),
                    _ => return Err("--fail-under takes a percentage from 0 to 100".into()),
                }
            }
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\nusage:\n{USAGE}"));
            }
            word => parsed.request.push(word),
        }
    }
    let misuse = if parsed.test.is_some() && parsed.diff.is_some() {
        Some("--test and --diff are separate commands")
    } else if parsed.fail_under.is_some() && parsed.test.is_none() {
        Some("--fail-under goes with --test")
    } else if parsed.markdown && parsed.diff.is_none() {
        Some("--markdown goes with --diff")
    } else if !parsed.request.is_empty()
        && (parsed.request.len() != 2 || parsed.test.is_some() || parsed.diff.is_some())
    {
        Some("give a request as METHOD PATH, alone")
    } else {
        None
    };
    match misuse {
        Some(misuse) => Err(format!("{misuse}\nusage:\n{USAGE}")),
        None => Ok(parsed),
    }
}

pub fn run(args: &[&str]) -> Result<(), String> {
    let args = parse_args(args)?;
    // A test file names the routes file it sits beside: e2e/routes.test.toml tests
    // e2e/routes.toml.
    let beside = args.test.flatten().and_then(|tests| {
        let routes = tests.strip_suffix(".test.toml")?.to_owned() + ".toml";
        Path::new(&routes).exists().then_some(routes)
    });
    // Paths given are relative to the current directory, defaults to the repository.
    let (routes_path, routes_name) = match args.routes.map(str::to_owned).or(beside) {
        Some(given) => (PathBuf::from(&given), given),
        None => (repo_root().join(DEFAULT_ROUTES), DEFAULT_ROUTES.to_owned()),
    };
    let tests_name = args
        .test
        .flatten()
        .map_or_else(|| test_file_beside(&routes_name), str::to_owned);
    let tests_path = match args.test.flatten() {
        Some(given) => PathBuf::from(given),
        None => PathBuf::from(test_file_beside(&routes_path.to_string_lossy())),
    };
    if let Some(rev) = args.diff {
        let text = diff::run(
            &diff::Files {
                routes: &routes_path,
                routes_name: &routes_name,
                tests: &tests_path,
                tests_name: &tests_name,
            },
            rev.unwrap_or("HEAD"),
            args.markdown,
        )?;
        print!("{text}");
        return Ok(());
    }
    let routing = load(&routes_path, &routes_name)?;
    match (args.test, args.request.as_slice()) {
        (Some(_), _) => cases::run(&routing, &tests_path, &tests_name, args.fail_under),
        (None, []) => {
            print!("{}", list(&routing));
            Ok(())
        }
        (None, [method, target]) => {
            print!("{}", explain(&routing, method, target, &args.headers)?);
            Ok(())
        }
        _ => unreachable!("parse_args checks the request"),
    }
}

/// `routes.test.toml` for `routes.toml`.
fn test_file_beside(routes: &str) -> String {
    let stem = routes.strip_suffix(".toml").unwrap_or(routes);
    format!("{stem}.test.toml")
}

/// The repository's fastly.toml, whose backends every routes file names.
fn fastly_toml() -> Result<String, String> {
    let path = repo_root().join("fastly.toml");
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read fastly.toml: {e}"))
}

/// The routes file at `path`, validated, with the lookup to run it by. For the default
/// file, says when the reviewed copy lags behind it.
fn load(path: &Path, name: &str) -> Result<Routing, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let table = validated(name, &text, &fastly_toml()?)?;
    let routing = Routing::new(name, table, &COMPILED);
    let is_default = |p: &Path| std::fs::canonicalize(p).ok();
    if !routing.is_generated() && is_default(path) == is_default(&repo_root().join(DEFAULT_ROUTES))
    {
        eprintln!(
            "note: {} is stale: it is not what {name} generates now. These answers come \
             from the reference lookup of the working tree's {name}, which the agreement \
             test holds to the generated lookup. Run `cargo xtask codegen` and commit the \
             result.\n",
            codegen::GENERATED
        );
    }
    Ok(routing)
}

/// `text`, a routes file, validated against `fastly`; its errors are printed as the build
/// prints them.
pub fn validated(name: &str, text: &str, fastly: &str) -> Result<Table, String> {
    let input = Input {
        routes: Source::new(name, text),
        fastly: Source::new("fastly.toml", fastly),
    };
    input
        .table()
        .map_err(|diagnostics| codegen::report(&diagnostics, &input.sources()))
}

/// One line per route, in the order the lookup tries them.
fn list(routing: &Routing) -> String {
    let mut rows = vec![
        [
            "pattern", "hosts", "when", "methods", "action", "backend", "mode", "channels", "auth",
            "cors", "line",
        ]
        .map(String::from),
    ];
    for (route, def) in routing.routes() {
        let (action, backend, mode) = match &route.action {
            Action::Fanout { backend } => ("fanout", *backend, "-"),
            Action::Direct { backend } => ("direct", *backend, "-"),
            Action::Answer(mode) => ("answer", "self", mode.name()),
        };
        let channels: Vec<String> = route.channels.iter().map(|c| template(route, c)).collect();
        rows.push([
            format!("{} {}", route.kind.key(), route.pattern),
            if def.hosts.is_empty() {
                "any".to_owned()
            } else {
                def.hosts.join(", ")
            },
            if def.when.is_none() {
                "-".to_owned()
            } else {
                def.when.describe()
            },
            methods(route.methods),
            action.to_owned(),
            backend.to_owned(),
            mode.to_owned(),
            if channels.is_empty() {
                "-".to_owned()
            } else {
                channels.join(", ")
            },
            route.auth.map_or("-", |policy| policy.name).to_owned(),
            route.cors.map_or("-", |policy| policy.name).to_owned(),
            format!("{}:{}", routing.file, def.line),
        ]);
    }
    // The columns of hosts and conditions, only when a route has them.
    for column in [2, 1] {
        if rows[1..]
            .iter()
            .all(|row| row[column] == "any" || row[column] == "-")
        {
            for row in &mut rows {
                row[column].clear();
            }
        }
    }
    let mut widths = [0; 11];
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
            .filter(|(_, width)| *width > 0)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end()).unwrap();
    }
    out
}

/// Which route handles `method target`, what it does with the request, and which other
/// matching routes it beat by which rule.
fn explain(
    routing: &Routing,
    method: &str,
    target: &str,
    headers: &[&str],
) -> Result<String, String> {
    let (table, file) = (routing.table, routing.file);
    let request = ExplainedRequest::parse(target, headers)?;
    let (path, query) = (request.path.as_str(), request.query.as_deref());
    let header_list = HeaderPairs(&request.headers);
    let key = RequestKey {
        method,
        host: &request.host,
        path,
        query,
        headers: &header_list,
    };
    let mut out = format!("{method} {path}\n");
    let query_conditions = table.routes.iter().any(|r| !r.when.query.is_empty());
    if let Some(query) = query.filter(|q| !q.is_empty() && !query_conditions) {
        writeln!(
            out,
            "  (the query `?{query}` is ignored: no route has a `query` condition)"
        )
        .unwrap();
    }
    if !request.host.is_empty() {
        writeln!(out, "  host {}", request.host).unwrap();
    }
    let requested = Methods::of(method);
    let on_path: Vec<&RouteDef> = table
        .routes
        .iter()
        .filter(|r| precedence::matches(&r.pattern, path))
        .collect();
    let (on_path, passed_over): (Vec<&RouteDef>, Vec<&RouteDef>) =
        on_path.into_iter().partition(|r| {
            precedence::HostRank::of(r, &request.host).is_some() && precedence::meets(r, &key)
        });
    let matched = routing.find(&key);
    write_passed_over(&mut out, file, &passed_over, &request.host);
    let Some(matched) = matched else {
        out.push_str("\nno route matches: the app answers 404 \"no route matches this request\"\n");
        write_other_methods(&mut out, file, &on_path, requested);
        return Ok(out);
    };
    let route = matched.route;
    let winner = routing
        .def(route)
        .map(|(_, def)| def)
        .filter(|def| on_path.iter().any(|r| std::ptr::eq(*r, *def)));
    let Some(winner) = winner else {
        return Err(format!(
            "the lookup chose {} {:?}, which {file} does not match to {path}: the generator \
             is wrong",
            route.kind.key(),
            route.pattern
        ));
    };
    writeln!(
        out,
        "\nhandled by {file}:{}  {}",
        winner.line,
        written(winner)
    )
    .unwrap();
    writeln!(out, "  {}", action(&route.action)).unwrap();
    for (param, index) in route.params.iter().zip(0..) {
        writeln!(out, "  {{{}}} = {:?}", param.name, matched.value(index)).unwrap();
    }
    write_channels(&mut out, &matched);
    let beaten: Vec<&&RouteDef> = on_path
        .iter()
        .filter(|r| !std::ptr::eq(**r, winner) && r.methods.intersects(requested))
        .collect();
    if !beaten.is_empty() {
        out.push_str("\nit beat:\n");
        for other in beaten {
            let host = (
                precedence::HostRank::of(winner, &request.host),
                precedence::HostRank::of(other, &request.host),
            );
            if let (Some(w), Some(o)) = host
                && w != o
            {
                let rule = w
                    .explain(&o)
                    .ok_or("the host ranks disagree with the lookup")?;
                writeln!(
                    out,
                    "  {file}:{}  {}\n    {rule}",
                    other.line,
                    written(other)
                )
                .unwrap();
                continue;
            }
            let rule = precedence::deciding_rule(winner, other).ok_or_else(|| {
                format!(
                    "no precedence rule ranks line {} above line {}: the lookup disagrees \
                     with the rules",
                    winner.line, other.line
                )
            })?;
            writeln!(
                out,
                "  {file}:{}  {}\n    {rule}",
                other.line,
                written(other)
            )
            .unwrap();
        }
    }
    write_other_methods(&mut out, file, &on_path, requested);
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

/// A request as `cargo xtask routes METHOD URL -H ...` gives it: the path and query as
/// given (routes match the path the platform hands the app), the host in normal form (from `-H 'Host: ...'`, else the URL's), and the
/// headers with names in lower case.
struct ExplainedRequest {
    host: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
}

impl ExplainedRequest {
    fn parse(target: &str, headers: &[&str]) -> Result<ExplainedRequest, String> {
        let (url_host, rest) = match target
            .strip_prefix("https://")
            .or_else(|| target.strip_prefix("http://"))
        {
            Some(rest) => {
                let end = rest.find(['/', '?']).unwrap_or(rest.len());
                (Some(&rest[..end]), &rest[end..])
            }
            None => (None, target),
        };
        let rest = if rest.is_empty() { "/" } else { rest };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        if !path.starts_with('/') {
            return Err(format!(
                "`{target}` is not a request path or URL: a path starts with `/`"
            ));
        }
        let mut list = Vec::new();
        for header in headers {
            let (name, value) = header
                .split_once(':')
                .ok_or_else(|| format!("-H {header:?} is not 'Name: value'"))?;
            list.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let host = list
            .iter()
            .find(|(name, _)| name == "host")
            .map(|(_, value)| value.as_str())
            .or(url_host)
            .map(normalise_host)
            .unwrap_or_default();
        Ok(ExplainedRequest {
            host,
            path: path.to_owned(),
            query: query.map(str::to_owned),
            headers: list,
        })
    }
}

struct HeaderPairs<'a>(&'a [(String, String)]);

impl Headers for HeaderPairs<'_> {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| n == name);
        found.map(|(_, value)| value.as_bytes())
    }
}

/// Routes whose pattern matches but that the host or the request's kind rules out, and
/// why: the condition that decided.
fn write_passed_over(out: &mut String, file: &str, routes: &[&RouteDef], host: &str) {
    if routes.is_empty() {
        return;
    }
    out.push_str("\nnot for this request:\n");
    for route in routes {
        let why = if precedence::HostRank::of(route, host).is_none() {
            format!("hosts [{}] do not admit {host:?}", route.hosts.join(", "))
        } else {
            format!("its conditions ({}) do not all hold", route.when.describe())
        };
        writeln!(
            out,
            "  {file}:{}  {}\n    {why}",
            route.line,
            written(route)
        )
        .unwrap();
    }
}

/// Routes whose pattern matches but whose method list leaves this method out.
fn write_other_methods(out: &mut String, file: &str, on_path: &[&RouteDef], requested: Methods) {
    let skipped: Vec<&&RouteDef> = on_path
        .iter()
        .filter(|r| !r.methods.intersects(requested))
        .collect();
    if skipped.is_empty() {
        return;
    }
    out.push_str("\nnot for this method:\n");
    for route in skipped {
        writeln!(out, "  {file}:{}  {}", route.line, written(route)).unwrap();
    }
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
        Mode::Stream {
            content_type,
            keep_alive,
            reliable,
            ..
        } => format!(
            "an HTTP stream of {content_type}{}{}",
            keep_alive.as_ref().map_or_else(String::new, kept_alive),
            reliable.as_ref().map_or_else(String::new, resumed)
        ),
        Mode::Sse {
            keep_alive,
            reliable,
            ..
        } => format!(
            "a server-sent events stream{}{}",
            kept_alive(keep_alive),
            reliable.as_ref().map_or_else(String::new, resumed)
        ),
        Mode::LongPoll {
            timeout_secs,
            on_timeout,
        } => format!(
            "a long-poll until a publish, or for {timeout_secs} s and then answered {}",
            on_timeout.status
        ),
        Mode::WsEcho { keep_alive } => format!(
            "a WebSocket (over HTTP) that echoes messages{}",
            keep_alive.as_ref().map_or_else(String::new, kept_alive)
        ),
    }
}

/// `, with a keep-alive after 20 s idle` or `, with a keep-alive every 20 s`.
fn kept_alive(keep_alive: &KeepAlive) -> String {
    let secs = keep_alive.interval_secs;
    match keep_alive.mode {
        KeepAliveMode::Idle => format!(", with a keep-alive after {secs} s idle"),
        KeepAliveMode::Interval => format!(", with a keep-alive every {secs} s"),
    }
}

fn resumed(reliable: &Reliable) -> String {
    format!(
        ", resumed from the history at {} of backend `{}`",
        reliable.path, reliable.backend
    )
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
            Piece::Param(index) => format!("{{{}}}", route.params[*index].name),
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

    const TEST_ROUTES: Compiled = Compiled {
        text: include_str!(concat!(env!("OUT_DIR"), "/test_routes.rs")),
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

    /// The routes of tests/routes.toml by their generated lookup, named as routes.toml.
    fn test_routing() -> Routing {
        let routing = Routing::new("routes.toml", test_table(), &[&TEST_ROUTES]);
        assert!(
            routing.is_generated(),
            "tests/routes.toml generates its lookup"
        );
        routing
    }

    fn default_routing() -> Routing {
        Routing::new("routes.toml", default_table(), &[&GENERATED])
    }

    #[track_caller]
    fn assert_has(text: &str, part: &str) {
        assert!(text.contains(part), "{part:?} is not in:\n{text}");
    }

    fn explained(method: &str, target: &str) -> String {
        explain(&test_routing(), method, target, &[]).unwrap()
    }

    #[test]
    fn lists_the_default_routes_in_precedence_order() {
        assert_eq!(
            list(&default_routing()),
            "\
pattern               methods  action  backend  mode       channels  auth  cors  line
path /test/stream     any      answer  self     stream     test      -     -     routes.toml:10
path /test/sse        any      answer  self     sse        test      -     -     routes.toml:15
path /test/long-poll  any      answer  self     long-poll  test      -     -     routes.toml:20
path /test/websocket  any      answer  self     ws-echo    test      -     -     routes.toml:25
prefix /              any      fanout  origin   -          -         -     -     routes.toml:40
"
        );
    }

    #[test]
    fn lists_methods_and_channel_templates() {
        assert_eq!(
            list(&test_routing()),
            "\
pattern                    methods    action  backend  mode    channels     auth     cors       line
path /rooms/lobby/events   any        answer  self     stream  lobby        -        -          routes.toml:9
path /rooms/{room}/events  any        answer  self     sse     room-{room}  -        -          routes.toml:4
prefix /rooms/{room}       any        fanout  origin   -       -            -        -          routes.toml:14
prefix /static             GET        direct  origin   -       -            members  front-end  routes.toml:27
prefix /rooms              GET, HEAD  fanout  origin   -       -            -        -          routes.toml:18
prefix /rooms              any        direct  origin   -       -            -        -          routes.toml:23
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
  (the query `?v=2` is ignored: no route has a `query` condition)

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
        let err = explain(&test_routing(), "GET", "rooms", &[]).unwrap_err();
        assert!(err.contains("a path starts with `/`"), "{err}");
    }

    #[test]
    fn explains_with_the_default_routes() {
        let text = explain(&default_routing(), "GET", "/test/sse", &[]).unwrap();
        assert_has(&text, "handled by routes.toml:15  path = \"/test/sse\"");
        assert_has(
            &text,
            "routes.toml:40  prefix = \"/\"\n    a `path` route beats",
        );
    }

    #[test]
    fn the_reference_lookup_explains_as_the_generated_one_does() {
        let generated = test_routing();
        let reference = Routing::reference("routes.toml", test_table());
        assert_eq!(list(&reference), list(&generated));
        for (method, target) in [
            ("GET", "/rooms/lobby/events"),
            ("GET", "/rooms/42/events"),
            ("GET", "/rooms/42/history"),
            ("POST", "/rooms"),
            ("POST", "/static/app.js"),
            ("GET", "/rooms/a,b/events"),
        ] {
            assert_eq!(
                explain(&reference, method, target, &[]),
                explain(&generated, method, target, &[]),
                "{method} {target}"
            );
        }
    }

    #[test]
    fn options_are_read_with_their_values() {
        let args = parse_args(&[
            "--routes",
            "e2e/routes.toml",
            "--test",
            "--fail-under",
            "100",
        ]);
        assert_eq!(
            args,
            Ok(Args {
                routes: Some("e2e/routes.toml"),
                test: Some(None),
                fail_under: Some(100.0),
                ..Args::default()
            })
        );
        let args = parse_args(&["--diff", "main", "--markdown"]).unwrap();
        assert_eq!((args.diff, args.markdown), (Some(Some("main")), true));
        assert_eq!(parse_args(&["GET", "/a"]).unwrap().request, ["GET", "/a"]);
        for misuse in [
            &["--test", "--diff"][..],
            &["--markdown"],
            &["--fail-under", "101", "--test"],
            &["--diff", "--fail-under", "50"],
            &["GET"],
            &["--test", "x.toml", "GET", "/"],
            &["--routes"],
        ] {
            assert!(parse_args(misuse).is_err(), "{misuse:?}");
        }
    }
}
