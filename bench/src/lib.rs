//! Route sets compiled by the app's generator (see build.rs), and the two lookups the
//! generated one is measured against: matchit, the router inside axum, fed the same routes,
//! and a plain linear scan over the route table.

pub mod synthetic;

use std::collections::BTreeSet;

use fanout_router_core::method::Methods;
use fanout_router_core::route::{Captures, Match, PatternKind, RequestKey, Route};

pub type Lookup = for<'p> fn(&RequestKey<'p>) -> Option<Match<'p>>;

/// One route set: its generated lookup and table, its routes in matchit's syntax, and the
/// paths one benchmark iteration looks up.
pub struct Set {
    pub name: &'static str,
    pub lookup: Lookup,
    pub routes: &'static [&'static Route],
    pub matchit: &'static [&'static str],
    pub paths: &'static [&'static str],
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
        let mut router = matchit::Router::new();
        let mut seen = BTreeSet::new();
        let mut refused = 0;
        for (index, route) in self.matchit.iter().enumerate() {
            // An exact route and a prefix on the same pattern both need the bare path.
            if seen.insert(*route) && router.insert(*route, index).is_err() {
                refused += 1;
            }
        }
        (router, refused)
    }
}

/// The plain linear scan: tries every route in precedence order and returns the first that
/// matches, comparing the pattern with the path segment by segment.
pub fn linear_lookup<'p>(
    routes: &[&'static Route],
    method: &str,
    path: &'p str,
) -> Option<Match<'p>> {
    let method = Methods::of(method);
    routes.iter().find_map(|&route| {
        let captures = route
            .methods
            .intersects(method)
            .then(|| linear_match(route, path))??;
        Some(Match { route, captures })
    })
}

fn linear_match<'p>(route: &Route, path: &'p str) -> Option<Captures<'p>> {
    let mut captures = Captures::default();
    let mut params = 0;
    let rest = path.strip_prefix('/')?;
    let mut path_segments = (!rest.is_empty())
        .then(|| rest.split('/'))
        .into_iter()
        .flatten();
    let pattern = &route.pattern[1..];
    let pattern_segments = (!pattern.is_empty()).then(|| pattern.split('/'));
    for expected in pattern_segments.into_iter().flatten() {
        let segment = path_segments.next()?;
        if expected.starts_with('{') {
            if segment.is_empty() {
                return None;
            }
            captures.set(params, segment);
            params += 1;
        } else if expected != segment {
            return None;
        }
    }
    match route.kind {
        PatternKind::Exact => path_segments.next().is_none().then_some(captures),
        PatternKind::Prefix => Some(captures),
    }
}
