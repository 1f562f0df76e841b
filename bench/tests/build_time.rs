//! Time to generate and to compile the lookup of large route sets: no quadratic blow-up, no
//! stack overflow. Ignored by default (minutes of compiling); run by hand:
//!
//!   cargo test -p fanout-router-bench --release --test build_time -- --ignored --nocapture
//!
//! For each set: validation + generation time, the generated file's lines, then a scratch
//! crate under target/build-time holding only that lookup is built with cargo's dev profile
//! and with the app's release profile (opt-level "s", fat LTO, one codegen unit).
//! Dependencies are built first, so the times are those of the lookup crate.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use std::{env, fs};

use fanout_router_bench::synthetic::{self, Kind};
use fanout_router_codegen::{Input, Source, generate};

const SIZES: [usize; 2] = [1_000, 10_000];

const PROFILE: &str = "[profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\n\
                       strip = true\npanic = \"abort\"\n";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
#[ignore = "minutes of compiling; run by hand"]
fn generating_and_compiling_large_route_sets() {
    let dir = workspace_root().join("target/build-time");
    fs::create_dir_all(dir.join("src")).unwrap();
    let core = workspace_root().join("core").canonicalize().unwrap();
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"build-time\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             [dependencies]\nfanout-router-core = {{ path = {core:?} }}\n[workspace]\n{PROFILE}"
        ),
    )
    .unwrap();
    fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // A small set first, so that the dependencies are built before anything is timed.
    write_crate(&dir, &generated(Kind::Static, 10).0);
    build(&dir, false);
    build(&dir, true);
    println!("| set | generate | lines | dev build | release build |");
    println!("|---|---:|---:|---:|---:|");
    for kind in [Kind::Mixed] {
        for size in SIZES {
            let (code, generate_time) = generated(kind, size);
            write_crate(&dir, &code);
            let dev = build(&dir, false);
            let release = build(&dir, true);
            println!(
                "| {}-{size} | {} ms | {} | {:.1} s | {:.1} s |",
                kind.name(),
                generate_time.as_millis(),
                code.lines().count(),
                dev.as_secs_f64(),
                release.as_secs_f64()
            );
        }
    }
}

/// The generated lookup of a synthetic set, and the time validation and generation took.
fn generated(kind: Kind, size: usize) -> (String, Duration) {
    let set = synthetic::generate(kind, size);
    let start = Instant::now();
    let input = Input {
        routes: Source::new("routes.toml", &set.toml),
        fastly: Source::new("fastly.toml", synthetic::FASTLY),
    };
    let table = input
        .table()
        .unwrap_or_else(|_| panic!("{}-{size} is valid", kind.name()));
    (generate(&table), start.elapsed())
}

fn write_crate(dir: &Path, code: &str) {
    fs::write(dir.join("src/routes.rs"), code).unwrap();
    fs::write(
        dir.join("src/main.rs"),
        "#[allow(dead_code, clippy::all)]\nmod routes { include!(\"routes.rs\"); }\n\
         fn main() {\n    let path = std::env::args().nth(1).unwrap_or_default();\n    \
         println!(\"{:?}\", routes::lookup(&fanout_router_core::route::RequestKey::plain(\"GET\", &path)).map(|route| route.pattern));\n}\n",
    )
    .unwrap();
}

/// Times a build of the crate.
fn build(dir: &Path, release: bool) -> Duration {
    let mut command = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"));
    if release {
        command.arg("--release");
    }
    let start = Instant::now();
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "the generated lookup did not build");
    start.elapsed()
}
