//! Builds the app's release wasm, from the default routes.toml or from another routes file.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::command::{cargo, run};
use crate::paths::repo_root;

/// Builds `fanout-router.wasm` into `target_dir` and returns its path. `routes_file` (relative
/// to the repository root) replaces routes.toml; give each routes file its own `target_dir` so
/// that the builds do not keep invalidating each other.
pub fn build(routes_file: Option<&str>, target_dir: &Path) -> Result<PathBuf, String> {
    let mut cargo = Command::new(cargo());
    cargo
        .current_dir(repo_root())
        .args(["build", "--bin", "fanout-router", "--release"])
        .args(["--target", "wasm32-wasip1", "--target-dir"])
        .arg(target_dir)
        .env_remove("FANOUT_ROUTER_ROUTES");
    if let Some(routes_file) = routes_file {
        cargo.env("FANOUT_ROUTER_ROUTES", routes_file);
    }
    run(&mut cargo)?;
    Ok(target_dir.join("wasm32-wasip1/release/fanout-router.wasm"))
}
