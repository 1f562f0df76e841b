//! What the load runs on: the limit on open files, the machine, and each process's memory
//! and CPU time, all from /proc.

use std::fs;
use std::time::Duration;

use fanout_router_stack::Stack;

/// Raises the soft limit on open files towards `wanted`, up to the hard limit; returns it.
pub fn raise_open_file_limit(wanted: u64) -> Result<u64, String> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err("getrlimit(RLIMIT_NOFILE) failed".into());
        }
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted.min(limit.rlim_max);
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err("setrlimit(RLIMIT_NOFILE) failed".into());
            }
        }
    }
    Ok(limit.rlim_cur)
}

/// Cores, load average and memory, from /proc.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let memory = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let available = memory
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))
        .unwrap_or("?")
        .trim();
    format!(
        "{cores} cores, load average {}, memory available {available}",
        load.join(" ")
    )
}

/// A process of the stack, or the load client itself.
pub struct Process {
    pub name: String,
    pub pid: i32,
}

pub fn processes(stack: Option<&Stack>) -> Vec<Process> {
    let mut processes: Vec<Process> = stack
        .map(Stack::processes)
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(_, pids)| pids)
        .map(|pid| Process {
            name: fs::read_to_string(format!("/proc/{pid}/comm"))
                .map_or_else(|_| "?".into(), |name| name.trim().to_string()),
            pid,
        })
        .collect();
    let client = match stack {
        Some(_) => "load client (and demo origin)",
        None => "load client",
    };
    processes.push(Process {
        name: client.into(),
        pid: std::process::id() as i32,
    });
    processes
}

/// Resident memory now and at its peak, in KiB, and CPU time used so far.
#[derive(Clone, Copy, Default)]
pub struct Usage {
    pub rss_kib: u64,
    pub peak_kib: u64,
    pub cpu: Duration,
}

pub fn sample(processes: &[Process]) -> Vec<Usage> {
    processes.iter().map(|process| usage(process.pid)).collect()
}

pub fn usage(pid: i32) -> Usage {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    // utime and stime, in clock ticks, are the 12th and 13th fields after `(command)`.
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let ticks: u64 = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|field| field.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Usage {
        rss_kib: kib("VmRSS:"),
        peak_kib: kib("VmHWM:"),
        cpu: Duration::from_millis(ticks * 1000 / per_second),
    }
}
