//! Ctrl-C, SIGTERM and SIGHUP stop every supervised child before the process exits. The
//! children run in their own process groups, so the terminal's Ctrl-C never reaches them, and
//! a process that a signal kills runs no `Drop`: without this they would be orphaned.

use std::sync::Once;

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
                eprintln!("stopping the local stack (signal {signal})");
                stop_every_child();
                std::process::exit(128 + signal);
            }
        });
    });
}
