//! Generates the route lookups the benchmarks compare, with the app's own generator: the
//! default routes.toml, the GitHub API set (routes/github.toml) and the synthetic sets of
//! src/synthetic.rs. Writes `sets.rs` into OUT_DIR; src/lib.rs includes it.

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

struct Entry {
    name: String,
    module: String,
    matchit: Vec<String>,
    paths: Vec<String>,
}

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    println!("cargo::rerun-if-changed=src/synthetic.rs");
    let mut entries = Vec::new();

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
        name: "default".into(),
        module: "default".into(),
        matchit: matchit_routes(&table, false),
        paths,
    });

    let github = read(&root.join("routes/github.toml"));
    let table = compile(&out, "github", &github, synthetic::FASTLY);
    entries.push(Entry {
        name: "github".into(),
        module: "github".into(),
        matchit: matchit_routes(&table, true),
        paths: github_paths(&table),
    });

    let large = env::var_os("CARGO_FEATURE_LARGE").is_some();
    for kind in Kind::ALL {
        for size in SIZES.into_iter().chain(large.then_some(LARGE)) {
            let set = synthetic::generate(kind, size);
            let module = format!("{}_{size}", kind.name());
            compile(&out, &module, &set.toml, synthetic::FASTLY);
            entries.push(Entry {
                name: format!("{}-{size}", kind.name()),
                module,
                matchit: set.matchit,
                paths: set.paths,
            });
        }
    }

    let mut code = String::new();
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
            "    Set {{ name: {:?}, lookup: {m}::lookup, routes: &{m}::ROUTES, matchit: &{:?}, paths: &{:?} }},",
            entry.name,
            entry.matchit,
            entry.paths,
            m = entry.module,
        )
        .unwrap();
    }
    code.push_str("];\n");
    write_if_changed(&out.join("sets.rs"), &code).unwrap();
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
