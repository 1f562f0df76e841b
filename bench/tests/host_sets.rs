//! The sets limited to hosts measure host dispatch alone: on each request the generated
//! lookup finds the route its baseline (the same routes without `hosts`) finds, limited to
//! the request's host, and matchit keyed by host finds the route of the same pattern.

use fanout_router_bench::SETS;
use fanout_router_core::route::host_admits;

#[test]
fn host_sets_find_what_their_baseline_finds() {
    let mut sets = 0;
    for set in SETS.iter().filter(|s| s.baseline.is_some()) {
        sets += 1;
        let baseline = set.baseline().unwrap();
        assert_eq!(set.paths, baseline.paths, "{}", set.name);
        assert_eq!(set.hosts.len(), set.paths.len(), "{}", set.name);
        let router = set.host_router();
        let (plain, _) = baseline.matchit_router();
        for request in set.requests() {
            let (host, path) = (request.host, request.path);
            let found = (set.lookup)(&request).expect("a route");
            let expected = (baseline.lookup)(&request).expect("a route");
            assert_eq!(found.pattern, expected.pattern, "{host}{path}");
            assert!(found.hosts.iter().any(|h| host_admits(h, host)), "{host}");
            let by_host = router.at(host, path).expect("a matchit route");
            assert_eq!(by_host, *plain.at(path).unwrap().value, "{host}{path}");
        }
    }
    assert!(sets >= 2, "the GitHub and synthetic sets on hosts");
}
