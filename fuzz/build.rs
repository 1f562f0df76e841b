//! Generates the lookup of `routes.toml` (the fixed route set of `lookup_vs_reference`)
//! into OUT_DIR, as the app's build script does for its own routes.

fn main() {
    let result = fanout_router_codegen::Config::new()
        .fastly("../fastly.toml")
        .compile();
    if let Err(error) = result {
        error.fail_build();
    }
}
