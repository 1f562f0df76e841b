//! Runs the stack's long-lived processes. Each child gets its own process group, so that
//! stopping it also stops what it started (Pushpin runs four services) and so that a Ctrl-C
//! in the terminal reaches only us: we stop the children in order. A child that dies is
//! reported with the end of its log.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::command::describe;

/// How long a child may take to stop after SIGTERM before it gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
const LOG_TAIL_LINES: usize = 20;

/// Process groups of every running child in this process, for `stop_every_child`.
static RUNNING_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

#[derive(Default)]
pub struct Supervisor {
    children: Vec<Supervised>,
}

struct Supervised {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Supervisor {
    /// Starts `command` with its output in `log` and waits until `ready()` holds. Fails, with
    /// the end of the log, when the child exits first or is not ready within `timeout` (it
    /// is then stopped: a misconfigured Pushpin hangs at `starting...` for ever).
    pub fn start(
        &mut self,
        name: &str,
        command: &mut Command,
        log: &Path,
        timeout: Duration,
        ready: impl Fn() -> bool,
    ) -> Result<(), String> {
        let output =
            File::create(log).map_err(|error| format!("creating {}: {error}", log.display()))?;
        let errors = output.try_clone().map_err(|error| error.to_string())?;
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .map_err(|error| format!("could not start {name} ({}): {error}", describe(command)))?;
        RUNNING_GROUPS.lock().unwrap().push(child.id() as i32);
        let mut supervised = Supervised {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(death) = supervised.death() {
                supervised.stop();
                return Err(death);
            }
            if ready() {
                self.children.push(supervised);
                return Ok(());
            }
            if Instant::now() > deadline {
                supervised.stop();
                return Err(format!(
                    "{name} was not ready after {timeout:?}, so it was stopped; {}",
                    log_tail(log)
                ));
            }
            sleep(POLL);
        }
    }

    /// Fails with the child's name, exit status and log when any child has exited.
    pub fn check(&mut self) -> Result<(), String> {
        match self.children.iter_mut().find_map(Supervised::death) {
            Some(death) => Err(death),
            None => Ok(()),
        }
    }
}

impl Drop for Supervisor {
    /// Stops the children in the reverse order of their start.
    fn drop(&mut self) {
        while let Some(mut child) = self.children.pop() {
            child.stop();
        }
    }
}

impl Supervised {
    /// Describes the child's exit, or `None` while it runs.
    fn death(&mut self) -> Option<String> {
        let status = match self.child.try_wait() {
            Ok(status) => status?,
            Err(error) => return Some(format!("{} cannot be watched: {error}", self.name)),
        };
        Some(format!(
            "{} exited ({status}); {}",
            self.name,
            log_tail(&self.log)
        ))
    }

    fn stop(&mut self) {
        let group = self.child.id() as i32;
        RUNNING_GROUPS
            .lock()
            .unwrap()
            .retain(|&running| running != group);
        stop_group(group);
    }
}

/// Stops every child this process started; for signal handlers, where no `Drop` runs.
pub fn stop_every_child() {
    let groups = std::mem::take(&mut *RUNNING_GROUPS.lock().unwrap());
    groups.into_iter().rev().for_each(stop_group);
}

/// SIGTERM to the group, SIGKILL to whatever is left after the grace period, and the
/// group's leader reaped so that it leaves no zombie.
fn stop_group(group: i32) {
    let signal_group = |signal| {
        // SAFETY: kill has no memory-safety preconditions; a group that is gone gives ESRCH.
        unsafe { libc::kill(-group, signal) };
    };
    let leader_exited = || {
        // SAFETY: waitpid on our own child with WNOHANG; null status is allowed.
        let reaped = unsafe { libc::waitpid(group, std::ptr::null_mut(), libc::WNOHANG) };
        reaped != 0 // the pid when reaped now, -1 when reaped already
    };
    signal_group(libc::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
    let mut exited = leader_exited();
    while !exited && Instant::now() < deadline {
        sleep(POLL);
        exited = leader_exited();
    }
    // Also catches services that outlived their leader.
    signal_group(libc::SIGKILL);
    if !exited {
        // SAFETY: as above, blocking now that the leader has been killed.
        unsafe { libc::waitpid(group, std::ptr::null_mut(), 0) };
    }
}

/// The last lines of a child's log, for error messages.
pub fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
    format!("last lines of {}:\n{}", log.display(), tail.join("\n"))
}

/// Whether a line of the log ends with `suffix` (Pushpin prints `... started` when ready).
pub fn log_has_line_ending(log: &Path, suffix: &str) -> bool {
    fs::read_to_string(log)
        .is_ok_and(|text| text.lines().any(|line| line.trim_end().ends_with(suffix)))
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    TcpStream::connect_timeout(&address.into(), Duration::from_millis(200)).is_ok()
}
