//! `cargo xtask codegen`: keeps generated/routes.rs, the reviewed copy of the routing that
//! `build.rs` compiles into the app, in step with routes.toml.

use std::fs;
use std::path::Path;

use fanout_router_codegen::Source;

pub const GENERATED: &str = "generated/routes.rs";

pub enum Mode {
    Write,
    Check,
}

pub fn run(mode: Mode) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |name: &str| {
        fs::read_to_string(root.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
    };
    let routes = read("routes.toml")?;
    let fastly = read("fastly.toml")?;
    let code = fanout_router_codegen::generate(
        &Source::new("routes.toml", &routes),
        &Source::new("fastly.toml", &fastly),
    )
    .map_err(|diagnostics| {
        let all: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        all.join("\n")
    })?;
    let path = root.join(GENERATED);
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

fn write(path: &Path, code: &str) -> Result<(), String> {
    fanout_router_codegen::write_if_changed(path, code)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {GENERATED}");
    Ok(())
}
