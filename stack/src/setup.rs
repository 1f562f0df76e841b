//! Installs the tools the stack needs. Every step is idempotent: it checks first and does
//! nothing when the tool is already there, so both `cargo xtask serve` and `cargo xtask test`
//! run all of it every time.

use std::path::PathBuf;
use std::process::Command;

use crate::command::{cargo, output, run};
use crate::paths::tool_cache;

/// Viceroy is pinned: its flags and its Fanout handoff are what the stack is written against.
pub const VICEROY_VERSION: &str = "0.22.0";
/// The Fastly CLI used to build and validate the package that `fastly compute publish` takes.
pub const FASTLY_CLI_VERSION: &str = "16.1.0";

/// Adds the wasm32-wasip1 target with rustup unless it is installed.
pub fn wasm_target() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed
        .lines()
        .any(|target| target.trim() == "wasm32-wasip1")
    {
        return Ok(());
    }
    println!("setup: adding the wasm32-wasip1 target with rustup");
    run(Command::new("rustup").args(["target", "add", "wasm32-wasip1"]))
}

/// Installs Pushpin with apt-get when it is missing and we are root; otherwise says what to
/// install.
pub fn pushpin() -> Result<(), String> {
    if output(Command::new("pushpin").arg("--version")).is_ok() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Err("Pushpin is not installed: install it as root with \
                    `apt-get install -y pushpin` (Debian, Ubuntu), then run this again"
            .into());
    }
    println!("setup: installing Pushpin with apt-get (about 15 s)");
    let apt_get = |args: &[&str]| {
        run(Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    apt_get(&["update", "-q"])?;
    apt_get(&["install", "-y", "-q", "pushpin"])
}

/// Returns Viceroy, building it once into the tool cache when it is not there yet.
pub fn viceroy() -> Result<PathBuf, String> {
    let root = tool_cache().join(format!("viceroy-{VICEROY_VERSION}"));
    let binary = root.join("bin/viceroy");
    if binary.is_file() {
        return Ok(binary);
    }
    println!(
        "setup: building Viceroy {VICEROY_VERSION} into {} with cargo install; this happens once \
         and takes 12-18 minutes on 2 cores (cargo's progress follows)",
        root.display()
    );
    std::fs::create_dir_all(tool_cache())
        .map_err(|error| format!("creating {}: {error}", tool_cache().display()))?;
    run(Command::new(cargo())
        .args([
            "install",
            "viceroy",
            "--version",
            VICEROY_VERSION,
            "--locked",
            "--root",
        ])
        .arg(&root)
        // Outside the workspace, so that its cargo configuration does not apply.
        .current_dir(tool_cache()))?;
    Ok(binary)
}

/// Returns the Fastly CLI's static binary, installing the npm package once when it is missing.
pub fn fastly_cli() -> Result<PathBuf, String> {
    let prefix = tool_cache().join(format!("fastly-cli-{FASTLY_CLI_VERSION}"));
    let binary = prefix.join("node_modules/@fastly/cli-linux-x64/fastly");
    if binary.is_file() {
        return Ok(binary);
    }
    println!(
        "setup: installing the Fastly CLI {FASTLY_CLI_VERSION} from npm into {}",
        prefix.display()
    );
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(format!("@fastly/cli@{FASTLY_CLI_VERSION}")))?;
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "npm installed the Fastly CLI but {} is missing (this set-up expects linux-x64)",
            binary.display()
        ))
    }
}
