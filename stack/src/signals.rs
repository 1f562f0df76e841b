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

/// The signals that ask us to stop.
const STOP: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Installs the handler once per process; later calls do nothing.
pub fn stop_children_on_signal() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let mut signals = Signals::new(STOP).expect("signal handlers can be installed");
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                eprintln!("stopping the local stack ({})", name(signal));
                stop_every_child();
                std::process::exit(128 + signal);
            }
        });
    });
}

/// For a command that stops its stack itself: the stop signals are noted instead of ending
/// the process, and the command asks whether one came, so that it can drop its stack and
/// end as it would have ended anyway, with no child's death reported as a failure.
pub struct StopRequests {
    signals: Signals,
    received: Option<&'static str>,
}

impl StopRequests {
    pub fn new() -> Result<StopRequests, String> {
        let signals = Signals::new(STOP)
            .map_err(|error| format!("cannot install signal handlers: {error}"))?;
        Ok(StopRequests {
            signals,
            received: None,
        })
    }

    /// The name of the first stop signal received so far, if any.
    pub fn received(&mut self) -> Option<&'static str> {
        if self.received.is_none() {
            self.received = self.signals.pending().next().map(name);
        }
        self.received
    }
}

fn name(signal: i32) -> &'static str {
    Signal::try_from(signal).map_or("a signal", Signal::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_signal_is_noted_not_fatal() {
        let mut stop = StopRequests::new().unwrap();
        assert_eq!(stop.received(), None);
        nix::sys::signal::raise(Signal::SIGHUP).unwrap();
        assert_eq!(stop.received(), Some("SIGHUP"));
        assert_eq!(stop.received(), Some("SIGHUP"));
    }
}
