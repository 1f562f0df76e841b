//! Ctrl-C, SIGTERM and SIGHUP stop every supervised child before the process exits. The
//! children run in their own process groups, so the terminal's Ctrl-C never reaches them, and
//! a process that a signal kills runs no `Drop`: without this they would be orphaned.
//!
//! signal-hook receives the signals on a thread of its own, so that stopping the children
//! (which takes locks and sleeps) runs outside a signal handler; it works whatever threads
//! exist already, which blocking the signals and waiting with `sigwait` would not.

use std::sync::Once;

use nix::sys::signal::Signal;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::supervisor::stop_every_child;

/// Installs the handler once per process; later calls do nothing.
pub fn stop_children_on_signal() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let mut signals =
            Signals::new([SIGINT, SIGTERM, SIGHUP]).expect("signal handlers can be installed");
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let name = Signal::try_from(signal).map_or("a signal", Signal::as_str);
                eprintln!("stopping the local stack ({name})");
                stop_every_child();
                std::process::exit(128 + signal);
            }
        });
    });
}
