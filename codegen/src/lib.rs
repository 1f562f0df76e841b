//! Compiles routes.toml into the route lookup of fanout-router.
//!
//! `build.rs` calls [`compile`]; `cargo xtask codegen` calls [`generate`] to refresh the
//! reviewed copy. Everything here runs on the host at build time.

mod channel;
mod config;
mod diagnostic;
mod generate;
pub mod model;
mod pattern;
pub mod precedence;
mod validate;

use std::path::Path;
use std::{fs, io};

pub use diagnostic::{Diagnostic, Location, Source};
pub use generate::HEADER;

/// Validates routes.toml against fastly.toml and returns the generated Rust source.
pub fn generate(routes: &Source, fastly: &Source) -> Result<String, Vec<Diagnostic>> {
    validate::validate(routes, fastly).map(|table| generate::generate(&table))
}

/// Validates routes.toml against fastly.toml and returns the route table, for tools that
/// reason about routes without compiling them.
pub fn table(routes: &Source, fastly: &Source) -> Result<model::Table, Vec<Diagnostic>> {
    validate::validate(routes, fastly)
}

/// The build-script entry point: reads both files from the package root, writes the lookup
/// to `out` when its text changed, and reports errors as `cargo::error=` lines.
/// Returns whether generation succeeded.
pub fn compile(package_root: &Path, routes: &str, fastly: &str, out: &Path) -> bool {
    println!("cargo::rerun-if-changed={routes}");
    println!("cargo::rerun-if-changed={fastly}");
    let read = |name: &str| {
        fs::read_to_string(package_root.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
    };
    let (routes_text, fastly_text) = match (read(routes), read(fastly)) {
        (Ok(r), Ok(f)) => (r, f),
        (Err(e), _) | (_, Err(e)) => {
            println!("cargo::error={e}");
            return false;
        }
    };
    let sources = [
        &Source::new(routes, &routes_text),
        &Source::new(fastly, &fastly_text),
    ];
    match generate(sources[0], sources[1]) {
        Ok(code) => match write_if_changed(out, &code) {
            Ok(()) => true,
            Err(e) => {
                println!("cargo::error=cannot write {}: {e}", out.display());
                false
            }
        },
        Err(diagnostics) => {
            // Cargo prints each `cargo::error=` line as an error of its own, so the
            // rendered snippet goes out line by line, after a blank one between errors.
            for (i, diagnostic) in diagnostics.iter().enumerate() {
                if i > 0 {
                    println!("cargo::error=");
                }
                for line in diagnostic.render_for_cargo(&sources).lines() {
                    println!("cargo::error={line}");
                }
            }
            false
        }
    }
}

/// Leaves the file untouched when the text is the same, so its timestamp does not make
/// cargo rebuild the app.
pub fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text)
}
