//! Installs the tools the stack needs. Every step is idempotent: it checks first and does
//! nothing when the tool is already there, so both `cargo xtask serve` and `cargo xtask test`
//! run all of it every time.

use std::path::{Path, PathBuf};
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
    apt_install("Pushpin", &["pushpin"], "about 15 s")
}

/// Debian's Chromium and its ChromeDriver, for the browser test of the demo page.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs Chromium and ChromeDriver with apt-get when either is missing and we are root;
/// otherwise says what to install.
pub fn chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    apt_install(
        "Chromium and ChromeDriver",
        &["chromium", "chromium-driver"],
        "about 1 minute",
    )
}

/// `apt-get install`s `packages` as root, or fails saying how to.
fn apt_install(what: &str, packages: &[&str], duration: &str) -> Result<(), String> {
    let packages = packages.join(" ");
    if !nix::unistd::geteuid().is_root() {
        return Err(format!(
            "missing {what}: install it as root with \
             `apt-get install -y {packages}` (Debian, Ubuntu), then run this again"
        ));
    }
    println!("setup: installing {what} with apt-get ({duration})");
    let apt_get = |args: &str| {
        run(Command::new("apt-get")
            .args(args.split_whitespace())
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    apt_get("update -q")?;
    apt_get(&format!("install -y -q {packages}"))
}

/// Where the set-up puts Viceroy, built or not.
pub fn viceroy_binary() -> PathBuf {
    tool_cache().join(format!("viceroy-{VICEROY_VERSION}/bin/viceroy"))
}

/// Returns Viceroy, building it once into the tool cache when it is not there yet.
pub fn viceroy() -> Result<PathBuf, String> {
    let binary = viceroy_binary();
    let root = tool_cache().join(format!("viceroy-{VICEROY_VERSION}"));
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
