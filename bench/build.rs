//! Generates the route lookups the benchmarks compare, with the app's own generator: the
//! default routes.toml, the GitHub API set (routes/github.toml), the synthetic sets of
//! src/synthetic.rs, and GitHub and synthetic sets limited to hosts. Writes `sets.rs` into
//! OUT_DIR; src/lib.rs includes it.

#[path = "src/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use fanout_router_codegen::model::{Segment, Table};
use fanout_router_codegen::{Input, Source, generate, write_if_changed};
use fanout_router_core::route::PatternKind;
use synthetic::Kind;

/// Sizes of the synthetic sets; the `large` feature adds 10,000, whose four sets take
/// minutes to compile with the release profile.
const SIZES: [usize; 3] = [10, 100, 1_000];
const LARGE: usize = 10_000;

/// Paths that fall through to the default routes.toml's prefix route.
const DEFAULT_OTHER_PATHS: [&str; 4] = ["/", "/index.html", "/api/v1/items/42", "/test/other"];

/// The hosts the GitHub set is served on in `github-hosts`.
const GITHUB_HOSTS: [&str; 3] = ["api.github.com", "uploads.github.com", "*.ghe.example.com"];

/// The synthetic sets served on hosts: (hosts, routes of the mixed set each host serves).
const HOST_SETS: [(usize, usize); 3] = [(4, 100), (16, 100), (64, 10)];

struct Entry {
    name: String,
    module: String,
    matchit: Vec<String>,
    paths: Vec<String>,
    /// The host of each path's request; empty for a set without `hosts`.
    hosts: Vec<String>,
    /// matchit's routes per host pattern, for a set limited to hosts.
    matchit_hosts: Vec<(String, Vec<String>)>,
    /// The set of the same routes without `hosts`.
    baseline: Option<String>,
    /// The name of the set's plain `match` on the whole path, for a set of literal paths.
    limit: Option<String>,
}

impl Entry {
    fn new(name: String, module: String, matchit: Vec<String>, paths: Vec<String>) -> Entry {
        Entry {
            name,
            module,
            matchit,
            paths,
            hosts: Vec::new(),
            matchit_hosts: Vec::new(),
            baseline: None,
            limit: None,
        }
    }

    /// `self`'s routes and paths served on `hosts`, as module `module` (already compiled).
    fn on_hosts(&self, name: String, module: String, hosts: &[impl AsRef<str>]) -> Entry {
        Entry {
            hosts: (0..self.paths.len())
                .map(|i| synthetic::request_host(hosts, i))
                .collect(),
            matchit_hosts: hosts
                .iter()
                .map(|h| (h.as_ref().to_owned(), self.matchit.clone()))
                .collect(),
            baseline: Some(self.name.clone()),
            ..Entry::new(name, module, Vec::new(), self.paths.clone())
        }
    }
}

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    println!("cargo::rerun-if-changed=src/synthetic.rs");
    let mut entries = Vec::new();
    let mut limits = String::new();

    let default = read(&root.join("../routes.toml"));
    let fastly = read(&root.join("../fastly.toml"));
    let table = compile(&out, "default", &default, &fastly);
    let mut paths: Vec<String> = table
        .routes
        .iter()
        .filter(|r| r.pattern.kind == PatternKind::Exact)
        .map(|r| r.pattern.text.clone())
        .collect();
    paths.extend(DEFAULT_OTHER_PATHS.map(String::from));
    entries.push(Entry {
        limit: limit(&mut limits, "default", &table),
        ..Entry::new(
            "default".into(),
            "default".into(),
            matchit_routes(&table, false),
            paths,
        )
    });

    let github = read(&root.join("routes/github.toml"));
    let table = compile(&out, "github", &github, synthetic::FASTLY);
    let github_entry = Entry::new(
        "github".into(),
        "github".into(),
        matchit_routes(&table, true),
        github_paths(&table),
    );
    let on_hosts = synthetic::on_hosts(&github, &GITHUB_HOSTS);
    compile(&out, "github_hosts", &on_hosts, synthetic::FASTLY);
    let github_hosts =
        github_entry.on_hosts("github-hosts".into(), "github_hosts".into(), &GITHUB_HOSTS);
    entries.push(github_entry);
    entries.push(github_hosts);

    let large = env::var_os("CARGO_FEATURE_LARGE").is_some();
    for kind in Kind::ALL {
        for size in SIZES.into_iter().chain(large.then_some(LARGE)) {
            let set = synthetic::generate(kind, size);
            let module = format!("{}_{size}", kind.name());
            let table = compile(&out, &module, &set.toml, synthetic::FASTLY);
            entries.push(Entry {
                limit: limit(&mut limits, &module, &table),
                ..Entry::new(
                    format!("{}-{size}", kind.name()),
                    module,
                    set.matchit,
                    set.paths,
                )
            });
        }
    }

    for (count, size) in HOST_SETS {
        let hosts = synthetic::host_patterns(count);
        let set = synthetic::generate(Kind::Mixed, size);
        let module = format!("hosts_{count}x{size}");
        compile(
            &out,
            &module,
            &synthetic::on_hosts(&set.toml, &hosts),
            synthetic::FASTLY,
        );
        let base = Entry::new(
            format!("mixed-{size}"),
            String::new(),
            set.matchit,
            set.paths,
        );
        entries.push(base.on_hosts(format!("hosts-{count}x{size}"), module, &hosts));
    }

    let mut code = limits;
    for entry in &entries {
        writeln!(
            code,
            "#[allow(dead_code, clippy::all)]\npub mod {m} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{m}.rs\")); }}",
            m = entry.module
        )
        .unwrap();
    }
    code.push_str("pub static SETS: &[Set] = &[\n");
    for entry in &entries {
        writeln!(
            code,
            "    Set {{ name: {:?}, lookup: {m}::lookup, routes: &{m}::ROUTES, matchit: &{:?}, paths: &{:?}, hosts: &{:?}, matchit_hosts: &[{}], baseline: {:?}, limit: {} }},",
            entry.name,
            entry.matchit,
            entry.paths,
            entry.hosts,
            entry
                .matchit_hosts
                .iter()
                .map(|(host, routes)| format!("({host:?}, &{routes:?})"))
                .collect::<Vec<_>>()
                .join(", "),
            entry.baseline,
            entry.limit.as_ref().map_or("None".to_owned(), |f| format!("Some({f})")),
            m = entry.module,
        )
        .unwrap();
    }
    code.push_str("];\n");
    write_if_changed(&out.join("sets.rs"), &code).unwrap();
}

/// For a set of literal `path` routes and at most a catch-all prefix `/`, writes to `code`
/// the plain `match` on the whole path that finds the same route (its index), the fastest
/// lookup such a set can have, and returns its name.
fn limit(code: &mut String, module: &str, table: &Table) -> Option<String> {
    let mut arms = String::new();
    let mut fallback = "None".to_owned();
    for (index, route) in table.routes.iter().enumerate() {
        let literal = route
            .pattern
            .segments
            .iter()
            .all(|s| matches!(s, Segment::Literal(_)));
        match route.pattern.kind {
            PatternKind::Exact if literal => {
                writeln!(arms, "        {:?} => Some({index}),", route.pattern.text).unwrap()
            }
            PatternKind::Prefix if route.pattern.segments.is_empty() => {
                fallback = format!("Some({index})")
            }
            _ => return None,
        }
    }
    let name = format!("limit_{module}");
    writeln!(
        code,
        "fn {name}(path: &str) -> Option<usize> {{\n    match path {{\n{arms}        _ => {fallback},\n    }}\n}}"
    )
    .unwrap();
    Some(name)
}

fn read(path: &Path) -> String {
    println!("cargo::rerun-if-changed={}", path.display());
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Generates `<module>.rs` in `out` and returns the validated table.
fn compile(out: &Path, module: &str, routes: &str, fastly: &str) -> Table {
    let input = Input {
        routes: Source::new("routes.toml", routes),
        fastly: Source::new("fastly.toml", fastly),
    };
    let table = input.table().unwrap_or_else(|diagnostics| {
        let all: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        panic!("route set {module} is invalid:\n{}", all.join("\n"))
    });
    write_if_changed(&out.join(format!("{module}.rs")), &generate(&table)).unwrap();
    table
}

/// The routes for matchit, whose `{param}` syntax is ours. A prefix is the bare path plus a
/// catch-all; `github` keeps matchit's own benchmark route instead, `/…/milestones/`.
fn matchit_routes(table: &Table, github: bool) -> Vec<String> {
    let mut routes = Vec::new();
    for route in &table.routes {
        let text = &route.pattern.text;
        match route.pattern.kind {
            PatternKind::Exact => routes.push(text.clone()),
            PatternKind::Prefix if github => routes.push(format!("{text}/")),
            PatternKind::Prefix => {
                routes.push(format!("{}/{{*rest}}", text.trim_end_matches('/')));
                routes.push(text.clone());
            }
        }
    }
    routes
}

/// matchit's benchmark paths: each route with its parameters named p1, p2, ... and a
/// trailing slash for the prefix route.
fn github_paths(table: &Table) -> Vec<String> {
    table
        .routes
        .iter()
        .map(|route| {
            let mut path = String::new();
            let mut param = 0;
            for segment in &route.pattern.segments {
                match segment {
                    Segment::Literal(text) => write!(path, "/{text}").unwrap(),
                    Segment::Param(_) => {
                        param += 1;
                        write!(path, "/p{param}").unwrap();
                    }
                }
            }
            if route.pattern.kind == PatternKind::Prefix {
                path.push('/');
            }
            path
        })
        .collect()
}
