//! Route sets compiled by the app's generator (see build.rs), and the two lookups the
//! generated one is measured against: matchit, the router inside axum, fed the same routes,
//! and a plain linear scan over the route table. For the sets limited to hosts, matchit is
//! keyed by host: one router per host, found by hashing the host ([`HostRouter`]).

pub mod synthetic;

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

pub use fanout_router_core::decision::Lookup;
use fanout_router_core::method::Methods;
use fanout_router_core::route::{Match, PatternKind, RequestKey, Route};

/// One route set: its generated lookup and table, its routes in matchit's syntax, and the
/// paths one benchmark iteration looks up.
pub struct Set {
    pub name: &'static str,
    pub lookup: Lookup,
    pub routes: &'static [&'static Route],
    pub matchit: &'static [&'static str],
    pub paths: &'static [&'static str],
    /// For a set limited to hosts, the host of each path's request; empty otherwise.
    pub hosts: &'static [&'static str],
    /// For a set limited to hosts, matchit's routes for each host pattern.
    pub matchit_hosts: &'static [(&'static str, &'static [&'static str])],
    /// For a set limited to hosts, the set of the same routes without `hosts`, whose paths
    /// are this set's.
    pub baseline: Option<&'static str>,
    /// For a set of literal paths (and at most the catch-all `/`), a plain `match` on the
    /// whole path that returns the index of the route the generated lookup finds: the
    /// limit the generated lookup is measured against.
    pub limit: Option<fn(&str) -> Option<usize>>,
}

include!(concat!(env!("OUT_DIR"), "/sets.rs"));

impl Set {
    pub fn named(name: &str) -> &'static Set {
        SETS.iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no route set {name}"))
    }

    /// A matchit router holding the set's routes (the value is the route's index), and
    /// how many routes it refused: matchit cannot hold a catch-all beside a parameter
    /// (`/a/{*rest}` and `/a/{id}`), which a mixed set of prefixes and parameters has.
    pub fn matchit_router(&self) -> (matchit::Router<usize>, usize) {
        router_of(self.matchit)
    }

    /// The set of the same routes without `hosts`, for a set limited to hosts.
    pub fn baseline(&self) -> Option<&'static Set> {
        self.baseline.map(Set::named)
    }

    /// The requests one iteration looks up: `GET` each path, with its host if the set has
    /// hosts.
    pub fn requests(&self) -> Vec<RequestKey<'static>> {
        self.paths
            .iter()
            .enumerate()
            .map(|(i, path)| RequestKey {
                host: self.hosts.get(i).copied().unwrap_or(""),
                ..RequestKey::plain("GET", path)
            })
            .collect()
    }

    /// matchit keyed by host, for a set limited to hosts.
    pub fn host_router(&self) -> HostRouter {
        let mut router = HostRouter::default();
        for (host, routes) in self.matchit_hosts {
            let (one, _) = router_of(routes);
            match host.strip_prefix('*') {
                Some(suffix) => router.wildcards.push((suffix, one)),
                None if host.is_empty() => router.any = Some(one),
                None => {
                    router.exact.insert(host, one);
                }
            }
        }
        router
            .wildcards
            .sort_by_key(|(suffix, _)| usize::MAX - suffix.len());
        router
    }
}

/// The header of the lookup table in BENCHMARKS.md.
pub const LOOKUP_HEADER: &str = "| set | routes | generated ns | limit ns | matchit ns | linear ns | generated / limit | matchit / generated | linear / generated |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";

/// The row of [`LOOKUP_HEADER`] for a set without hosts, from its nanoseconds per lookup:
/// generated, matchit, linear, and the limit for a set that has one.
pub fn lookup_row(set: &Set, ns: &[f64]) -> String {
    let (_, refused) = set.matchit_router();
    let routes = if refused > 0 {
        format!("{} ({refused} refused by matchit)", set.routes.len())
    } else {
        set.routes.len().to_string()
    };
    let (limit, over_limit) = match ns.get(3) {
        Some(limit) => (format!("{limit:.1}"), format!("{:.2}", ns[0] / limit)),
        None => ("-".to_owned(), "-".to_owned()),
    };
    format!(
        "| {} | {routes} | {:.1} | {limit} | {:.1} | {:.1} | {over_limit} | {:.2} | {:.2} |",
        set.name,
        ns[0],
        ns[1],
        ns[2],
        ns[1] / ns[0],
        ns[2] / ns[0]
    )
}

/// The header of the table of the sets limited to hosts, in BENCHMARKS.md.
pub const HOSTS_HEADER: &str = "| set | hosts x routes | generated ns | generated, no hosts ns | generated / no hosts | matchit by host ns | matchit, no hosts ns | matchit by host / generated |\n|---|---:|---:|---:|---:|---:|---:|---:|";

/// The row of [`HOSTS_HEADER`] for a set limited to hosts, from its nanoseconds per lookup:
/// generated, generated without hosts, matchit by host, matchit without hosts.
pub fn host_row(set: &Set, ns: &[f64]) -> String {
    format!(
        "| {} | {} x {} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {:.2} |",
        set.name,
        set.matchit_hosts.len(),
        set.routes.len(),
        ns[0],
        ns[1],
        ns[0] / ns[1],
        ns[2],
        ns[3],
        ns[2] / ns[0]
    )
}

fn router_of(routes: &[&'static str]) -> (matchit::Router<usize>, usize) {
    let mut router = matchit::Router::new();
    let mut seen = BTreeSet::new();
    let mut refused = 0;
    for (index, route) in routes.iter().enumerate() {
        // An exact route and a prefix on the same pattern both need the bare path.
        if seen.insert(*route) && router.insert(*route, index).is_err() {
            refused += 1;
        }
    }
    (router, refused)
}

/// matchit routers keyed by host, with the generated lookup's precedence: the router of
/// the exact host, then those of the wildcards that admit it (longest suffix first), then
/// the one for any host; the first that matches the path answers. The exact hosts are
/// found through a `HashMap` with FNV-1a, a hash as fast as the host names are short
/// (std's default, SipHash, would cost more than the path lookup).
#[derive(Default)]
pub struct HostRouter {
    exact: HashMap<&'static str, matchit::Router<usize>, BuildHasherDefault<Fnv1a>>,
    /// `(".example.com", router)` for `*.example.com`.
    wildcards: Vec<(&'static str, matchit::Router<usize>)>,
    any: Option<matchit::Router<usize>>,
}

impl HostRouter {
    /// The index of the matchit route that handles `path` on `host`.
    pub fn at(&self, host: &str, path: &str) -> Option<usize> {
        if let Some(found) = self.exact.get(host).and_then(|r| r.at(path).ok()) {
            return Some(*found.value);
        }
        for (suffix, router) in &self.wildcards {
            if host.len() > suffix.len()
                && host.ends_with(suffix)
                && let Ok(found) = router.at(path)
            {
                return Some(*found.value);
            }
        }
        Some(*self.any.as_ref()?.at(path).ok()?.value)
    }
}

/// The 64-bit FNV-1a hash.
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A generated lookup as the app uses it, for comparing with matchit, whose answer holds
/// the parameters' values: the route, with its parameters' values read.
#[inline]
pub fn find(lookup: Lookup, request: &RequestKey) -> Option<&'static Route> {
    let route = lookup(request)?;
    if !route.params.is_empty() {
        Match::new(route, request.path).values().for_each(|value| {
            std::hint::black_box(value);
        });
    }
    Some(route)
}

/// The plain linear scan: tries every route in precedence order and returns the first that
/// matches, comparing the pattern with the path segment by segment.
pub fn linear_lookup<'p>(
    routes: &[&'static Route],
    method: &str,
    path: &'p str,
) -> Option<Match<'p>> {
    let method = Methods::of(method);
    let found = routes
        .iter()
        .find(|route| route.methods.intersects(method) && linear_match(route, path))?;
    Some(Match::new(found, path))
}

fn linear_match(route: &Route, path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let mut path_segments = (!rest.is_empty())
        .then(|| rest.split('/'))
        .into_iter()
        .flatten();
    let pattern = &route.pattern[1..];
    let pattern_segments = (!pattern.is_empty()).then(|| pattern.split('/'));
    for expected in pattern_segments.into_iter().flatten() {
        let Some(segment) = path_segments.next() else {
            return false;
        };
        let matches = if expected.starts_with('{') {
            !segment.is_empty()
        } else {
            expected == segment
        };
        if !matches {
            return false;
        }
    }
    match route.kind {
        PatternKind::Exact => path_segments.next().is_none(),
        PatternKind::Prefix => true,
    }
}
