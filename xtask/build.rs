//! Generates the lookup of tests/routes.toml, so that the tests of `cargo xtask routes` run
//! against generated code as the app does, on routes with parameters and method lists.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("test_routes.rs");
    fanout_router_codegen::compile(&root, "tests/routes.toml", "../fastly.toml", &out);
}
