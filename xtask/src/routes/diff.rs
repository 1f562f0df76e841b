//! `cargo xtask routes --diff [REV]`: the routing change from a routes file at a git
//! revision to the working tree. First the routes added, removed and changed (which keys),
//! then the requests handled differently, over a probe set: every case of the test file
//! beside the routes file, and requests derived from both tables at the boundaries
//! precedence turns on.
//!
//! Both tables are run by their reference lookup through the app's decision (see
//! [`super::routing`]): the old file was never compiled, and the new one need not be.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use fanout_router_codegen::model::{
    ActionDef, KeepAliveDef, ModeDef, Piece, ReliableDef, RouteDef, Segment, Table,
};
use fanout_router_core::method::Methods;

use super::cases;
use super::routing::{Outcome, Request, Routing, methods_list, written};

/// The files a diff reads from the working tree; names as messages show them.
pub struct Files<'a> {
    pub routes: &'a Path,
    pub routes_name: &'a str,
    pub tests: &'a Path,
    pub tests_name: &'a str,
}

/// The diff of `files.routes` from revision `rev` to the working tree, as text for a
/// terminal or Markdown for a pull-request comment.
pub fn run(files: &Files, rev: &str, markdown: bool) -> Result<String, String> {
    let dir = files.routes.parent().filter(|d| !d.as_os_str().is_empty());
    let root = PathBuf::from(
        git(
            dir.unwrap_or(Path::new(".")),
            &["rev-parse", "--show-toplevel"],
        )?
        .trim(),
    );
    let routes = std::fs::canonicalize(files.routes)
        .map_err(|e| format!("cannot read {}: {e}", files.routes_name))?;
    let relative = routes
        .strip_prefix(std::fs::canonicalize(&root).unwrap_or(root.clone()))
        .map_err(|_| format!("{} is not in the git repository", files.routes_name))?
        .to_string_lossy()
        .replace('\\', "/");
    let old_name = format!("{rev}:{relative}");
    let old_text = git(&root, &["show", &old_name])
        .map_err(|e| format!("cannot read {relative} at {rev}: {e}"))?;
    let fastly = std::fs::read_to_string(root.join("fastly.toml"))
        .map_err(|e| format!("cannot read fastly.toml: {e}"))?;
    // The old routes against the backends of their own time.
    let old_fastly = git(&root, &["show", &format!("{rev}:fastly.toml")]).unwrap_or(fastly.clone());
    let new_text = std::fs::read_to_string(&routes)
        .map_err(|e| format!("cannot read {}: {e}", files.routes_name))?;
    let before = Routing::reference(
        &old_name,
        super::validated(&old_name, &old_text, &old_fastly)?,
    );
    let after = Routing::reference(
        files.routes_name,
        super::validated(files.routes_name, &new_text, &fastly)?,
    );
    let cases = if files.tests.exists() {
        cases::read(files.tests, files.tests_name)?
    } else {
        Vec::new()
    };
    let requests = probes(
        [before.table, after.table],
        cases.into_iter().map(|case| case.request),
    );
    let diff = compare(&before, &after, &requests);
    let change = Change {
        file: files.routes_name,
        rev,
    };
    Ok(if markdown {
        diff.markdown(&change, &before, &after)
    } else {
        diff.text(&change, &before, &after)
    })
}

/// `git args` in `dir`: its output, or what it said on failure.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        String::from_utf8(output.stdout).map_err(|_| "git printed something not UTF-8".into())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

/// What changed between two route tables, and the requests it handles differently.
pub struct Diff {
    /// Indexes into the new table.
    pub added: Vec<usize>,
    /// Indexes into the old table.
    pub removed: Vec<usize>,
    /// Old index, new index, and the keys that differ.
    pub changed: Vec<(usize, usize, Vec<KeyChange>)>,
    /// The requests handled differently, grouped by how they were handled before and after.
    pub rerouted: Vec<Rerouted>,
    pub probed: usize,
}

/// Requests that were all handled one way and now all another.
pub struct Rerouted {
    pub requests: Vec<Request>,
    pub before: Outcome,
    pub after: Outcome,
}

/// A key of a route as written, before and after; `None` where it is not written.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyChange {
    pub key: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The two sides of the change, for the headings.
struct Change<'a> {
    file: &'a str,
    rev: &'a str,
}

pub fn compare(before: &Routing, after: &Routing, requests: &[Request]) -> Diff {
    let pairs = pair(before.table, after.table);
    let added = (0..after.table.routes.len())
        .filter(|j| !pairs.iter().any(|(_, b)| b == j))
        .collect();
    let removed = (0..before.table.routes.len())
        .filter(|i| !pairs.iter().any(|(a, _)| a == i))
        .collect();
    let changed = pairs
        .iter()
        .map(|&(i, j)| {
            let changes = key_changes(&before.table.routes[i], &after.table.routes[j]);
            (i, j, changes)
        })
        .filter(|(_, _, changes)| !changes.is_empty())
        .collect();
    let mut rerouted: Vec<Rerouted> = Vec::new();
    for request in requests {
        let (old, new) = (before.handle(request), after.handle(request));
        // What the app does, whichever route does it: a route split or renamed that
        // handles a request as before does not re-route it.
        if old.handling == new.handling {
            continue;
        }
        match rerouted
            .iter_mut()
            .find(|r| r.before == old && r.after == new)
        {
            Some(group) => group.requests.push(request.clone()),
            None => rerouted.push(Rerouted {
                requests: vec![request.clone()],
                before: old,
                after: new,
            }),
        }
    }
    Diff {
        added,
        removed,
        changed,
        rerouted,
        probed: requests.len(),
    }
}

/// Which old route became which new one: the same pattern and methods, else the same
/// pattern (its methods changed), else the same shape (a parameter renamed), else the same
/// text (`path` became `prefix`).
fn pair(before: &Table, after: &Table) -> Vec<(usize, usize)> {
    type Same = fn(&RouteDef, &RouteDef) -> bool;
    let rules: [Same; 4] = [
        |a, b| a.pattern == b.pattern && a.methods == b.methods,
        |a, b| a.pattern == b.pattern,
        |a, b| a.pattern.same_shape(&b.pattern),
        |a, b| a.pattern.text == b.pattern.text,
    ];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for same in rules {
        for (i, old) in before.routes.iter().enumerate() {
            if pairs.iter().any(|(a, _)| *a == i) {
                continue;
            }
            let new = after
                .routes
                .iter()
                .enumerate()
                .find(|(j, new)| !pairs.iter().any(|(_, b)| b == j) && same(old, new));
            if let Some((j, _)) = new {
                pairs.push((i, j));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// A route's keys as routes.toml writes them, with the defaults validation filled in.
fn keys(route: &RouteDef) -> Vec<(&'static str, String)> {
    let pattern = &route.pattern;
    let mut keys = vec![(pattern.kind.key(), format!("{:?}", pattern.text))];
    if !route.methods.is_any() {
        keys.push(("methods", methods_list(route.methods)));
    }
    let quoted = |text: &str| format!("{text:?}");
    match &route.action {
        ActionDef::Fanout(backend) => keys.push(("fanout", quoted(backend))),
        ActionDef::Direct(backend) => keys.push(("direct", quoted(backend))),
        ActionDef::Answer(mode) => match mode {
            ModeDef::Stream {
                content_type,
                initial_body,
                keep_alive,
                reliable,
            } => {
                keys.extend([
                    ("answer", quoted("stream")),
                    ("content_type", quoted(content_type)),
                    ("initial_body", quoted(initial_body)),
                ]);
                keys.extend(
                    keep_alive
                        .as_ref()
                        .map(|k| ("keep_alive", keep_alive_text(k, None))),
                );
                keys.extend(reliable.as_ref().map(|r| ("reliable", reliable_text(r))));
            }
            ModeDef::Sse {
                keep_alive,
                initial_body,
                reliable,
            } => {
                keys.extend([
                    ("answer", quoted("sse")),
                    (
                        "keep_alive",
                        keep_alive_text(keep_alive, Some(SSE_KEEP_ALIVE)),
                    ),
                ]);
                if !initial_body.is_empty() {
                    keys.push(("initial_body", quoted(initial_body)));
                }
                keys.extend(reliable.as_ref().map(|r| ("reliable", reliable_text(r))));
            }
            ModeDef::LongPoll {
                timeout_secs,
                on_timeout_status,
                on_timeout_content_type,
                on_timeout_body,
            } => keys.extend([
                ("answer", quoted("long-poll")),
                ("timeout", timeout_secs.to_string()),
                (
                    "on_timeout",
                    format!(
                        "{{ status = {on_timeout_status}, content_type = \
                         {on_timeout_content_type:?}, body = {on_timeout_body:?} }}"
                    ),
                ),
            ]),
            ModeDef::WsEcho { keep_alive } => {
                keys.push(("answer", quoted("ws-echo")));
                keys.extend(
                    keep_alive
                        .as_ref()
                        .map(|k| ("keep_alive", keep_alive_text(k, None))),
                );
            }
        },
    }
    let list = |items: &[String]| format!("{items:?}");
    if !route.hosts.is_empty() {
        keys.push(("hosts", list(&route.hosts)));
    }
    let when = &route.when;
    keys.extend(when.websocket.map(|ws| ("websocket", ws.to_string())));
    keys.extend(
        when.accept
            .as_ref()
            .map(|accept| ("accept", quoted(accept))),
    );
    if !when.headers.is_empty() {
        keys.push(("headers", format!("{:?}", when.headers)));
    }
    if !when.query.is_empty() {
        keys.push(("query", list(&when.query)));
    }
    keys.extend(
        route
            .rewrite
            .as_ref()
            .map(|prefix| ("rewrite", quoted(prefix))),
    );
    let headers = &route.request_headers;
    if !headers.add.is_empty() || !headers.remove.is_empty() {
        let text = format!(
            "{{ add = {:?}, remove = {:?} }}",
            headers.add, headers.remove
        );
        keys.push(("request_headers", text));
    }
    keys.extend(
        route
            .auth
            .as_ref()
            .map(|auth| ("auth", quoted(&auth.policy))),
    );
    keys.extend(route.cors.as_ref().map(|cors| ("cors", quoted(cors))));
    if !route.channels.is_empty() {
        let params: Vec<&str> = pattern.params().collect();
        let templates: Vec<String> = route
            .channels
            .iter()
            .map(|pieces| {
                pieces
                    .iter()
                    .map(|piece| match piece {
                        Piece::Text(text) => text.clone(),
                        Piece::Param(i) => format!("{{{}}}", params[*i]),
                    })
                    .collect()
            })
            .collect();
        keys.push(("channels", format!("{templates:?}")));
    }
    keys
}

/// The keys whose values differ. When the mode changes, the options of either mode go with
/// it and are not listed.
fn key_changes(before: &RouteDef, after: &RouteDef) -> Vec<KeyChange> {
    let (old, new) = (keys(before), keys(after));
    let answer = |keys: &[(&'static str, String)]| {
        let value = keys.iter().find(|(k, _)| *k == "answer");
        value.map(|(_, v)| v.clone())
    };
    let mode_changed = answer(&old) != answer(&new);
    let mut names: Vec<&'static str> = old.iter().map(|(k, _)| *k).collect();
    names.extend(
        new.iter()
            .map(|(k, _)| *k)
            .filter(|k| !old.iter().any(|(o, _)| o == k)),
    );
    let value = |keys: &[(&str, String)], name: &str| {
        keys.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    names
        .into_iter()
        .map(|key| KeyChange {
            key,
            before: value(&old, key),
            after: value(&new, key),
        })
        .filter(|change| change.before != change.after)
        .filter(|change| {
            let one_side = change.before.is_none() || change.after.is_none();
            !(mode_changed && one_side && MODE_OPTIONS.contains(&change.key))
        })
        .collect()
}

/// `20` when only the interval differs from the defaults, else the whole table.
fn keep_alive_text(def: &KeepAliveDef, default_content: Option<&str>) -> String {
    if !def.interval_mode && default_content == Some(def.content.as_str()) {
        return def.interval_secs.to_string();
    }
    let mode = if def.interval_mode {
        "interval"
    } else {
        "idle"
    };
    format!(
        "{{ interval = {}, mode = {mode:?}, content = {:?} }}",
        def.interval_secs, def.content
    )
}

fn reliable_text(def: &ReliableDef) -> String {
    format!(
        "{{ history = {:?}, path = {:?}, query = {:?} }}",
        def.backend, def.path, def.query
    )
}

/// An `sse` route's default keep-alive: an SSE comment.
const SSE_KEEP_ALIVE: &str = ":\n\n";

const MODE_OPTIONS: [&str; 6] = [
    "content_type",
    "initial_body",
    "keep_alive",
    "reliable",
    "timeout",
    "on_timeout",
];

/// A route as written, with its action: `prefix = "/", fanout = "origin"`.
fn summary(route: &RouteDef) -> String {
    let action = keys(route)
        .into_iter()
        .find(|(k, _)| matches!(*k, "fanout" | "direct" | "answer"));
    match action {
        Some((key, value)) => format!("{}, {key} = {value}", written(route)),
        None => written(route),
    }
}

/// The requests a change is judged on: `cases`, and for every route of both tables its
/// pattern with a sample value per parameter, with a trailing slash, with one segment more,
/// with each literal replaced and each parameter given each literal another route has in
/// its place; each in every method class (a method some route lists, and one none lists),
/// and for a WebSocket route also as a WebSocket handshake.
pub fn probes(tables: [&Table; 2], cases: impl Iterator<Item = Request>) -> Vec<Request> {
    let routes: Vec<&RouteDef> = tables.iter().flat_map(|t| &t.routes).collect();
    let mut literals: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for route in &routes {
        for (i, segment) in route.pattern.segments.iter().enumerate() {
            if let Segment::Literal(text) = segment {
                literals.entry(i).or_default().insert(text);
            }
        }
    }
    let mut paths: BTreeSet<(String, bool)> = BTreeSet::new();
    for route in &routes {
        let websocket = matches!(route.action, ActionDef::Answer(ModeDef::WsEcho { .. }));
        let mut param = 0;
        let sample: Vec<String> = route
            .pattern
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(text) => text.clone(),
                Segment::Param(_) => {
                    param += 1;
                    param.to_string()
                }
            })
            .collect();
        let with = |i: usize, value: &str| {
            let mut segments = sample.clone();
            segments[i] = value.to_owned();
            segments
        };
        let mut variants = vec![
            sample.clone(),
            [sample.clone(), vec![String::new()]].concat(),
            [sample.clone(), vec!["more".to_owned()]].concat(),
        ];
        for (i, segment) in route.pattern.segments.iter().enumerate() {
            match segment {
                Segment::Literal(_) => variants.push(with(i, "other")),
                Segment::Param(_) => {
                    let others = literals.get(&i).into_iter().flatten();
                    variants.extend(others.map(|literal| with(i, literal)));
                }
            }
        }
        for segments in variants {
            paths.insert((format!("/{}", segments.join("/")), websocket));
        }
    }
    let mut requests: Vec<Request> = cases.collect();
    let hosts = host_probes(&routes);
    let conditions = condition_probes(&routes);
    for method in method_classes(&routes) {
        for (path, websocket) in &paths {
            for host in &hosts {
                let request = |headers: &[(String, String)]| {
                    let mut request = Request::new(method, path);
                    request
                        .headers
                        .extend(host.iter().map(|h| ("host".to_owned(), h.clone())));
                    request.headers.extend(headers.iter().cloned());
                    request
                };
                requests.push(request(&[]));
                for headers in &conditions {
                    requests.push(request(headers));
                }
                if *websocket {
                    requests.push(request(&[]).websocket());
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    requests.retain(|request| seen.insert(request.clone()));
    // A path's methods together.
    requests.sort_by(|a, b| (&a.target, &a.headers).cmp(&(&b.target, &b.headers)));
    requests
}

/// No `Host`, and for each host a route names one host it matches (a name under a
/// wildcard) and, when any route names hosts, one no route names.
fn host_probes(routes: &[&RouteDef]) -> Vec<Option<String>> {
    let named: BTreeSet<String> = routes
        .iter()
        .flat_map(|route| &route.hosts)
        .map(|host| match host.strip_prefix("*.") {
            Some(suffix) => format!("any.{suffix}"),
            None => host.clone(),
        })
        .collect();
    let mut hosts = vec![None];
    if !named.is_empty() {
        hosts.push(Some("unnamed.example".to_owned()));
    }
    hosts.extend(named.into_iter().map(Some));
    hosts
}

/// The request headers that meet each route's conditions, one set a route: `Accept`,
/// the headers it asks for, and a WebSocket handshake for `websocket = true`.
fn condition_probes(routes: &[&RouteDef]) -> BTreeSet<Vec<(String, String)>> {
    let mut probes = BTreeSet::new();
    for route in routes.iter().filter(|route| !route.when.is_none()) {
        let when = &route.when;
        let mut headers = Vec::new();
        if let Some(accept) = &when.accept {
            headers.push(("accept".to_owned(), accept.clone()));
        }
        if when.websocket == Some(true) {
            headers.push(("upgrade".to_owned(), "websocket".to_owned()));
        }
        for (name, value) in &when.headers {
            headers.push((
                name.clone(),
                value.clone().unwrap_or_else(|| "1".to_owned()),
            ));
        }
        probes.insert(headers);
    }
    probes
}

/// A method of each class the routes tell apart: every method some route lists, and one
/// that none lists (which routes treat as they treat an extension method).
fn method_classes(routes: &[&RouteDef]) -> Vec<&'static str> {
    let listed = routes
        .iter()
        .filter(|r| !r.methods.is_any())
        .fold(Methods::from_bits(0), |set, r| set.union(r.methods));
    let mut classes: Vec<&'static str> = listed.names().collect();
    let unlisted = Methods::NAMED
        .iter()
        .find(|(_, m)| !listed.intersects(*m))
        .map_or("PURGE", |(name, _)| name);
    classes.push(unlisted);
    if listed.bits() == 0 {
        classes = vec!["GET"];
    }
    classes
}

impl Diff {
    fn routes_changed(&self) -> bool {
        !(self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty())
    }

    /// The verdict when no request is handled differently.
    fn nothing_rerouted(&self) -> String {
        let what = if self.routes_changed() {
            "the change re-routes nothing"
        } else {
            "no routing change"
        };
        format!(
            "{what}: each of the {} requests probed is handled as before",
            self.probed
        )
    }

    fn text(&self, change: &Change, before: &Routing, after: &Routing) -> String {
        let mut out = format!("{}: {} -> working tree\n\n", change.file, change.rev);
        if self.routes_changed() {
            writeln!(
                out,
                "routes: {} added, {} removed, {} changed",
                self.added.len(),
                self.removed.len(),
                self.changed.len()
            )
            .unwrap();
        } else {
            out.push_str("routes: none added, removed or changed\n");
        }
        for &j in &self.added {
            let route = &after.table.routes[j];
            writeln!(out, "  + {}:{}  {}", after.file, route.line, summary(route)).unwrap();
        }
        for &i in &self.removed {
            let route = &before.table.routes[i];
            writeln!(
                out,
                "  - {}:{}  {}",
                before.file,
                route.line,
                summary(route)
            )
            .unwrap();
        }
        for (i, j, changes) in &self.changed {
            let (old, new) = (&before.table.routes[*i], &after.table.routes[*j]);
            writeln!(
                out,
                "  ~ {}:{}  {} (was {}:{})",
                after.file,
                new.line,
                written(new),
                before.file,
                old.line
            )
            .unwrap();
            for change in changes {
                writeln!(
                    out,
                    "      {}: {} -> {}",
                    change.key,
                    shown(&change.before),
                    shown(&change.after)
                )
                .unwrap();
            }
        }
        out.push('\n');
        if self.rerouted.is_empty() {
            writeln!(out, "{}", self.nothing_rerouted()).unwrap();
            return out;
        }
        writeln!(
            out,
            "requests handled differently: {} of {} probed",
            self.rerouted_count(),
            self.probed
        )
        .unwrap();
        for group in &self.rerouted {
            let (old, new) = group.described(before, after, Outcome::describe_at);
            for request in &group.requests {
                writeln!(out, "  {request}").unwrap();
            }
            writeln!(out, "    before  {old}\n    after   {new}").unwrap();
        }
        out
    }

    fn rerouted_count(&self) -> usize {
        self.rerouted.iter().map(|r| r.requests.len()).sum()
    }

    fn markdown(&self, change: &Change, before: &Routing, after: &Routing) -> String {
        let mut out = format!(
            "### Routing change in {}: {} → working tree\n\n",
            code(change.file),
            code(change.rev)
        );
        if self.routes_changed() {
            out.push_str("| | route | |\n| --- | --- | --- |\n");
        } else {
            out.push_str("No route added, removed or changed.\n");
        }
        for &j in &self.added {
            let route = &after.table.routes[j];
            let line = format!("line {}", route.line);
            writeln!(out, "| added | {} | {line} |", code(&summary(route))).unwrap();
        }
        for &i in &self.removed {
            let route = &before.table.routes[i];
            let line = format!("line {} at {}", route.line, code(change.rev));
            writeln!(out, "| removed | {} | {line} |", code(&summary(route))).unwrap();
        }
        for (_, j, changes) in &self.changed {
            let keys: Vec<String> = changes
                .iter()
                .map(|c| {
                    let (old, new) = (shown(&c.before), shown(&c.after));
                    format!("{}: {} → {}", code(c.key), code(&old), code(&new))
                })
                .collect();
            let route = &after.table.routes[*j];
            writeln!(
                out,
                "| changed | {} | {} |",
                code(&written(route)),
                keys.join("<br>")
            )
            .unwrap();
        }
        out.push('\n');
        if self.rerouted.is_empty() {
            writeln!(out, "{}.", capitalised(&self.nothing_rerouted())).unwrap();
            return out;
        }
        writeln!(
            out,
            "**{} of {} probed requests are handled differently:**\n\n\
             | request | before | after |\n| --- | --- | --- |",
            self.rerouted_count(),
            self.probed
        )
        .unwrap();
        for group in &self.rerouted {
            let (old, new) = group.described(before, after, Outcome::describe);
            let requests: Vec<String> = group
                .requests
                .iter()
                .map(|r| code(&r.to_string()))
                .collect();
            writeln!(
                out,
                "| {} | {} | {} |",
                requests.join("<br>"),
                code(&old),
                code(&new)
            )
            .unwrap();
        }
        out
    }
}

impl Rerouted {
    /// Before and after, by `describe`; with every key of the routes when that alone does
    /// not tell them apart (an option of the mode changed).
    fn described(
        &self,
        before: &Routing,
        after: &Routing,
        describe: fn(&Outcome, &Routing) -> String,
    ) -> (String, String) {
        if self.before.describe(before) != self.after.describe(after) {
            return (describe(&self.before, before), describe(&self.after, after));
        }
        let detail = |outcome: &Outcome, routing: &Routing| {
            let route = outcome.route.map(|i| &routing.table.routes[i]);
            let keys = route.map(keys).unwrap_or_default();
            let keys: Vec<String> = keys.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{} ({})", describe(outcome, routing), keys.join(", "))
        };
        (detail(&self.before, before), detail(&self.after, after))
    }
}

/// A key's value, or what its absence means.
fn shown(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "(not set)".to_owned())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `text` as Markdown code inside a table cell: fenced with more backticks than it holds,
/// and `|` escaped.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FASTLY: &str = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n\
                          [local_server.backends.self]\nurl = \"http://127.0.0.1:7676/\"\n";

    fn routing(name: &str, routes: &str) -> Routing {
        Routing::reference(name, super::super::validated(name, routes, FASTLY).unwrap())
    }

    /// The diff of two routes files over the probes derived from both.
    fn diff(old: &str, new: &str) -> String {
        let (before, after) = (
            routing("HEAD:routes.toml", old),
            routing("routes.toml", new),
        );
        let requests = probes([before.table, after.table], std::iter::empty());
        let change = Change {
            file: "routes.toml",
            rev: "HEAD",
        };
        compare(&before, &after, &requests).text(&change, &before, &after)
    }

    const CATCH_ALL: &str = "[[route]]\nprefix = \"/\"\nfanout = \"origin\"\n";

    #[test]
    fn a_route_added() {
        let new = format!("{CATCH_ALL}\n[[route]]\nprefix = \"/static\"\ndirect = \"origin\"\n");
        assert_eq!(
            diff(CATCH_ALL, &new),
            "routes.toml: HEAD -> working tree

routes: 1 added, 0 removed, 0 changed
  + routes.toml:5  prefix = \"/static\", direct = \"origin\"

requests handled differently: 3 of 6 probed
  GET /static
  GET /static/
  GET /static/more
    before  HEAD:routes.toml:1  prefix = \"/\": fanout = \"origin\"
    after   routes.toml:5  prefix = \"/static\": direct = \"origin\"
"
        );
    }

    #[test]
    fn a_route_removed() {
        let old = "[[route]]\npath = \"/a\"\ndirect = \"origin\"\n";
        let text = diff(&format!("{old}{CATCH_ALL}"), CATCH_ALL);
        assert!(
            text.contains("routes: 0 added, 1 removed, 0 changed\n  - HEAD:routes.toml:1  path = \"/a\", direct = \"origin\"\n"),
            "{text}"
        );
        // Only the exact path was the removed route's.
        assert!(
            text.contains("requests handled differently: 1 of 6 probed\n  GET /a\n    before  HEAD:routes.toml:1  path = \"/a\": direct = \"origin\"\n    after   routes.toml:1  prefix = \"/\": fanout = \"origin\"\n"),
            "{text}"
        );
    }

    #[test]
    fn a_method_split() {
        let old = "[[route]]\npath = \"/split\"\nfanout = \"origin\"\n";
        let new = "[[route]]\npath = \"/split\"\nmethods = [\"GET\", \"HEAD\"]\nfanout = \"origin\"\n\n\
                   [[route]]\npath = \"/split\"\ndirect = \"origin\"\n";
        assert_eq!(
            diff(old, new),
            "routes.toml: HEAD -> working tree

routes: 1 added, 0 removed, 1 changed
  + routes.toml:1  path = \"/split\", methods = [\"GET\", \"HEAD\"], fanout = \"origin\"
  ~ routes.toml:6  path = \"/split\" (was HEAD:routes.toml:1)
      fanout: \"origin\" -> (not set)
      direct: (not set) -> \"origin\"

requests handled differently: 1 of 12 probed
  POST /split
    before  HEAD:routes.toml:1  path = \"/split\": fanout = \"origin\"
    after   routes.toml:6  path = \"/split\": direct = \"origin\"
"
        );
    }

    #[test]
    fn a_precedence_change() {
        // A literal now beats the parameter for one room.
        let rooms =
            "[[route]]\npath = \"/rooms/{room}\"\nanswer = \"sse\"\nchannels = [\"room-{room}\"]\n";
        let lobby =
            "[[route]]\npath = \"/rooms/lobby\"\nanswer = \"stream\"\nchannels = [\"lobby\"]\n";
        let text = diff(rooms, &format!("{rooms}\n{lobby}"));
        assert!(
            text.ends_with("requests handled differently: 1 of 9 probed\n  GET /rooms/lobby\n    before  HEAD:routes.toml:1  path = \"/rooms/{room}\": answer = \"sse\", channels = [\"room-lobby\"]\n    after   routes.toml:6  path = \"/rooms/lobby\": answer = \"stream\", channels = [\"lobby\"]\n"),
            "{text}"
        );
    }

    #[test]
    fn a_change_that_reroutes_nothing_says_so() {
        // A parameter renamed and a route moved down the file: the same routing.
        let old = "[[route]]\npath = \"/rooms/{room}\"\nfanout = \"origin\"\n";
        let new =
            format!("{CATCH_ALL}\n[[route]]\npath = \"/rooms/{{id}}\"\nfanout = \"origin\"\n");
        let text = diff(&format!("{old}{CATCH_ALL}"), &new);
        assert!(text.contains("  ~ routes.toml:5  path = \"/rooms/{id}\" (was HEAD:routes.toml:1)\n      path: \"/rooms/{room}\" -> \"/rooms/{id}\"\n"), "{text}");
        assert!(
            text.ends_with("\nthe change re-routes nothing: each of the 6 requests probed is handled as before\n"),
            "{text}"
        );
        assert!(
            diff(CATCH_ALL, CATCH_ALL)
                .contains("routes: none added, removed or changed\n\nno routing change:")
        );
    }

    #[test]
    fn a_mode_option_changed_is_shown_on_the_requests() {
        let sse = |keep_alive: u32| {
            format!(
                "[[route]]\npath = \"/s\"\nanswer = \"sse\"\nchannels = [\"a\"]\nkeep_alive = {keep_alive}\n"
            )
        };
        let text = diff(&sse(20), &sse(30));
        assert!(text.contains("      keep_alive: 20 -> 30\n"), "{text}");
        assert!(text.contains("    after   routes.toml:1  path = \"/s\": answer = \"sse\", channels = [\"a\"] (path = \"/s\", answer = \"sse\", keep_alive = 30, channels = [\"a\"])\n"), "{text}");
    }

    #[test]
    fn probes_cover_the_boundaries_and_method_classes() {
        let table = routing(
            "routes.toml",
            "[[route]]\nprefix = \"/rooms/{room}\"\nmethods = [\"GET\"]\nfanout = \"origin\"\n\n\
             [[route]]\npath = \"/rooms/lobby/ws\"\nanswer = \"ws-echo\"\nchannels = [\"a\"]\n",
        )
        .table;
        let probes: Vec<String> = probes([table, table], std::iter::empty())
            .iter()
            .map(Request::to_string)
            .collect();
        for expected in [
            "GET /rooms/1",
            "GET /rooms/1/",
            "GET /rooms/1/more",
            "GET /rooms/lobby",
            "GET /other/1",
            "HEAD /rooms/1",
            "GET /rooms/lobby/ws (upgrade: websocket)",
            "GET /rooms/lobby/other",
            "GET /rooms/lobby/ws/",
        ] {
            assert!(
                probes.contains(&expected.to_owned()),
                "{expected}: {probes:#?}"
            );
        }
    }

    #[test]
    fn probes_cover_hosts_and_conditions_and_a_host_change_is_a_changed_key() {
        let before = routing(
            "HEAD:routes.toml",
            "[[route]]\nprefix = \"/events\"\naccept = \"text/event-stream\"\nfanout = \"origin\"\n\n\
             [[route]]\nprefix = \"/\"\ndirect = \"origin\"\n",
        );
        let after = routing(
            "routes.toml",
            "[[route]]\nprefix = \"/events\"\naccept = \"text/event-stream\"\nhosts = [\"*.example.com\"]\n\
             fanout = \"origin\"\n\n[[route]]\nprefix = \"/\"\ndirect = \"origin\"\n",
        );
        let probes: Vec<String> = probes([before.table, after.table], std::iter::empty())
            .iter()
            .map(Request::to_string)
            .collect();
        for expected in [
            "GET /events",
            "GET /events (accept: text/event-stream)",
            "GET /events (host: any.example.com) (accept: text/event-stream)",
            "GET /events (host: unnamed.example) (accept: text/event-stream)",
        ] {
            assert!(
                probes.contains(&expected.to_owned()),
                "{expected}: {probes:#?}"
            );
        }
        let changes = key_changes(&before.table.routes[0], &after.table.routes[0]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].key, "hosts");
    }

    #[test]
    fn markdown_escapes_table_cells() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("holds `/`"), "`` holds `/` ``");
        let new = format!("{CATCH_ALL}\n[[route]]\nprefix = \"/static\"\ndirect = \"origin\"\n");
        let (before, after) = (
            routing("HEAD:routes.toml", CATCH_ALL),
            routing("routes.toml", &new),
        );
        let requests = probes([before.table, after.table], std::iter::empty());
        let change = Change {
            file: "routes.toml",
            rev: "HEAD",
        };
        let text = compare(&before, &after, &requests).markdown(&change, &before, &after);
        assert_eq!(
            text,
            "### Routing change in `routes.toml`: `HEAD` → working tree

| | route | |
| --- | --- | --- |
| added | `prefix = \"/static\", direct = \"origin\"` | line 5 |

**3 of 6 probed requests are handled differently:**

| request | before | after |
| --- | --- | --- |
| `GET /static`<br>`GET /static/`<br>`GET /static/more` | `prefix = \"/\": fanout = \"origin\"` | `prefix = \"/static\": direct = \"origin\"` |
"
        );
    }

    /// `git` in `dir`, which must succeed.
    fn git_in(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {status:?}");
    }

    #[test]
    fn diffs_the_working_tree_against_a_commit() {
        let dir = std::env::temp_dir().join(format!("route-diff-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("fastly.toml"), FASTLY).unwrap();
        std::fs::write(dir.join("routes.toml"), CATCH_ALL).unwrap();
        std::fs::write(
            dir.join("routes.test.toml"),
            "[[case]]\npath = \"/api/v1?x=1\"\nroute = \"prefix /\"\n",
        )
        .unwrap();
        git_in(&dir, &["init", "-q"]);
        git_in(&dir, &["add", "."]);
        git_in(&dir, &["commit", "-q", "-m", "routes"]);
        let new = format!("{CATCH_ALL}\n[[route]]\nprefix = \"/api\"\ndirect = \"origin\"\n");
        std::fs::write(dir.join("routes.toml"), new).unwrap();
        let files = Files {
            routes: &dir.join("routes.toml"),
            routes_name: "routes.toml",
            tests: &dir.join("routes.test.toml"),
            tests_name: "routes.test.toml",
        };
        let text = run(&files, "HEAD", false).unwrap();
        // The test file's case is probed with the derived requests.
        assert!(
            text.contains("  GET /api/more\n  GET /api/v1?x=1\n    before  HEAD:routes.toml:1"),
            "{text}"
        );
        let err = run(&files, "no-such-rev", false).unwrap_err();
        assert!(
            err.starts_with("cannot read routes.toml at no-such-rev"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
