//! Compiles routes.toml into the app's route lookup (see the codegen crate).

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=FANOUT_ROUTER_ROUTES");
    // The end-to-end tests build the app with their own route set.
    let routes = std::env::var("FANOUT_ROUTER_ROUTES").unwrap_or_else(|_| "routes.toml".into());
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("routes.rs");
    fanout_router_codegen::compile(&root, &routes, "fastly.toml", &out);
}
