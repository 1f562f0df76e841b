//! Generates the lookups of tests/routes.toml, so that the tests of `cargo xtask routes` run
//! against generated code as the app does, on routes with parameters and method lists, and
//! of e2e/routes.toml, so that its route tests run against the lookup the end-to-end tests'
//! app is built with.

fn main() {
    let out = std::path::Path::new(&std::env::var_os("OUT_DIR").unwrap()).to_owned();
    for (routes, file) in [
        ("tests/routes.toml", "test_routes.rs"),
        ("../e2e/routes.toml", "e2e_routes.rs"),
    ] {
        let result = fanout_router_codegen::Config::new()
            .routes(routes)
            .fastly("../fastly.toml")
            .out_file(out.join(file))
            .compile();
        if let Err(error) = result {
            error.fail_build();
        }
    }
}
