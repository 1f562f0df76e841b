//! Prints the lookup benchmark results as the table in BENCHMARKS.md: nanoseconds per
//! lookup (criterion's median of the iteration time over the paths per iteration) and
//! the ratios to the generated lookup, then the table of the sets limited to hosts. Run
//! after `cargo bench -p fanout-router-bench`.

use std::path::{Path, PathBuf};
use std::{env, fs};

use fanout_router_bench::{HOSTS_HEADER, LOOKUP_HEADER, SETS, Set, host_row, lookup_row};

const LOOKUPS: [&str; 4] = ["generated", "matchit", "linear", "limit"];
const HOST_LOOKUPS: [&str; 4] = [
    "generated",
    "generated-no-hosts",
    "matchit",
    "matchit-no-hosts",
];

fn main() {
    let dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("criterion");
    println!("{LOOKUP_HEADER}");
    for set in SETS.iter().filter(|s| s.baseline.is_none()) {
        let lookups = if set.limit.is_some() {
            &LOOKUPS[..]
        } else {
            &LOOKUPS[..3]
        };
        if let Some(ns) = per_lookup(&dir, set, lookups) {
            println!("{}", lookup_row(set, &ns));
        }
    }
    println!();
    println!("{HOSTS_HEADER}");
    for set in SETS.iter().filter(|s| s.baseline.is_some()) {
        if let Some(ns) = per_lookup(&dir, set, &HOST_LOOKUPS) {
            println!("{}", host_row(set, &ns));
        }
    }
}

/// Nanoseconds per lookup of each of `lookups` on `set`, if they all ran.
fn per_lookup(dir: &Path, set: &Set, lookups: &[&str]) -> Option<Vec<f64>> {
    lookups
        .iter()
        .map(|lookup| {
            median(&dir.join(set.name).join(lookup)).map(|ns| ns / set.paths.len() as f64)
        })
        .collect()
}

/// Criterion's median iteration time in nanoseconds, if that benchmark ran.
fn median(bench: &Path) -> Option<f64> {
    let text = fs::read_to_string(bench.join("new/estimates.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}
