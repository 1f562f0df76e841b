//! Runs the stack's long-lived processes. Each child gets its own process group, so that a
//! Ctrl-C in the terminal reaches only us and we stop the children in order. What a child
//! starts is recorded once it is ready and stopped with it: Pushpin's runner puts each of its
//! four services in a group of its own, and they would outlive a runner that crashed. A
//! child that dies is reported with the end of its log.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::command::describe;

/// How long a child may take to stop after SIGTERM before it gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
const LOG_TAIL_LINES: usize = 20;

/// Every running child of this process, for `stop_every_child`.
static RUNNING: Mutex<Vec<ProcessTree>> = Mutex::new(Vec::new());

/// A child (the leader of its own process group) and the processes it started.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ProcessTree {
    leader: i32,
    descendants: Vec<i32>,
}

#[derive(Default)]
pub struct Supervisor {
    children: Vec<Supervised>,
}

struct Supervised {
    name: String,
    child: Child,
    tree: ProcessTree,
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
        let tree = ProcessTree {
            leader: child.id() as i32,
            descendants: Vec::new(),
        };
        RUNNING.lock().unwrap().push(tree.clone());
        let mut supervised = Supervised {
            name: name.to_string(),
            child,
            tree,
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(death) = supervised.death() {
                supervised.stop();
                return Err(death);
            }
            if ready() {
                supervised.record_descendants();
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

    /// Stops the child called `name` and what it started, and forgets it; does nothing when
    /// there is no such child.
    pub fn stop(&mut self, name: &str) {
        if let Some(index) = self.children.iter().position(|child| child.name == name) {
            self.children.remove(index).stop();
        }
    }

    /// Each child's name and process ids: the child's own, then those of what it started.
    pub fn processes(&self) -> Vec<(&str, Vec<i32>)> {
        self.children
            .iter()
            .map(|child| {
                let mut pids = vec![child.tree.leader];
                pids.extend(&child.tree.descendants);
                (child.name.as_str(), pids)
            })
            .collect()
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

    fn record_descendants(&mut self) {
        let mut running = RUNNING.lock().unwrap();
        let Some(entry) = running.iter_mut().find(|tree| **tree == self.tree) else {
            return; // already being stopped by a signal
        };
        self.tree.descendants = descendants_of(self.tree.leader);
        *entry = self.tree.clone();
    }

    fn stop(&mut self) {
        RUNNING
            .lock()
            .unwrap()
            .retain(|tree| tree.leader != self.tree.leader);
        stop_tree(&self.tree);
    }
}

/// Stops every child this process started; for signal handlers, where no `Drop` runs.
pub fn stop_every_child() {
    let trees = std::mem::take(&mut *RUNNING.lock().unwrap());
    trees.iter().rev().for_each(stop_tree);
}

/// SIGTERM to the leader's group, then, once the leader has exited or the grace period is
/// over, SIGKILL to the group and to every recorded descendant still there; the leader is
/// reaped so that it leaves no zombie.
fn stop_tree(tree: &ProcessTree) {
    let leader = Pid::from_raw(tree.leader);
    // A group or process that is gone already gives ESRCH, which is what we want.
    let signal_group = |signal| {
        let _ = killpg(leader, signal);
    };
    // Reaped now, or reaped already (ECHILD): either way it has exited.
    let leader_exited = || {
        !matches!(
            waitpid(leader, Some(WaitPidFlag::WNOHANG)),
            Ok(WaitStatus::StillAlive)
        )
    };
    signal_group(Signal::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
    let mut exited = leader_exited();
    while !exited && Instant::now() < deadline {
        sleep(POLL);
        exited = leader_exited();
    }
    // Also catches services that outlived their leader.
    signal_group(Signal::SIGKILL);
    for &descendant in &tree.descendants {
        let _ = kill(Pid::from_raw(descendant), Signal::SIGKILL);
    }
    if !exited {
        // Blocking, now that the leader has been killed.
        let _ = waitpid(leader, None);
    }
}

/// The processes below `root` in the process tree, read from /proc.
fn descendants_of(root: i32) -> Vec<i32> {
    let parents: Vec<(i32, i32)> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (command) state ppid ...`; the command may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut next = 0;
    while let Some(&parent) = tree.get(next) {
        tree.extend(
            parents
                .iter()
                .filter(|&&(_, ppid)| ppid == parent)
                .map(|&(pid, _)| pid),
        );
        next += 1;
    }
    tree.split_off(1)
}

/// The last lines of a child's log, for error messages.
pub fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
    format!("last lines of {}:\n{}", log.display(), tail.join("\n"))
}

/// Whether any line of the log satisfies `wanted`.
pub fn log_has_line(log: &Path, wanted: impl Fn(&str) -> bool) -> bool {
    fs::read_to_string(log).is_ok_and(|text| text.lines().any(wanted))
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    TcpStream::connect_timeout(&address.into(), Duration::from_millis(200)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alive(pid: i32) -> bool {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // A zombie (`Z`) has exited and only waits for its parent to reap it.
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    }

    #[test]
    fn stops_one_child_by_name_and_forgets_it() {
        let mut supervisor = Supervisor::default();
        let log = std::env::temp_dir().join(format!("supervisor-stop-{}.log", std::process::id()));
        supervisor
            .start(
                "sleeper",
                Command::new("sleep").arg("60"),
                &log,
                Duration::from_secs(5),
                || true,
            )
            .unwrap();
        let pid = supervisor.processes()[0].1[0];
        assert!(alive(pid));
        supervisor.stop("sleeper");
        assert!(!alive(pid));
        assert!(supervisor.processes().is_empty());
        assert_eq!(supervisor.check(), Ok(()));
        let _ = fs::remove_file(log);
    }

    #[test]
    fn stops_descendants_that_left_the_group() {
        let mut supervisor = Supervisor::default();
        let log = std::env::temp_dir().join(format!("supervisor-test-{}.log", std::process::id()));
        // `setsid` puts the sleep in a session and group of its own, as Pushpin does with its
        // services; the shell prints the sleep's pid once it is running.
        supervisor
            .start(
                "shell",
                Command::new("sh").args(["-c", "setsid sleep 60 & echo $!; wait"]),
                &log,
                Duration::from_secs(5),
                // The shell may not have written the pid yet when the sleep is running.
                || {
                    descendants_of(RUNNING.lock().unwrap().last().unwrap().leader).len() == 1
                        && log_has_line(&log, |line| !line.trim().is_empty())
                },
            )
            .unwrap();
        let sleep_pid: i32 = fs::read_to_string(&log).unwrap().trim().parse().unwrap();
        assert!(alive(sleep_pid));
        drop(supervisor);
        // SIGKILL takes effect when the process is next scheduled.
        let deadline = Instant::now() + Duration::from_secs(2);
        while alive(sleep_pid) && Instant::now() < deadline {
            sleep(POLL);
        }
        assert!(!alive(sleep_pid));
        let _ = fs::remove_file(log);
    }
}
