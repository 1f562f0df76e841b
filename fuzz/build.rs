//! Generates the lookup of `routes.toml` (the fixed route set of `lookup_vs_reference`)
//! into OUT_DIR, as the app's build script does for its own routes.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("routes.rs");
    if !fanout_router_codegen::compile(&root, "routes.toml", "../fastly.toml", &out) {
        std::process::exit(1);
    }
}
