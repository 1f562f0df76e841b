//! The stacks the tests run against: the app built once from `e2e/routes.toml` (or another
//! routes file), started on free ports on first use, and stopped when the `Fixture` is
//! dropped after the run; and stacks of their own for tests that break them, stopped when
//! the test drops them.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use fanout_router_stack::{Origin, Ports, Publishing, Stack, StackConfig, app_build, paths, setup};

pub struct Fixture {
    /// Names the shared stacks' run directories, `target/stack/<name>[-origin-down]`.
    name: &'static str,
    /// Whether the demo origin publishes (`POST /publish`), in every stack of this fixture.
    demo_publishing: Publishing,
    routes: Routes,
    app: OnceLock<Result<App, String>>,
    with_origin: OnceLock<Result<Stack, String>>,
    origin_down: OnceLock<Result<Stack, String>>,
    own_stacks: AtomicUsize,
    /// Held while a stack chooses its ports and starts, so that two stacks starting at once
    /// cannot both be given a port that neither listens on yet.
    starting: Mutex<()>,
}

/// The routes file the app is built with, and the target directory it is built in (one per
/// routes file, so that the builds do not keep invalidating each other).
#[derive(Clone, Copy, Debug)]
pub struct Routes {
    /// Relative to the repository root.
    pub file: &'static str,
    /// Relative to the repository root.
    pub target_dir: &'static str,
}

/// The routes of the end-to-end tests.
pub const E2E_ROUTES: Routes = Routes {
    file: "e2e/routes.toml",
    target_dir: "target/e2e",
};

#[derive(Clone)]
struct App {
    wasm: PathBuf,
    viceroy: PathBuf,
}

/// Where a test reaches the stack.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub app: String,
    pub publish: String,
    /// The demo origin, which publishes with ids and serves the history.
    pub origin: String,
}

impl Endpoints {
    pub fn of(stack: &Stack) -> Endpoints {
        Endpoints {
            app: stack.app_url(),
            publish: stack.publish_url(),
            origin: stack.origin_url(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app)
    }

    pub fn ws_url(&self, path: &str) -> String {
        self.url(path).replacen("http://", "ws://", 1)
    }
}

impl Default for Fixture {
    /// Stacks named `e2e`, whose demo origin refuses to publish, as by default.
    fn default() -> Fixture {
        Fixture::new("e2e", Publishing::Off)
    }
}

impl Fixture {
    /// Stacks named `name` of the app built from `e2e/routes.toml`.
    pub fn new(name: &'static str, demo_publishing: Publishing) -> Fixture {
        Fixture::with_routes(name, demo_publishing, E2E_ROUTES)
    }

    /// Stacks named `name` of the app built from `routes`.
    pub fn with_routes(name: &'static str, demo_publishing: Publishing, routes: Routes) -> Fixture {
        Fixture {
            name,
            demo_publishing,
            routes,
            app: OnceLock::new(),
            with_origin: OnceLock::new(),
            origin_down: OnceLock::new(),
            own_stacks: AtomicUsize::new(0),
            starting: Mutex::new(()),
        }
    }

    /// The stack with the demo origin (`Origin::Demo`) or with nothing on the origin's port
    /// (`Origin::Down`), started by the first test that asks. Panics, failing that test,
    /// when it cannot start.
    pub fn endpoints(&self, origin: Origin) -> Endpoints {
        let (cell, name) = match origin {
            Origin::Demo => (&self.with_origin, self.name.to_string()),
            Origin::Down => (&self.origin_down, format!("{}-origin-down", self.name)),
            Origin::Own => panic!("the fixture's stacks have the demo origin or none"),
        };
        let stack = cell.get_or_init(|| self.start(&name, origin));
        Endpoints::of(stack.as_ref().unwrap_or_else(|error| panic!("{error}")))
    }

    /// A stack of its own, for a test that breaks it; its files are in
    /// `target/stack/<name>-own-<n>` (short: Pushpin's socket paths have a length limit).
    /// Panics, failing that test, when it cannot start.
    pub fn own_stack(&self, origin: Origin) -> Stack {
        let number = self.own_stacks.fetch_add(1, Ordering::SeqCst);
        self.start(&format!("{}-own-{number}", self.name), origin)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    fn start(&self, name: &str, origin: Origin) -> Result<Stack, String> {
        let App { wasm, viceroy } = self.app.get_or_init(|| build_app(self.routes)).clone()?;
        let _turn = self
            .starting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Stack::start(&StackConfig {
            wasm,
            viceroy,
            ports: Ports::free().map_err(|error| format!("no free ports: {error}"))?,
            origin,
            demo_publishing: self.demo_publishing,
            run_dir: paths::run_dir(name),
        })
    }

    /// Processes of the stacks that died while the tests ran, with the end of their logs.
    pub fn deaths(&mut self) -> Vec<String> {
        [&mut self.with_origin, &mut self.origin_down]
            .into_iter()
            .filter_map(|cell| cell.get_mut()?.as_mut().ok()?.check().err())
            .collect()
    }
}

fn build_app(Routes { file, target_dir }: Routes) -> Result<App, String> {
    setup::wasm_target()?;
    setup::pushpin()?;
    let viceroy = setup::viceroy()?;
    println!("e2e: building the app from {file} into {target_dir}");
    let wasm = app_build::build(Some(file), &paths::repo_root().join(target_dir))?;
    Ok(App { wasm, viceroy })
}
