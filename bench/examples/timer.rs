//! The lookup comparison of the criterion benches, timed with `std::time::Instant` so that
//! it runs where criterion does not: inside wasm32-wasip1 under Viceroy.
//!
//!   cargo build -p fanout-router-bench --example timer --release --target wasm32-wasip1
//!   viceroy run target/wasm32-wasip1/release/examples/timer.wasm
//!
//! For each route set and lookup, the best of 5 rounds (interleaved, so the lookups see the
//! same machine load) of enough iterations over the set's paths to last ~20 ms. Then the
//! sets limited to hosts, against the same routes without hosts and matchit keyed by host.

use fanout_router_core::route::RequestKey;
use std::hint::black_box;
use std::time::{Duration, Instant};

use fanout_router_bench::{
    HOSTS_HEADER, LOOKUP_HEADER, Lookup, SETS, Set, find, host_row, linear_lookup, lookup_row,
};

const ROUNDS: usize = 5;
const ROUND_TIME: Duration = Duration::from_millis(20);

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    println!("{LOOKUP_HEADER}");
    let chosen = || SETS.iter().filter(|s| s.name.contains(&filter));
    for set in chosen().filter(|s| s.baseline.is_none()) {
        let (router, _) = set.matchit_router();
        let generated = || {
            for path in black_box(set.paths) {
                black_box(find(set.lookup, &RequestKey::plain("GET", path)));
            }
        };
        let matchit = || {
            for path in black_box(set.paths) {
                let _ = black_box(router.at(path));
            }
        };
        let linear = || {
            for path in black_box(set.paths) {
                black_box(linear_lookup(set.routes, "GET", path));
            }
        };
        let limit = set.limit.map(|limit| {
            move || {
                for path in black_box(set.paths) {
                    black_box(limit(path));
                }
            }
        });
        let mut lookups: Vec<&dyn Fn()> = vec![&generated, &matchit, &linear];
        if let Some(limit) = &limit {
            lookups.push(limit);
        }
        println!("{}", lookup_row(set, &best_per_lookup(set, &lookups)));
    }
    println!();
    println!("{HOSTS_HEADER}");
    for set in chosen().filter(|s| s.baseline.is_some()) {
        let baseline = set.baseline().unwrap();
        let requests = set.requests();
        let requests = &requests;
        let generated = |lookup: Lookup| {
            move || {
                for request in black_box(requests) {
                    black_box(find(lookup, request));
                }
            }
        };
        let host_router = set.host_router();
        let matchit = || {
            for request in black_box(requests) {
                black_box(host_router.at(request.host, request.path));
            }
        };
        let (router, _) = baseline.matchit_router();
        let matchit_no_hosts = || {
            for request in black_box(requests) {
                let _ = black_box(router.at(request.path));
            }
        };
        let lookups: [&dyn Fn(); 4] = [
            &generated(set.lookup),
            &generated(baseline.lookup),
            &matchit,
            &matchit_no_hosts,
        ];
        println!("{}", host_row(set, &best_per_lookup(set, &lookups)));
    }
}

/// Nanoseconds per lookup of each closure (one call looks up all of the set's paths).
fn best_per_lookup(set: &Set, lookups: &[&dyn Fn()]) -> Vec<f64> {
    let iterations: Vec<u32> = lookups
        .iter()
        .map(|f| {
            let start = Instant::now();
            f();
            let once = start.elapsed().max(Duration::from_nanos(100));
            (ROUND_TIME.as_nanos() / once.as_nanos()).max(1) as u32
        })
        .collect();
    let mut best = vec![f64::INFINITY; lookups.len()];
    for _ in 0..ROUNDS {
        for (i, f) in lookups.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..iterations[i] {
                f();
            }
            let ns = start.elapsed().as_nanos() as f64
                / f64::from(iterations[i])
                / set.paths.len() as f64;
            best[i] = best[i].min(ns);
        }
    }
    best
}
