//! `cargo xtask test`: every test of the project, in order, stopping at the first failing
//! step and naming it. `.ci/run` runs this.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use fanout_router_stack::command::{cargo, run as run_command};
use fanout_router_stack::{app_build, paths, setup};

use crate::fastly;

pub const USAGE: &str =
    "  test                run every test: set-up, fmt, clippy, codegen --check, the route
                      tests of routes.toml and e2e/routes.toml (--fail-under 100), native tests
                      (serve end to end among them), the wasm build, wasm tests under
                      Viceroy, end-to-end tests (with the demo page in Chromium), and fastly
                      compute build + validate";

/// The tools that later steps need, found or installed by the set-up step.
struct Tools {
    viceroy: PathBuf,
    fastly: PathBuf,
}

pub fn run() -> Result<(), String> {
    let started = Instant::now();
    let mut steps = Steps { passed: 0 };
    let result = run_steps(&mut steps);
    let failed = usize::from(result.is_err());
    println!(
        "\nsteps: {} passed, {failed} failed ({:.0?})",
        steps.passed,
        started.elapsed()
    );
    result
}

fn run_steps(steps: &mut Steps) -> Result<(), String> {
    let tools = steps.run("set-up", set_up)?;
    steps.run("rustfmt", || cargo_in_repo("fmt --all --check"))?;
    steps.run("clippy", || {
        cargo_in_repo("clippy --workspace --exclude fanout-router --all-targets -- -D warnings")?;
        cargo_in_repo("clippy -p fanout-router --target wasm32-wasip1 -- -D warnings")
    })?;
    steps.run("generated code is fresh", || {
        cargo_in_repo("xtask codegen --check")
    })?;
    steps.run("route tests, every route covered", || {
        cargo_in_repo("xtask routes --test routes.test.toml --fail-under 100")?;
        cargo_in_repo("xtask routes --test e2e/routes.test.toml --fail-under 100")?;
        cargo_in_repo("xtask routes --test examples/chat/routes.test.toml --fail-under 100")
    })?;
    steps.run("native tests", || {
        cargo_in_repo("test --workspace --exclude fanout-router --exclude e2e")
    })?;
    steps.run("release wasm build", || {
        app_build::build(None, &paths::repo_root().join("target")).map(drop)
    })?;
    steps.run("wasm tests under Viceroy", || {
        // Fastly's documented way: Viceroy as the wasm runner, and nextest, since a wasm
        // panic cannot be caught inside the test binary.
        let runner = format!("{} run -C fastly.toml --", tools.viceroy.display());
        run_command(
            cargo_command("nextest run -p fanout-router --target wasm32-wasip1")
                .env("CARGO_TARGET_WASM32_WASIP1_RUNNER", runner),
        )
    })?;
    steps.run("end-to-end tests", || cargo_in_repo("test -p e2e"))?;
    steps.run("fastly compute build and validate", || {
        fastly_cli(&tools, "compute build --non-interactive")?;
        fastly_cli(
            &tools,
            "compute validate --non-interactive -p pkg/fanout-router.tar.gz",
        )
    })
}

/// Announces each step, times it and counts the ones that pass.
struct Steps {
    passed: usize,
}

impl Steps {
    fn run<T>(
        &mut self,
        name: &str,
        action: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        println!("\n==> {name}");
        let started = Instant::now();
        let result = action().map_err(|error| format!("step `{name}` failed: {error}"))?;
        println!("==> {name}: ok in {:.1?}", started.elapsed());
        self.passed += 1;
        Ok(result)
    }
}

fn set_up() -> Result<Tools, String> {
    setup::wasm_target()?;
    setup::pushpin()?;
    setup::chromium()?;
    Ok(Tools {
        viceroy: setup::viceroy()?,
        fastly: setup::fastly_cli()?,
    })
}

/// Cargo in the repository root with the given arguments, building the default routes.toml
/// whatever the environment says.
fn cargo_command(args: &str) -> Command {
    let mut command = Command::new(cargo());
    command
        .args(args.split_whitespace())
        .current_dir(paths::repo_root())
        .env_remove("FANOUT_ROUTER_ROUTES");
    command
}

fn cargo_in_repo(args: &str) -> Result<(), String> {
    run_command(&mut cargo_command(args))
}

fn fastly_cli(tools: &Tools, args: &str) -> Result<(), String> {
    let args: Vec<&str> = args.split_whitespace().collect();
    run_command(&mut fastly::command(&tools.fastly, &args))
}
