//! `cargo xtask codegen`: keeps generated/routes.rs, the reviewed copy of the routing that
//! `build.rs` compiles into the app, in step with routes.toml.

use std::fs;
use std::path::{Path, PathBuf};

use fanout_router_codegen::{Diagnostic, Source};

pub const GENERATED: &str = "generated/routes.rs";

pub enum Mode {
    Write,
    Check,
}

pub fn run(mode: Mode) -> Result<(), String> {
    let routes = read("routes.toml")?;
    let fastly = read("fastly.toml")?;
    let sources = [
        &Source::new("routes.toml", &routes),
        &Source::new("fastly.toml", &fastly),
    ];
    let code = fanout_router_codegen::generate(sources[0], sources[1])
        .map_err(|diagnostics| report(&diagnostics, &sources))?;
    let path = root().join(GENERATED);
    match mode {
        Mode::Write => write(&path, &code),
        Mode::Check => {
            let committed = fs::read_to_string(&path).unwrap_or_default();
            if committed == code {
                Ok(())
            } else {
                Err(format!(
                    "{GENERATED} is stale: routes.toml changed since it was generated.\n\
                     Run `cargo xtask codegen` and commit the result."
                ))
            }
        }
    }
}

/// The workspace root, which holds routes.toml and fastly.toml.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn read(name: &str) -> Result<String, String> {
    fs::read_to_string(root().join(name)).map_err(|e| format!("cannot read {name}: {e}"))
}

/// Prints each error as the build would, and returns the closing line.
pub fn report(diagnostics: &[Diagnostic], sources: &[&Source]) -> String {
    for diagnostic in diagnostics {
        eprintln!("{}\n", diagnostic.render(sources));
    }
    let count = diagnostics.len();
    let errors = if count == 1 { "error" } else { "errors" };
    format!("routes.toml: {count} {errors}, nothing generated")
}

fn write(path: &Path, code: &str) -> Result<(), String> {
    fanout_router_codegen::write_if_changed(path, code)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {GENERATED}");
    Ok(())
}
