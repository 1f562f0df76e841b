//! `cargo xtask codegen`: keeps generated/routes.rs, the reviewed copy of the routing that
//! `build.rs` compiles into the app, in step with routes.toml.

use std::fs;
use std::path::Path;

use fanout_router_codegen::model::Table;
use fanout_router_codegen::{Diagnostic, Input, Source};
use fanout_router_stack::paths::repo_root;

pub const GENERATED: &str = "generated/routes.rs";

/// How to bring a stale copy up to date, in every message that finds one.
const REGENERATE: &str = "Run `cargo xtask codegen` and commit the result.";

pub enum Mode {
    Write,
    Check,
}

pub fn run(mode: Mode) -> Result<(), String> {
    let code = generated_text()?;
    let path = repo_root().join(GENERATED);
    match mode {
        Mode::Write => write(&path, &code),
        Mode::Check => check(&path, &code),
    }
}

/// What routes.toml and fastly.toml generate now.
fn generated_text() -> Result<String, String> {
    table().map(|table| fanout_router_codegen::generate(&table))
}

/// routes.toml validated against fastly.toml; its errors are printed as the build prints
/// them.
pub fn table() -> Result<Table, String> {
    let routes = read("routes.toml")?;
    let fastly = read("fastly.toml")?;
    let input = Input {
        routes: Source::new("routes.toml", &routes),
        fastly: Source::new("fastly.toml", &fastly),
    };
    input.table().map_err(|diagnostics| {
        let closing = report(&diagnostics, &input.sources());
        format!("{closing}, nothing generated")
    })
}

fn check(path: &Path, code: &str) -> Result<(), String> {
    let committed = fs::read_to_string(path).unwrap_or_default();
    if committed == code {
        Ok(())
    } else {
        Err(format!(
            "{GENERATED} is stale: routes.toml changed since it was generated.\n{REGENERATE}"
        ))
    }
}

fn read(name: &str) -> Result<String, String> {
    fs::read_to_string(repo_root().join(name)).map_err(|e| format!("cannot read {name}: {e}"))
}

/// Prints each error as the build would, and returns the closing line: the first source's
/// name and how many errors it has.
pub fn report(diagnostics: &[Diagnostic], sources: &[&Source]) -> String {
    for diagnostic in diagnostics {
        eprintln!("{}\n", diagnostic.render(sources));
    }
    let count = diagnostics.len();
    let errors = if count == 1 { "error" } else { "errors" };
    let name = sources.first().map_or("routes.toml", |s| s.name);
    format!("{name}: {count} {errors}")
}

fn write(path: &Path, code: &str) -> Result<(), String> {
    fanout_router_codegen::write_if_changed(path, code)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {GENERATED}");
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Plain `cargo test` catches a stale reviewed copy, as `cargo xtask codegen --check`
    /// does in `cargo xtask test`.
    #[test]
    fn the_reviewed_copy_is_fresh() {
        if let Err(message) = super::run(super::Mode::Check) {
            panic!("{message}");
        }
    }
}
