//! The generated lookup against matchit and a linear scan, on every route set of the crate.
//! One iteration looks up all of a set's paths; criterion reports the time per path
//! (`thrpt`) and per iteration. Then
//! `cargo run --release -p fanout-router-bench --example report` prints the table of
//! BENCHMARKS.md from the results.

use fanout_router_core::route::RequestKey;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fanout_router_bench::{SETS, linear_lookup};

fn lookups(c: &mut Criterion) {
    for set in SETS {
        let mut group = c.benchmark_group(set.name);
        group.throughput(Throughput::Elements(set.paths.len() as u64));
        group.bench_function("generated", |b| {
            b.iter(|| {
                for path in black_box(set.paths) {
                    let found = black_box((set.lookup)(&RequestKey::plain("GET", path)));
                    assert!(found.is_some());
                }
            })
        });
        let (router, refused) = set.matchit_router();
        group.bench_function("matchit", |b| {
            b.iter(|| {
                for path in black_box(set.paths) {
                    let found = black_box(router.at(path));
                    // A path of a route matchit refused may go unmatched.
                    assert!(found.is_ok() || refused > 0);
                }
            })
        });
        group.bench_function("linear", |b| {
            b.iter(|| {
                for path in black_box(set.paths) {
                    let found = black_box(linear_lookup(set.routes, "GET", path));
                    assert!(found.is_some());
                }
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = lookups
}
criterion_main!(benches);
