//! `cargo xtask fastly`: the Fastly CLI that the set-up installs, run from the repository
//! root with the set-up's Viceroy, so that `fastly compute serve` downloads none.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use fanout_router_stack::command::run as run_command;
use fanout_router_stack::{paths, setup};

pub const USAGE: &str =
    "  fastly ARGS...      run the Fastly CLI with ARGS from the repository root (installed
                      from npm into ~/.cache/fanout-router on first use), e.g.
                      `cargo xtask fastly compute build`";

pub fn run(args: &[&str]) -> Result<(), String> {
    run_command(&mut command(&setup::fastly_cli()?, args))
}

/// The Fastly CLI at `fastly` with `args`, from the repository root; given the set-up's
/// Viceroy when it is built, since the CLI would otherwise fetch a Viceroy of its own.
pub fn command(fastly: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(fastly);
    command.args(args).current_dir(paths::repo_root());
    let viceroy = setup::viceroy_binary();
    if let Some(dir) = viceroy.parent().filter(|_| viceroy.is_file()) {
        command
            .env("FASTLY_VICEROY_USE_PATH", "1")
            .env("PATH", path_with(dir));
    }
    command
}

/// `$PATH` with `dir` first.
fn path_with(dir: &Path) -> OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&rest));
    std::env::join_paths(dirs).unwrap_or(rest)
}
