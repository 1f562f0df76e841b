//! The generated lookup against matchit and a linear scan, on every route set of the crate,
//! and on a set of literal paths against its limit, a plain `match` on the whole path.
//! One iteration looks up all of a set's paths; criterion reports the time per path
//! (`thrpt`) and per iteration. Then
//! `cargo run --release -p fanout-router-bench --example report` prints the tables of
//! BENCHMARKS.md from the results.
//!
//! A set limited to hosts is measured against the set of the same routes without hosts,
//! on the same requests: `generated` and `generated-no-hosts`, `matchit` keyed by host and
//! `matchit-no-hosts`.

use fanout_router_core::route::RequestKey;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fanout_router_bench::{SETS, Set, find, linear_lookup};

fn lookups(c: &mut Criterion) {
    for set in SETS {
        if set.baseline.is_some() {
            host_lookups(c, set);
            continue;
        }
        let mut group = c.benchmark_group(set.name);
        group.throughput(Throughput::Elements(set.paths.len() as u64));
        group.bench_function("generated", |b| {
            b.iter(|| {
                for path in black_box(set.paths) {
                    let found = black_box(find(set.lookup, &RequestKey::plain("GET", path)));
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
        if let Some(limit) = set.limit {
            group.bench_function("limit", |b| {
                b.iter(|| {
                    for path in black_box(set.paths) {
                        assert!(black_box(limit(path)).is_some());
                    }
                })
            });
        }
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

fn host_lookups(c: &mut Criterion, set: &'static Set) {
    let baseline = set.baseline().expect("a set limited to hosts");
    let requests = set.requests();
    let mut group = c.benchmark_group(set.name);
    group.throughput(Throughput::Elements(requests.len() as u64));
    for (name, lookup) in [
        ("generated", set.lookup),
        ("generated-no-hosts", baseline.lookup),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for request in black_box(&requests) {
                    assert!(black_box(find(lookup, request)).is_some());
                }
            })
        });
    }
    let router = set.host_router();
    group.bench_function("matchit", |b| {
        b.iter(|| {
            for request in black_box(&requests) {
                assert!(black_box(router.at(request.host, request.path)).is_some());
            }
        })
    });
    let (router, _) = baseline.matchit_router();
    group.bench_function("matchit-no-hosts", |b| {
        b.iter(|| {
            for request in black_box(&requests) {
                assert!(black_box(router.at(request.path)).is_ok());
            }
        })
    });
    group.finish();
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
