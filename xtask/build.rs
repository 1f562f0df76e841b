//! Generates the lookup of tests/routes.toml, so that the tests of `cargo xtask routes` run
//! against generated code as the app does, on routes with parameters and method lists.

fn main() {
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").unwrap()).join("test_routes.rs");
    let result = fanout_router_codegen::Config::new()
        .routes("tests/routes.toml")
        .fastly("../fastly.toml")
        .out_file(out)
        .compile();
    if let Err(error) = result {
        error.report_to_cargo();
    }
}
