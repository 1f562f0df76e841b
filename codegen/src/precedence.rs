//! The precedence rules, in one place: which of several matching routes handles a request.
//!
//! 1. A `path` route beats any `prefix` route.
//! 2. Among prefixes, the one with more segments wins.
//! 3. Then, comparing segments left to right, a literal segment beats a parameter.
//! 4. On the same pattern, a route that lists the request's method beats one without
//!    `methods`.
//!
//! Routes that tie on all four match the same requests; validation rejects them.

use std::cmp::Reverse;

use crate::model::{Pattern, RouteDef, Segment, Table};
use fanout_router_core::method::Methods;
use fanout_router_core::route::PatternKind;

/// Sort key: the smaller key wins.
pub fn key(route: &RouteDef) -> impl Ord + use<> {
    let pattern = &route.pattern;
    let kind = match pattern.kind {
        PatternKind::Exact => 0u8,
        PatternKind::Prefix => 1,
    };
    let length = match pattern.kind {
        PatternKind::Exact => Reverse(0),
        PatternKind::Prefix => Reverse(pattern.segments.len()),
    };
    let shape: Vec<bool> = pattern
        .segments
        .iter()
        .map(|s| matches!(s, Segment::Param(_)))
        .collect();
    (kind, length, shape, route.methods.is_any())
}

/// Whether `pattern` matches `path`, ignoring methods: the plain definition that the
/// generated lookup must agree with.
pub fn matches(pattern: &Pattern, path: &str) -> bool {
    let Some(segments) = path_segments(path) else {
        return false;
    };
    let fits = match pattern.kind {
        PatternKind::Exact => segments.len() == pattern.segments.len(),
        PatternKind::Prefix => segments.len() >= pattern.segments.len(),
    };
    fits && pattern
        .segments
        .iter()
        .zip(&segments)
        .all(|(p, s)| match p {
            Segment::Literal(text) => text == s,
            Segment::Param(_) => !s.is_empty(),
        })
}

/// `/` has no segments; `/a/` has two, the second empty.
pub fn path_segments(path: &str) -> Option<Vec<&str>> {
    let rest = path.strip_prefix('/')?;
    Some(if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    })
}

/// The route that handles a request by the rules above, as an index into `table.routes`:
/// a plain scan that the generated lookup is tested against.
pub fn reference_lookup(table: &Table, method: Methods, path: &str) -> Option<usize> {
    table
        .routes
        .iter()
        .enumerate()
        .filter(|(_, route)| route.methods.intersects(method) && matches(&route.pattern, path))
        .min_by_key(|(_, route)| key(route))
        .map(|(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern;

    fn pattern(text: &str, kind: PatternKind) -> Pattern {
        pattern::parse(text, kind).unwrap()
    }

    /// The documented path policy, on the path the platform hands the app.
    #[test]
    fn path_policy() {
        let exact = pattern("/rooms/{room}", PatternKind::Exact);
        let prefix = pattern("/api", PatternKind::Prefix);
        let cases = [
            (&exact, "/rooms/lobby", true),
            // An exact route does not match a trailing slash; a prefix route does.
            (&exact, "/rooms/lobby/", false),
            (&prefix, "/api/", true),
            (&prefix, "/api", true),
            (&prefix, "/api/v1/x", true),
            // Prefixes respect segment boundaries.
            (&prefix, "/apix", false),
            // An empty segment never fills a parameter, and `//` is not `/`.
            (&exact, "/rooms//", false),
            (&exact, "//rooms/lobby", false),
            (&prefix, "//api", false),
            // Case-sensitive, and escapes are not decoded: `%2F` stays inside one segment.
            (&prefix, "/API", false),
            (&exact, "/rooms/a%2Fb", true),
            (&prefix, "/%61pi", false),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(
                matches(pattern, path),
                expected,
                "{} vs {path}",
                pattern.text
            );
        }
    }
}
