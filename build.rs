//! Compiles routes.toml into the app's route lookup (see the codegen crate).

fn main() {
    // The end-to-end tests build the app with their own route set.
    let routes = std::env::var("FANOUT_ROUTER_ROUTES").unwrap_or_else(|_| "routes.toml".into());
    if let Err(error) = fanout_router_codegen::Config::new()
        .routes(routes)
        .compile()
    {
        error.fail_build();
    }
    // Printed once the build script succeeds, so that cargo shows only the errors of a
    // failure; a failed build script runs again anyway.
    println!("cargo::rerun-if-env-changed=FANOUT_ROUTER_ROUTES");
}
