//! `cargo xtask routes --test`: route tests. A test file beside routes.toml holds
//! `[[case]]` tables, each a request and what must happen to it; every case runs through
//! the app's decision (see [`super::routing`]), each failure is printed with what happened
//! instead, and the routes no case reaches are listed.
//!
//! ```toml
//! [[case]]
//! method = "GET"                 # the default
//! path = "/rooms/42/events?x=1"  # path and query, as the client sends them
//! host = "ws.example.com"       # the Host header; routes with `hosts` select on it
//! headers = { upgrade = "websocket" }
//! token = { sub = "alice" }      # the claims of a token the route's [auth] policy verifies
//! route = "/rooms/{room}/events" # the pattern as written; "prefix /rooms" names the kind
//! action = "answer"              # fanout, direct or answer
//! backend = "self"
//! mode = "sse"
//! channels = ["room-42"]         # as rendered
//!
//! [[case]]
//! path = "/nowhere"
//! status = 404                   # the app answers itself
//! body = "no route matches this request"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::ops::Range;
use std::path::Path;

use fanout_router_codegen::{Diagnostic, Source, closest};
use fanout_router_core::route::{ModeKind, PatternKind};
use serde::Deserialize;
use toml::Spanned;

use super::routing::{Handling, Outcome, Request, Routing, written};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    case: Vec<Spanned<CaseEntry>>,
}

/// One `[[case]]` as written; [`parse`] says which keys are missing or contradict.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseEntry {
    method: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    host: Option<String>,
    headers: Option<BTreeMap<String, String>>,
    token: Option<toml::Table>,
    route: Option<Spanned<String>>,
    action: Option<Spanned<String>>,
    backend: Option<Spanned<String>>,
    mode: Option<Spanned<String>>,
    channels: Option<Vec<String>>,
    status: Option<Spanned<i64>>,
    body: Option<Spanned<String>>,
}

/// A request and what must happen to it.
pub struct Case {
    /// Of the `[[case]]` header.
    pub line: usize,
    pub request: Request,
    expect: Expect,
}

/// The expectations a case gives; each one given is checked.
#[derive(Default)]
struct Expect {
    route: Option<Spanned<RouteName>>,
    action: Option<String>,
    backend: Option<String>,
    mode: Option<String>,
    channels: Option<Vec<String>>,
    status: Option<u16>,
    body: Option<String>,
}

/// A route by its pattern: `/rooms/{room}`, or `prefix /rooms/{room}` to name the kind.
#[derive(Clone)]
struct RouteName {
    kind: Option<PatternKind>,
    text: String,
}

impl RouteName {
    fn read(written: &str) -> RouteName {
        let kinds = [PatternKind::Exact, PatternKind::Prefix];
        let named = kinds.into_iter().find_map(|kind| {
            let text = written.strip_prefix(kind.key())?.strip_prefix(' ')?;
            Some(RouteName {
                kind: Some(kind),
                text: text.trim().to_owned(),
            })
        });
        named.unwrap_or(RouteName {
            kind: None,
            text: written.to_owned(),
        })
    }

    fn names(&self, kind: PatternKind, text: &str) -> bool {
        self.kind.is_none_or(|k| k == kind) && self.text == text
    }
}

const ACTIONS: [&str; 3] = ["fanout", "direct", "answer"];

/// Where the format is described, for a syntax error.
const FORMAT_HELP: &str = "see \"Route tests\" in README.md for the format";

/// The cases of a test file, or every error in it.
pub fn parse(source: &Source) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let file: TestFile = toml::from_str(source.text)
        .map_err(|e| vec![Diagnostic::from_toml(source, &e, FORMAT_HELP)])?;
    let mut errors = Vec::new();
    let mut cases = Vec::new();
    for entry in &file.case {
        let mut error = |span: &Range<usize>, message: String, help: String| {
            errors.push(Diagnostic::error(source, span, message, help));
        };
        if let Some(case) = read_case(entry, source, &mut error) {
            cases.push(case);
        }
    }
    if file.case.is_empty() {
        errors.push(Diagnostic::error(
            source,
            &(0..0),
            format!("{} holds no [[case]]", source.name),
            "add one: [[case]], path = \"/test/stream\", route = \"/test/stream\"",
        ));
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

fn read_case(
    entry: &Spanned<CaseEntry>,
    source: &Source,
    error: &mut impl FnMut(&Range<usize>, String, String),
) -> Option<Case> {
    let header = entry.span();
    let e = entry.get_ref();
    let Some(path) = &e.path else {
        error(
            &header,
            "a case needs the request's `path`".into(),
            "add path = \"/test/stream\" (with a query if it matters: \"/a?b=1\")".into(),
        );
        return None;
    };
    let given = |value: &Option<Spanned<String>>| value.as_ref().map(|v| v.get_ref().clone());
    let expect = Expect {
        route: e
            .route
            .as_ref()
            .map(|r| Spanned::new(r.span(), RouteName::read(r.get_ref()))),
        action: given(&e.action),
        backend: given(&e.backend),
        mode: given(&e.mode),
        channels: e.channels.clone(),
        status: e.status.as_ref().map(|s| *s.get_ref() as u16),
        body: given(&e.body),
    };
    let mut failed = false;
    let mut refuse = |span: &Range<usize>, message: String, help: String| {
        failed = true;
        error(span, message, help);
    };
    if let Some(action) = &e.action
        && !ACTIONS.contains(&action.get_ref().as_str())
    {
        refuse(
            &action.span(),
            format!("unknown action {:?}", action.get_ref()),
            one_of(action.get_ref(), &ACTIONS),
        );
    }
    if let Some(mode) = &e.mode {
        let names = ModeKind::ALL.map(ModeKind::name);
        if ModeKind::from_name(mode.get_ref()).is_none() {
            refuse(
                &mode.span(),
                format!("unknown mode {:?}", mode.get_ref()),
                one_of(mode.get_ref(), &names),
            );
        }
    }
    let answers_only = [
        ("mode", e.mode.is_some()),
        ("channels", e.channels.is_some()),
    ];
    if let Some(action) = e.action.as_ref().filter(|a| *a.get_ref() != "answer") {
        for (key, _) in answers_only.iter().filter(|(_, given)| *given) {
            refuse(
                &action.span(),
                format!(
                    "`{key}` is checked on answer routes only, not on `{}`",
                    action.get_ref()
                ),
                format!("remove `{key}`, or expect action = \"answer\""),
            );
        }
    }
    if let Some(status) = &e.status {
        let routed = [
            ("action", e.action.is_some()),
            ("backend", e.backend.is_some()),
            ("mode", e.mode.is_some()),
            ("channels", e.channels.is_some()),
        ];
        if !(100..=599).contains(status.get_ref()) {
            refuse(
                &status.span(),
                format!("{} is not an HTTP status", status.get_ref()),
                "write the status the app answers, e.g. status = 404".into(),
            );
        } else if let Some((key, _)) = routed.iter().find(|(_, given)| *given) {
            refuse(
                &status.span(),
                format!("a case expects either a `status` the app answers itself or `{key}`"),
                "keep `status` for a request the app refuses (404, 400, ...), or the route's \
                 action for one it hands on"
                    .into(),
            );
        }
    } else if let Some(body) = &e.body {
        refuse(
            &body.span(),
            "`body` is checked with a `status` only".into(),
            "add the status the app answers with this body, e.g. status = 400".into(),
        );
    }
    let expects = [
        e.route.is_some(),
        e.action.is_some(),
        e.backend.is_some(),
        e.mode.is_some(),
        e.channels.is_some(),
        e.status.is_some(),
    ];
    if !expects.contains(&true) {
        refuse(
            &header,
            "this case does not say what must happen".into(),
            "add route = \"/test/stream\", action, backend, mode or channels, or the status \
             the app answers, e.g. status = 404"
                .into(),
        );
    }
    if failed {
        return None;
    }
    let headers = e.headers.iter().flatten();
    Some(Case {
        line: source.locate(&header).line,
        request: Request {
            method: e
                .method
                .as_ref()
                .map_or("GET", |m| m.get_ref().as_str())
                .to_owned(),
            target: path.get_ref().clone(),
            headers: e
                .host
                .iter()
                .map(|host| ("host".to_owned(), host.clone()))
                .chain(headers.map(|(name, value)| (name.to_ascii_lowercase(), value.clone())))
                .collect(),
            token: e.token.as_ref().map(claims),
        },
        expect,
    })
}

/// A case's `token` as JWT claims (JSON); an `exp` ten minutes ahead unless the case gives
/// one.
fn claims(token: &toml::Table) -> String {
    let mut claims = match serde_json::to_value(token) {
        Ok(serde_json::Value::Object(claims)) => claims,
        _ => serde_json::Map::new(),
    };
    if !claims.contains_key("exp") {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        claims.insert("exp".to_owned(), (now + 600).into());
    }
    serde_json::Value::Object(claims).to_string()
}

/// The help for a value that is not one of `names`.
fn one_of(value: &str, names: &[&str]) -> String {
    match closest(value, names) {
        Some(near) => format!("did you mean {near:?}?"),
        None => format!("write one of {}", quoted(names)),
    }
}

fn quoted(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    names.join(", ")
}

/// The `route` of each case names a route of the table: a test that names a removed or
/// misspelt route is an error in the test file, not a failure.
fn check_routes(source: &Source, cases: &[Case], routing: &Routing) -> Vec<Diagnostic> {
    let mut texts: Vec<&str> = Vec::new();
    let mut qualified: Vec<String> = Vec::new();
    for route in &routing.table.routes {
        let pattern = &route.pattern;
        if !texts.contains(&pattern.text.as_str()) {
            texts.push(&pattern.text);
        }
        let named = format!("{} {}", pattern.kind.key(), pattern.text);
        if !qualified.contains(&named) {
            qualified.push(named);
        }
    }
    let qualified: Vec<&str> = qualified.iter().map(String::as_str).collect();
    let mut errors = Vec::new();
    for case in cases {
        let Some(name) = &case.expect.route else {
            continue;
        };
        let route = name.get_ref();
        let known = routing
            .table
            .routes
            .iter()
            .any(|r| route.names(r.pattern.kind, &r.pattern.text));
        if known {
            continue;
        }
        // The same pattern of the other kind, or one spelt nearly the same.
        let other_kind = qualified
            .iter()
            .find(|q| {
                q.split_once(' ')
                    .is_some_and(|(_, text)| text == route.text)
            })
            .copied();
        let near = other_kind.or_else(|| match route.kind {
            Some(kind) => closest(&format!("{} {}", kind.key(), route.text), &qualified),
            None => closest(&route.text, &texts),
        });
        let help = match near {
            Some(near) => format!("did you mean {near:?}?"),
            None => format!("its routes are {}", quoted(&qualified)),
        };
        errors.push(Diagnostic::error(
            source,
            &name.span(),
            format!(
                "no route of {} has the pattern {:?}",
                routing.file, route.text
            ),
            help,
        ));
    }
    errors
}

/// How a case went: the differences from what it expects, and the route it reached.
struct Checked {
    outcome: Outcome,
    differences: Vec<String>,
}

fn check(case: &Case, routing: &Routing) -> Checked {
    let outcome = routing.handle(&case.request);
    let expect = &case.expect;
    let route = outcome.route.map(|i| &routing.table.routes[i]);
    let handling = &outcome.handling;
    let (mode, channels) = match handling {
        Handling::Answer { mode, channels } => (Some(mode.name()), Some(channels)),
        _ => (None, None),
    };
    let (status, body) = match handling {
        Handling::Status { status, body } => (Some(*status), Some(body.as_str())),
        _ => (None, None),
    };
    let mut differences = Vec::new();
    let mut differ = |key: &str, expected: String, ok: bool| {
        if !ok {
            differences.push(format!("{key} = {expected}"));
        }
    };
    if let Some(name) = &expect.route {
        let name = name.get_ref();
        let reached = route.is_some_and(|r| name.names(r.pattern.kind, &r.pattern.text));
        let written = match name.kind {
            Some(kind) => format!("\"{} {}\"", kind.key(), name.text),
            None => format!("{:?}", name.text),
        };
        differ("route", written, reached);
    }
    let text = |value: &Option<String>, actual: Option<&str>| {
        value
            .as_ref()
            .map(|v| (format!("{v:?}"), actual == Some(v.as_str())))
    };
    for (key, check) in [
        ("action", text(&expect.action, handling.action())),
        ("backend", text(&expect.backend, handling.backend())),
        ("mode", text(&expect.mode, mode)),
        ("body", text(&expect.body, body)),
    ] {
        if let Some((expected, ok)) = check {
            differ(key, expected, ok);
        }
    }
    if let Some(expected) = &expect.channels {
        differ(
            "channels",
            format!("{expected:?}"),
            channels == Some(expected),
        );
    }
    if let Some(expected) = expect.status {
        differ("status", expected.to_string(), status == Some(expected));
    }
    Checked {
        outcome,
        differences,
    }
}

/// Every case of a test file run against one routing.
pub struct Report {
    pub text: String,
    pub failed: usize,
    pub coverage: f64,
}

/// Runs `cases` (from the test file `tests`) and writes each failure, the totals and the
/// coverage.
pub fn report(cases: &[Case], tests: &str, routing: &Routing) -> Report {
    let mut text = String::new();
    let mut reached = BTreeSet::new();
    let mut failed = 0;
    for case in cases {
        let checked = check(case, routing);
        reached.extend(checked.outcome.route);
        if checked.differences.is_empty() {
            continue;
        }
        failed += 1;
        writeln!(
            text,
            "FAIL {tests}:{}  {}\n  expected  {}\n  got       {}",
            case.line,
            case.request,
            checked.differences.join(", "),
            checked.outcome.describe_at(routing)
        )
        .unwrap();
    }
    let lookup = if routing.is_generated() {
        "the generated lookup"
    } else {
        "the reference lookup"
    };
    if failed > 0 {
        text.push('\n');
    }
    writeln!(
        text,
        "{tests}: {} cases against {} ({lookup}): {} passed, {failed} failed",
        cases.len(),
        routing.file,
        cases.len() - failed
    )
    .unwrap();
    let total = routing.table.routes.len();
    let coverage = 100.0 * reached.len() as f64 / total as f64;
    write!(
        text,
        "coverage: {} of {total} routes ({}%)",
        reached.len(),
        percent(coverage)
    )
    .unwrap();
    let missed: Vec<String> = routing
        .table
        .routes
        .iter()
        .enumerate()
        .filter(|(i, _)| !reached.contains(i))
        .map(|(_, r)| format!("  {}:{}  {}", routing.file, r.line, written(r)))
        .collect();
    if missed.is_empty() {
        text.push('\n');
    } else {
        writeln!(text, "; no case reaches:\n{}", missed.join("\n")).unwrap();
    }
    Report {
        text,
        failed,
        coverage,
    }
}

/// `87.5`, `100`: rounded down, so that it never shows more than is covered.
fn percent(value: f64) -> String {
    let tenths = (value * 10.0).floor() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}")
    } else {
        format!("{tenths:.1}")
    }
}

/// The cases of the test file at `path` (named `name` in messages), every error in it
/// printed as the build prints routes.toml's.
pub fn read(path: &Path, name: &str) -> Result<Vec<Case>, String> {
    let text = read_text(path, name)?;
    let source = Source::new(name, &text);
    parse(&source).map_err(|errors| print_errors(&source, &errors))
}

fn read_text(path: &Path, name: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))
}

fn print_errors(source: &Source, errors: &[Diagnostic]) -> String {
    for error in errors {
        eprintln!("{}\n", error.render(&[source]));
    }
    let s = if errors.len() == 1 { "" } else { "s" };
    format!("{}: {} error{s}", source.name, errors.len())
}

/// `cargo xtask routes --test`: prints the report; fails on a failed case, an error in the
/// test file or coverage under `fail_under` percent.
pub fn run(
    routing: &Routing,
    path: &Path,
    name: &str,
    fail_under: Option<f64>,
) -> Result<(), String> {
    let text = read_text(path, name)?;
    let source = Source::new(name, &text);
    let cases = parse(&source).map_err(|errors| print_errors(&source, &errors))?;
    let errors = check_routes(&source, &cases, routing);
    if !errors.is_empty() {
        return Err(print_errors(&source, &errors));
    }
    let report = report(&cases, name, routing);
    print!("{}", report.text);
    if report.failed > 0 {
        return Err(format!("{} of {} cases failed", report.failed, cases.len()));
    }
    match fail_under {
        Some(limit) if report.coverage < limit => Err(format!(
            "coverage {}% is under --fail-under {limit}%",
            percent(report.coverage)
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanout_router_stack::paths::repo_root;

    const FASTLY: &str = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n\
                          [local_server.backends.self]\nurl = \"http://127.0.0.1:7676/\"\n";

    const ROUTES: &str = "[[route]]\npath = \"/rooms/{room}\"\nanswer = \"sse\"\n\
                          channels = [\"room-{room}\"]\n\n\
                          [[route]]\nprefix = \"/\"\nmethods = [\"GET\"]\nfanout = \"origin\"\n\n\
                          [[route]]\nprefix = \"/\"\ndirect = \"origin\"\n";

    fn routing() -> Routing {
        let table = super::super::validated("routes.toml", ROUTES, FASTLY).unwrap();
        Routing::reference("routes.toml", table)
    }

    /// The report of `tests` against [`ROUTES`].
    fn reported(tests: &str) -> Report {
        let cases = parse(&Source::new("routes.test.toml", tests)).unwrap();
        report(&cases, "routes.test.toml", &routing())
    }

    /// The errors in `tests`, as `file:line:column: message` and help.
    fn errors(tests: &str) -> Vec<(String, String)> {
        let source = Source::new("routes.test.toml", tests);
        let errors = match parse(&source) {
            Ok(cases) => check_routes(&source, &cases, &routing()),
            Err(errors) => errors,
        };
        errors
            .iter()
            .map(|d| {
                let help = d.help.clone().unwrap_or_default();
                (format!("{}: {}", d.location, d.message), help)
            })
            .collect()
    }

    #[test]
    fn passing_cases_report_coverage_and_the_routes_no_case_reaches() {
        let report = reported(
            "[[case]]\npath = \"/rooms/42\"\nroute = \"/rooms/{room}\"\nmode = \"sse\"\n\
             channels = [\"room-42\"]\n\n\
             [[case]]\npath = \"/a?b=1\"\nroute = \"prefix /\"\naction = \"fanout\"\n\
             backend = \"origin\"\n\n\
             [[case]]\npath = \"/a%2Fb\"\nstatus = 400\n",
        );
        assert_eq!(
            report.text,
            "routes.test.toml: 3 cases against routes.toml (the reference lookup): 3 passed, 0 failed
coverage: 2 of 3 routes (66.6%); no case reaches:
  routes.toml:11  prefix = \"/\"
"
        );
        assert_eq!((report.failed, report.coverage.floor()), (0, 66.0));
    }

    #[test]
    fn a_failure_says_what_happened_instead() {
        let report = reported(
            "[[case]]\nmethod = \"POST\"\npath = \"/a\"\naction = \"fanout\"\n\n\
             [[case]]\npath = \"/rooms/a,b\"\nchannels = [\"room-a,b\"]\n\n\
             [[case]]\npath = \"/rooms/42/\"\nstatus = 404\n",
        );
        assert_eq!(
            report.text,
            "FAIL routes.test.toml:1  POST /a
  expected  action = \"fanout\"
  got       routes.toml:11  prefix = \"/\": direct = \"origin\"
FAIL routes.test.toml:6  GET /rooms/a,b
  expected  channels = [\"room-a,b\"]
  got       routes.toml:1  path = \"/rooms/{room}\": 400 \"path parameter `room` holds `,` or `;`, which a channel name cannot carry\"
FAIL routes.test.toml:10  GET /rooms/42/
  expected  status = 404
  got       routes.toml:6  prefix = \"/\", methods = [\"GET\"]: fanout = \"origin\"

routes.test.toml: 3 cases against routes.toml (the reference lookup): 0 passed, 3 failed
coverage: 3 of 3 routes (100%)
"
        );
        assert_eq!(report.failed, 3);
    }

    #[test]
    fn errors_in_the_test_file_are_located() {
        let cases = [
            (
                "[[case]]\npath = \"/a\"\nroute = \"/\"\nchanels = [\"a\"]\n",
                "routes.test.toml:4:1: unknown key `chanels`",
                "did you mean `channels`?",
            ),
            (
                "[case]\npath = \"/a\"\n",
                "routes.test.toml:1:1: `[case]` is one table, but the file holds a list of them",
                "write [[case]], once above each of them",
            ),
            (
                "[[case]]\nroute = \"/\"\n",
                "routes.test.toml:1:1: a case needs the request's `path`",
                "add path = \"/test/stream\" (with a query if it matters: \"/a?b=1\")",
            ),
            (
                "[[case]]\npath = \"/a\"\n",
                "routes.test.toml:1:1: this case does not say what must happen",
                "add route = \"/test/stream\", action, backend, mode or channels, or the \
                 status the app answers, e.g. status = 404",
            ),
            (
                "[[case]]\npath = \"/a\"\naction = \"fanuot\"\n",
                "routes.test.toml:3:10: unknown action \"fanuot\"",
                "did you mean \"fanout\"?",
            ),
            (
                "[[case]]\npath = \"/a\"\nmode = \"long_poll\"\n",
                "routes.test.toml:3:8: unknown mode \"long_poll\"",
                "did you mean \"long-poll\"?",
            ),
            (
                "[[case]]\npath = \"/a\"\nstatus = 404\naction = \"fanout\"\n",
                "routes.test.toml:3:10: a case expects either a `status` the app answers \
                 itself or `action`",
                "keep `status` for a request the app refuses (404, 400, ...), or the route's \
                 action for one it hands on",
            ),
            (
                "[[case]]\npath = \"/a\"\nroute = \"/rooms/{id}\"\n",
                "routes.test.toml:3:9: no route of routes.toml has the pattern \"/rooms/{id}\"",
                "its routes are \"path /rooms/{room}\", \"prefix /\"",
            ),
            (
                "[[case]]\npath = \"/a\"\nroute = \"path /\"\n",
                "routes.test.toml:3:9: no route of routes.toml has the pattern \"/\"",
                "did you mean \"prefix /\"?",
            ),
        ];
        for (tests, error, help) in cases {
            assert_eq!(
                errors(tests),
                [(error.to_owned(), help.to_owned())],
                "{tests}"
            );
        }
    }

    #[test]
    fn an_error_is_rendered_with_its_line() {
        let source = Source::new(
            "routes.test.toml",
            "[[case]]\npath = \"/a\"\nmode = \"see\"\n",
        );
        let errors = parse(&source).err().unwrap();
        assert_eq!(
            errors[0].render(&[&source]),
            "error: unknown mode \"see\"
 --> routes.test.toml:3:8
  |
3 | mode = \"see\"
  |        ^^^^^
  |
  = help: did you mean \"sse\"?"
        );
    }

    /// The shipped test files pass and reach every route of their routes files, as
    /// `cargo xtask test` requires with `--fail-under 100`.
    #[test]
    fn the_shipped_route_tests_pass_and_cover_every_route() {
        let fastly = std::fs::read_to_string(repo_root().join("fastly.toml")).unwrap();
        for (routes, tests) in [
            ("routes.toml", "routes.test.toml"),
            ("e2e/routes.toml", "e2e/routes.test.toml"),
        ] {
            let text = std::fs::read_to_string(repo_root().join(routes)).unwrap();
            let table = super::super::validated(routes, &text, &fastly).unwrap();
            let routing = Routing::reference(routes, table);
            let cases = read(&repo_root().join(tests), tests).unwrap();
            assert!(check_routes(&Source::new(tests, ""), &cases, &routing).is_empty());
            let report = report(&cases, tests, &routing);
            assert_eq!(
                (report.failed, report.coverage),
                (0, 100.0),
                "{}",
                report.text
            );
        }
    }
}
