//! The harness of the end-to-end test binaries: a trial per test, on a stack the fixture
//! shares or on one of the test's own (`tests/faults.rs`), and, for shared stacks, a run that
//! stops them after the last test, pass or fail, and fails when a process of one died.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use fanout_router_stack::{Origin, Stack, signals};
use libtest_mimic::{Arguments, Trial};

use crate::http::run_test;
use crate::{Endpoints, Fixture};

/// What a test runs against, from a fixture: a shared stack's endpoints, or a stack of its own.
pub trait Target: Sized + 'static {
    /// Every test finishes within this, or fails.
    const TIMEOUT: Duration;

    /// Panics, failing the test, when the stack cannot start.
    fn from(fixture: &Fixture, origin: Origin) -> Self;
}

impl Target for Endpoints {
    const TIMEOUT: Duration = Duration::from_secs(30);

    /// The fixture's stack with that origin, started by the first test that asks.
    fn from(fixture: &Fixture, origin: Origin) -> Endpoints {
        fixture.endpoints(origin)
    }
}

impl Target for Stack {
    /// A restart of Viceroy or Pushpin is part of some of these tests.
    const TIMEOUT: Duration = Duration::from_secs(60);

    /// A stack of the test's own, which it may break; stopped when the test ends.
    fn from(fixture: &Fixture, origin: Origin) -> Stack {
        fixture.own_stack(origin)
    }
}

/// A test that runs on its own single-threaded runtime against what it takes, a shared stack's
/// `Endpoints` or a `Stack` of its own.
pub fn trial<T: Target, F: Future<Output = ()> + 'static>(
    fixture: &Arc<Fixture>,
    origin: Origin,
    name: &'static str,
    test: fn(T) -> F,
) -> Trial {
    let fixture = fixture.clone();
    Trial::test(name, move || {
        let target = T::from(&fixture, origin);
        run_test(name, T::TIMEOUT, test(target)).map_err(Into::into)
    })
}

/// Runs `trials` (made with `trial` on `fixture`) as the command line asks, then stops the
/// stacks. Ctrl-C stops them too.
pub fn run(fixture: Arc<Fixture>, trials: Vec<Trial>) -> ExitCode {
    let arguments = Arguments::from_args();
    signals::stop_children_on_signal();
    let conclusion = libtest_mimic::run(&arguments, trials);
    let Ok(mut fixture) = Arc::try_unwrap(fixture) else {
        unreachable!("every test has finished and dropped its handle")
    };
    let deaths = fixture.deaths();
    for death in &deaths {
        eprintln!("a process of the stack died during the tests: {death}");
    }
    drop(fixture); // stops the stacks
    if deaths.is_empty() {
        conclusion.exit_code()
    } else {
        ExitCode::FAILURE
    }
}
