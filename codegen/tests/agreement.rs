//! The generated lookup agrees with the plain reference implementation of the precedence
//! rules (`precedence::reference_lookup`) on many random route sets and paths.
//!
//! Each route set is generated into a module of a scratch crate under `target/`, which is
//! compiled once and asked to look up every path; its answers are compared with the
//! reference's. Deterministic: the sets come from a fixed seed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

use fanout_router_codegen::model::{Segment, Table};
use fanout_router_codegen::precedence::{path_segments, reference_lookup};
use fanout_router_codegen::{Input, Source, generate};
use fanout_router_core::decision::Headers;
use fanout_router_core::route::RequestKey;
use fastrand::Rng;

const SETS: usize = 80;
const PATHS_PER_SET: usize = 150;
const WORDS: [&str; 5] = ["a", "b", "api", "x1", "rooms"];
const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "DELETE", "PURGE"];
const HOSTS: [&str; 4] = [
    "a.example.com",
    "b.example.com",
    "*.example.com",
    "*.b.example.com",
];
/// Request hosts in normal form, near the routes' hosts and not.
const REQUEST_HOSTS: [&str; 6] = [
    "",
    "a.example.com",
    "b.example.com",
    "x.b.example.com",
    "example.com",
    "other.org",
];
/// Conditions a random route may have, as routes.toml writes them.
const CONDITIONS: [&str; 7] = [
    "websocket = true",
    "websocket = false",
    "accept = \"text/event-stream\"",
    "headers = { x-a = \"1\" }",
    "headers = { x-a = \"2\" }\nwebsocket = false",
    "headers = { x-a = true }",
    "query = [\"live\"]",
];
/// The kinds of request: headers and query.
type Kind = (
    &'static [(&'static str, &'static str)],
    Option<&'static str>,
);
const KINDS: [Kind; 7] = [
    (&[], None),
    (&[("upgrade", "websocket")], None),
    (&[("accept", "text/event-stream")], None),
    (&[("accept", "text/event-stream;q=0")], Some("live")),
    (&[("x-a", "1")], Some("live")),
    (
        &[
            ("x-a", "2"),
            ("upgrade", "websocket"),
            ("accept", "text/event-stream"),
        ],
        None,
    ),
    (&[("x-a", "2")], Some("a=1&live=1")),
];

struct Pairs(&'static [(&'static str, &'static str)]);

impl Headers for Pairs {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self.0.iter().find(|(n, _)| *n == name);
        found.map(|(_, value)| value.as_bytes())
    }
}
const FASTLY: &str = "[local_server.backends.origin]\nurl = \"http://127.0.0.1:8000/\"\n\
                      [local_server.backends.self]\nurl = \"http://127.0.0.1:7676/\"\n";

/// A random routes.toml; routes that would duplicate another are dropped by validation's
/// rules, so the set is kept only when it validates.
fn random_routes(rng: &mut Rng) -> String {
    let mut toml = String::new();
    let count = 1 + rng.usize(..24);
    for _ in 0..count {
        let length = rng.usize(..4);
        let mut pattern = String::new();
        for i in 0..length {
            if rng.usize(..3) == 0 {
                write!(pattern, "/{{p{i}}}").unwrap();
            } else {
                write!(pattern, "/{}", rng.choice(WORDS).unwrap()).unwrap();
            }
        }
        if pattern.is_empty() {
            pattern.push('/');
        }
        let key = if rng.usize(..2) == 0 {
            "path"
        } else {
            "prefix"
        };
        write!(toml, "[[route]]\n{key} = \"{pattern}\"\n").unwrap();
        if rng.usize(..3) == 0 {
            let methods: Vec<String> = METHODS[..4]
                .iter()
                .filter(|_| rng.usize(..2) == 0)
                .map(|m| format!("\"{m}\""))
                .collect();
            if !methods.is_empty() {
                writeln!(toml, "methods = [{}]", methods.join(", ")).unwrap();
            }
        }
        if rng.usize(..3) == 0 {
            let hosts: Vec<String> = HOSTS
                .iter()
                .filter(|_| rng.usize(..2) == 0)
                .map(|h| format!("\"{h}\""))
                .collect();
            if !hosts.is_empty() {
                writeln!(toml, "hosts = [{}]", hosts.join(", ")).unwrap();
            }
        }
        if rng.usize(..3) == 0 {
            writeln!(toml, "{}", rng.choice(CONDITIONS).unwrap()).unwrap();
        }
        toml.push_str("fanout = \"origin\"\n\n");
    }
    toml
}

/// Drops routes until the set validates: random sets often hold duplicates.
fn valid_table(mut toml: String) -> Option<Table> {
    loop {
        let input = Input {
            routes: Source::new("routes.toml", &toml),
            fastly: Source::new("fastly.toml", FASTLY),
        };
        match input.table() {
            Ok(table) => return Some(table),
            Err(diagnostics) => {
                let line = diagnostics.first()?.location.line;
                // Remove the whole route the first error points into.
                let lines: Vec<&str> = toml.lines().collect();
                let start = lines[..line].iter().rposition(|l| *l == "[[route]]")?;
                let end = lines[start + 1..]
                    .iter()
                    .position(|l| *l == "[[route]]")
                    .map_or(lines.len(), |i| start + 1 + i);
                toml = lines[..start]
                    .iter()
                    .chain(&lines[end..])
                    .map(|l| format!("{l}\n"))
                    .collect();
                if !toml.contains("[[route]]") {
                    return None;
                }
            }
        }
    }
}

/// Paths near the routes: instances of their patterns, with extra or missing segments,
/// trailing and doubled slashes, and random words.
fn random_path(rng: &mut Rng, table: &Table) -> String {
    let route = &table.routes[rng.usize(..table.routes.len())];
    let mut segments: Vec<String> = route
        .pattern
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => text.clone(),
            Segment::Param(_) => rng.choice(WORDS).unwrap().to_owned(),
        })
        .collect();
    match rng.usize(..6) {
        0 => segments.push(rng.choice(WORDS).unwrap().to_owned()),
        1 => segments.push(String::new()),
        2 => {
            segments.pop();
        }
        3 if !segments.is_empty() => {
            let i = rng.usize(..segments.len());
            segments[i] = if rng.usize(..2) == 0 {
                String::new()
            } else {
                "zz".to_owned()
            };
        }
        _ => {}
    }
    format!("/{}", segments.join("/"))
}

/// What the reference says: the route's index in the table (and in the generated `ROUTES`),
/// its pattern and its captured values, or `none`.
fn expected(table: &Table, method: &str, host: &str, path: &str, kind: Kind) -> String {
    let request = RequestKey {
        host,
        query: kind.1,
        headers: &Pairs(kind.0),
        ..RequestKey::plain(method, path)
    };
    let Some(index) = reference_lookup(table, &request) else {
        return "none".to_owned();
    };
    let route = &table.routes[index];
    let segments = path_segments(path).unwrap();
    let captures: Vec<&str> = route
        .pattern
        .segments
        .iter()
        .zip(&segments)
        .filter(|(s, _)| matches!(s, Segment::Param(_)))
        .map(|(_, value)| *value)
        .collect();
    format!(
        "route {index} {} {} [{}]",
        route.pattern.kind.key(),
        route.pattern.text,
        captures.join("|")
    )
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn generated_lookup_agrees_with_the_reference() {
    let mut rng = Rng::with_seed(0x5EED_1234_ABCD_0001);
    let crate_dir = workspace_root().join("target/agreement");
    fs::create_dir_all(crate_dir.join("src")).unwrap();
    let mut modules = String::new();
    let mut cases = String::new();
    let mut expectations = Vec::new();
    let mut sets = 0;
    while sets < SETS {
        let Some(table) = valid_table(random_routes(&mut rng)) else {
            continue;
        };
        fs::write(
            crate_dir.join(format!("src/set{sets}.rs")),
            generate(&table),
        )
        .unwrap();
        writeln!(
            modules,
            "#[allow(dead_code, clippy::all)] mod set{sets} {{ include!(\"set{sets}.rs\"); }}"
        )
        .unwrap();
        for _ in 0..PATHS_PER_SET {
            let method = rng.choice(METHODS).unwrap();
            let path = random_path(&mut rng, &table);
            let host = rng.choice(REQUEST_HOSTS).unwrap();
            let kind = KINDS[rng.usize(..KINDS.len())];
            writeln!(
                cases,
                "    (set{sets}::lookup, &set{sets}::ROUTES, {method:?}, {host:?}, {path:?}, &{:?}, {:?}),",
                kind.0, kind.1
            )
            .unwrap();
            expectations.push(format!(
                "{sets} {method} {host} {path} -> {}",
                expected(&table, method, host, &path, kind)
            ));
        }
        sets += 1;
    }
    let main = format!(
        "{modules}\nuse fanout_router_core::route::{{Match, RequestKey, Route}};\n\
         use fanout_router_core::decision::{{Headers, Lookup}};\n\
         type Case = (Lookup, &'static [&'static Route], &'static str, &'static str, &'static str, &'static [(&'static str, &'static str)], Option<&'static str>);\n\
         const CASES: &[Case] = &[\n{cases}];\n\
         struct Pairs(&'static [(&'static str, &'static str)]);\n\
         impl Headers for Pairs {{\n\
             fn get(&self, name: &str) -> Option<&[u8]> {{\n\
                 self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_bytes())\n\
             }}\n\
         }}\n\
         fn main() {{\n\
             for (i, (lookup, routes, method, host, path, headers, query)) in CASES.iter().enumerate() {{\n\
                 let set = i / {PATHS_PER_SET};\n\
                 let request = RequestKey {{ method, host, path, query: *query, headers: &Pairs(headers) }};\n\
                 let found = match lookup(&request) {{\n\
                     None => \"none\".to_owned(),\n\
                     Some(route) => {{\n\
                         let m = Match::new(route, path);\n\
                         let index = routes.iter().position(|r| std::ptr::eq(*r, m.route)).unwrap();\n\
                         let captures: Vec<&str> = (0..m.route.params.len()).map(|i| m.value(i)).collect();\n\
                         format!(\"route {{index}} {{}} {{}} [{{}}]\", m.route.kind.key(), m.route.pattern, captures.join(\"|\"))\n\
                     }}\n\
                 }};\n\
                 println!(\"{{set}} {{method}} {{host}} {{path}} -> {{found}}\");\n\
             }}\n\
         }}\n"
    );
    fs::write(crate_dir.join("src/main.rs"), main).unwrap();
    let core = workspace_root().join("core");
    fs::write(
        crate_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"agreement\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             [dependencies]\nfanout-router-core = {{ path = {:?} }}\n[workspace]\n",
            core.canonicalize().unwrap()
        ),
    )
    .unwrap();
    fs::copy(
        workspace_root().join("Cargo.lock"),
        crate_dir.join("Cargo.lock"),
    )
    .unwrap();
    let output = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--offline", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the generated lookups did not build or run:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual = String::from_utf8(output.stdout).unwrap();
    let actual: Vec<&str> = actual.lines().collect();
    assert_eq!(actual.len(), expectations.len());
    let mismatches: Vec<String> = expectations
        .iter()
        .zip(&actual)
        .filter(|(want, got)| want != got)
        .map(|(want, got)| format!("reference: {want}\ngenerated: {got}"))
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} lookups disagree (route sets in {}):\n{}",
        mismatches.len(),
        expectations.len(),
        crate_dir.display(),
        mismatches[..mismatches.len().min(10)].join("\n")
    );
}
